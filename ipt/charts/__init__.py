"""Server-rendered SVG charts for pages and WeasyPrint PDFs.

- svg: what the charts share: elements built with format_html (user text is escaped), text
  widths, colours, date axes and ticks, label packing, the accessible <svg> root.
- circle: the closeness circle, the people of the interpersonal inventory on three rings.
- timeline: life events above a date axis, the onset and course of symptoms below it.
- symptoms: scores (PHQ-9) over time on severity bands, with sessions and events below.
- ratings: the focal rating and 0-10 mood beside the PHQ-9, on one session axis.

One code path serves HTML and PDF, so the charts are plain SVG markup: the
Content-Security-Policy forbids inline styles and scripts, so only presentation attributes
are used (fill, stroke, font-size...); printouts are often greyscale, so kinds also differ by
marker shape, fill and line dash. The charts are pure: callers pass plain values in.
"""

from ipt.charts.circle import CirclePerson, closeness_circle, layout_angles
from ipt.charts.ratings import RatingSeries, ratings_chart
from ipt.charts.svg import month_year
from ipt.charts.symptoms import ChartEvent, ScorePoint, SessionMark, symptom_chart
from ipt.charts.timeline import KIND_LABELS, TimelineEvent, timeline

__all__ = [
    "KIND_LABELS",
    "ChartEvent",
    "CirclePerson",
    "RatingSeries",
    "ScorePoint",
    "SessionMark",
    "TimelineEvent",
    "closeness_circle",
    "layout_angles",
    "month_year",
    "ratings_chart",
    "symptom_chart",
    "timeline",
]

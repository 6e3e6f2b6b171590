"""The symptom chart: scores (PHQ-9) over time on severity bands, sessions and events below.

Top to bottom: the plot (bands, baseline, scores), the date axis, a row of sessions and a
strip of events, then a legend of what is shown. A score with a risk flag (PHQ-9 item 9 above
0) always has its own marker, never hidden; value labels are placed clear of the line.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from ipt.charts import svg
from ipt.charts.svg import AXIS, FOCAL, FOCAL_AREA, INK, MUTED, SYMPTOM, WHITE, Box, DateScale


@dataclass(frozen=True)
class ScorePoint:
    when: datetime.date
    total: int
    label: str = ""  # "Baseline", "Session 4"...
    risk: bool = False  # PHQ-9 item 9 above 0: always drawn with its own marker, never hidden


@dataclass(frozen=True)
class ChartEvent:
    when: datetime.date
    label: str
    focal: bool = True  # related to the focal problem area: filled marker, else hollow


@dataclass(frozen=True)
class SessionMark:
    when: datetime.date
    number: int
    status: str = "held"  # "held" | "missed" | "planned" | "cancelled"


SCORE_LINE, FAINT, LIGHT_TEXT = "#1f4e79", "#a9b6c3", "#767676"  # #767676: 4.5:1 on white
BAND_LIGHT, BAND_DARK = (0xF8, 0xFA, 0xFC), (0xCF, 0xDB, 0xE7)  # more severe = darker stripe
SESSION_STATUSES = {
    "held": "Session held",
    "missed": "Missed (did not attend)",
    "planned": "Planned",
    "cancelled": "Cancelled",
}
RISK_NOTE = "item 9 above 0"


def _status(session: SessionMark) -> str:
    """An unknown status is drawn as planned: the chart never claims a session was held."""
    return session.status if session.status in SESSION_STATUSES else "planned"


def _band_fill(i: int, n: int) -> str:
    t = i / max(1, n - 1)
    rgb = (round(a + (b - a) * t) for a, b in zip(BAND_LIGHT, BAND_DARK, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _score_marker() -> SafeString:
    return svg.circle(0, 0, 4.5, SCORE_LINE, stroke=WHITE, stroke_width=1.5)


def _risk_marker(r: float = 6.5) -> list[SafeString]:
    """A red disc with a white "!" inside a red ring: unlike the plain dots, also in greyscale."""
    return [
        svg.circle(0, 0, r + 4, "none", stroke=SYMPTOM, stroke_width=2.5, class_="risk-marker"),
        svg.circle(0, 0, r, SYMPTOM, stroke=WHITE, stroke_width=1.5),
        svg.text(0, r * 0.55, "!", r * 1.6, "middle", fill=WHITE, font_weight="bold"),
    ]


def _session_marker(status: str) -> list[SafeString]:
    """Held: filled; missed: hollow with an x; cancelled: hollow, struck through; planned: light."""
    if status == "held":
        return [svg.circle(0, 0, 4.5, SCORE_LINE)]
    if status == "planned":
        return [
            svg.circle(0, 0, 4.5, WHITE, stroke=FAINT, stroke_width=1.5, stroke_dasharray="2 1.6")
        ]
    marker = [svg.circle(0, 0, 4.5, WHITE, stroke=MUTED, stroke_width=1.5)]
    if status == "missed":
        return [*marker, svg.line(-3, -3, 3, 3, MUTED, 1.5), svg.line(-3, 3, 3, -3, MUTED, 1.5)]
    return [*marker, svg.line(-3.2, 0, 3.2, 0, MUTED, 1.5)]


def _event_marker(focal: bool) -> SafeString:
    if focal:
        return svg.circle(0, 0, 5.5, FOCAL, stroke=WHITE, stroke_width=1.5)
    return svg.circle(0, 0, 4.5, WHITE, stroke=MUTED, stroke_width=2)


def _hits(box: Box, samples: list[tuple[float, float]], pad: float = 2) -> int:
    x0, y0, x1, y1 = box
    return sum(x0 - pad <= x <= x1 + pad and y0 - pad <= y <= y1 + pad for x, y in samples)


def _along(xy: list[tuple[float, float]], step: float = 2.5) -> list[tuple[float, float]]:
    """Points every few units along a polyline, to tell whether a label would sit on it."""
    samples = []
    for i in range(1, len(xy)):
        (xa, ya), (xb, yb) = xy[i - 1], xy[i]
        n = max(1, int(math.hypot(xb - xa, yb - ya) / step))
        samples += [(xa + (xb - xa) * k / n, ya + (yb - ya) * k / n) for k in range(n + 1)]
    return samples


# The plot: scales, severity bands and the axes --------------------------------------------


class _Plot:
    """Where scores and days go; band names take a column at the right of the plot."""

    def __init__(
        self,
        bands: Sequence[tuple[int, int, str]],
        max_score: int,
        width: int,
        days: list[datetime.date],
    ):
        self.width, self.days = width, days
        self.top_score = top_score = max(1, max_score)
        stripes = sorted((max(0, lo), min(hi, top_score), lab) for lo, hi, lab in bands if lo <= hi)
        self.stripes = [s for s in stripes if s[0] <= top_score]
        # Band names go in a column at the right, in a smaller font when the chart is narrow.
        self.names = [svg.truncate(label, 24) for _, _, label in self.stripes]
        longest = max((len(n) for n in self.names), default=1)
        self.band_size = max(8.5, min(11, (0.24 * width - 20) / (0.6 * longest)))
        self.left = 64
        self.right = width - max(60.0, 20 + svg.text_width("x" * longest, self.band_size))
        self.top = 26
        self.bottom = self.top + max(160, min(300, round(width * 0.34)))  # the axis, at 0
        first, last = min(days, default=datetime.date.min), max(days, default=datetime.date.min)
        span = (last - first).days
        margin = max(4, round(span * 0.04)) if span else 14
        start = svg.shift(first, -margin) if days else first  # x() needs some day
        self.scale = DateScale(start, svg.shift(last, margin), self.left, self.right)
        self.precise = span <= 400  # the day of the month matters

    def x(self, day: datetime.date) -> float:
        return self.scale.x(day)

    def y(self, score: float) -> float:
        top_score = self.top_score
        return self.bottom - min(max(score, 0), top_score) / top_score * (self.bottom - self.top)

    def date(self, day: datetime.date) -> str:
        return svg.month_year(day, self.precise)

    def band_of(self, total: int) -> str:
        return next((lab for lo, hi, lab in self.stripes if lo <= total <= hi), "")

    def band_note(self, total: int) -> str:
        """' (mild)': the band of a total, for the text, or nothing outside every band."""
        return f" ({self.band_of(total).lower()})" if self.band_of(total) else ""


def _bands(plot: _Plot) -> list[SafeString]:
    """Severity bands: stripes that run on under their labels at the right."""
    body, left = [], plot.left
    for i, ((lo, hi, label), name) in enumerate(zip(plot.stripes, plot.names, strict=True)):
        y0, y1 = plot.y(min(hi + 1, plot.top_score)), plot.y(lo)
        fill = _band_fill(i, len(plot.stripes))
        body.append(
            svg.rect(left, y0, plot.width - left, y1 - y0, fill, class_="band", data_band=label)
        )
        size = min(plot.band_size, y1 - y0 - 1)
        if size >= 6:
            y = (y0 + y1) / 2 + size * 0.36
            body.append(svg.text(plot.right + 10, y, name, size, class_="band-label"))
    return body


def _score_axis(plot: _Plot, measure: str) -> list[SafeString]:
    """Band edges as gridlines, numbered where there is room, and the name of the measure."""
    left, body = plot.left, []
    levels = sorted({0, plot.top_score, *(lo for lo, _, _ in plot.stripes)})
    shown = [0, plot.top_score]  # then each band edge that leaves room for its number
    for score in levels:
        y = plot.y(score)
        body.append(svg.line(left, y, plot.width, y, "#b4c2d0", 0.75))
        if all(abs(plot.y(s) - y) >= 11 for s in shown):
            shown.append(score)
    for score in shown:
        y = plot.y(score)
        body += [
            svg.line(left - 5, y, left, y, AXIS, 1.5),
            svg.text(left - 8, y + 3.5, str(score), 10, "end", fill=MUTED, class_="score-tick"),
        ]
    body.append(svg.text(left - 8, plot.top - 12, measure, 10, "end", fill=MUTED))
    return body


def _date_axis(plot: _Plot) -> tuple[list[SafeString], list[SafeString]]:
    """Gridlines up through the plot, and ticks down into a row of their own."""
    grid, ticks = [], []
    if plot.days:
        most = max(2, int(plot.right - plot.left) // 70)
        for day, text in svg.date_ticks(plot.scale.start, plot.scale.end, most):
            x = plot.x(day)
            grid.append(svg.line(x, plot.top, x, plot.bottom, WHITE, 1, stroke_opacity=0.9))
            ticks += [
                svg.line(x, plot.bottom, x, plot.bottom + 5, AXIS, 1.5),
                svg.text(x, plot.bottom + 17, text, 10, "middle", fill=MUTED, class_="date-tick"),
            ]
    return grid, ticks


# Scores and the baseline -------------------------------------------------------------------


class _Crowd:
    """What a value label should keep off: the lines, the markers and the labels placed."""

    def __init__(self, plot: _Plot, xy: list[tuple[float, float]], radius: list[float]):
        self.samples = _along(xy)
        self.obstacles: list[Box] = [
            (x - r, y - r, x + r, y + r) for (x, y), r in zip(xy, radius, strict=True)
        ]
        self.bounds = (plot.left + 1, 4, plot.right + 6, plot.bottom - 1)  # not on axes or names

    def cost(self, box: Box, own: int | None = None) -> float:
        inside = svg.overlap(box, self.bounds)
        area = (box[2] - box[0]) * (box[3] - box[1])
        crowd = sum(svg.overlap(box, o, 2) for i, o in enumerate(self.obstacles) if i != own)
        return 20 * _hits(box, self.samples) + crowd + 10 * (area - inside)


def _baseline(plot: _Plot, baseline: int, crowd: _Crowd) -> list[SafeString]:
    """A dashed line at the baseline score, labelled where the label is least in the way."""
    left, right, by = plot.left, plot.right, plot.y(baseline)
    crowd.samples += _along([(left, by), (right, by)], 4)  # value labels keep off it too
    text = f"Baseline {baseline}"
    tw = svg.text_width(text, 10)
    spots = [  # right end above, below, then left end
        (right - 6 - tw, by - 13, right - 6, by - 3),
        (right - 6 - tw, by + 3, right - 6, by + 13),
        (left + 6, by - 13, left + 6 + tw, by - 3),
        (left + 6, by + 3, left + 6 + tw, by + 13),
    ]
    costs = [crowd.cost(box) + 3 * i for i, box in enumerate(spots)]
    box = spots[costs.index(min(costs))]
    crowd.obstacles.append(box)
    return [
        svg.line(left, by, right, by, INK, 1.5, stroke_dasharray="6 4", class_="baseline"),
        svg.rect(box[0] - 2, box[1] - 1, box[2] - box[0] + 4, 12, WHITE, rx=2, fill_opacity=0.8),
        svg.text(box[0], box[3] - 1, text, 10, fill=INK, class_="baseline-label"),
    ]


def _value_spot(
    crowd: _Crowd, i: int, x: float, y: float, r: float, p: ScorePoint
) -> tuple[float, float, str]:
    """Where the value of score i goes: the least crowded of eight spots around its marker.

    Returns the offset (dx, baseline dy) from the marker and the text anchor.
    """
    w = svg.text_width(str(p.total), 11)
    d = r + (5 if p.risk else 3)
    spots = [  # (dx, baseline dy, anchor): above, below, the four diagonals, the sides
        (0, -d - 1, "middle"),
        (0, d + 9, "middle"),
        (d - 2, -d + 1, "start"),
        (-d + 2, -d + 1, "end"),
        (d - 2, d + 7, "start"),
        (-d + 2, d + 7, "end"),
        (d + 1, 4, "start"),
        (-d - 1, 4, "end"),
    ]
    options = []
    for k, (dx, dy, anchor) in enumerate(spots):
        x0 = x + dx - {"start": 0, "middle": w / 2, "end": w}[anchor]
        box = (x0 - 1, y + dy - 9, x0 + w + 1, y + dy + 1)
        options.append((crowd.cost(box, own=i) + 2 * k, dx, dy, anchor, box))
    _, dx, dy, anchor, box = min(options, key=lambda o: o[0])
    crowd.obstacles.append(box)
    return dx, dy, anchor


def _score_point(
    plot: _Plot, p: ScorePoint, x: float, y: float, spot: tuple, measure: str
) -> SafeString:
    dx, dy, anchor = spot
    state = f"; {RISK_NOTE} (thoughts of being better off dead or of self-harm)" * p.risk
    hover = f"{p.label + ', ' if p.label else ''}{plot.date(p.when)}: {measure} {p.total}"
    hover += plot.band_note(p.total)
    parts = [
        svg.el("title", hover + state),
        *(_risk_marker() if p.risk else [_score_marker()]),
        svg.text(
            dx,
            dy,
            str(p.total),
            11,
            anchor,
            fill=SYMPTOM if p.risk else INK,
            font_weight="bold",
            class_="score-value",
        ),
    ]
    return svg.el(
        "g",
        parts,
        class_="score-point score-risk" if p.risk else "score-point",
        data_date=p.when.isoformat(),
        data_total=p.total,
        transform=svg.translate(x, y),
    )


def _scores(
    plot: _Plot, points: list[ScorePoint], baseline: int | None, measure: str
) -> tuple[list[SafeString], list[SafeString]]:
    """The baseline's parts, and the scores' line, markers and values (or a note if none).

    Where a value label goes is chosen among eight spots around its marker, as the one that
    least covers the line, the markers and the labels already placed.
    """
    xy = [(plot.x(p.when), plot.y(p.total)) for p in points]
    radius = [10.5 if p.risk else 5.0 for p in points]
    crowd = _Crowd(plot, xy, radius)
    baseline_parts = _baseline(plot, baseline, crowd) if baseline is not None else []
    marks = [
        _score_point(plot, p, x, y, _value_spot(crowd, i, x, y, r, p), measure)
        for i, (p, (x, y), r) in enumerate(zip(points, xy, radius, strict=True))
    ]
    if len(xy) > 1:
        pairs = " ".join(f"{svg.num(x)},{svg.num(y)}" for x, y in xy)
        polyline = svg.el(
            "polyline",
            points=pairs,
            fill="none",
            stroke=SCORE_LINE,
            stroke_width=2.5,
            stroke_linejoin="round",
            stroke_linecap="round",
            class_="score-line",
        )
        marks.insert(0, polyline)
    if not points:
        left, right, note = plot.left, plot.right, f"No {measure} recorded yet"
        nw, my = svg.text_width(note, 13) + 20, (plot.top + plot.bottom) / 2
        marks += [
            svg.rect((left + right - nw) / 2, my - 14, nw, 24, WHITE, rx=4, fill_opacity=0.9),
            svg.text(
                (left + right) / 2, my + 3, note, 13, "middle", fill=MUTED, class_="empty-note"
            ),
        ]
    return baseline_parts, marks


# Sessions and events under the plot -------------------------------------------------------


def _sessions(
    plot: _Plot, sessions: list[SessionMark], row_y: float
) -> tuple[list[SafeString], float]:
    """A row under the dates; labels take one of two rows, or only the hover title.

    Returns the marks and the bottom of the row.
    """
    marks, ends = [], [-1e9, -1e9]
    for s in sessions:
        status = _status(s)
        x, text = plot.x(s.when), f"S{s.number}"
        half = svg.text_width(text, 10) / 2
        row = next((i for i, e in enumerate(ends) if e + 3 <= x - half), None)
        hover = f"Session {s.number}, {plot.date(s.when)}: {SESSION_STATUSES[status].lower()}"
        parts = [svg.el("title", hover), *_session_marker(status)]
        if row is not None:
            ends[row] = x + half
            colour = {"held": INK, "planned": LIGHT_TEXT}.get(status, MUTED)
            parts.append(svg.text(0, 17 + 11 * row, text, 10, "middle", fill=colour))
        marks.append(
            svg.el(
                "g",
                parts,
                class_="session-mark",
                data_status=status,
                data_number=s.number,
                data_date=s.when.isoformat(),
                transform=svg.translate(x, row_y),
            )
        )
    return marks, row_y + 17 + 11 * (ends[1] > -1e9) if sessions else row_y - 12


@dataclass(frozen=True)
class _EventLabel:
    event: ChartEvent
    x: float  # the marker
    level: int  # how far the marker is stacked below the event line
    cx: float  # the label's centre, shifted to stay inside the viewBox
    half: float  # half the label's width
    row: int
    text: str


def _event_labels(plot: _Plot, events: list[ChartEvent]) -> tuple[list[_EventLabel], int, float]:
    """Markers stack up on the same day, labels go into greedy rows with a clear gap between
    them, so two labels never read as one. Returns the labels, the rows, the stack height."""
    stacks: list[tuple[float, int]] = []
    ends: list[float] = []
    placed = []
    for ev in events:
        x, text = plot.x(ev.when), svg.truncate(ev.label, 30)
        half = svg.text_width(text, 11) * (1.15 if ev.focal else 1) / 2 + 3  # bold runs wider
        cx = min(max(x, 4 + half), plot.width - 4 - half)
        level = svg.stack_level(stacks, x, 12)
        row = svg.label_row(ends, cx - half, cx + half, 16)
        placed.append(_EventLabel(ev, x, level, cx, half, row, text))
    return placed, len(ends), 12 * max((lv for _, lv in stacks), default=0)


def _events(
    plot: _Plot, events: list[ChartEvent], line_y: float
) -> tuple[list[list[SafeString]], float]:
    """Markers on a line of their own, labels in rows below, each joined to its marker; a
    dotted guide shows the date up through the plot.

    Returns the guides, leaders, labels and markers, and the bottom of the strip.
    """
    placed, rows, stack_h = _event_labels(plot, events)
    guides, leaders, labels, marks = [], [], [], []
    for p in placed:
        ev, x = p.event, p.x
        my, label_top = line_y + 12 * p.level, line_y + 16 + stack_h + 22 * p.row
        guides.append(svg.line(x, plot.top, x, plot.bottom, "#8696a6", 1, stroke_dasharray="1.5 3"))
        leaders.append(svg.line(x, my, x, label_top, "#8a8a8a"))
        kind = FOCAL_AREA if ev.focal else "other"
        bold = "bold" if ev.focal else None
        hover = f"{plot.date(ev.when)}: {ev.label} ({kind})"
        marks.append(
            svg.el(
                "g",
                [svg.el("title", hover), _event_marker(ev.focal)],
                class_="chart-event chart-event-focal" if ev.focal else "chart-event",
                data_date=ev.when.isoformat(),
                transform=svg.translate(x, my),
            )
        )
        label = [
            svg.rect(p.cx - p.half, label_top, 2 * p.half, 16, WHITE, rx=3, fill_opacity=0.9),
            svg.text(p.cx, label_top + 12, p.text, 11, "middle", font_weight=bold),
        ]
        labels.append(svg.el("g", label, class_="chart-event-label", data_row=p.row))
    return [guides, leaders, labels, marks], line_y + 16 + stack_h + 22 * rows


# Legend and text ---------------------------------------------------------------------------


def _legend_items(
    points: list[ScorePoint],
    sessions: list[SessionMark],
    events: list[ChartEvent],
    baseline: int | None,
    measure: str,
) -> list[tuple[list[SafeString], str]]:
    items: list[tuple[list[SafeString], str]] = []
    if points:
        items.append(
            ([svg.line(-9, 0, 9, 0, SCORE_LINE, 2.5), _score_marker()], f"{measure} total")
        )
    if any(p.risk for p in points):
        items.append((_risk_marker(4.5), RISK_NOTE.capitalize()))
    if baseline is not None:
        items.append(([svg.line(-10, 0, 10, 0, INK, 1.5, stroke_dasharray="6 4")], "Baseline"))
    statuses = {_status(s) for s in sessions}
    items += [(_session_marker(k), v) for k, v in SESSION_STATUSES.items() if k in statuses]
    if any(e.focal for e in events):
        items.append(([_event_marker(True)], f"Event in the {FOCAL_AREA}"))
    if any(not e.focal for e in events):
        items.append(([_event_marker(False)], "Other event"))
    return items


def _description(
    plot: _Plot,
    points: list[ScorePoint],
    sessions: list[SessionMark],
    events: list[ChartEvent],
    baseline: int | None,
    measure: str,
) -> str:
    """The text alternative: every score with its band, risk, sessions and events."""
    date = plot.date
    if points:
        desc = f"{len(points)} {measure} scores from {date(points[0].when)}"
        desc += f" to {date(points[-1].when)}." if len(points) > 1 else "."
    else:
        desc = f"No {measure} recorded yet."
    desc += f" Baseline {baseline}." if baseline is not None else ""
    for p in points:
        desc += f" {p.label + ', ' if p.label else ''}{date(p.when)}: {p.total}"
        desc += plot.band_note(p.total)
        desc += f", {RISK_NOTE}." if p.risk else "."
    if sessions:
        counts = [
            f"{n} {k}" for k in SESSION_STATUSES if (n := sum(_status(s) == k for s in sessions))
        ]
        desc += f" Sessions: {', '.join(counts)}."
    for ev in events:
        desc += f" {date(ev.when)}: {ev.label}{f' ({FOCAL_AREA})' * ev.focal}."
    return desc


def symptom_chart(
    points: Sequence[ScorePoint],
    *,
    bands: Sequence[tuple[int, int, str]],
    max_score: int,
    sessions: Sequence[SessionMark] = (),
    events: Sequence[ChartEvent] = (),
    baseline: int | None = None,
    title: str = "PHQ-9 over the course",
    width: int = 760,
    measure: str = "PHQ-9",
) -> SafeString:
    """Scores over time on severity bands, with the sessions and interpersonal events below.

    Top to bottom: the plot (bands, baseline, scores), the date axis, a row of sessions and a
    strip of events, then a legend of what is shown. `measure` names the scores in the text.
    """
    points = sorted(points, key=lambda p: p.when)  # stable: same-day scores keep their order
    sessions = sorted(sessions, key=lambda s: (s.when, s.number))
    events = sorted(events, key=lambda e: e.when)
    days = [p.when for p in points] + [s.when for s in sessions] + [e.when for e in events]
    plot = _Plot(bands, max_score, width, days)
    left, bottom = plot.left, plot.bottom
    grid, ticks = _date_axis(plot)
    body = [*_bands(plot), *_score_axis(plot, measure), *grid]
    baseline_parts, score_marks = _scores(plot, points, baseline, measure)

    row_y = bottom + (24 if days else 6) + 12
    session_marks, below = _sessions(plot, sessions, row_y)
    line_y = below + 20
    (guides, leaders, labels, event_marks), strip_end = _events(plot, events, line_y)
    if events:
        below = strip_end
    if sessions:
        body.append(svg.text(left - 8, row_y + 4, "Sessions", 10, "end", fill=MUTED))
    if events:
        body.append(svg.text(left - 8, line_y + 4, "Events", 10, "end", fill=MUTED))
        body.append(svg.line(left, line_y, plot.right, line_y, "#c8c8c8", 1, class_="event-line"))
    axis = [
        svg.line(left, plot.top, left, bottom, AXIS, 1.5),
        svg.line(left, bottom, plot.right, bottom, AXIS, 2, class_="time-axis"),
    ]
    body += [*guides, *baseline_parts, *axis, *ticks, *score_marks, *session_marks]
    body += [*leaders, *labels, *event_marks]  # a label may hide a leader, never the reverse

    items = _legend_items(points, sessions, events, baseline, measure)
    legend, y = svg.wrapped_legend(
        items,
        x0=left - 20,
        y=below + (26 if items else 0),
        width=width,
        marker_dx=10,
        text_dx=24,
        spacing=40,
    )
    desc = _description(plot, points, sessions, events, baseline, measure)
    return svg.document("symptom-chart", title, desc, width, y + 12, body + legend)

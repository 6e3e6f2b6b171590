"""The symptom chart: PHQ-9 totals on severity bands, with sessions and interpersonal events."""

import datetime
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from ipt.charts import (
    ChartEvent,
    CirclePerson,
    ScorePoint,
    SessionMark,
    TimelineEvent,
    closeness_circle,
    symptom_chart,
    timeline,
)
from ipt.measures.instruments import PHQ9

NS = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert(1)</script> & "x"'
D = datetime.date
BANDS = [(b.low, b.high, b.label) for b in PHQ9.bands]
START = D(2025, 3, 3)


def week(n: int) -> datetime.date:
    return START + datetime.timedelta(weeks=n)


# A realistic course: baseline 18, twelve weekly sessions (the sixth missed), down to 6, with
# item 9 above 0 at session 3, and five events around the dispute with Tom.
TOTALS = {1: 17, 2: 17, 3: 16, 4: 15, 5: 14, 7: 13, 8: 11, 9: 10, 10: 8, 11: 7, 12: 6}
POINTS = [ScorePoint(week(-1), 18, "Baseline")] + [
    ScorePoint(week(n - 1), total, f"Session {n}", risk=n == 3) for n, total in TOTALS.items()
]
SESSIONS = [SessionMark(week(n - 1), n, "missed" if n == 6 else "held") for n in range(1, 13)]
EVENTS = [
    ChartEvent(week(0) + datetime.timedelta(days=2), "Row with Tom about chores"),
    ChartEvent(week(2) + datetime.timedelta(days=4), "Mother's hospital stay", focal=False),
    ChartEvent(week(4) + datetime.timedelta(days=1), "Told Tom how she felt"),
    ChartEvent(week(4) + datetime.timedelta(days=3), "Weekend away with Tom"),
    ChartEvent(week(8), "Agreed a rota for the house"),
]


def full(**kwargs) -> SafeString:
    options = {"sessions": SESSIONS, "events": EVENTS, "baseline": 18, **kwargs}
    return symptom_chart(POINTS, bands=BANDS, max_score=27, **options)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # raises on anything that is not well-formed XML


def all_text(root: ET.Element) -> str:
    return " ".join(t for el in root.iter() for t in (el.text, el.tail) if t)


def viewbox(root: ET.Element) -> tuple[float, float]:
    _, _, w, h = map(float, root.get("viewBox").split())
    return w, h


def translate(el: ET.Element) -> tuple[float, float]:
    x, y = re.fullmatch(r"translate\(([-\d.]+) ([-\d.]+)\)", el.get("transform")).groups()
    return float(x), float(y)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in (el.get("class") or "").split()]


def axis_y(root: ET.Element) -> float:
    (axis,) = by_class(root, "time-axis")
    assert axis.get("y1") == axis.get("y2")
    return float(axis.get("y1"))


def points_of(root: ET.Element) -> list[tuple[str, int, float, float]]:
    """(date, total, x, y) of every score marker, in document order."""
    return [
        (g.get("data-date"), int(g.get("data-total")), *translate(g))
        for g in by_class(root, "score-point")
    ]


def box(rect: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(rect.get(a)) for a in ("x", "y", "width", "height"))


def disjoint(a: tuple, b: tuple) -> bool:
    (x, y, w, h), (x2, y2, w2, h2) = a, b
    return x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y


CHARTS = {
    "full": full,
    "narrow": lambda: full(width=420),
    "empty": lambda: symptom_chart([], bands=BANDS, max_score=27),
    "points-only": lambda: symptom_chart(POINTS[:1], bands=BANDS, max_score=27),
    "evil": lambda: symptom_chart(
        [ScorePoint(D(2025, 1, 6), 12, EVIL, risk=True)],
        bands=[(0, 9, EVIL), (10, 27, "High")],
        max_score=27,
        events=[ChartEvent(D(2025, 1, 8), EVIL), ChartEvent(D(2025, 1, 9), EVIL, focal=False)],
        sessions=[SessionMark(D(2025, 1, 6), 1, EVIL)],
        title=EVIL,
    ),
}


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_chart_is_safe_accessible_scalable_svg(make):
    svg = make()
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == f"{NS}svg"
    assert "symptom-chart" in root.get("class").split()
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("height") is None
    w, h = viewbox(root)
    assert w > 0 and h > 0
    title, desc = root[0], root[1]
    assert (title.tag, desc.tag) == (f"{NS}title", f"{NS}desc")
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert title.text and desc.text
    for el in root.iter():  # the CSP forbids inline styles and scripts
        assert el.tag not in (f"{NS}style", f"{NS}script")
        assert "style" not in el.attrib
        assert not any(name.startswith("on") for name in el.attrib)
    assert "DejaVu Sans" in root.get("font-family")


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_everything_stays_inside_the_viewbox(make):
    root = parse(make())
    w, h = viewbox(root)
    for rect in root.iter(f"{NS}rect"):
        x, y, rw, rh = box(rect)
        if rect.get("transform") is None:
            assert x >= 0 and y >= 0 and x + rw <= w + 0.1 and y + rh <= h + 0.1
    for g in [*by_class(root, "score-point"), *by_class(root, "chart-event")]:
        x, y = translate(g)
        assert 0 < x < w and 0 < y < h


def test_user_text_is_escaped_once():
    svg = str(CHARTS["evil"]())
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert root[0].text == EVIL
    assert EVIL in root[1].text
    assert EVIL in all_text(root)  # the band name and the event label, truncated or not
    assert by_class(root, "band")[0].get("data-band") == EVIL


def test_default_title_desc_and_determinism():
    root = parse(full())
    assert root[0].text == "PHQ-9 over the course"
    desc = root[1].text
    assert "12 PHQ-9 scores from 24 Feb 2025 to 19 May 2025." in desc
    assert "Baseline 18." in desc
    assert "Baseline, 24 Feb 2025: 18 (moderately severe)." in desc
    assert "Session 3, 17 Mar 2025: 16 (moderately severe), item 9 above 0." in desc
    assert "Session 12, 19 May 2025: 6 (mild)." in desc
    assert "Sessions: 11 held, 1 missed." in desc
    assert "21 Mar 2025: Mother's hospital stay." in desc
    assert "5 Mar 2025: Row with Tom about chores (focal problem area)." in desc
    assert full() == full()
    ids = {
        parse(svg)[0].get("id")
        for svg in (
            full(),
            full(baseline=None),
            CHARTS["empty"](),
            closeness_circle([CirclePerson("A", "b", 1)]),
            timeline([TimelineEvent(START, "A", "loss")]),
        )
    }
    assert len(ids) == 5


def test_points_run_left_to_right_by_date():
    shuffled = POINTS[5:] + POINTS[:5]
    root = parse(symptom_chart(shuffled, bands=BANDS, max_score=27))
    found = points_of(root)
    assert [d for d, *_ in found] == sorted(p.when.isoformat() for p in POINTS)
    xs = [x for _, _, x, _ in found]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    # Evenly spaced weeks are evenly spaced on the axis.
    steps = {round(b - a, 1) for a, b in itertools.pairwise(xs[6:])}
    assert max(steps) - min(steps) < 0.5
    (line,) = by_class(root, "score-line")
    pairs = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert pairs == [(x, y) for *_, x, y in found]


def test_higher_scores_are_drawn_higher():
    points = [ScorePoint(D(2025, 1, 6), 20), ScorePoint(D(2025, 1, 13), 5)]
    root = parse(symptom_chart(points, bands=BANDS, max_score=27))
    (_, _, _, y20), (_, _, _, y5) = points_of(root)
    assert y20 < y5  # SVG y grows downward
    axis = axis_y(root)
    assert y5 < axis
    # Linear in the score: 0 on the axis, max_score at the top of the bands.
    top = min(float(r.get("y")) for r in by_class(root, "band"))
    assert (axis - y20) / (axis - top) == pytest.approx(20 / 27, abs=0.01)
    assert (axis - y5) / (axis - top) == pytest.approx(5 / 27, abs=0.01)


def test_scores_outside_the_scale_are_kept_on_the_chart_with_their_value():
    points = [ScorePoint(D(2025, 1, 6), 40), ScorePoint(D(2025, 1, 13), -3)]
    root = parse(symptom_chart(points, bands=BANDS, max_score=27))
    (_, _, _, y_high), (_, _, _, y_low) = points_of(root)
    bands = by_class(root, "band")
    assert y_high == min(float(r.get("y")) for r in bands)
    assert y_low == axis_y(root)
    values = [by_class(g, "score-value")[0].text for g in by_class(root, "score-point")]
    assert values == ["40", "-3"]


def test_value_labels_on_every_point():
    root = parse(full())
    for g in by_class(root, "score-point"):
        (value,) = by_class(g, "score-value")
        assert value.text == g.get("data-total")
        assert g.find(f"{NS}title").text.startswith(("Baseline, ", "Session "))


def test_band_stripes_labels_and_ticks_at_band_edges():
    root = parse(full())
    stripes = by_class(root, "band")
    assert [s.get("data-band") for s in stripes] == [label for *_, label in BANDS]
    # Stacked without gaps from the axis up, more severe bands higher and darker.
    axis = axis_y(root)
    assert float(stripes[0].get("y")) + float(stripes[0].get("height")) == pytest.approx(axis)
    for lower, upper in itertools.pairwise(stripes):
        top_of_lower = float(lower.get("y"))
        assert float(upper.get("y")) + float(upper.get("height")) == pytest.approx(
            top_of_lower, abs=0.11
        )
        assert upper.get("fill") < lower.get("fill")  # "#cf..." is darker than "#f8..."
    labels = [t.text for t in by_class(root, "band-label")]
    assert labels == [label for *_, label in BANDS]
    ticks = sorted(int(t.text) for t in by_class(root, "score-tick"))
    assert ticks == [0, 5, 10, 15, 20, 27]


def test_bands_are_clipped_to_the_scale_and_may_be_unsorted():
    bands = [(20, 40, "Severe"), (0, 9, "Low"), (10, 19, "Middle"), (50, 60, "Beyond")]
    root = parse(symptom_chart([], bands=bands, max_score=27))
    assert [s.get("data-band") for s in by_class(root, "band")] == ["Low", "Middle", "Severe"]
    top = float(by_class(root, "band")[-1].get("y"))
    assert top > 0


def test_baseline_line_iff_a_baseline_is_given():
    root = parse(full(baseline=12))
    (line,) = by_class(root, "baseline")
    assert line.get("y1") == line.get("y2")
    assert line.get("stroke-dasharray")
    (label,) = by_class(root, "baseline-label")
    assert label.text == "Baseline 12"
    # It sits at the height of a score of 12 (the "11" at session 8 is just below it).
    y11 = next(y for _, total, _, y in points_of(root) if total == 11)
    y13 = next(y for _, total, _, y in points_of(root) if total == 13)
    assert y13 < float(line.get("y1")) < y11
    assert "Baseline" in all_text(root)

    root = parse(full(baseline=None))
    assert not by_class(root, "baseline") and not by_class(root, "baseline-label")
    assert "Baseline 1" not in all_text(root)

    root = parse(full(baseline=0))  # a baseline of 0 is still a baseline
    assert by_class(root, "baseline")[0].get("y1") == str(axis_y(root)).removesuffix(".0")


def test_risk_marker_iff_a_risk_point():
    root = parse(full())
    risky = by_class(root, "score-risk")
    assert [g.get("data-date") for g in risky] == ["2025-03-17"]
    assert len(by_class(root, "risk-marker")) == 2  # on the point and in the legend
    assert "item 9 above 0" in risky[0].find(f"{NS}title").text
    assert "Item 9 above 0" in all_text(root)

    safe = [ScorePoint(p.when, p.total, p.label) for p in POINTS]
    root = parse(symptom_chart(safe, bands=BANDS, max_score=27, sessions=SESSIONS))
    assert not by_class(root, "score-risk") and not by_class(root, "risk-marker")
    assert "Item 9 above 0" not in all_text(root)


def test_every_risk_point_is_marked_even_when_crowded():
    points = [ScorePoint(D(2025, 1, 6), 9, risk=True), ScorePoint(D(2025, 1, 6), 9, risk=True)]
    points += [ScorePoint(D(2025, 1, 7), 12), ScorePoint(D(2025, 1, 8), 3, risk=True)]
    root = parse(symptom_chart(points, bands=BANDS, max_score=27, width=320))
    assert len(by_class(root, "score-risk")) == 3


def test_session_markers_by_status():
    sessions = [*SESSIONS[:10], SessionMark(week(10), 11, "planned")]
    sessions += [SessionMark(week(11), 12, "cancelled"), SessionMark(week(12), 13, "??")]
    root = parse(full(sessions=sessions))
    marks = by_class(root, "session-mark")
    assert len(marks) == 13
    assert [m.get("data-number") for m in marks] == [str(n) for n in range(1, 14)]
    statuses = [m.get("data-status") for m in marks]
    assert statuses == ["held"] * 5 + ["missed"] + ["held"] * 4 + ["planned", "cancelled"] * 1 + [
        "planned"  # an unknown status is never shown as held
    ]
    labels = [m.find(f"{NS}text").text for m in marks]
    assert labels == [f"S{n}" for n in range(1, 14)]
    # Held: filled; missed: hollow with an x; planned: light and dashed.
    held, missed, planned = marks[0], marks[5], marks[10]
    assert held.find(f"{NS}circle").get("fill") != "#ffffff"
    assert missed.find(f"{NS}circle").get("fill") == "#ffffff"
    assert len(missed.findall(f"{NS}line")) == 2
    assert planned.find(f"{NS}circle").get("stroke-dasharray")
    assert "missed (did not attend)" in missed.find(f"{NS}title").text
    # In a row below the date axis, each at its date.
    axis = axis_y(root)
    assert all(translate(m)[1] > axis + 20 for m in marks)
    xs = [translate(m)[0] for m in marks]
    assert xs == sorted(xs)
    by_date = {d: x for d, _, x, _ in points_of(root)}
    assert translate(marks[0])[0] == by_date["2025-03-03"]
    text = all_text(root)
    for legend in ("Session held", "Missed (did not attend)", "Planned", "Cancelled"):
        assert legend in text


def test_crowded_session_labels_never_overlap():
    sessions = [SessionMark(START + datetime.timedelta(days=n), n + 1) for n in range(20)]
    root = parse(symptom_chart([], bands=BANDS, max_score=27, sessions=sessions, width=400))
    marks = by_class(root, "session-mark")
    assert len(marks) == 20  # every marker, though not every label fits
    spans = []
    for m in marks:
        if (t := m.find(f"{NS}text")) is not None:
            x, y = translate(m)
            half = 0.6 * 10 * len(t.text) / 2
            spans.append((x - half, y + float(t.get("y")), x + half))
    assert 0 < len(spans) < 20
    for i, (a0, ay, a1) in enumerate(spans):
        for b0, by, b1 in spans[i + 1 :]:
            assert ay != by or a1 <= b0 or b1 <= a0


def test_events_below_the_plot_filled_when_focal():
    root = parse(full())
    axis = axis_y(root)
    marks = by_class(root, "chart-event")
    assert len(marks) == len(EVENTS)
    lowest_session = max(translate(m)[1] for m in by_class(root, "session-mark"))
    for m in marks:
        assert translate(m)[1] > lowest_session > axis
        focal = "chart-event-focal" in m.get("class").split()
        assert (m.find(f"{NS}circle").get("fill") != "#ffffff") == focal
    assert [m.get("data-date") for m in marks] == sorted(e.when.isoformat() for e in EVENTS)
    xs = [translate(m)[0] for m in marks]
    assert xs == sorted(xs)
    labels = by_class(root, "chart-event-label")
    assert [lbl.find(f"{NS}text").text for lbl in labels] == [e.label for e in EVENTS]
    boxes = [box(lbl.find(f"{NS}rect")) for lbl in labels]
    assert all(y > axis for _, y, _, _ in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert disjoint(a, b)
    text = all_text(root)
    assert "Event in the focal problem area" in text and "Other event" in text


def test_same_day_events_stack_and_long_labels_are_truncated():
    long = "Argument with Tom about his mother moving in with them for the summer"
    events = [ChartEvent(START, long), ChartEvent(START, "Quit choir"), ChartEvent(START, "B")]
    root = parse(symptom_chart([], bands=BANDS, max_score=27, events=events))
    positions = [translate(m) for m in by_class(root, "chart-event")]
    assert len(set(positions)) == 3
    first = by_class(root, "chart-event-label")[0].find(f"{NS}text").text
    assert first.endswith("\u2026") and len(first) < len(long)
    assert long in root[1].text  # whole in the text alternative
    rows = [int(lbl.get("data-row")) for lbl in by_class(root, "chart-event-label")]
    assert len(set(rows)) == 3


def test_date_axis_spans_points_sessions_and_events():
    late = ChartEvent(week(20), "Follow-up call")
    early = SessionMark(week(-4), 0, "held")
    root = parse(full(events=[*EVENTS, late], sessions=[early, *SESSIONS]))
    xs = [translate(g)[0] for g in root.iter(f"{NS}g") if g.get("data-date")]
    w, _ = viewbox(root)
    assert min(xs) > 64 and max(xs) < w - 100  # a margin inside the plot, clear of the bands
    ticks = [t.text for t in by_class(root, "date-tick")]
    assert 2 <= len(ticks) <= 10
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}|[A-Z][a-z]{2} \d{4}", t) for t in ticks)


def test_empty_chart_still_shows_the_scale():
    root = parse(symptom_chart([], bands=BANDS, max_score=27))
    text = all_text(root)
    assert "No PHQ-9 recorded yet" in text
    assert len(by_class(root, "band")) == 5
    assert sorted(int(t.text) for t in by_class(root, "score-tick")) == [0, 5, 10, 15, 20, 27]
    assert by_class(root, "time-axis")
    assert not by_class(root, "score-point") and not by_class(root, "score-line")
    assert not by_class(root, "date-tick")
    assert root[1].text == "No PHQ-9 recorded yet."
    assert viewbox(root)[1] < axis_y(root) + 30  # no room kept for rows that are not there


def test_empty_points_with_sessions_and_events_planned_ahead():
    sessions = [SessionMark(week(n), n + 1, "planned") for n in range(3)]
    root = parse(symptom_chart([], bands=BANDS, max_score=27, sessions=sessions, events=EVENTS))
    assert "No PHQ-9 recorded yet" in all_text(root)
    assert len(by_class(root, "session-mark")) == 3
    assert len(by_class(root, "chart-event")) == 5
    assert by_class(root, "date-tick")


def test_single_point_has_no_line():
    root = parse(CHARTS["points-only"]())
    assert len(points_of(root)) == 1
    assert not by_class(root, "score-line")


def test_other_measures_name_themselves():
    root = parse(
        symptom_chart(
            [], bands=[(0, 7, "No depression"), (8, 52, "Depressed")], max_score=52, measure="HAM-D"
        )
    )
    assert "No HAM-D recorded yet" in all_text(root)
    assert sorted(int(t.text) for t in by_class(root, "score-tick")) == [0, 8, 52]


def test_renders_in_weasyprint():
    weasyprint = pytest.importorskip("weasyprint")
    html = f"<html><body>{full()}</body></html>"
    assert weasyprint.HTML(string=html).write_pdf().startswith(b"%PDF")

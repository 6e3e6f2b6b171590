"""The SVG charts: well-formed, escaped, CSP-safe, accessible, and laid out sensibly."""

import datetime
import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from ipt.charts import (
    KIND_LABELS,
    CirclePerson,
    TimelineEvent,
    closeness_circle,
    timeline,
)

NS = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert(1)</script> & "x"'
D = datetime.date


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


PEOPLE = [
    CirclePerson("Maria Gonzalez", "Mother", 1),
    CirclePerson("Tom", "Partner", 1, focal=True),
    CirclePerson("Aisha Rahman", "Best friend", 2),
    CirclePerson("Sam", "Brother", 2),
    CirclePerson("Grandma Rose", "Grandmother", 1),
    CirclePerson("Dr. Kowalski", "GP", 3),
    CirclePerson("Jon Smythe", "Line manager", 3, focal=True),
    CirclePerson("Lena", "Neighbour", 3),
]
EVENTS = [
    TimelineEvent(D(2024, 6, 5), "Diagnosed with hypothyroidism", "health"),
    TimelineEvent(D(2023, 3, 14), "Father died", "loss", "Father"),
    TimelineEvent(D(2023, 5, 2), "Low mood begins", "symptom_onset"),
    TimelineEvent(D(2023, 9, 1), "Moved to Leeds", "move"),
    TimelineEvent(D(2023, 9, 20), "New job as team lead", "role_change"),
    TimelineEvent(D(2023, 9, 24), "Arguments about chores", "conflict", "Tom"),
    TimelineEvent(D(2024, 1, 10), "Sleep and appetite worse", "symptom_worsening"),
    TimelineEvent(D(2024, 11, 30), "Feeling better", "symptom_improvement"),
    TimelineEvent(D(2025, 2, 1), "Sister's wedding", "other", "Sam"),
]

CHARTS = {
    "circle": lambda: closeness_circle(PEOPLE),
    "circle-empty": lambda: closeness_circle([]),
    "circle-evil": lambda: closeness_circle(
        [CirclePerson(EVIL, EVIL, 1, focal=True)], title=EVIL, centre_label=EVIL
    ),
    "timeline": lambda: timeline(EVENTS),
    "timeline-empty": lambda: timeline([]),
    "timeline-evil": lambda: timeline(
        [TimelineEvent(D(2024, 1, 1), EVIL, "loss", EVIL), TimelineEvent(D(2024, 2, 1), EVIL, "x")],
        title=EVIL,
    ),
}


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_every_chart_is_safe_accessible_scalable_svg(make):
    svg = make()
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("height") is None  # the viewBox alone sets the aspect ratio
    w, h = viewbox(root)
    assert w > 0 and h > 0
    # <title> and <desc> come first and are what aria-labelledby points at.
    title, desc = root[0], root[1]
    assert (title.tag, desc.tag) == (f"{NS}title", f"{NS}desc")
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert title.text and desc.text
    # Strict CSP: no inline styles, no <style>, no scripts or event handlers.
    for el in root.iter():
        assert el.tag not in (f"{NS}style", f"{NS}script", "style", "script")
        assert "style" not in el.attrib
        assert not any(name.startswith("on") for name in el.attrib)
    assert "DejaVu Sans" in root.get("font-family")


@pytest.mark.parametrize("name", ["circle-evil", "timeline-evil"])
def test_user_text_is_escaped(name):
    svg = str(CHARTS[name]())
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert not [el for el in root.iter() if el.tag.endswith("script")]
    # After parsing, the text is exactly what the user typed (escaped once, not twice).
    assert root[0].text == EVIL
    assert EVIL in all_text(root)


def test_ids_are_deterministic_and_differ_between_charts():
    assert closeness_circle(PEOPLE) == closeness_circle(PEOPLE)
    ids = {parse(make())[0].get("id") for make in CHARTS.values()}
    assert len(ids) == len(CHARTS)


# Closeness circle ----------------------------------------------------------------------------


def centre(root: ET.Element) -> tuple[float, float]:
    ring = next(root.iter(f"{NS}circle"))  # the outer ring is drawn first
    return float(ring.get("cx")), float(ring.get("cy"))


def dots(root: ET.Element) -> list[ET.Element]:
    return by_class(root, "person-dot")


def test_circle_shows_every_person_with_name_relationship_and_legend():
    root = parse(closeness_circle(PEOPLE, centre_label="Anna"))
    text = all_text(root)
    for person in PEOPLE:
        assert person.name in text
        assert person.relationship in text
    for legend in ("Closest", "Close", "Less close", "Focal problem area", "Anna"):
        assert legend in text
    assert len(dots(root)) == len(PEOPLE)
    groups = by_class(root, "person")
    assert [g.find(f"{NS}title").text.split(" (")[0] for g in groups] == [
        p.name for ring in (1, 2, 3) for p in PEOPLE if p.ring == ring
    ]
    assert len(by_class(root, "person-focal")) == 2


def test_inner_ring_is_nearer_the_centre_than_outer_rings():
    root = parse(closeness_circle(PEOPLE))
    cx, cy = centre(root)
    distance: dict[int, list[float]] = {1: [], 2: [], 3: []}
    for dot in dots(root):
        d = math.hypot(float(dot.get("cx")) - cx, float(dot.get("cy")) - cy)
        distance[int(dot.get("data-ring"))].append(d)
    assert max(distance[1]) < min(distance[2])
    assert max(distance[2]) < min(distance[3])


def test_out_of_range_rings_are_clamped():
    root = parse(closeness_circle([CirclePerson("A", "x", 0), CirclePerson("B", "y", 9)]))
    assert sorted(d.get("data-ring") for d in dots(root)) == ["1", "3"]


def test_long_names_are_truncated_but_kept_whole_in_the_hover_title():
    long = "Jonathan Featherstonehaugh-Smythe the Third"
    root = parse(closeness_circle([CirclePerson(long, "Line manager", 2)]))
    group = by_class(root, "person")[0]
    name_text = group.findall(f"{NS}text")[0].text
    assert name_text.endswith("\u2026") and len(name_text) < len(long)
    assert long in group.find(f"{NS}title").text


def crowded() -> list[CirclePerson]:
    names = [
        "Maria Gonzalez",
        "Tom Becker",
        "Aisha Rahman",
        "Sam O'Neill",
        "Grandma Rose",
        "Dr. Kowalski",
        "Lena Fischer",
        "Yusuf Demir",
        "Priya Natarajan",
        "Chen Wei",
        "Olga Ivanova",
        "Kwame Mensah",
    ]
    return [
        CirclePerson(f"{n} {r}", "Relative", r, focal=i == 0)
        for r in (1, 2, 3)
        for i, n in enumerate(names)
    ]


def test_many_people_stay_inside_the_viewbox():
    root = parse(closeness_circle(crowded()))
    w, h = viewbox(root)
    assert len(dots(root)) == 36
    for rect in root.iter(f"{NS}rect"):  # label backgrounds and legend swatches
        x, y = float(rect.get("x")), float(rect.get("y"))
        assert x >= 0 and x + float(rect.get("width")) <= w
        assert y >= 0 and y + float(rect.get("height")) <= h


def test_labels_on_a_moderate_circle_do_not_overlap():
    root = parse(closeness_circle(PEOPLE))
    boxes = [
        (float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height")))
        for r in root.iter(f"{NS}rect")
        if r.get("fill-opacity")  # the white backgrounds behind the labels
    ]
    assert len(boxes) == len(PEOPLE)
    for i, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1 :]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y


def test_empty_circle_still_draws_rings_centre_and_a_hint():
    root = parse(closeness_circle([], centre_label="Patient"))
    text = all_text(root)
    assert "No one added yet" in text and "Patient" in text
    assert "Closest" in text and "Focal problem area" not in text
    assert not dots(root)
    assert len(list(root.iter(f"{NS}circle"))) == 4  # three rings and the centre


# Timeline ------------------------------------------------------------------------------------


def axis_y(root: ET.Element) -> float:
    (axis,) = by_class(root, "timeline-axis")
    assert axis.get("y1") == axis.get("y2")
    return float(axis.get("y1"))


def markers(root: ET.Element) -> list[ET.Element]:
    return by_class(root, "event-marker")


def test_kind_labels():
    assert KIND_LABELS == {
        "loss": "Loss",
        "conflict": "Conflict",
        "role_change": "Role change",
        "move": "Move",
        "health": "Health",
        "other": "Other",
        "symptom_onset": "Symptom onset",
        "symptom_worsening": "Symptoms worse",
        "symptom_improvement": "Symptoms better",
    }


def test_events_run_left_to_right_by_date():
    root = parse(timeline(EVENTS))  # given out of order on purpose
    found = [(m.get("data-date"), translate(m)[0]) for m in markers(root)]
    assert len(found) == len(EVENTS)
    xs = [x for _, x in sorted(found)]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    w, _ = viewbox(root)
    assert all(0 < x < w for x in xs)


def test_symptoms_below_the_axis_and_life_events_above():
    root = parse(timeline(EVENTS))
    axis = axis_y(root)
    for marker in markers(root):
        _, y = translate(marker)
        if marker.get("data-kind").startswith("symptom_"):
            assert y > axis
        else:
            assert y < axis
    for label in by_class(root, "event-label"):
        below = float(label.find(f"{NS}rect").get("y")) > axis
        assert below == label.find(f"{NS}text").text.startswith(("Onset:", "Worse:", "Better:"))


def test_labels_text_dates_and_legend():
    text = all_text(parse(timeline(EVENTS)))
    for expected in (
        "Onset: Low mood begins",
        "Worse: Sleep and appetite worse",
        "Better: Feeling better",
        "Father died",
        "Mar 2023 \u00b7 Father",
        "Sep 2023 \u00b7 Tom",
        "Apr 2023",
        *KIND_LABELS.values(),
    ):
        assert expected in text


def test_same_day_events_get_different_rows_and_labels_never_overlap():
    day = D(2024, 3, 3)
    events = [
        TimelineEvent(day, "Argument with boss", "conflict", "Boss"),
        TimelineEvent(day, "Quit job", "role_change"),
        TimelineEvent(day + datetime.timedelta(days=2), "Moved out", "move"),
        TimelineEvent(day, "Sleep worse", "symptom_worsening"),
        TimelineEvent(day, "Panic attacks", "symptom_onset"),
    ]
    root = parse(timeline(events))
    labels = by_class(root, "event-label")
    rows = {lbl.find(f"{NS}text").text: int(lbl.get("data-row")) for lbl in labels}
    assert rows["Argument with boss"] != rows["Quit job"]
    assert len({rows["Argument with boss"], rows["Quit job"], rows["Moved out"]}) == 3
    assert rows["Worse: Sleep worse"] != rows["Onset: Panic attacks"]
    boxes = [
        tuple(float(lbl.find(f"{NS}rect").get(a)) for a in ("x", "y", "width", "height"))
        for lbl in labels
    ]
    for i, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1 :]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    # Same-day markers stack instead of covering each other.
    life = [translate(m) for m in markers(root) if m.get("data-date") == "2024-03-03"]
    assert len(set(life)) == len(life)


def test_height_grows_with_the_rows_needed():
    one = viewbox(parse(timeline(EVENTS[:1])))[1]
    same_day = [TimelineEvent(D(2024, 1, 1), f"Event {i}", "other") for i in range(6)]
    assert viewbox(parse(timeline(same_day)))[1] > one + 4 * 30


@pytest.mark.parametrize(
    ("first", "last", "pattern"),
    [
        (D(2025, 3, 3), D(2025, 3, 24), r"\d{1,2} [A-Z][a-z]{2}"),  # weeks: "10 Mar"
        (D(2023, 3, 1), D(2025, 2, 1), r"[A-Z][a-z]{2} \d{4}"),  # two years: "Jul 2023"
        (D(2001, 6, 1), D(2024, 5, 1), r"\d{4}"),  # decades: "2005"
    ],
)
def test_ticks_suit_the_span(first, last, pattern):
    root = parse(timeline([TimelineEvent(first, "A", "loss"), TimelineEvent(last, "B", "move")]))
    axis = axis_y(root)
    ticks = [t.text for t in root.iter(f"{NS}text") if float(t.get("y")) == axis + 17]
    assert 2 <= len(ticks) <= 10
    assert all(re.fullmatch(pattern, t) for t in ticks), ticks


def test_single_event_and_unknown_kind():
    root = parse(timeline([TimelineEvent(D(2024, 5, 5), "Something", "surprise")]))
    (marker,) = markers(root)
    assert marker.get("data-kind") == "other"
    assert "Other" in all_text(root)


def test_empty_timeline():
    root = parse(timeline([]))
    assert "No events yet" in all_text(root)
    assert not markers(root)
    assert viewbox(root)[1] < 100

"""The timeline: life events above a date axis, the onset and course of symptoms below it.

Markers on the same day stack up; labels go greedily into rows, each joined to its marker by
a leader line. Printouts are often greyscale, so kinds differ by marker shape and fill too.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from ipt.charts import svg
from ipt.charts.svg import AXIS, INK, MUTED, SYMPTOM, WHITE, DateScale


@dataclass(frozen=True)
class TimelineEvent:
    when: datetime.date
    label: str
    kind: str  # a key of KIND_LABELS; symptom kinds start with "symptom_"
    person: str = ""


KIND_LABELS: dict[str, str] = {
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
SYMPTOM_PREFIX = {
    "symptom_onset": "Onset",
    "symptom_worsening": "Worse",
    "symptom_improvement": "Better",
}
KIND_COLOURS = {
    "loss": "#1f4e79",
    "conflict": "#a34400",
    "role_change": "#0b6e4f",
    "move": "#5b3a8c",
    "health": "#006d77",
    "other": "#555555",
}
PLUS = "-2.5,-7 2.5,-7 2.5,-2.5 7,-2.5 7,2.5 2.5,2.5 2.5,7 -2.5,7 -2.5,2.5 -7,2.5 -7,-2.5 -2.5,-2.5"
ROW_H, BOX_H = 36, 30  # a row of labels, and the box of one label in it


def _kind(kind: str) -> str:
    return kind if kind in KIND_LABELS else "other"


def _marker(kind: str) -> SafeString:
    """Shape and fill tell the kinds apart in greyscale; colour helps on screen."""
    c = SYMPTOM if kind.startswith("symptom_") else KIND_COLOURS[kind]
    hollow = {"fill": WHITE, "stroke": c, "stroke_width": 2.4}
    return {
        "loss": svg.circle(0, 0, 6, c),
        "conflict": svg.rect(-5.5, -5.5, 11, 11, c),
        "role_change": svg.el("polygon", points="0,-7.5 7.5,0 0,7.5 -7.5,0", fill=c),
        "move": svg.el("rect", x=-5, y=-5, width=10, height=10, **hollow),
        "health": svg.el("polygon", points=PLUS, fill=c),
        "other": svg.el("circle", r=5, **hollow),
        # Symptoms are triangles: down for onset (filled) and worse (hollow), up for better.
        "symptom_onset": svg.el("polygon", points="-7,-6 7,-6 0,7", fill=c),
        "symptom_worsening": svg.el("polygon", points="-6.5,-5 6.5,-5 0,6.5", **hollow),
        "symptom_improvement": svg.el("polygon", points="-6.5,5 6.5,5 0,-6.5", **hollow),
    }[kind]


@dataclass(frozen=True)
class _Label:
    event: TimelineEvent
    kind: str
    lane: bool  # True: a symptom, below the axis
    x: float  # the marker
    level: int  # how far the marker is stacked off the axis
    cx: float  # the label's centre, shifted to stay inside the viewBox
    half: float  # half the label's width
    row: int
    text: str
    sub: str  # the date, and the person if any


def _labels(
    events: list[TimelineEvent], scale: DateScale, width: int, precise: bool
) -> tuple[list[_Label], dict[bool, int], dict[bool, float]]:
    """Per lane (life events above, symptoms below): markers closer than 13 units stack up in
    levels, and labels go greedily into the first row whose last label ends left of them.

    Returns the labels, the rows and the height of the stacked markers in each lane.
    """
    rows: dict[bool, list[float]] = {False: [], True: []}  # right edge of each row's last label
    stacks: dict[bool, list[tuple[float, int]]] = {False: [], True: []}
    placed = []
    for ev in events:
        kind = _kind(ev.kind)
        lane = kind.startswith("symptom_")
        text = (f"{SYMPTOM_PREFIX[kind]}: " if lane else "") + svg.truncate(ev.label, 32)
        sub = svg.month_year(ev.when, precise) + (
            f" \u00b7 {svg.truncate(ev.person, 24)}" if ev.person else ""
        )
        half = max(svg.text_width(text, 12), svg.text_width(sub, 10)) / 2 + 3
        x = scale.x(ev.when)
        cx = min(max(x, 4 + half), width - 4 - half)
        level = svg.stack_level(stacks[lane], x, 13)
        row = svg.label_row(rows[lane], cx - half, cx + half, 8)
        placed.append(_Label(ev, kind, lane, x, level, cx, half, row, text, sub))
    stack_h = {lane: 14 * max(lv for _, lv in s) if s else 0 for lane, s in stacks.items()}
    return placed, {lane: len(ends) for lane, ends in rows.items()}, stack_h


def _grid_and_ticks(
    scale: DateScale, axis_y: float, bottom: float
) -> tuple[list[SafeString], list[SafeString]]:
    """Gridlines through both lanes, and ticks under the axis on a white ground."""
    grid, ticks = [], []
    most = max(2, (scale.right - scale.left) // 70)
    for day, text in svg.date_ticks(scale.start, scale.end, most):
        x, half = scale.x(day), svg.text_width(text, 10) / 2 + 2
        grid.append(svg.line(x, 10, x, bottom, "#e2e2e2"))
        ticks += [
            svg.line(x, axis_y, x, axis_y + 5, AXIS, 1.5),
            svg.rect(x - half, axis_y + 8, 2 * half, 12, WHITE),  # keeps leaders off the text
            svg.text(x, axis_y + 17, text, 10, "middle", fill=MUTED),
        ]
    return grid, ticks


def _hover(ev: TimelineEvent, kind: str, precise: bool) -> str:
    hover = f"{svg.month_year(ev.when, precise)}: {KIND_LABELS[kind]}: {ev.label}"
    return hover + (f" ({ev.person})" if ev.person else "")


def _events(
    placed: list[_Label], axis_y: float, below: float, stack_h: float, precise: bool
) -> tuple[list[SafeString], list[SafeString], list[SafeString]]:
    """Leaders, markers and labels; `below` is the top of the symptom rows, `stack_h` the
    height of the stacked life-event markers."""
    leaders, markers, labels = [], [], []
    for p in placed:
        x, level, row = p.x, p.level, p.row
        if p.lane:  # symptoms: dashed leader from the axis itself, so both lanes share the date
            my, top = axis_y + 32 + 14 * level, below + row * ROW_H
            leaders.append(svg.line(x, axis_y, x, top, SYMPTOM, stroke_dasharray="4 3"))
        else:
            my, top = axis_y - 9 - 14 * level, axis_y - 26 - stack_h - row * ROW_H - BOX_H
            leaders.append(svg.line(x, my, x, top + BOX_H, "#777777"))
        date, at = p.event.when.isoformat(), svg.translate(x, my)
        marker = [svg.el("title", _hover(p.event, p.kind, precise)), _marker(p.kind)]
        markers.append(
            svg.el(
                "g", marker, class_="event-marker", data_kind=p.kind, data_date=date, transform=at
            )
        )
        label = [
            svg.rect(p.cx - p.half, top, 2 * p.half, BOX_H, WHITE, rx=3, fill_opacity=0.9),
            svg.text(p.cx, top + 13, p.text, 12, "middle", fill=SYMPTOM if p.lane else INK),
            svg.text(p.cx, top + 26, p.sub, 10, "middle", fill=MUTED),
        ]
        labels.append(svg.el("g", label, class_="event-label", data_row=row, data_date=date))
    return leaders, markers, labels


def _description(events: list[TimelineEvent], precise: bool) -> str:
    first, last = events[0].when, events[-1].when
    desc = f"{len(events)} events from {svg.month_year(first)} to {svg.month_year(last)}."
    for e in events:
        desc += f" {svg.month_year(e.when, precise)}: {KIND_LABELS[_kind(e.kind)]}: {e.label}"
        desc += f" ({e.person})." if e.person else "."
    return desc


def timeline(
    events: Sequence[TimelineEvent],
    *,
    title: str = "Timeline of life events and symptoms",
    width: int = 760,
) -> SafeString:
    if not events:
        empty = svg.text(width / 2, 29, "No events yet", 14, "middle", fill=MUTED)
        return svg.document("timeline", title, "No events yet.", width, 48, [empty])

    events = sorted(events, key=lambda e: e.when)  # stable: same-day events keep their order
    first, last = events[0].when, events[-1].when
    margin = max(14, (last - first).days * 0.06)
    scale = DateScale(svg.shift(first, -margin), svg.shift(last, margin), 24, width - 24)
    precise = (last - first).days <= 120
    placed, rows, stack_h = _labels(events, scale, width, precise)

    # Top to bottom: life-event rows, their markers, axis and ticks, symptom markers and rows.
    axis_y = 10 + rows[False] * ROW_H + 26 + stack_h[False]
    below = axis_y + 48 + stack_h[True]
    bottom = below + rows[True] * ROW_H
    grid, ticks = _grid_and_ticks(scale, axis_y, bottom)
    leaders, markers, labels = _events(placed, axis_y, below, stack_h[False], precise)
    # Painted in this order so a tick label or event label may hide a leader line only.
    axis = svg.line(scale.left, axis_y, scale.right, axis_y, AXIS, 2, class_="timeline-axis")
    body = [*grid, *leaders, *ticks, axis, *markers, *labels]

    # Legend of the kinds present.
    present = [k for k in KIND_LABELS if any(_kind(e.kind) == k for e in events)]
    legend, y = svg.wrapped_legend(
        [([_marker(kind)], KIND_LABELS[kind]) for kind in present],
        x0=24,
        y=bottom + 22,
        width=width,
        marker_dx=7,
        text_dx=20,
        spacing=38,
    )
    return svg.document(
        "timeline", title, _description(events, precise), width, y + 12, body + legend
    )

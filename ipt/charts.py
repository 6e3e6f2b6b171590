"""Server-rendered SVG charts: the closeness circle and the timeline of life events.

One code path serves HTML pages and WeasyPrint PDFs, so the charts are plain SVG markup:
- The Content-Security-Policy forbids inline styles and scripts, so only presentation
  attributes are used (fill, stroke, font-size, text-anchor...), never style="" or <style>.
- Names and labels come from users, so all markup is built with format_html (escaping).
- Printouts are often greyscale, so kinds also differ by marker shape, fill and line dash.
- Text widths are estimated (0.6 x font size per character): no font metrics on the server.
"""

import datetime
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

FONT = "DejaVu Sans, sans-serif"
INK, MUTED, WHITE, AXIS = "#1a1a1a", "#4a4a4a", "#ffffff", "#333333"
SYMPTOM = "#a50f15"  # dark red: 7:1 on white and unlike every life-event colour
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

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


def _n(x: float) -> str:
    """Compact, deterministic coordinates (a tenth of a unit is below a device pixel)."""
    return f"{x:.1f}".removesuffix(".0")


def _el(tag: str, content: str | list = "", /, **attrs) -> SafeString:
    """One SVG element; attribute names drop a trailing _ and turn _ into - (font_size).

    format_html escapes every value and text content; a list holds children built by _el.
    """
    if isinstance(content, list):
        content = mark_safe("".join(content))  # each child was escaped when it was built
    pairs = [
        (k.rstrip("_").replace("_", "-"), _n(v) if isinstance(v, int | float) else v)
        for k, v in attrs.items()
        if v is not None
    ]
    attributes = format_html_join("", ' {}="{}"', pairs)
    if content == "":
        return format_html("<{}{}/>", tag, attributes)
    return format_html("<{0}{1}>{2}</{0}>", tag, attributes, content)


def _text(x: float, y: float, text: str, size: float, anchor="start", **attrs) -> SafeString:
    return _el("text", text, x=x, y=y, font_size=size, text_anchor=anchor, **attrs)


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, w=1.0, **attrs) -> SafeString:
    return _el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, stroke_width=w, **attrs)


def _rect(x: float, y: float, w: float, h: float, fill: str, **attrs) -> SafeString:
    return _el("rect", x=x, y=y, width=w, height=h, fill=fill, **attrs)


def _circle(x: float, y: float, r: float, fill: str, **attrs) -> SafeString:
    return _el("circle", cx=x, cy=y, r=r, fill=fill, **attrs)


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _width(text: str, font_size: float) -> float:
    return 0.6 * font_size * len(text)


def _svg(css_class: str, title: str, desc: str, w: float, h: float, body: list) -> SafeString:
    # Ids must be unique when a page shows several charts; a digest of the content keeps the
    # output deterministic (identical charts share ids, but then also identical text).
    uid = "chart-" + hashlib.sha1(f"{title}|{desc}|{w}x{h}".encode()).hexdigest()[:10]
    return _el(
        "svg",
        [_el("title", title, id=f"{uid}-title"), _el("desc", desc, id=f"{uid}-desc"), *body],
        xmlns="http://www.w3.org/2000/svg",
        class_=f"chart {css_class}",
        role="img",
        aria_labelledby=f"{uid}-title {uid}-desc",
        viewBox=f"0 0 {_n(w)} {_n(h)}",
        width="100%",
        font_family=FONT,
        fill=INK,
    )


# Closeness circle ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CirclePerson:
    name: str
    relationship: str
    ring: int  # 1 = closest (inner ring), 2 = middle, 3 = outer
    focal: bool = False  # in the focal problem area: drawn with a halo and a bold name


RING_NAMES = {1: "Closest", 2: "Close", 3: "Less close"}
RING_FILLS = {1: "#cddcec", 2: "#e1eaf4", 3: "#f2f6fa"}  # darker = closer, also in greyscale
RING_EDGE, DOT, FOCAL = "#6f8aa3", "#1f4e79", "#a04000"
SIDES = ("right", "left", "above", "below")  # where a label may sit around its dot


@dataclass
class _Placed:
    person: CirclePerson
    x: float  # the dot
    y: float
    side: str  # where the label sits, one of SIDES
    limit: int  # characters kept of the name
    anchor: str
    tx: float  # the name's baseline; the relationship goes 12 units lower
    ty: float
    name: str
    rel: str
    box: tuple[float, float, float, float]  # the label's x0, y0, x1, y1


def _place(person: CirclePerson, x: float, y: float, side: str, limit: int) -> _Placed:
    """The label beside the dot (left or right) or centred above or below it."""
    name, rel = _truncate(person.name, limit), _truncate(person.relationship, limit + 4)
    w = max(_width(name, 12), _width(rel, 10))
    gap = 16 if person.focal else 10  # clear of the focal halo
    tx, ty, anchor = x, y + 1, "middle"
    if side == "right":
        tx, anchor = x + gap + 2, "start"
    elif side == "left":
        tx, anchor = x - gap - 2, "end"
    else:
        ty = y - gap - 16 if side == "above" else y + gap + 11
    x0 = {"start": tx, "end": tx - w, "middle": tx - w / 2}[anchor]
    box = (x0 - 2, ty - 11, x0 + w + 2, ty + 15)
    return _Placed(person, x, y, side, limit, anchor, tx, ty, name, rel, box)


def _outward(dx: float, dy: float) -> str:
    """The side facing away from the centre, so a label does not cross its own ring."""
    angle = math.atan2(dy, dx)
    if abs(math.cos(angle)) >= 0.4:
        return "right" if dx > 0 else "left"
    return "above" if dy < 0 else "below"


def _overlap(a: tuple, b: tuple, pad: float = 0) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0]) + pad
    dy = min(a[3], b[3]) - max(a[1], b[1]) + pad
    return max(0.0, dx) * max(0.0, dy)


def _cost(p: _Placed, others: list[_Placed], bounds: tuple, centre: tuple) -> float:
    """How badly a label hits other labels and dots, the centre disc and the edges."""
    area = (p.box[2] - p.box[0]) * (p.box[3] - p.box[1])
    cost = _overlap(p.box, centre) + 4 * (area - _overlap(p.box, bounds))
    for q in others:  # padded, so near misses count a little and labels spread out
        cost += 3 * _overlap(p.box, (q.x - 9, q.y - 9, q.x + 9, q.y + 9))
        cost += _overlap(p.box, q.box, 4)
    return cost


def _dot(x: float, y: float, focal: bool, ring: int | None = None) -> list[SafeString]:
    """A person's dot, with a halo when focal; it carries its ring for tests and scripts."""
    attrs = {"class_": "person-dot", "data_ring": ring} if ring else {}
    if not focal:
        return [_circle(x, y, 6, DOT, stroke=WHITE, stroke_width=1.5, **attrs)]
    return [
        _circle(x, y, 12, "none", stroke=FOCAL, stroke_width=3),
        _circle(x, y, 7, FOCAL, stroke=WHITE, stroke_width=1.5, **attrs),
    ]


def closeness_circle(
    people: Sequence[CirclePerson],
    *,
    title: str = "Closeness circle",
    centre_label: str = "Patient",
    size: int = 520,
) -> SafeString:
    # Wider than tall: labels on the left and right run horizontally outwards from the rings.
    w, h = size * 1.5, size + 28
    cx, cy, outer = w / 2, size / 2, size / 2 - 40
    edges = {0: 0.2 * outer, 1: 0.47 * outer, 2: 0.74 * outer, 3: outer}
    rings: dict[int, list[CirclePerson]] = {1: [], 2: [], 3: []}
    for person in people:
        rings[min(3, max(1, person.ring))].append(person)

    def layout(turns: list[float]) -> list[_Placed]:
        placed = []
        for ring, members in rings.items():
            step = 2 * math.pi / max(1, len(members))
            radius = (edges[3 - ring] + edges[4 - ring]) / 2
            limit = 20 if len(members) <= 4 else 15 if len(members) <= 8 else 11  # room per name
            for i, person in enumerate(members):
                angle = -math.pi / 2 + (turns[ring - 1] + i) * step
                x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
                placed.append(_place(person, x, y, _outward(x - cx, y - cy), limit))
        return placed

    r0 = edges[0]
    bounds, centre = (2, 2, w - 2, size - 2), (cx - r0, cy - r0, cx + r0, cy + r0)

    def clutter(placed: list[_Placed]) -> float:
        return sum(
            _cost(p, placed[:i] + placed[i + 1 :], bounds, centre) for i, p in enumerate(placed)
        )

    # Each ring is turned by a fraction of its spacing so labels on adjacent rings do not land
    # on each other: start from staggered turns, then try eighths ring by ring (48 layouts).
    turns = [0.125, 0.375, 0.625]
    placed = layout(turns)
    best = clutter(placed)
    for _ in range(2):
        for ring in (r for r in (1, 2, 3) if rings[r] and best > 0):
            for k in range(8):
                trial = [k / 8 if i == ring - 1 else t for i, t in enumerate(turns)]
                if (cost := clutter(candidate := layout(trial))) < best:
                    best, turns, placed = cost, trial, candidate
    # Crowded rings still collide: a label may move to another side of its dot, or keep more
    # or less of a long name, when that is clearly less cluttered (penalties: the outward side
    # reads best, and whole names are better than cut ones).
    for _ in range(3):
        for i, p in enumerate(placed):
            others, outward = placed[:i] + placed[i + 1 :], _outward(p.x - cx, p.y - cy)
            options = [_place(p.person, p.x, p.y, s, n) for s in SIDES for n in (22, 16, 11)]
            costs = [
                _cost(o, others, bounds, centre) + 40 * (o.side != outward) + 4 * (22 - o.limit)
                for o in options
            ]
            placed[i] = options[costs.index(min(costs))]

    body = [
        _circle(cx, cy, edges[r], RING_FILLS[r], stroke=RING_EDGE, stroke_width=1.5)
        for r in (3, 2, 1)
    ]
    patient = _truncate(centre_label, int(r0 / 4))
    body += [
        _circle(cx, cy, r0, DOT),
        _text(cx, cy + 5, patient, 13, "middle", fill=WHITE, font_weight="bold"),
    ]
    if not people:
        body.append(_text(cx, cy + edges[1] + 16, "No one added yet", 14, "middle", fill=MUTED))
    # All label backgrounds first: a background may cover a ring line, never a dot or a name.
    for x0, y0, x1, y1 in (p.box for p in placed):
        body.append(_rect(x0, y0, x1 - x0, y1 - y0, WHITE, rx=3, fill_opacity=0.85))
    for p in placed:
        focal = p.person.focal
        bold = "bold" if focal else None
        hover = f"{p.person.name} ({p.person.relationship})" + (", focal problem area" * focal)
        person = [
            _el("title", hover),
            *_dot(p.x, p.y, focal, ring=min(3, max(1, p.person.ring))),
            _text(p.tx, p.ty, p.name, 12, p.anchor, font_weight=bold),
            _text(p.tx, p.ty + 12, p.rel, 10, p.anchor, fill=MUTED),
        ]
        body.append(_el("g", person, class_="person person-focal" if focal else "person"))

    # Legend centred under the circle: a swatch per ring, and the focal marker if used.
    items = [*RING_NAMES.values()] + ["Focal problem area"] * any(p.focal for p in people)
    x, y = cx - sum(44 + _width(t, 12) for t in items) / 2 + 22, size + 12
    for ring, text in enumerate(items, start=1):
        if ring <= 3:
            body.append(_rect(x - 8, y - 10, 16, 12, RING_FILLS[ring], stroke=RING_EDGE))
        else:
            body += _dot(x, y - 4, focal=True)
        body.append(_text(x + 18, y, text, 12))
        x += 44 + _width(text, 12)

    desc = f"{len(people)} people around {centre_label}."
    for ring, members in rings.items():
        names = [f"{p.name} ({p.relationship}{', focal' * p.focal})" for p in members]
        desc += f" {RING_NAMES[ring]}: {'; '.join(names) or 'no one'}."
    return _svg("closeness-circle", title, desc, w, h, body)


# Timeline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    when: datetime.date
    label: str
    kind: str  # a key of KIND_LABELS; symptom kinds start with "symptom_"
    person: str = ""


KIND_COLOURS = {
    "loss": "#1f4e79",
    "conflict": "#a34400",
    "role_change": "#0b6e4f",
    "move": "#5b3a8c",
    "health": "#006d77",
    "other": "#555555",
}
PLUS = "-2.5,-7 2.5,-7 2.5,-2.5 7,-2.5 7,2.5 2.5,2.5 2.5,7 -2.5,7 -2.5,2.5 -7,2.5 -7,-2.5 -2.5,-2.5"


def _kind(kind: str) -> str:
    return kind if kind in KIND_LABELS else "other"


def _marker(kind: str) -> SafeString:
    """Shape and fill tell the kinds apart in greyscale; colour helps on screen."""
    c = SYMPTOM if kind.startswith("symptom_") else KIND_COLOURS[kind]
    hollow = {"fill": WHITE, "stroke": c, "stroke_width": 2.4}
    return {
        "loss": _circle(0, 0, 6, c),
        "conflict": _rect(-5.5, -5.5, 11, 11, c),
        "role_change": _el("polygon", points="0,-7.5 7.5,0 0,7.5 -7.5,0", fill=c),
        "move": _el("rect", x=-5, y=-5, width=10, height=10, **hollow),
        "health": _el("polygon", points=PLUS, fill=c),
        "other": _el("circle", r=5, **hollow),
        # Symptoms are triangles: down for onset (filled) and worse (hollow), up for better.
        "symptom_onset": _el("polygon", points="-7,-6 7,-6 0,7", fill=c),
        "symptom_worsening": _el("polygon", points="-6.5,-5 6.5,-5 0,6.5", **hollow),
        "symptom_improvement": _el("polygon", points="-6.5,5 6.5,5 0,-6.5", **hollow),
    }[kind]


def month_year(day: datetime.date, with_day: bool = False) -> str:
    """'Mar 2025'; '3 Mar 2025' on timelines of a few months, where the day matters."""
    return f"{day.day} " * with_day + f"{MONTHS[day.month - 1]} {day.year}"


def _ticks(start: datetime.date, end: datetime.date, most: int) -> list[tuple[datetime.date, str]]:
    """The finest of weeks / months / years that gives at most `most` tick labels."""
    ticks: list[tuple[datetime.date, str]] = []
    for step in (-7, -14, 1, 2, 3, 6, 12, 24, 60, 120, 240):  # negative: days, else months
        ticks = []
        if step < 0:  # Mondays, for spans of a few weeks
            day = start + datetime.timedelta(days=-start.weekday() % 7)
            while day <= end:
                ticks.append((day, f"{day.day} {MONTHS[day.month - 1]}"))
                day += datetime.timedelta(days=-step)
        else:  # 1st of months whose index is a multiple of step: years land on 2020, 2025...
            m = start.year * 12 + start.month - 1 + (start.day > 1)
            m += -m % step
            while (day := datetime.date(m // 12, m % 12 + 1, 1)) <= end:
                ticks.append((day, str(day.year) if step >= 12 else month_year(day)))
                m += step
        if len(ticks) <= most:
            break
    return ticks


def timeline(
    events: Sequence[TimelineEvent],
    *,
    title: str = "Timeline of life events and symptoms",
    width: int = 760,
) -> SafeString:
    if not events:
        empty = _text(width / 2, 29, "No events yet", 14, "middle", fill=MUTED)
        return _svg("timeline", title, "No events yet.", width, 48, [empty])

    events = sorted(events, key=lambda e: e.when)  # stable: same-day events keep their order
    first, last = events[0].when, events[-1].when
    margin = datetime.timedelta(days=max(14, (last - first).days * 0.06))
    start, end = first - margin, last + margin
    left, right = 24, width - 24
    precise = (last - first).days <= 120

    def x_of(day: datetime.date) -> float:
        return left + (day - start).days / (end - start).days * (right - left)

    # Per lane (life events above, symptoms below): markers closer than 13 units stack up in
    # levels, and labels go greedily into the first row whose last label ends left of them.
    rows: dict[bool, list[float]] = {False: [], True: []}  # right edge of each row's last label
    stacks: dict[bool, list[tuple[float, int]]] = {False: [], True: []}
    placed = []
    for ev in events:
        kind = _kind(ev.kind)
        lane = kind.startswith("symptom_")
        text = (f"{SYMPTOM_PREFIX[kind]}: " if lane else "") + _truncate(ev.label, 32)
        sub = month_year(ev.when, precise) + (
            f" \u00b7 {_truncate(ev.person, 24)}" if ev.person else ""
        )
        half = max(_width(text, 12), _width(sub, 10)) / 2 + 3
        x = x_of(ev.when)
        cx = min(max(x, 4 + half), width - 4 - half)  # shifted to stay inside the viewBox
        level = 0
        while any(abs(px - x) < 13 and lv == level for px, lv in stacks[lane]):
            level += 1
        stacks[lane].append((x, level))
        ends = rows[lane]
        row = next((i for i, end_x in enumerate(ends) if end_x + 8 <= cx - half), len(ends))
        ends[row : row + 1] = [cx + half]  # replaces that row's end, or appends a new row
        placed.append((ev, kind, lane, x, level, cx, half, row, text, sub))

    # Top to bottom: life-event rows, their markers, axis and ticks, symptom markers and rows.
    row_h, box_h = 36, 30
    stack_h = {lane: 14 * max(lv for _, lv in s) if s else 0 for lane, s in stacks.items()}
    axis_y = 10 + len(rows[False]) * row_h + 26 + stack_h[False]
    below = axis_y + 48 + stack_h[True]
    bottom = below + len(rows[True]) * row_h
    grid, ticks = [], []
    for day, text in _ticks(start, end, max(2, (right - left) // 70)):
        x, half = x_of(day), _width(text, 10) / 2 + 2
        grid.append(_line(x, 10, x, bottom, "#e2e2e2"))
        ticks += [
            _line(x, axis_y, x, axis_y + 5, AXIS, 1.5),
            _rect(x - half, axis_y + 8, 2 * half, 12, WHITE),  # keeps leaders off the text
            _text(x, axis_y + 17, text, 10, "middle", fill=MUTED),
        ]

    leaders, markers, labels = [], [], []
    for ev, kind, lane, x, level, cx, half, row, text, sub in placed:
        if lane:  # symptoms: dashed leader from the axis itself, so both lanes share the date
            my, top = axis_y + 32 + 14 * level, below + row * row_h
            leaders.append(_line(x, axis_y, x, top, SYMPTOM, stroke_dasharray="4 3"))
        else:
            my, top = axis_y - 9 - 14 * level, axis_y - 26 - stack_h[False] - row * row_h - box_h
            leaders.append(_line(x, my, x, top + box_h, "#777777"))
        hover = f"{month_year(ev.when, precise)}: {KIND_LABELS[kind]}: {ev.label}"
        hover += f" ({ev.person})" if ev.person else ""
        date, at = ev.when.isoformat(), f"translate({_n(x)} {_n(my)})"
        marker = [_el("title", hover), _marker(kind)]
        markers.append(
            _el("g", marker, class_="event-marker", data_kind=kind, data_date=date, transform=at)
        )
        label = [
            _rect(cx - half, top, 2 * half, box_h, WHITE, rx=3, fill_opacity=0.9),
            _text(cx, top + 13, text, 12, "middle", fill=SYMPTOM if lane else INK),
            _text(cx, top + 26, sub, 10, "middle", fill=MUTED),
        ]
        labels.append(_el("g", label, class_="event-label", data_row=row, data_date=date))
    # Painted in this order so a tick label or event label may hide a leader line only.
    axis = _line(left, axis_y, right, axis_y, AXIS, 2, class_="timeline-axis")
    body = [*grid, *leaders, *ticks, axis, *markers, *labels]

    # Legend of the kinds present, wrapping onto further lines on narrow charts.
    x, y = 24, bottom + 22
    for kind in [k for k in KIND_LABELS if any(_kind(e.kind) == k for e in events)]:
        item = 38 + _width(KIND_LABELS[kind], 11)
        if x + item > width and x > 24:
            x, y = 24, y + 20
        body.append(_el("g", [_marker(kind)], transform=f"translate({_n(x + 7)} {_n(y - 4)})"))
        body.append(_text(x + 20, y, KIND_LABELS[kind], 11))
        x += item

    desc = f"{len(events)} events from {month_year(first)} to {month_year(last)}."
    for e in events:
        desc += f" {month_year(e.when, precise)}: {KIND_LABELS[_kind(e.kind)]}: {e.label}"
        desc += f" ({e.person})." if e.person else "."
    return _svg("timeline", title, desc, width, y + 12, body)

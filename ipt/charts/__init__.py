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
            radius = (edges[ring - 1] + edges[ring]) / 2
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


# Symptom chart -------------------------------------------------------------------------------


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
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _status(session: SessionMark) -> str:
    """An unknown status is drawn as planned: the chart never claims a session was held."""
    return session.status if session.status in SESSION_STATUSES else "planned"


def _band_fill(i: int, n: int) -> str:
    t = i / max(1, n - 1)
    rgb = (round(a + (b - a) * t) for a, b in zip(BAND_LIGHT, BAND_DARK, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _risk_marker(r: float = 6.5) -> list[SafeString]:
    """A red disc with a white "!" inside a red ring: unlike the plain dots, also in greyscale."""
    return [
        _circle(0, 0, r + 4, "none", stroke=SYMPTOM, stroke_width=2.5, class_="risk-marker"),
        _circle(0, 0, r, SYMPTOM, stroke=WHITE, stroke_width=1.5),
        _text(0, r * 0.55, "!", r * 1.6, "middle", fill=WHITE, font_weight="bold"),
    ]


def _session_marker(status: str) -> list[SafeString]:
    """Held: filled; missed: hollow with an x; cancelled: hollow, struck through; planned: light."""
    if status == "held":
        return [_circle(0, 0, 4.5, SCORE_LINE)]
    if status == "planned":
        return [_circle(0, 0, 4.5, WHITE, stroke=FAINT, stroke_width=1.5, stroke_dasharray="2 1.6")]
    marker = [_circle(0, 0, 4.5, WHITE, stroke=MUTED, stroke_width=1.5)]
    if status == "missed":
        return [*marker, _line(-3, -3, 3, 3, MUTED, 1.5), _line(-3, 3, 3, -3, MUTED, 1.5)]
    return [*marker, _line(-3.2, 0, 3.2, 0, MUTED, 1.5)]


def _event_marker(focal: bool) -> SafeString:
    if focal:
        return _circle(0, 0, 5.5, FOCAL, stroke=WHITE, stroke_width=1.5)
    return _circle(0, 0, 4.5, WHITE, stroke=MUTED, stroke_width=2)


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
    top_score = max(1, max_score)
    stripes = sorted((max(0, lo), min(hi, top_score), lab) for lo, hi, lab in bands if lo <= hi)
    stripes = [s for s in stripes if s[0] <= top_score]
    # Band names go in a column at the right, in a smaller font when the chart is narrow.
    names = [_truncate(label, 24) for _, _, label in stripes]
    longest = max((len(n) for n in names), default=1)
    band_size = max(8.5, min(11, (0.24 * width - 20) / (0.6 * longest)))
    left, right = 64, width - max(60.0, 20 + _width("x" * longest, band_size))
    top = 26
    bottom = top + max(160, min(300, round(width * 0.34)))  # the axis, at a score of 0

    def y_of(score: float) -> float:
        return bottom - min(max(score, 0), top_score) / top_score * (bottom - top)

    days = [p.when for p in points] + [s.when for s in sessions] + [e.when for e in events]
    first, last = min(days, default=datetime.date.min), max(days, default=datetime.date.min)
    span = (last - first).days
    margin = datetime.timedelta(days=max(4, round(span * 0.04)) if span else 14)
    start, end = first - margin if days else first, last + margin  # x_of() needs some day
    precise = span <= 400  # the day of the month matters

    def x_of(day: datetime.date) -> float:
        return left + (day - start).days / (end - start).days * (right - left)

    def date(day: datetime.date) -> str:
        return month_year(day, precise)

    def band_of(total: int) -> str:
        return next((lab for lo, hi, lab in stripes if lo <= total <= hi), "")

    # Severity bands: stripes that run on under their labels at the right, edges as gridlines.
    body: list[SafeString] = []
    for i, ((lo, hi, label), name) in enumerate(zip(stripes, names, strict=True)):
        y0, y1 = y_of(min(hi + 1, top_score)), y_of(lo)
        fill = _band_fill(i, len(stripes))
        body.append(_rect(left, y0, width - left, y1 - y0, fill, class_="band", data_band=label))
        size = min(band_size, y1 - y0 - 1)
        if size >= 6:
            body.append(
                _text(right + 10, (y0 + y1) / 2 + size * 0.36, name, size, class_="band-label")
            )
    levels = sorted({0, top_score, *(lo for lo, _, _ in stripes)})
    shown = [0, top_score]  # then each band edge that leaves room for its number
    for score in levels:
        y = y_of(score)
        body.append(_line(left, y, width, y, "#b4c2d0", 0.75))
        if all(abs(y_of(s) - y) >= 11 for s in shown):
            shown.append(score)
    for score in shown:
        y = y_of(score)
        body += [
            _line(left - 5, y, left, y, AXIS, 1.5),
            _text(left - 8, y + 3.5, str(score), 10, "end", fill=MUTED, class_="score-tick"),
        ]
    body.append(_text(left - 8, top - 12, measure, 10, "end", fill=MUTED))

    # The date axis; ticks go down into a row of their own, gridlines up through the plot.
    ticks = []
    if days:
        for day, text in _ticks(start, end, max(2, int(right - left) // 70)):
            x = x_of(day)
            body.append(_line(x, top, x, bottom, WHITE, 1, stroke_opacity=0.9))
            ticks += [
                _line(x, bottom, x, bottom + 5, AXIS, 1.5),
                _text(x, bottom + 17, text, 10, "middle", fill=MUTED, class_="date-tick"),
            ]

    # Scores: where a value label goes is chosen among eight spots around its marker, as the
    # one that least covers the line, the markers and the labels already placed.
    xy = [(x_of(p.when), y_of(p.total)) for p in points]
    line = _along(xy)
    radius = [10.5 if p.risk else 5.0 for p in points]
    obstacles: list[Box] = [
        (x - r, y - r, x + r, y + r) for (x, y), r in zip(xy, radius, strict=True)
    ]
    bounds = (left + 1, 4, right + 6, bottom - 1)  # not on the axes or the band names

    def cost(box: Box, own: int | None = None) -> float:
        inside = _overlap(box, bounds)
        area = (box[2] - box[0]) * (box[3] - box[1])
        crowd = sum(_overlap(box, o, 2) for i, o in enumerate(obstacles) if i != own)
        return 20 * _hits(box, line) + crowd + 10 * (area - inside)

    guides, baseline_parts = [], []
    if baseline is not None:
        by = y_of(baseline)
        line += _along([(left, by), (right, by)], 4)  # value labels keep off it too
        text = f"Baseline {baseline}"
        tw = _width(text, 10)
        spots = [  # right end above, below, then left end
            (right - 6 - tw, by - 13, right - 6, by - 3),
            (right - 6 - tw, by + 3, right - 6, by + 13),
            (left + 6, by - 13, left + 6 + tw, by - 3),
            (left + 6, by + 3, left + 6 + tw, by + 13),
        ]
        costs = [cost(box) + 3 * i for i, box in enumerate(spots)]
        box = spots[costs.index(min(costs))]
        obstacles.append(box)
        baseline_parts = [
            _line(left, by, right, by, INK, 1.5, stroke_dasharray="6 4", class_="baseline"),
            _rect(box[0] - 2, box[1] - 1, box[2] - box[0] + 4, 12, WHITE, rx=2, fill_opacity=0.8),
            _text(box[0], box[3] - 1, text, 10, fill=INK, class_="baseline-label"),
        ]

    score_marks = []
    for i, (p, (x, y), r) in enumerate(zip(points, xy, radius, strict=True)):
        value = str(p.total)
        w = _width(value, 11)
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
            options.append((cost(box, own=i) + 2 * k, dx, dy, anchor, box))
        _, dx, dy, anchor, box = min(options, key=lambda o: o[0])
        obstacles.append(box)
        state = "; item 9 above 0 (thoughts of being better off dead or of self-harm)" * p.risk
        hover = f"{p.label + ', ' if p.label else ''}{date(p.when)}: {measure} {p.total}"
        hover += f" ({band_of(p.total).lower()})" if band_of(p.total) else ""
        parts = [
            _el("title", hover + state),
            *(
                _risk_marker()
                if p.risk
                else [_circle(0, 0, 4.5, SCORE_LINE, stroke=WHITE, stroke_width=1.5)]
            ),
            _text(
                dx,
                dy,
                value,
                11,
                anchor,
                fill=SYMPTOM if p.risk else INK,
                font_weight="bold",
                class_="score-value",
            ),
        ]
        score_marks.append(
            _el(
                "g",
                parts,
                class_="score-point score-risk" if p.risk else "score-point",
                data_date=p.when.isoformat(),
                data_total=p.total,
                transform=f"translate({_n(x)} {_n(y)})",
            )
        )
    if len(xy) > 1:
        pairs = " ".join(f"{_n(x)},{_n(y)}" for x, y in xy)
        score_marks.insert(
            0,
            _el(
                "polyline",
                points=pairs,
                fill="none",
                stroke=SCORE_LINE,
                stroke_width=2.5,
                stroke_linejoin="round",
                stroke_linecap="round",
                class_="score-line",
            ),
        )
    if not points:
        note = f"No {measure} recorded yet"
        nw, my = _width(note, 13) + 20, (top + bottom) / 2
        score_marks += [
            _rect((left + right - nw) / 2, my - 14, nw, 24, WHITE, rx=4, fill_opacity=0.9),
            _text((left + right) / 2, my + 3, note, 13, "middle", fill=MUTED, class_="empty-note"),
        ]

    # Sessions: a row under the dates; labels take one of two rows, or only the hover title.
    row_y = bottom + (24 if days else 6) + 12
    session_marks, ends = [], [-1e9, -1e9]
    for s in sessions:
        status = _status(s)
        x, text = x_of(s.when), f"S{s.number}"
        half = _width(text, 10) / 2
        row = next((i for i, e in enumerate(ends) if e + 3 <= x - half), None)
        hover = f"Session {s.number}, {date(s.when)}: {SESSION_STATUSES[status].lower()}"
        parts = [_el("title", hover), *_session_marker(status)]
        if row is not None:
            ends[row] = x + half
            colour = {"held": INK, "planned": LIGHT_TEXT}.get(status, MUTED)
            parts.append(_text(0, 17 + 11 * row, text, 10, "middle", fill=colour))
        session_marks.append(
            _el(
                "g",
                parts,
                class_="session-mark",
                data_status=status,
                data_number=s.number,
                data_date=s.when.isoformat(),
                transform=f"translate({_n(x)} {_n(row_y)})",
            )
        )
    below = row_y + 17 + 11 * (ends[1] > -1e9) if sessions else row_y - 12

    # Events: markers on a line of their own (same-day ones stacked), labels in greedy rows
    # below, each joined to its marker; a dotted guide shows the date up through the plot.
    line_y = below + 20
    stacks: list[tuple[float, int]] = []
    rows: list[float] = []
    placed = []
    for ev in events:
        x, text = x_of(ev.when), _truncate(ev.label, 30)
        half = _width(text, 11) * (1.15 if ev.focal else 1) / 2 + 3  # bold runs wider
        cx = min(max(x, 4 + half), width - 4 - half)
        level = 0
        while any(abs(px - x) < 12 and lv == level for px, lv in stacks):
            level += 1
        stacks.append((x, level))
        row = next((i for i, e in enumerate(rows) if e + 16 <= cx - half), len(rows))
        rows[row : row + 1] = [cx + half]  # a clear gap, so two labels never read as one
        placed.append((ev, x, level, cx, half, row, text))
    stack_h = 12 * max((lv for _, lv in stacks), default=0)
    event_marks, leaders, labels = [], [], []
    for ev, x, level, cx, half, row, text in placed:
        my, label_top = line_y + 12 * level, line_y + 16 + stack_h + 22 * row
        guides.append(_line(x, top, x, bottom, "#8696a6", 1, stroke_dasharray="1.5 3"))
        leaders.append(_line(x, my, x, label_top, "#8a8a8a"))
        kind = "focal problem area" if ev.focal else "other"
        bold = "bold" if ev.focal else None
        hover = f"{date(ev.when)}: {ev.label} ({kind})"
        event_marks.append(
            _el(
                "g",
                [_el("title", hover), _event_marker(ev.focal)],
                class_="chart-event chart-event-focal" if ev.focal else "chart-event",
                data_date=ev.when.isoformat(),
                transform=f"translate({_n(x)} {_n(my)})",
            )
        )
        labels.append(
            _el(
                "g",
                [
                    _rect(cx - half, label_top, 2 * half, 16, WHITE, rx=3, fill_opacity=0.9),
                    _text(cx, label_top + 12, text, 11, "middle", font_weight=bold),
                ],
                class_="chart-event-label",
                data_row=row,
            )
        )
    if events:
        below = line_y + 16 + stack_h + 22 * len(rows)
    if sessions:
        body.append(_text(left - 8, row_y + 4, "Sessions", 10, "end", fill=MUTED))
    if events:
        body.append(_text(left - 8, line_y + 4, "Events", 10, "end", fill=MUTED))
        body.append(_line(left, line_y, right, line_y, "#c8c8c8", 1, class_="event-line"))

    axis = [
        _line(left, top, left, bottom, AXIS, 1.5),
        _line(left, bottom, right, bottom, AXIS, 2, class_="time-axis"),
    ]
    body += [*guides, *baseline_parts, *axis, *ticks, *score_marks, *session_marks]
    body += [*leaders, *labels, *event_marks]  # a label may hide a leader, never the reverse

    # Legend of what is shown, wrapping onto further lines on narrow charts.
    items: list[tuple[list[SafeString], str]] = []
    if points:
        dot = _circle(0, 0, 4.5, SCORE_LINE, stroke=WHITE, stroke_width=1.5)
        items.append(([_line(-9, 0, 9, 0, SCORE_LINE, 2.5), dot], f"{measure} total"))
    if any(p.risk for p in points):
        items.append((_risk_marker(4.5), "Item 9 above 0"))
    if baseline is not None:
        items.append(([_line(-10, 0, 10, 0, INK, 1.5, stroke_dasharray="6 4")], "Baseline"))
    statuses = {_status(s) for s in sessions}
    items += [(_session_marker(k), v) for k, v in SESSION_STATUSES.items() if k in statuses]
    if any(e.focal for e in events):
        items.append(([_event_marker(True)], "Event in the focal problem area"))
    if any(not e.focal for e in events):
        items.append(([_event_marker(False)], "Other event"))
    x, y = left - 20, below + (26 if items else 0)
    for marker, text in items:
        item = 40 + _width(text, 11)
        if x + item > width and x > left - 20:
            x, y = left - 20, y + 20
        body.append(_el("g", marker, transform=f"translate({_n(x + 10)} {_n(y - 4)})"))
        body.append(_text(x + 24, y, text, 11))
        x += item

    # The text alternative: every score with its band, risk, sessions and events.
    if points:
        desc = f"{len(points)} {measure} scores from {date(points[0].when)}"
        desc += f" to {date(points[-1].when)}." if len(points) > 1 else "."
    else:
        desc = f"No {measure} recorded yet."
    desc += f" Baseline {baseline}." if baseline is not None else ""
    for p in points:
        desc += f" {p.label + ', ' if p.label else ''}{date(p.when)}: {p.total}"
        desc += f" ({band_of(p.total).lower()})" if band_of(p.total) else ""
        desc += ", item 9 above 0." if p.risk else "."
    if sessions:
        counts = [
            f"{n} {k}" for k in SESSION_STATUSES if (n := sum(_status(s) == k for s in sessions))
        ]
        desc += f" Sessions: {', '.join(counts)}."
    for ev in events:
        desc += f" {date(ev.when)}: {ev.label}{' (focal problem area)' * ev.focal}."
    return _svg("symptom-chart", title, desc, width, y + 12, body)

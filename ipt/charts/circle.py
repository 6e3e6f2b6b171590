"""The closeness circle: the patient at the centre, people on three rings by closeness.

Labels are placed by trial: each ring is turned so labels on adjacent rings miss each other,
then each label may move to another side of its dot or keep more or less of a long name.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from ipt.charts import svg
from ipt.charts.svg import FOCAL, FOCAL_AREA, MUTED, WHITE, Box


@dataclass(frozen=True)
class CirclePerson:
    name: str
    relationship: str
    ring: int  # 1 = closest (inner ring), 2 = middle, 3 = outer
    focal: bool = False  # in the focal problem area: drawn with a halo and a bold name
    # Where the dot sits, in degrees clockwise from the top; None: spaced out on the ring.
    # The circle at the end of therapy keeps each person where they were at intake.
    angle: float | None = None


RING_NAMES = {1: "Closest", 2: "Close", 3: "Less close"}
RING_FILLS = {1: "#cddcec", 2: "#e1eaf4", 3: "#f2f6fa"}  # darker = closer, also in greyscale
RING_EDGE, DOT = "#6f8aa3", "#1f4e79"
MIN_GAP = 14  # degrees kept between two fixed dots on one ring, so neither hides the other
SIDES = ("right", "left", "above", "below")  # where a label may sit around its dot


def _ring(person: CirclePerson) -> int:
    return min(3, max(1, person.ring))


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
    box: Box  # the label's x0, y0, x1, y1


def _place(person: CirclePerson, x: float, y: float, side: str, limit: int) -> _Placed:
    """The label beside the dot (left or right) or centred above or below it."""
    name, rel = svg.truncate(person.name, limit), svg.truncate(person.relationship, limit + 4)
    w = max(svg.text_width(name, 12), svg.text_width(rel, 10))
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


class _Frame:
    """Where things go: wider than tall, so labels left and right run outwards from the rings."""

    def __init__(self, people: Sequence[CirclePerson], size: int):
        self.size, self.w, self.h = size, size * 1.5, size + 28
        self.cx, self.cy, outer = self.w / 2, size / 2, size / 2 - 40
        self.edges = {0: 0.2 * outer, 1: 0.47 * outer, 2: 0.74 * outer, 3: outer}
        self.rings: dict[int, list[CirclePerson]] = {1: [], 2: [], 3: []}
        for person in people:
            self.rings[_ring(person)].append(person)
        r0, cx, cy = self.edges[0], self.cx, self.cy
        self.bounds = (2, 2, self.w - 2, size - 2)
        self.centre = (cx - r0, cy - r0, cx + r0, cy + r0)

    def layout(self, turns: list[float]) -> list[_Placed]:
        """Everyone on their ring: those with an angle at it, the others spaced out, each
        ring turned by a fraction of its spacing."""
        placed = []
        for ring, members in self.rings.items():
            free = [p for p in members if p.angle is None]
            fixed = spread([p.angle for p in members if p.angle is not None], MIN_GAP)
            step = 2 * math.pi / max(1, len(free))
            radius = (self.edges[ring - 1] + self.edges[ring]) / 2
            limit = 20 if len(members) <= 4 else 15 if len(members) <= 8 else 11  # room per name
            angles, spaced = iter(fixed), 0
            for person in members:
                if person.angle is None:
                    angle = -math.pi / 2 + (turns[ring - 1] + spaced) * step
                    spaced += 1
                else:
                    angle = math.radians(next(angles)) - math.pi / 2
                x, y = self.cx + radius * math.cos(angle), self.cy + radius * math.sin(angle)
                placed.append(_place(person, x, y, self.outward(x, y), limit))
        return placed

    def angle_of(self, p: _Placed) -> float:
        """The dot's angle in degrees clockwise from the top, 0 to 360."""
        return round(math.degrees(math.atan2(p.y - self.cy, p.x - self.cx)) + 90, 1) % 360

    def outward(self, x: float, y: float) -> str:
        return _outward(x - self.cx, y - self.cy)

    def cost(self, p: _Placed, others: list[_Placed]) -> float:
        """How badly a label hits other labels and dots, the centre disc and the edges."""
        area = (p.box[2] - p.box[0]) * (p.box[3] - p.box[1])
        cost = svg.overlap(p.box, self.centre) + 4 * (area - svg.overlap(p.box, self.bounds))
        for q in others:  # padded, so near misses count a little and labels spread out
            cost += 3 * svg.overlap(p.box, (q.x - 9, q.y - 9, q.x + 9, q.y + 9))
            cost += svg.overlap(p.box, q.box, 4)
        return cost

    def clutter(self, placed: list[_Placed]) -> float:
        return sum(self.cost(p, placed[:i] + placed[i + 1 :]) for i, p in enumerate(placed))


def _turned(frame: _Frame) -> list[_Placed]:
    """The least cluttered turns of the rings.

    Each ring is turned by a fraction of its spacing so labels on adjacent rings do not land
    on each other: start from staggered turns, then try eighths ring by ring (48 layouts).
    """
    turns = [0.125, 0.375, 0.625]
    placed = frame.layout(turns)
    best = frame.clutter(placed)
    for _ in range(2):
        for ring in (r for r in (1, 2, 3) if _turnable(frame.rings[r]) and best > 0):
            for k in range(8):
                trial = [k / 8 if i == ring - 1 else t for i, t in enumerate(turns)]
                if (cost := frame.clutter(candidate := frame.layout(trial))) < best:
                    best, turns, placed = cost, trial, candidate
    return placed


def _turnable(members: Sequence[CirclePerson]) -> bool:
    return any(p.angle is None for p in members)


def spread(angles: Sequence[float], gap: float) -> list[float]:
    """The angles (degrees, in the given order) moved apart just enough that no two are
    closer than ``gap``: two people brought onto one ring at the same angle stay visible."""
    if len(angles) < 2 or gap * len(angles) > 360:
        return [a % 360 for a in angles]
    order = sorted(range(len(angles)), key=lambda i: angles[i] % 360)
    out = [angles[i] % 360 for i in order]
    for _ in range(len(out)):
        moved = False
        for k in range(len(out)):
            a, b = out[k], out[(k + 1) % len(out)] + (360 if k == len(out) - 1 else 0)
            if (short := gap - (b - a)) > 1e-9:
                out[k] -= short / 2
                out[(k + 1) % len(out)] += short / 2
                moved = True
        if not moved:
            break
    result = [0.0] * len(angles)
    for position, i in enumerate(order):
        result[i] = round(out[position] % 360, 1)
    return result


def layout_angles(people: Sequence[CirclePerson], size: int = 520) -> list[float]:
    """Where the circle puts each person (degrees clockwise from the top, in the given
    order): kept when the circle is copied, so everyone starts from their place."""
    frame = _Frame(people, size)
    placed = {id(p.person): p for p in _turned(frame)}
    return [frame.angle_of(placed[id(person)]) for person in people]


def _relabelled(frame: _Frame, placed: list[_Placed]) -> list[_Placed]:
    """Crowded rings still collide: a label may move to another side of its dot, or keep more
    or less of a long name, when that is clearly less cluttered (penalties: the outward side
    reads best, and whole names are better than cut ones)."""
    for _ in range(3):
        for i, p in enumerate(placed):
            others, outward = placed[:i] + placed[i + 1 :], frame.outward(p.x, p.y)
            options = [_place(p.person, p.x, p.y, s, n) for s in SIDES for n in (22, 16, 11)]
            costs = [
                frame.cost(o, others) + 40 * (o.side != outward) + 4 * (22 - o.limit)
                for o in options
            ]
            placed[i] = options[costs.index(min(costs))]
    return placed


def _dot(x: float, y: float, focal: bool, ring: int | None = None) -> list[SafeString]:
    """A person's dot, with a halo when focal; it carries its ring for tests and scripts."""
    attrs = {"class_": "person-dot", "data_ring": ring} if ring else {}
    if not focal:
        return [svg.circle(x, y, 6, DOT, stroke=WHITE, stroke_width=1.5, **attrs)]
    return [
        svg.circle(x, y, 12, "none", stroke=FOCAL, stroke_width=3),
        svg.circle(x, y, 7, FOCAL, stroke=WHITE, stroke_width=1.5, **attrs),
    ]


def _rings_and_centre(frame: _Frame, centre_label: str, empty: bool) -> list[SafeString]:
    cx, cy, edges = frame.cx, frame.cy, frame.edges
    body = [
        svg.circle(cx, cy, edges[r], RING_FILLS[r], stroke=RING_EDGE, stroke_width=1.5)
        for r in (3, 2, 1)
    ]
    patient = svg.truncate(centre_label, int(edges[0] / 4))
    body += [
        svg.circle(cx, cy, edges[0], DOT),
        svg.text(cx, cy + 5, patient, 13, "middle", fill=WHITE, font_weight="bold"),
    ]
    if empty:
        body.append(svg.text(cx, cy + edges[1] + 16, "No one added yet", 14, "middle", fill=MUTED))
    return body


def _people(placed: list[_Placed]) -> list[SafeString]:
    """Each person's dot, name and relationship, over the backgrounds of all labels."""
    # All label backgrounds first: a background may cover a ring line, never a dot or a name.
    body = [
        svg.rect(x0, y0, x1 - x0, y1 - y0, WHITE, rx=3, fill_opacity=0.85)
        for x0, y0, x1, y1 in (p.box for p in placed)
    ]
    for p in placed:
        focal = p.person.focal
        bold = "bold" if focal else None
        hover = f"{p.person.name} ({p.person.relationship})" + (f", {FOCAL_AREA}" * focal)
        person = [
            svg.el("title", hover),
            *_dot(p.x, p.y, focal, ring=_ring(p.person)),
            svg.text(p.tx, p.ty, p.name, 12, p.anchor, font_weight=bold),
            svg.text(p.tx, p.ty + 12, p.rel, 10, p.anchor, fill=MUTED),
        ]
        body.append(svg.el("g", person, class_="person person-focal" if focal else "person"))
    return body


def _legend(frame: _Frame, any_focal: bool) -> list[SafeString]:
    """Centred under the circle: a swatch per ring, and the focal marker if used."""
    items = [*RING_NAMES.values()] + ["Focal problem area"] * any_focal
    x, y = frame.cx - sum(44 + svg.text_width(t, 12) for t in items) / 2 + 22, frame.size + 12
    body = []
    for ring, content in enumerate(items, start=1):
        if ring <= 3:
            body.append(svg.rect(x - 8, y - 10, 16, 12, RING_FILLS[ring], stroke=RING_EDGE))
        else:
            body += _dot(x, y - 4, focal=True)
        body.append(svg.text(x + 18, y, content, 12))
        x += 44 + svg.text_width(content, 12)
    return body


def _description(frame: _Frame, people: Sequence[CirclePerson], centre_label: str) -> str:
    desc = f"{len(people)} people around {centre_label}."
    for ring, members in frame.rings.items():
        names = [f"{p.name} ({p.relationship}{', focal' * p.focal})" for p in members]
        desc += f" {RING_NAMES[ring]}: {'; '.join(names) or 'no one'}."
    return desc


def closeness_circle(
    people: Sequence[CirclePerson],
    *,
    title: str = "Closeness circle",
    centre_label: str = "Patient",
    size: int = 520,
) -> SafeString:
    frame = _Frame(people, size)
    placed = _relabelled(frame, _turned(frame))
    body = [
        *_rings_and_centre(frame, centre_label, empty=not people),
        *_people(placed),
        *_legend(frame, any(p.focal for p in people)),
    ]
    desc = _description(frame, people, centre_label)
    return svg.document("closeness-circle", title, desc, frame.w, frame.h, body)

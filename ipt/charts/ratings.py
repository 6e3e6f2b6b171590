"""The focal rating beside the PHQ-9 and the mood: two panels over the course's sessions.

Top: the PHQ-9 (0-27, higher is worse). Below, on the same session axis: the 0-10 ratings
(higher is better): the patient's rating of each focal area (Goal-Based-Outcomes style) and
the 0-10 mood. Drawn by session number, not by date, so that the two series line up session
by session for the precedence reading (ipt/rules/precedence.py). Kinds differ by marker and
dash as well as colour, for greyscale printouts.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from ipt.charts import svg
from ipt.charts.svg import AXIS, FOCAL, MUTED, WHITE

PHQ9_LINE, MOOD_LINE, SECOND_FOCAL = "#1f4e79", "#4a4a4a", "#6a3d9a"
GRID = "#dddddd"


@dataclass(frozen=True)
class RatingSeries:
    label: str
    points: tuple[tuple[int, float], ...]  # (session number, value)
    kind: str = "focal"  # "phq9" | "mood" | "focal"


def _marker(kind: str, index: int) -> SafeString:
    if kind == "phq9":
        return svg.circle(0, 0, 4.5, PHQ9_LINE, stroke=WHITE, stroke_width=1.5)
    if kind == "mood":
        return svg.rect(-4, -4, 8, 8, WHITE, stroke=MOOD_LINE, stroke_width=2)
    colour = FOCAL if index == 0 else SECOND_FOCAL
    return svg.el("path", d="M0 -6 L6 0 L0 6 L-6 0 Z", fill=colour, stroke=WHITE, stroke_width=1)


def _style(kind: str, index: int) -> dict:
    if kind == "phq9":
        return {"stroke": PHQ9_LINE, "stroke_width": 2.5}
    if kind == "mood":
        return {"stroke": MOOD_LINE, "stroke_width": 1.5, "stroke_dasharray": "5 4"}
    colour = FOCAL if index == 0 else SECOND_FOCAL
    dash = None if index == 0 else "9 4"
    return {"stroke": colour, "stroke_width": 2.5, "stroke_dasharray": dash}


def _fmt(value: float) -> str:
    return svg.num(value)


def ratings_chart(
    phq9: RatingSeries | None,
    ratings: Sequence[RatingSeries],
    *,
    last_session: int,
    title: str = "The focal rating beside the PHQ-9 and mood",
    width: int = 760,
) -> SafeString:
    """Two stacked panels on one session axis (0 = baseline, 1..last_session)."""
    left, right = 64, width - 24
    panel_h, gap = 130, 34
    top1 = 16
    bottom1 = top1 + panel_h
    top2 = bottom1 + gap
    bottom2 = top2 + panel_h
    n = max(1, last_session)

    def x(session: float) -> float:
        return left + (right - left) * session / n

    def y1(value: float) -> float:
        return bottom1 - panel_h * min(max(value, 0), 27) / 27

    def y2(value: float) -> float:
        return bottom2 - panel_h * min(max(value, 0), 10) / 10

    body: list[SafeString] = []
    # Grids and axes.
    for v in (0, 5, 10, 15, 20, 27):
        body.append(svg.line(left, y1(v), right, y1(v), GRID, 1))
        body.append(svg.text(left - 6, y1(v) + 4, str(v), 10, "end", fill=MUTED))
    for v in (0, 2, 4, 6, 8, 10):
        body.append(svg.line(left, y2(v), right, y2(v), GRID, 1))
        body.append(svg.text(left - 6, y2(v) + 4, str(v), 10, "end", fill=MUTED))
    body.append(svg.text(left, top1 - 4, "PHQ-9 (0-27, lower is better)", 11, fill=MUTED))
    body.append(svg.text(left, top2 - 6, "0-10 ratings (higher is better)", 11, fill=MUTED))
    for top, bottom in ((top1, bottom1), (top2, bottom2)):
        body.append(svg.line(left, top, left, bottom, AXIS, 1.5))
        body.append(svg.line(left, bottom, right, bottom, AXIS, 1.5))
    step = 1 if n <= 20 else 2
    for s in range(0, n + 1, step):
        body.append(svg.line(x(s), bottom2, x(s), bottom2 + 4, AXIS, 1))
        body.append(svg.text(x(s), bottom2 + 16, "B" if s == 0 else str(s), 10, "middle"))
    body.append(svg.text((left + right) / 2, bottom2 + 32, "Session (B = baseline)", 11, "middle"))

    series = ([(phq9, y1, 0)] if phq9 else []) + [
        (r, y2, i) for i, r in enumerate(r for r in ratings if r.kind == "focal")
    ]
    series += [(r, y2, 0) for r in ratings if r.kind == "mood"]
    legend_items = []
    for s, scale, index in series:
        pts = [(x(n_), scale(v)) for n_, v in s.points if 0 <= n_ <= n]
        if len(pts) > 1:
            d = "M" + " L".join(f"{svg.num(px)} {svg.num(py)}" for px, py in pts)
            body.append(svg.el("path", d=d, fill="none", **_style(s.kind, index)))
        for px, py in pts:
            body.append(svg.el("g", [_marker(s.kind, index)], transform=svg.translate(px, py)))
        legend_items.append(([_legend_line(s, index)], s.label))
    legend, end = svg.wrapped_legend(
        legend_items,
        x0=left - 20,
        y=bottom2 + 60,
        width=width,
        marker_dx=10,
        text_dx=26,
        spacing=42,
    )
    desc = (
        " ".join(
            f"{s.label}: "
            + (", ".join(f"session {n_}: {_fmt(v)}" for n_, v in s.points) or "none recorded")
            + "."
            for s, _, _ in series
        )
        or "Nothing recorded yet."
    )
    return svg.document("ratings-chart", title, desc, width, end + 12, body + legend)


def _legend_line(s: RatingSeries, index: int) -> SafeString:
    return svg.el(
        "g",
        [
            svg.el("path", d="M-10 0 L10 0", fill="none", **_style(s.kind, index)),
            _marker(s.kind, index),
        ],
    )

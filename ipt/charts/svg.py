"""What the charts share: SVG elements, text measures, colours, date axes and label packing.

Every element is built by el(), which escapes user text and attribute values exactly once; only presentation attributes are used (the CSP forbids style="").
"""

import datetime
import hashlib
import html
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from ipt.dates import shift

FONT = "DejaVu Sans, sans-serif"
INK, MUTED, WHITE, AXIS = "#1a1a1a", "#4a4a4a", "#ffffff", "#333333"
SYMPTOM = "#a50f15"  # dark red: 7:1 on white and unlike every life-event colour
FOCAL = "#a04000"  # the focal problem area: a halo in the circle, events on the symptom chart
FOCAL_AREA = "focal problem area"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def num(x: float) -> str:
    """Compact, deterministic coordinates (a tenth of a unit is below a device pixel)."""
    return f"{x:.1f}".removesuffix(".0")


def _escaped(value) -> str:
    """What format_html does to each value: escape it, unless it is already safe markup."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def el(tag: str, content: str | list = "", /, **attrs) -> SafeString:
    """One SVG element; attribute names drop a trailing _ and turn _ into - (font_size).

    Every value and text content is escaped once, as format_html would (a chart draws
    thousands of elements, so it is done here directly); a list holds children built by el.
    ``tag`` and the attribute names come from the code, never from data.
    """
    # Each child of a list was escaped when it was built.
    inner = "".join(content) if isinstance(content, list) else _escaped(content)
    attributes = "".join(
        f' {k.rstrip("_").replace("_", "-")}="'
        f'{num(v) if isinstance(v, int | float) else _escaped(v)}"'
        for k, v in attrs.items()
        if v is not None
    )
    if inner == "":
        return mark_safe(f"<{tag}{attributes}/>")
    return mark_safe(f"<{tag}{attributes}>{inner}</{tag}>")


def text(x: float, y: float, content: str, size: float, anchor="start", **attrs) -> SafeString:
    return el("text", content, x=x, y=y, font_size=size, text_anchor=anchor, **attrs)


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, w=1.0, **attrs) -> SafeString:
    return el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, stroke_width=w, **attrs)


def rect(x: float, y: float, w: float, h: float, fill: str, **attrs) -> SafeString:
    return el("rect", x=x, y=y, width=w, height=h, fill=fill, **attrs)


def circle(x: float, y: float, r: float, fill: str, **attrs) -> SafeString:
    return el("circle", cx=x, cy=y, r=r, fill=fill, **attrs)


def translate(x: float, y: float) -> str:
    return f"translate({num(x)} {num(y)})"


def truncate(content: str, limit: int) -> str:
    content = " ".join(content.split())
    return content if len(content) <= limit else content[: limit - 1].rstrip() + "\u2026"


def text_width(content: str, font_size: float) -> float:
    """An estimate (0.6 x font size per character): there are no font metrics on the server."""
    return 0.6 * font_size * len(content)


def overlap(a: Box, b: Box, pad: float = 0) -> float:
    """The area two boxes share, each grown by `pad`/2 on every side."""
    dx = min(a[2], b[2]) - max(a[0], b[0]) + pad
    dy = min(a[3], b[3]) - max(a[1], b[1]) + pad
    return max(0.0, dx) * max(0.0, dy)


def document(css_class: str, title: str, desc: str, w: float, h: float, body: list) -> SafeString:
    """The <svg> root: scalable, with its title and description as its accessible name."""
    # Ids must be unique when a page shows several charts; a digest of the content keeps the
    # output deterministic (identical charts share ids, but then also identical text).
    uid = "chart-" + hashlib.sha1(f"{title}|{desc}|{w}x{h}".encode()).hexdigest()[:10]
    return el(
        "svg",
        [el("title", title, id=f"{uid}-title"), el("desc", desc, id=f"{uid}-desc"), *body],
        xmlns="http://www.w3.org/2000/svg",
        class_=f"chart {css_class}",
        role="img",
        aria_labelledby=f"{uid}-title {uid}-desc",
        viewBox=f"0 0 {num(w)} {num(h)}",
        width="100%",
        font_family=FONT,
        fill=INK,
    )


def wrapped_legend(
    items: Iterable[tuple[list[SafeString], str]],
    *,
    x0: float,
    y: float,
    width: float,
    marker_dx: float,
    text_dx: float,
    spacing: float,
) -> tuple[list[SafeString], float]:
    """Marker and text per item along a line, wrapping onto further lines on narrow charts.

    Returns the parts and the baseline of the last line.
    """
    parts, x = [], x0
    for marker, content in items:
        item = spacing + text_width(content, 11)
        if x + item > width and x > x0:
            x, y = x0, y + 20
        parts.append(el("g", marker, transform=translate(x + marker_dx, y - 4)))
        parts.append(text(x + text_dx, y, content, 11))
        x += item
    return parts, y


# Dates ---------------------------------------------------------------------------------------


def month_year(day: datetime.date, with_day: bool = False) -> str:
    """'Mar 2025'; '3 Mar 2025' on timelines of a few months, where the day matters."""
    return f"{day.day} " * with_day + f"{MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class DateScale:
    """Days from `start` to `end` laid out from x = `left` to x = `right`."""

    start: datetime.date
    end: datetime.date
    left: float
    right: float

    def x(self, day: datetime.date) -> float:
        share = (day - self.start).days / max(1, (self.end - self.start).days)
        return self.left + share * (self.right - self.left)


def date_ticks(
    start: datetime.date, end: datetime.date, most: int
) -> list[tuple[datetime.date, str]]:
    """The finest of weeks / months / years that gives at most `most` tick labels."""
    ticks: list[tuple[datetime.date, str]] = []
    for step in (-7, -14, 1, 2, 3, 6, 12, 24, 60, 120, 240):  # negative: days, else months
        ticks = []
        if step < 0:  # Mondays, for spans of a few weeks
            day = shift(start, -start.weekday() % 7)
            while day <= end and len(ticks) <= most:
                ticks.append((day, f"{day.day} {MONTHS[day.month - 1]}"))
                if day == (day := shift(day, -step)):
                    break  # the end of the calendar
        else:  # 1st of months whose index is a multiple of step: years land on 2020, 2025...
            m = start.year * 12 + start.month - 1 + (start.day > 1)
            m += -m % step
            while (
                len(ticks) <= most
                and m // 12 <= datetime.MAXYEAR
                and (day := datetime.date(m // 12, m % 12 + 1, 1)) <= end
            ):
                ticks.append((day, str(day.year) if step >= 12 else month_year(day)))
                m += step
        if len(ticks) <= most:
            break
    return ticks


# Packing labels and markers ------------------------------------------------------------------


def stack_level(stacks: list[tuple[float, int]], x: float, near: float) -> int:
    """The lowest level free of markers closer than `near` to x; the marker is recorded."""
    level = 0
    while any(abs(px - x) < near and lv == level for px, lv in stacks):
        level += 1
    stacks.append((x, level))
    return level


def label_row(ends: list[float], x0: float, x1: float, gap: float) -> int:
    """The first row whose last label ends `gap` left of x0 (else a new row); it now ends at x1.

    `ends` holds the right edge of each row's last label.
    """
    row = next((i for i, end_x in enumerate(ends) if end_x + gap <= x0), len(ends))
    ends[row : row + 1] = [x1]  # replaces that row's end, or appends a new row
    return row

"""Vector charts for the PDF report, drawn with fpdf2 primitives.

Lines, rectangles, circles and text only: no raster images, no plotting
library, so charts stay sharp when printed and the text in them can be
searched and copied. Every function draws into a box given in millimetres
on the current page and takes plain values (proportions in [0, 1] or None);
what the values mean, and which colour a unit deserves, is the caller's
business. Missing values (None or NaN) are skipped, never drawn at zero.

The fonts must be registered on the document under :data:`FONT` (regular
and bold), as :mod:`app.render.report_pdf` does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from fpdf import FPDF

from app.services.reports import Funnel

__all__ = [
    "FONT",
    "Funnel",
    "FunnelTexts",
    "IntervalRow",
    "Series",
    "funnel_chart",
    "interval_chart",
    "line_chart",
    "nice_domain",
    "no_data",
    "stacked_bars",
]

RGB = tuple[int, int, int]

FONT = "DejaVu"
INK: RGB = (25, 25, 25)
GREY: RGB = (110, 110, 110)
GRID: RGB = (225, 225, 225)
FRAME: RGB = (160, 160, 160)
NAVY: RGB = (11, 55, 120)
RED: RGB = (190, 30, 45)
GREEN: RGB = (20, 130, 60)
AMBER: RGB = (215, 130, 0)
BAND: RGB = (205, 218, 238)

PT = 25.4 / 72  # one point in mm
TICK_PT = 7.0  # tick labels
LABEL_PT = 7.5  # row labels and legends
Fmt = Callable[[float], str]
#: Outliers named on a funnel plot, at each end.
MAX_NAMED = 6


def finite(value: float | None) -> float | None:
    """The value, or None when it is missing or not a finite number."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- axes


def nice_step(span: float, target: int = 6) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) giving about ``target`` ticks."""
    if span <= 0:
        return 1.0
    raw = span / max(1, target)
    power = 10 ** math.floor(math.log10(raw))
    return next((m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * 0.999), 10 * power)


def nice_domain(
    values: Sequence[float | None], *, pad: float = 0.02, floor: float = 0.0, ceiling: float = 1.0
) -> tuple[float, float]:
    """An axis range holding every value, widened to round ticks and kept in
    [floor, ceiling]. Without values: the whole [floor, ceiling]."""
    vals = [v for v in (finite(x) for x in values) if v is not None]
    if not vals:
        return floor, ceiling
    lo, hi = max(floor, min(vals) - pad), min(ceiling, max(vals) + pad)
    if hi - lo < 0.05:
        mid = (hi + lo) / 2
        lo, hi = max(floor, mid - 0.025), min(ceiling, mid + 0.025)
    step = nice_step(hi - lo)
    return max(floor, math.floor(lo / step + 1e-9) * step), min(ceiling, math.ceil(hi / step - 1e-9) * step)


def _on_grid(value: float, step: float) -> bool:
    return abs(value / step - round(value / step)) < 1e-6


def ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    """Round tick values in [lo, hi]; where possible both ends are ticks."""
    candidates = [nice_step(hi - lo, t) for t in range(target, 2 * target + 1)]
    step = next((c for c in candidates if _on_grid(lo, c) and _on_grid(hi, c)), candidates[0])
    first = math.ceil(lo / step - 1e-9) * step
    count = math.floor((hi - first) / step + 1e-9) + 1
    return [round(first + i * step, 10) for i in range(max(count, 0))]


def _scale(lo: float, hi: float, a: float, b: float) -> Callable[[float], float]:
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


# --------------------------------------------------------------------------- text


def text(
    pdf: FPDF,
    x: float,
    y: float,
    s: str,
    *,
    size: float = LABEL_PT,
    color: RGB = INK,
    bold: bool = False,
    align: str = "L",
) -> float:
    """Write ``s`` with its baseline at ``y``; ``align`` says where ``x`` is
    (L: start, C: middle, R: end). Returns the text width."""
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*color)
    width = pdf.get_string_width(s)
    left = x - width if align == "R" else x - width / 2 if align == "C" else x
    pdf.text(left, y, s)
    return width


def fit(pdf: FPDF, s: str, width: float, *, size: float = LABEL_PT, bold: bool = False) -> str:
    """``s`` cut with an ellipsis so it is no wider than ``width``."""
    pdf.set_font(FONT, "B" if bold else "", size)
    if pdf.get_string_width(s) <= width:
        return s
    while s and pdf.get_string_width(s + "…") > width:
        s = s[:-1]
    return s.rstrip() + "…"


def _line(pdf: FPDF, x1: float, y1: float, x2: float, y2: float, color: RGB, width: float = 0.2) -> None:
    pdf.set_draw_color(*color)
    pdf.set_line_width(width)
    pdf.line(x1, y1, x2, y2)


def _dashed(pdf: FPDF, x1: float, y1: float, x2: float, y2: float, color: RGB, width: float = 0.3) -> None:
    pdf.set_dash_pattern(dash=1.2, gap=0.8)
    _line(pdf, x1, y1, x2, y2, color, width)
    pdf.set_dash_pattern()


def _dot(pdf: FPDF, x: float, y: float, r: float, color: RGB) -> None:
    pdf.set_fill_color(*color)
    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(0.15)
    pdf.circle(x, y, r, style="DF")


def legend(pdf: FPDF, x: float, y: float, items: Sequence[tuple[str, RGB, str]], max_x: float) -> float:
    """Legend entries (label, colour, kind: dot, line, dash, band) from ``x`` at
    baseline ``y``, wrapping at ``max_x``. Returns the height used."""
    cx, cy = x, y
    for label, color, kind in items:
        pdf.set_font(FONT, "", LABEL_PT)
        need = 7 + pdf.get_string_width(label) + 5
        if cx + need > max_x and cx > x:
            cx, cy = x, cy + 4
        mid = cy - 1
        if kind == "dot":
            _dot(pdf, cx + 2.5, mid, 1.1, color)
        elif kind == "band":
            pdf.set_fill_color(*color)
            pdf.rect(cx, mid - 1.3, 5, 2.6, style="F")
        elif kind == "dash":
            _dashed(pdf, cx, mid, cx + 5, mid, color, 0.4)
        else:
            _line(pdf, cx, mid, cx + 5, mid, color, 0.5)
        text(pdf, cx + 7, cy, label, color=INK)
        cx += need
    return cy - y + 4


def no_data(pdf: FPDF, x: float, y: float, w: float, h: float, message: str) -> None:
    """A light frame with a short note where a chart would be."""
    pdf.set_draw_color(*FRAME)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.rect(x, y, w, h)
    pdf.set_dash_pattern()
    text(pdf, x + w / 2, y + h / 2 + 1.2, message, size=9, color=GREY, align="C")


def _x_axis(
    pdf: FPDF, left: float, right: float, y: float, domain: tuple[float, float], fmt: Fmt, grid_top: float
) -> None:
    sx = _scale(*domain, left, right)
    for t in ticks(*domain):
        _line(pdf, sx(t), grid_top, sx(t), y, GRID)
        _line(pdf, sx(t), y, sx(t), y + 1, FRAME)
        text(pdf, sx(t), y + 1 + TICK_PT * PT, fmt(t), size=TICK_PT, color=GREY, align="C")
    _line(pdf, left, y, right, y, FRAME)


def _y_axis(
    pdf: FPDF, top: float, bottom: float, x: float, domain: tuple[float, float], fmt: Fmt, right: float
) -> None:
    sy = _scale(*domain, bottom, top)
    for t in ticks(*domain):
        _line(pdf, x, sy(t), right, sy(t), GRID)
        _line(pdf, x - 1, sy(t), x, sy(t), FRAME)
        text(pdf, x - 1.5, sy(t) + TICK_PT * PT * 0.35, fmt(t), size=TICK_PT, color=GREY, align="R")
    _line(pdf, x, top, x, bottom, FRAME)


def _y_title(pdf: FPDF, x: float, top: float, bottom: float, title: str) -> None:
    middle = (top + bottom) / 2
    pdf.set_font(FONT, "", LABEL_PT)
    width = pdf.get_string_width(title)
    with pdf.rotation(90, x, middle):
        text(pdf, x - width / 2, middle, title, color=GREY)


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class IntervalRow:
    """One row of an interval chart: a point estimate and its interval."""

    label: str
    estimate: float
    lower: float | None
    upper: float | None
    color: RGB
    value_text: str


def interval_chart(
    pdf: FPDF,
    x: float,
    y: float,
    w: float,
    rows: Sequence[IntervalRow],
    *,
    domain: tuple[float, float],
    fmt: Fmt,
    axis_title: str,
    reference: float | None = None,
    reference_label: str = "",
    row_h: float = 5.0,
    label_w: float = 62.0,
) -> float:
    """Dot-and-whisker rows, one per label, on a shared horizontal axis, with
    an optional dashed reference line. Returns the height used."""
    value_w = 16.0
    left, right = x + label_w, x + w - value_w
    top = y + 5.0
    bottom = top + row_h * len(rows)
    sx = _scale(*domain, left, right)
    pdf.set_fill_color(246, 246, 246)
    for i in range(0, len(rows), 2):
        pdf.rect(x, top + row_h * i, w, row_h, style="F")
    _x_axis(pdf, left, right, bottom, domain, fmt, top)
    for i, row in enumerate(rows):
        mid = top + row_h * (i + 0.5)
        text(pdf, x + 1, mid + 1.0, fit(pdf, row.label, label_w - 3), color=INK)
        lo, hi = finite(row.lower), finite(row.upper)
        if lo is not None and hi is not None:
            a, b = sx(max(lo, domain[0])), sx(min(hi, domain[1]))
            _line(pdf, a, mid, b, mid, row.color, 0.5)
            _line(pdf, a, mid - 1.0, a, mid + 1.0, row.color, 0.35)
            _line(pdf, b, mid - 1.0, b, mid + 1.0, row.color, 0.35)
        _dot(pdf, sx(row.estimate), mid, 1.25, row.color)
        text(pdf, x + w - 1, mid + 1.0, row.value_text, color=row.color, align="R")
    value = finite(reference)
    if value is not None and domain[0] <= value <= domain[1]:
        _dashed(pdf, sx(value), top - 1, sx(value), bottom, INK, 0.35)
        anchor = "C"
        if sx(value) - left < 20:
            anchor = "L"
        elif right - sx(value) < 20:
            anchor = "R"
        text(pdf, sx(value), top - 1.8, reference_label, size=TICK_PT, bold=True, align=anchor)
    text(pdf, (left + right) / 2, bottom + 8.5, axis_title, color=GREY, align="C")
    return bottom + 10 - y


@dataclass(frozen=True)
class FunnelTexts:
    x_title: str
    y_title: str
    target: str
    limit_95: str
    limit_998: str
    inside: str
    outside_95: str
    above_998: str
    below_998: str


def funnel_chart(
    pdf: FPDF, x: float, y: float, w: float, h: float, funnel: Funnel, *, fmt: Fmt, texts: FunnelTexts
) -> None:
    """Units' index against their effective sample size, inside the 95% and
    99.8% control limits around the target. Units beyond 99.8% are named.
    The legend takes the bottom 9 mm of the box."""
    grid = np.asarray(funnel.n, dtype=float)
    limits = {
        name: np.asarray(getattr(funnel, name), dtype=float)
        for name in ("lower_95", "upper_95", "lower_998", "upper_998")
    }
    points = [p for p in funnel.points if finite(p.estimate) is not None and p.n > 0]
    left, right = x + 13, x + w - 2
    top, bottom = y + 2, y + h - 19
    n_max = max([float(grid.max()) if grid.size else 0.0] + [p.n for p in points]) or 10.0
    x_step = nice_step(n_max, 8)
    x_domain = (0.0, math.ceil(n_max / x_step) * x_step)
    # The y range follows the points and the limits where units are, not the
    # very wide limits at n = 5.
    n_min = min((p.n for p in points), default=float(grid.min()) if grid.size else 5.0)
    visible = grid >= n_min * 0.7
    y_values = [p.estimate for p in points] + [funnel.target]
    for arr in limits.values():
        y_values += arr[visible].tolist()
    y_domain = nice_domain(y_values, pad=0.01)
    sx, sy = _scale(*x_domain, left, right), _scale(*y_domain, bottom, top)

    _y_axis(pdf, top, bottom, left, y_domain, fmt, right)
    _x_axis(pdf, left, right, bottom, x_domain, lambda v: f"{v:g}", top)
    _y_title(pdf, x + 2.5, top, bottom, texts.y_title)
    text(pdf, (left + right) / 2, bottom + 8.5, texts.x_title, color=GREY, align="C")

    with pdf.rect_clip(left, top, right - left, bottom - top):
        for name, color, dashed in (
            ("lower_998", RED, False),
            ("upper_998", RED, False),
            ("lower_95", AMBER, True),
            ("upper_95", AMBER, True),
        ):
            pts = [(sx(n), sy(v)) for n, v in zip(grid, limits[name], strict=True) if finite(v) is not None]
            if len(pts) > 1:
                pdf.set_draw_color(*color)
                pdf.set_line_width(0.35)
                if dashed:
                    pdf.set_dash_pattern(dash=1.2, gap=0.8)
                pdf.polyline(pts)
                pdf.set_dash_pattern()
        _line(pdf, left, sy(funnel.target), right, sy(funnel.target), INK, 0.35)
    labelled = []
    for p in points:
        lo95, hi95 = (float(np.interp(p.n, grid, limits[k])) for k in ("lower_95", "upper_95"))
        lo998, hi998 = (float(np.interp(p.n, grid, limits[k])) for k in ("lower_998", "upper_998"))
        color = NAVY
        if p.estimate < lo998:
            color = RED
        elif p.estimate > hi998:
            color = GREEN
        elif p.estimate < lo95 or p.estimate > hi95:
            color = AMBER
        _dot(pdf, sx(p.n), sy(min(max(p.estimate, y_domain[0]), y_domain[1])), 1.2, color)
        if color in (RED, GREEN):
            labelled.append((p, color))
    # Name the outliers beside their dots, nudged up or down to avoid overlaps.
    taken: list[tuple[float, float, float, float]] = [
        (sx(p.n) - 1.3, sy(p.estimate) - 1.3, sx(p.n) + 1.3, sy(p.estimate) + 1.3) for p in points
    ]
    labelled.sort(key=lambda pc: pc[0].estimate, reverse=True)
    if len(labelled) > 2 * MAX_NAMED:  # name the most extreme, not a pile of text
        labelled = labelled[:MAX_NAMED] + labelled[-MAX_NAMED:]
    for p, color in labelled:
        px, py = sx(p.n), sy(p.estimate)
        label = fit(pdf, p.name, 60, size=TICK_PT)
        width = pdf.get_string_width(label)
        x0 = px - 2.2 - width if px + 2.2 + width > right else px + 2.2
        for dy in (0, 3, -3, 6, -6, 9, -9):
            box = (x0 - 0.8, py + dy - 1.6, x0 + width + 0.8, py + dy + 1.0)  # a little air either side
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
                break
        taken.append(box)
        text(pdf, x0, py + dy + 1.0, label, size=TICK_PT, color=color)
    legend(
        pdf,
        left,
        bottom + 14,
        [
            (texts.target, INK, "line"),
            (texts.limit_95, AMBER, "dash"),
            (texts.limit_998, RED, "line"),
            (texts.inside, NAVY, "dot"),
            (texts.outside_95, AMBER, "dot"),
            (texts.above_998, GREEN, "dot"),
            (texts.below_998, RED, "dot"),
        ],
        right,
    )


@dataclass(frozen=True)
class Series:
    """A line over the categories; ``lower``/``upper`` draw a shaded band."""

    name: str
    values: Sequence[float | None]
    color: RGB
    lower: Sequence[float | None] | None = None
    upper: Sequence[float | None] | None = None


def _runs(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Split at missing values so a gap is a gap, not a line through zero."""
    runs: list[list[tuple[float, float]]] = [[]]
    for px, v in points:
        if v is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((px, v))
    return [r for r in runs if r]


def line_chart(
    pdf: FPDF,
    x: float,
    y: float,
    w: float,
    h: float,
    *,
    categories: Sequence[str],
    series: Sequence[Series],
    domain: tuple[float, float],
    fmt: Fmt,
    y_title: str,
    value_fmt: Fmt | None = None,
    band_label: str = "",
    notes: Sequence[str] = (),
) -> None:
    """Lines over evenly spaced categories, values labelled at each point,
    optional interval bands; ``notes`` are printed small under the category
    labels (e.g. the number of responses). The legend sits on top."""
    items = [(s.name, s.color, "line") for s in series]
    if band_label and any(s.lower is not None for s in series):
        items.append((band_label, BAND, "band"))
    legend_h = legend(pdf, x + 13, y + 3, items, x + w)
    left, right = x + 13, x + w - 4
    top, bottom = y + legend_h + 3, y + h - (12 if notes else 8)
    sy = _scale(*domain, bottom, top)
    count = len(categories)
    slot = (right - left) / max(count, 1)

    def sx(i: int) -> float:
        return left + slot * (i + 0.5)

    _y_axis(pdf, top, bottom, left, domain, fmt, right)
    _line(pdf, left, bottom, right, bottom, FRAME)
    _y_title(pdf, x + 2.5, top, bottom, y_title)
    pdf.set_font(FONT, "", TICK_PT)
    widest = max((pdf.get_string_width(c) for c in categories), default=0)
    every = max(1, math.ceil((widest + 2) / slot))
    for i, category in enumerate(categories):
        _line(pdf, sx(i), bottom, sx(i), bottom + 1, FRAME)
        if i % every == 0:
            text(pdf, sx(i), bottom + 1 + TICK_PT * PT, category, size=TICK_PT, color=GREY, align="C")
            if i < len(notes) and notes[i]:
                text(pdf, sx(i), bottom + 4.5 + TICK_PT * PT, notes[i], size=6, color=GREY, align="C")

    def clamp(v: float | None) -> float | None:
        v = finite(v)
        return None if v is None else min(max(v, domain[0]), domain[1])

    with pdf.rect_clip(left, top - 1, right - left, bottom - top + 1):
        for s in series:
            if s.lower is None or s.upper is None:
                continue
            pdf.set_fill_color(*BAND)
            lows = [(sx(i), clamp(v)) for i, v in enumerate(s.lower)]
            highs = [(sx(i), clamp(v)) for i, v in enumerate(s.upper)]
            for i, ((px, lo), (_, hi)) in enumerate(zip(lows, highs, strict=True)):
                if lo is None or hi is None:
                    continue
                # a lone period shows its interval as a bar; neighbours join up
                pdf.rect(px - 1.2, sy(hi), 2.4, sy(lo) - sy(hi), style="F")
                if i + 1 < count and lows[i + 1][1] is not None and highs[i + 1][1] is not None:
                    nx, nlo, nhi = lows[i + 1][0], lows[i + 1][1], highs[i + 1][1]
                    pdf.polygon([(px, sy(lo)), (px, sy(hi)), (nx, sy(nhi)), (nx, sy(nlo))], style="F")
    for s in series:
        for run in _runs([(sx(i), clamp(v)) for i, v in enumerate(s.values)]):
            pts = [(px, sy(v)) for px, v in run]
            if len(pts) > 1:
                pdf.set_draw_color(*s.color)
                pdf.set_line_width(0.5)
                pdf.polyline(pts)
            for px, py in pts:
                _dot(pdf, px, py, 0.9, s.color)
    # Values at the points: the highest above its point, the others below.
    value_fmt = value_fmt or fmt
    pdf.set_font(FONT, "", 6)
    label_every = max(1, math.ceil((pdf.get_string_width("00.0%") + 1) / slot))
    for i in range(0, count, label_every):
        here = [(clamp(s.values[i]), s.color) for s in series if i < len(s.values)]
        here = sorted(((v, c) for v, c in here if v is not None), key=lambda vc: -vc[0])
        placed: list[float] = []
        for rank, (value, color) in enumerate(here):
            y_text = sy(value) - 1.8 if rank == 0 or sy(value) + 3.4 > bottom - 0.5 else sy(value) + 3.4
            if any(abs(y_text - other) < 2.4 for other in placed):
                continue
            placed.append(y_text)
            text(pdf, sx(i), y_text, value_fmt(value), size=6, color=color, align="C")


def stacked_bars(
    pdf: FPDF,
    x: float,
    y: float,
    w: float,
    rows: Sequence[tuple[str, Sequence[int]]],
    *,
    colors: Sequence[RGB],
    legend_labels: Sequence[str],
    row_h: float = 6.0,
    label_w: float = 22.0,
) -> float:
    """One 100% bar per row split by counts; shares of 8% or more are
    printed inside. The legend sits on top. Returns the height used."""
    legend_h = legend(
        pdf, x + label_w, y + 3, [(t, c, "band") for t, c in zip(legend_labels, colors, strict=True)], x + w
    )
    top = y + legend_h + 2
    left, right = x + label_w, x + w
    for i, (label, counts) in enumerate(rows):
        mid = top + row_h * (i + 0.5)
        text(pdf, x, mid + 1.0, fit(pdf, label, label_w - 2), color=INK)
        total = sum(counts)
        if total <= 0:
            text(pdf, left + 1, mid + 1.0, "—", color=GREY)
            continue
        cursor = left
        for count, color in zip(counts, colors, strict=True):
            width = (right - left) * count / total
            if width <= 0:
                continue
            pdf.set_fill_color(*color)
            pdf.rect(cursor, mid - row_h * 0.4, width, row_h * 0.8, style="F")
            share = count / total
            if share >= 0.08:
                ink = (255, 255, 255) if sum(color) < 420 else INK
                text(pdf, cursor + width / 2, mid + 1.0, f"{share * 100:.0f}%", size=6.5, color=ink, align="C")
            cursor += width
    bottom = top + row_h * len(rows)
    sx = _scale(0.0, 1.0, left, right)
    for t in ticks(0.0, 1.0, 5):
        _line(pdf, sx(t), bottom, sx(t), bottom + 1, FRAME)
        text(pdf, sx(t), bottom + 1 + TICK_PT * PT, f"{t * 100:.0f}%", size=TICK_PT, color=GREY, align="C")
    return bottom + 5 - y

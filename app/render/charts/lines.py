"""Line charts of the PDF report: values over evenly spaced categories
(periods of a trend), with optional interval bands.

Draws into a box given in millimetres on the current page. A missing value
(None or NaN) breaks the line, never drawn at zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

from app.render.charts.marks import dot, legend, line, text, y_axis, y_axis_title
from app.render.charts.scales import finite, scale
from app.render.charts.style import BAND, FONT, FRAME, GREY, PT, RGB, TICK_PT, Fmt

__all__ = ["Series", "line_chart"]


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
    sy = scale(*domain, bottom, top)
    count = len(categories)
    slot = (right - left) / max(count, 1)

    def sx(i: int) -> float:
        return left + slot * (i + 0.5)

    y_axis(pdf, top, bottom, left, domain, fmt, right)
    line(pdf, left, bottom, right, bottom, FRAME)
    y_axis_title(pdf, x + 2.5, top, bottom, y_title)
    pdf.set_font(FONT, "", TICK_PT)
    widest = max((pdf.get_string_width(c) for c in categories), default=0)
    every = max(1, math.ceil((widest + 2) / slot))
    for i, category in enumerate(categories):
        line(pdf, sx(i), bottom, sx(i), bottom + 1, FRAME)
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
                dot(pdf, px, py, 0.9, s.color)
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

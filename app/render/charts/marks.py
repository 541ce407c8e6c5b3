"""What the PDF report's charts are drawn with: text, lines, dots, legends,
axes and the frame shown where a chart has no data.

Lines, rectangles, circles and text only: no raster images, no plotting
library, so charts stay sharp when printed and the text in them can be
searched and copied. Positions are in millimetres on the current page.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF

from app.render.charts.scales import scale, ticks
from app.render.charts.style import FONT, FRAME, GREY, GRID, INK, LABEL_PT, PT, RGB, TICK_PT, Fmt

__all__ = ["dashed", "dot", "fit", "legend", "line", "no_data", "text", "x_axis", "y_axis", "y_axis_title"]


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


def line(pdf: FPDF, x1: float, y1: float, x2: float, y2: float, color: RGB, width: float = 0.2) -> None:
    """A solid line from (x1, y1) to (x2, y2)."""
    pdf.set_draw_color(*color)
    pdf.set_line_width(width)
    pdf.line(x1, y1, x2, y2)


def dashed(pdf: FPDF, x1: float, y1: float, x2: float, y2: float, color: RGB, width: float = 0.3) -> None:
    """A dashed line from (x1, y1) to (x2, y2); later lines are solid again."""
    pdf.set_dash_pattern(dash=1.2, gap=0.8)
    line(pdf, x1, y1, x2, y2, color, width)
    pdf.set_dash_pattern()


def dot(pdf: FPDF, x: float, y: float, r: float, color: RGB) -> None:
    """A filled dot with a thin white rim, so overlapping dots stay apart."""
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
            dot(pdf, cx + 2.5, mid, 1.1, color)
        elif kind == "band":
            pdf.set_fill_color(*color)
            pdf.rect(cx, mid - 1.3, 5, 2.6, style="F")
        elif kind == "dash":
            dashed(pdf, cx, mid, cx + 5, mid, color, 0.4)
        else:
            line(pdf, cx, mid, cx + 5, mid, color, 0.5)
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


def x_axis(
    pdf: FPDF, left: float, right: float, y: float, domain: tuple[float, float], fmt: Fmt, grid_top: float
) -> None:
    """A horizontal axis at ``y`` with labelled ticks and grid lines up to ``grid_top``."""
    sx = scale(*domain, left, right)
    for t in ticks(*domain):
        line(pdf, sx(t), grid_top, sx(t), y, GRID)
        line(pdf, sx(t), y, sx(t), y + 1, FRAME)
        text(pdf, sx(t), y + 1 + TICK_PT * PT, fmt(t), size=TICK_PT, color=GREY, align="C")
    line(pdf, left, y, right, y, FRAME)


def y_axis(pdf: FPDF, top: float, bottom: float, x: float, domain: tuple[float, float], fmt: Fmt, right: float) -> None:
    """A vertical axis at ``x`` with labelled ticks and grid lines across to ``right``."""
    sy = scale(*domain, bottom, top)
    for t in ticks(*domain):
        line(pdf, x, sy(t), right, sy(t), GRID)
        line(pdf, x - 1, sy(t), x, sy(t), FRAME)
        text(pdf, x - 1.5, sy(t) + TICK_PT * PT * 0.35, fmt(t), size=TICK_PT, color=GREY, align="R")
    line(pdf, x, top, x, bottom, FRAME)


def y_axis_title(pdf: FPDF, x: float, top: float, bottom: float, title: str) -> None:
    """``title`` turned a quarter left, centred beside the vertical axis."""
    middle = (top + bottom) / 2
    pdf.set_font(FONT, "", LABEL_PT)
    width = pdf.get_string_width(title)
    with pdf.rotation(90, x, middle):
        text(pdf, x - width / 2, middle, title, color=GREY)

"""Row charts of the PDF report: one labelled row per item across a shared
horizontal scale, as dot-and-whisker intervals or as 100% stacked bars.

Each chart draws into a box given in millimetres on the current page and
returns the height it used, so the caller can continue below it or split
long lists over pages. What the values mean, and which colour a row
deserves, is the caller's business. A missing interval end (None or NaN)
leaves the whisker out, never drawn at zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

from app.render.charts.marks import dashed, dot, fit, legend, line, text, x_axis
from app.render.charts.scales import finite, scale, ticks
from app.render.charts.style import FRAME, GREY, INK, PT, RGB, TICK_PT, Fmt

__all__ = ["IntervalRow", "interval_chart", "stacked_bars"]


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
    sx = scale(*domain, left, right)
    pdf.set_fill_color(246, 246, 246)
    for i in range(0, len(rows), 2):
        pdf.rect(x, top + row_h * i, w, row_h, style="F")
    x_axis(pdf, left, right, bottom, domain, fmt, top)
    for i, row in enumerate(rows):
        mid = top + row_h * (i + 0.5)
        text(pdf, x + 1, mid + 1.0, fit(pdf, row.label, label_w - 3), color=INK)
        lo, hi = finite(row.lower), finite(row.upper)
        if lo is not None and hi is not None:
            a, b = sx(max(lo, domain[0])), sx(min(hi, domain[1]))
            line(pdf, a, mid, b, mid, row.color, 0.5)
            line(pdf, a, mid - 1.0, a, mid + 1.0, row.color, 0.35)
            line(pdf, b, mid - 1.0, b, mid + 1.0, row.color, 0.35)
        dot(pdf, sx(row.estimate), mid, 1.25, row.color)
        text(pdf, x + w - 1, mid + 1.0, row.value_text, color=row.color, align="R")
    value = finite(reference)
    if value is not None and domain[0] <= value <= domain[1]:
        dashed(pdf, sx(value), top - 1, sx(value), bottom, INK, 0.35)
        anchor = "C"
        if sx(value) - left < 20:
            anchor = "L"
        elif right - sx(value) < 20:
            anchor = "R"
        text(pdf, sx(value), top - 1.8, reference_label, size=TICK_PT, bold=True, align=anchor)
    text(pdf, (left + right) / 2, bottom + 8.5, axis_title, color=GREY, align="C")
    return bottom + 10 - y


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
    fmt: Fmt = lambda share: f"{share * 100:.0f}%",
) -> float:
    """One 100% bar per row split by counts; shares of 8% or more are
    printed inside, written by ``fmt``. The legend sits on top. Returns the height used."""
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
                text(pdf, cursor + width / 2, mid + 1.0, fmt(share), size=6.5, color=ink, align="C")
            cursor += width
    bottom = top + row_h * len(rows)
    sx = scale(0.0, 1.0, left, right)
    for t in ticks(0.0, 1.0, 5):
        line(pdf, sx(t), bottom, sx(t), bottom + 1, FRAME)
        text(pdf, sx(t), bottom + 1 + TICK_PT * PT, fmt(t), size=TICK_PT, color=GREY, align="C")
    return bottom + 5 - y

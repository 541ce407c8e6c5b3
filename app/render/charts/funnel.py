"""The funnel plot of the PDF report: each unit's index against its
effective sample size, inside control limits around the target.

Draws into a box given in millimetres on the current page; units with a
missing index (None or NaN) or no sample are left out, never drawn at zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from fpdf import FPDF

from app.render.charts.marks import dot, fit, legend, line, text, x_axis, y_axis, y_axis_title
from app.render.charts.scales import finite, nice_domain, nice_step, scale
from app.render.charts.style import AMBER, GREEN, GREY, INK, NAVY, RED, TICK_PT, Fmt
from app.services.reports.model import Funnel

__all__ = ["MAX_NAMED", "FunnelTexts", "funnel_chart"]

#: Outliers named on a funnel plot, at each end.
MAX_NAMED = 6


@dataclass(frozen=True)
class FunnelTexts:
    """The words printed on a funnel plot: axis titles and legend entries."""

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
    pdf: FPDF,
    x: float,
    y: float,
    w: float,
    h: float,
    funnel: Funnel,
    *,
    fmt: Fmt,
    texts: FunnelTexts,
    n_fmt: Fmt = lambda v: f"{v:g}",
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
    sx, sy = scale(*x_domain, left, right), scale(*y_domain, bottom, top)

    y_axis(pdf, top, bottom, left, y_domain, fmt, right)
    x_axis(pdf, left, right, bottom, x_domain, n_fmt, top)
    y_axis_title(pdf, x + 2.5, top, bottom, texts.y_title)
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
        line(pdf, left, sy(funnel.target), right, sy(funnel.target), INK, 0.35)
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
        dot(pdf, sx(p.n), sy(min(max(p.estimate, y_domain[0]), y_domain[1])), 1.2, color)
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

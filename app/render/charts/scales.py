"""From values to positions: which values can be plotted, axis ranges and
round ticks, and the linear map from a range onto millimetres.

Plain numbers only, nothing is drawn here; missing values (None or NaN) are
left out, never taken as zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

from app.texts import texts

__all__ = ["finite", "nice_domain", "nice_step", "period_short", "scale", "ticks"]


def finite(value: float | None) -> float | None:
    """The value, or None when it is missing or not a finite number."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


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


def scale(lo: float, hi: float, a: float, b: float) -> Callable[[float], float]:
    """The linear map sending ``lo`` to ``a`` and ``hi`` to ``b``."""
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def period_short(start: date, end: date, lang: str) -> str:
    """A trend step as a short axis label: "T3/2026" or "Q1/2026" (vi), "3/2026" or "Q1 2026" (en).

    A step within one month is that month; a longer one is the quarter it starts in.
    """
    if (start.year, start.month) == (end.year, end.month):
        return texts("chart.month_short", lang, month=start.month, year=start.year)
    return texts("chart.quarter_short", lang, quarter=(start.month - 1) // 3 + 1, year=start.year)

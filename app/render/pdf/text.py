"""Words and numbers of the PDF report in the reader's language.

Every printed word comes from the catalogue (keys ``pdf.*`` in
``app/translations``), every number from :mod:`app.numbers`: "72,7 %" and
"1.234" in Vietnamese, "72.7%" and "1,234" in English.
"""

from __future__ import annotations

from datetime import datetime

from app import numbers
from app.render.charts.scales import finite
from app.render.charts.style import GREEN, INK, RED
from app.services.reports.model import Figure
from app.time import local_text

DASH = "—"


def pct(value: float | None, lang: str) -> str:
    """A proportion as a percentage with one decimal: 0.7273 → "72,7 %" (vi); missing → "—"."""
    return numbers.percent(finite(value), lang)


def pct_tick(value: float, lang: str) -> str:
    """An axis tick: whole percentages as "70 %", others with one decimal, "2,5 %" (vi)."""
    whole = abs(value * 100 - round(value * 100)) < 1e-9
    return numbers.percent(value, lang, 0 if whole else 1)


def interval(lower: float | None, upper: float | None, lang: str) -> str:
    """The interval as "70,1–75,2 %" (vi), or "" when either end is missing."""
    return numbers.percent_interval(finite(lower), finite(upper), lang)


def points(value: float, lang: str) -> str:
    """A difference in percentage points with its sign: +0,8, −2,3 (vi)."""
    return numbers.points(value, lang)


def count(n: int | None, lang: str) -> str:
    """A count with grouped thousands: 1.234 (vi), 1,234 (en); missing → "—"."""
    return numbers.count(n, lang)


def figure_text(figure: Figure | None, lang: str) -> str:
    """The estimate as printed in tables: "72,7 %", "72,7 %*" when unreliable, "—"."""
    if figure is None or finite(figure.estimate) is None:
        return DASH
    return pct(figure.estimate, lang) + ("" if figure.reliable else "*")


def snapshot(moment: datetime) -> str:
    """The data snapshot in Vietnam time: "22/11/2026 06:37"."""
    return local_text(moment)


def verdict_color(figure: Figure | None) -> tuple[int, int, int]:
    if figure is None or figure.verdict not in ("better", "worse"):
        return INK
    return GREEN if figure.verdict == "better" else RED

"""Numbers as a person reads them, in their language.

Vietnamese writes a decimal comma and groups thousands with a dot: "72,7 %",
"1.234 phiếu"; English "72.7%", "1,234". Every place that shows a number to
a person (PDF, dashboard, chart labels) formats it here, with Babel's CLDR
data for the language; a language Babel does not know (a province's Ê Đê or
Tày catalogue) is written the Vietnamese way. Files meant for machines keep
machine numbers: the CSV writes ``0.7266`` and the XLSX stores numbers
(Excel shows them with the reader's own separators).

Percentages in Vietnamese take a no-break space before the sign ("72,7 %"),
the spelling the department's documents use; the space never breaks.
"""

from __future__ import annotations

import math
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

__all__ = ["MINUS", "count", "decimal", "percent", "percent_interval", "points"]

#: the typographic minus sign, used for negative changes: −2,3
MINUS = "\u2212"
#: what a missing number shows
DASH = "—"
NBSP = "\u00a0"


@cache
def _locale(lang: str) -> Locale:
    """Babel's locale for ``lang``; Vietnamese for a language Babel does not know."""
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("vi")


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


def _percent_sign(lang: str) -> str:
    return "%" if _locale(lang).language == "en" else f"{NBSP}%"


def decimal(value: float | None, lang: str, digits: int | None = 1) -> str:
    """``value`` with ``digits`` decimals and grouped thousands: 1.234,5 (vi), 1,234.5 (en);
    ``digits=None``: as many as it has, up to six (0,05)."""
    if _missing(value):
        return DASH
    pattern = "#,##0.######" if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale(lang)).replace("-", MINUS)


def count(value: int | None, lang: str) -> str:
    """A whole number with grouped thousands: 1.234 (vi), 1,234 (en); missing → "—"."""
    if value is None:
        return DASH
    return format_decimal(value, format="#,##0", locale=_locale(lang))


def percent(value: float | None, lang: str, digits: int = 1) -> str:
    """A proportion as a percentage: 0.7273 → "72,7 %" (vi), "72.7%" (en); missing → "—"."""
    if _missing(value):
        return DASH
    return decimal(value * 100, lang, digits) + _percent_sign(lang)


def percent_interval(lower: float | None, upper: float | None, lang: str, digits: int = 1) -> str:
    """Two proportions as a range of percentages: "70,1–75,2 %", "70.1–75.2%"; "" when either is missing."""
    if _missing(lower) or _missing(upper):
        return ""
    return f"{decimal(lower * 100, lang, digits)}–{decimal(upper * 100, lang, digits)}{_percent_sign(lang)}"


def points(value: float | None, lang: str, digits: int = 1) -> str:
    """A difference of proportions in percentage points, signed: +0,8 / −2,3 (vi), +0.8 / −2.3 (en)."""
    if _missing(value):
        return DASH
    text = decimal(value * 100, lang, digits)
    if text.lstrip(MINUS) == decimal(0.0, lang, digits):
        return text.lstrip(MINUS)
    return text if text.startswith(MINUS) else "+" + text

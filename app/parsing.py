"""Reading dates, moments and numbers that people, files and tablets send.

One place for the rules, so that no view, import or API item can hand an
odd value to code that overflows on it:

- days lie between :data:`DAY_MIN` and :data:`DAY_MAX`. Python's dates
  reach year 9999, but a report for 9999-12-31 overflows computing the
  next quarter, and 0001-01-01 the previous one or the shift to UTC; no
  survey of this system predates 2000 or follows 2099;
- numbers are ASCII digits of a bounded length: ``str.isdigit`` also says
  yes to "²" and "١", which ``int`` refuses or reads differently.

Every function answers None for a value it does not accept; the caller
says why in the person's language.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

#: the first and the last day accepted anywhere
DAY_MIN = date(2000, 1, 1)
DAY_MAX = date(2099, 12, 31)
#: "iso" in ``formats`` means YYYY-MM-DD as :meth:`date.fromisoformat` reads it
ISO = "iso"
#: longer input is refused before parsing
MAX_TEXT = 40


def day_in_range(day: date) -> bool:
    return DAY_MIN <= day <= DAY_MAX


def day_parse(text: object, formats: tuple[str, ...] = (ISO,)) -> date | None:
    """A day written in one of ``formats`` (``ISO`` or ``strptime`` formats),
    between :data:`DAY_MIN` and :data:`DAY_MAX`; None otherwise."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > MAX_TEXT or not text.isascii():
        return None
    for fmt in formats:
        try:
            day = date.fromisoformat(text) if fmt == ISO else datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day if day_in_range(day) else None
    return None


def moment_parse(text: object) -> datetime | None:
    """An ISO 8601 time with its UTC offset, as UTC, on a day between
    :data:`DAY_MIN` and :data:`DAY_MAX`; None otherwise (a time without an
    offset too: it would be read in the server's zone)."""
    if not isinstance(text, str) or len(text) > MAX_TEXT or not text.isascii():
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None or not day_in_range(moment.date()):
        return None
    return moment.astimezone(UTC)  # cannot overflow a day inside the range


def digits_parse(text: object, max_digits: int) -> int | None:
    """A whole number of at most ``max_digits`` ASCII digits; None otherwise."""
    if not isinstance(text, str) or not (0 < len(text) <= max_digits) or not (text.isascii() and text.isdigit()):
        return None
    return int(text)

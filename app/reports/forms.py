"""Reading a report filter from a query string or the command line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from app.models import CHANNELS, UNIT_LEVELS
from app.parsing import DAY_MAX, DAY_MIN, day_parse, digits_parse
from app.services.reports.model import ReportRequest
from app.services.reports.periods import PERIOD_KINDS, period_of
from app.services.response_filter import ResponseFilter
from app.texts import DEFAULT_LANG, texts
from app.time import vietnam_today

GROUPINGS = ("unit", *UNIT_LEVELS)
FORMATS = ("json", "xlsx", "csv", "pdf")


class FilterError(ValueError):
    """A filter value is wrong: ``field`` names it; the catalogue text ``key``,
    filled with ``values``, says why (:meth:`text` in a language, ``message``
    in Vietnamese)."""

    def __init__(self, field: str, key: str, **values: object):
        self.field = field
        self.key = key
        self.values = values
        self.message = self.text(DEFAULT_LANG)
        super().__init__(f"{field}: {self.message}")

    def text(self, lang: str) -> str:
        return texts(self.key, lang, **self.values)


MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
INSTRUMENT_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
#: a question code (or "channel"); whether the instrument has it is checked when the report is built
BY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


def _day(value: str | None, field: str, *, month_end: bool = False) -> date | None:
    """A day, or a month written YYYY-MM (its first day, or its last with ``month_end``)."""
    if not value:
        return None
    value = value.strip()
    if MONTH_RE.fullmatch(value):
        first = day_parse(f"{value}-01")
        if first is not None:
            return period_of("month", first).end if month_end else first
    day = day_parse(value)
    if day is None:
        raise FilterError(field, "filter.day_range", value=value[:20], first=f"{DAY_MIN:%Y-%m-%d}",
                          last=f"{DAY_MAX:%Y-%m-%d}")  # fmt: skip
    return day


def report_request(args: Mapping[str, str], instrument_code: str = "sipas-counter") -> ReportRequest:
    """Parse ``period``, ``date``, ``end``, ``unit``, ``level``, ``procedure``,
    ``channel``, ``grouping``, ``by`` (breakdown) and ``q`` (comment search).

    Raises
    ------
    FilterError
        For the first wrong value, with a message for the person.
    """
    kind = args.get("period") or "quarter"
    if kind not in PERIOD_KINDS:
        raise FilterError("period", "filter.period", choices=", ".join(PERIOD_KINDS))
    on = _day(args.get("date"), "date") or vietnam_today()
    end = _day(args.get("end"), "end", month_end=True)
    if kind == "custom" and (end is None or end < on):
        raise FilterError("end", "filter.custom_end")
    # Whole months only: a custom period that ends a day earlier than another
    # would let anyone subtract the two and read that day's answers.
    if kind == "custom" and (on.day != 1 or period_of("month", end).end != end):
        raise FilterError("date" if on.day != 1 else "end", "filter.whole_months")
    if kind == "custom" and (end - on).days > 3660:
        raise FilterError("end", "filter.too_long")
    period = period_of(kind, on, end)
    level = args.get("level") or None
    if level is not None and level not in UNIT_LEVELS:
        raise FilterError("level", "filter.level", choices=", ".join(UNIT_LEVELS))
    channel = args.get("channel") or None
    if channel is not None and channel not in CHANNELS:
        raise FilterError("channel", "filter.channel", choices=", ".join(CHANNELS))
    procedure_text = args.get("procedure") or None
    procedure = digits_parse(procedure_text, 3)
    if procedure_text is not None and procedure is None:
        raise FilterError("procedure", "filter.procedure")
    grouping = args.get("grouping") or "unit"
    if grouping not in GROUPINGS:
        raise FilterError("grouping", "filter.grouping", choices=", ".join(GROUPINGS))
    unit = (args.get("unit") or "").strip() or None
    if unit is not None and len(unit) > 40:
        raise FilterError("unit", "filter.unit")
    search = (args.get("q") or "").strip()[:100] or None
    by = (args.get("by") or "").strip() or None
    if by is not None and not BY_RE.fullmatch(by):
        raise FilterError("by", "filter.by", value=by[:40])
    instrument = (args.get("instrument") or instrument_code).strip()
    if not INSTRUMENT_RE.fullmatch(instrument):
        raise FilterError("instrument", "filter.instrument")
    flt = ResponseFilter(
        instrument=instrument,
        unit_code=unit,
        level=level,
        procedure=procedure,
        channel=channel,
    )
    return ReportRequest(period, flt, grouping, search, by)

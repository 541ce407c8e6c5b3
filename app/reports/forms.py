"""Reading a report filter from a query string or the command line."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.models import CHANNELS, UNIT_LEVELS
from app.parsing import DAY_MAX, DAY_MIN, day_parse, digits_parse
from app.services.aggregates import ResponseFilter
from app.services.reports.model import ReportRequest
from app.services.reports.periods import PERIOD_KINDS, period_of
from app.time import vietnam_today

GROUPINGS = ("unit", *UNIT_LEVELS)
FORMATS = ("json", "xlsx", "csv", "pdf")


class FilterError(ValueError):
    """A filter value is wrong; ``field`` names it, ``message`` says why in
    Vietnamese and ``english`` in English (:meth:`text`)."""

    def __init__(self, field: str, message: str, english: str | None = None):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.english = english or message

    def text(self, lang: str) -> str:
        return self.english if lang == "en" else self.message


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    day = day_parse(value)
    if day is None:
        raise FilterError(
            field,
            f"Ngày “{value[:20]}” không hợp lệ: cần dạng YYYY-MM-DD, từ {DAY_MIN:%Y-%m-%d} đến {DAY_MAX:%Y-%m-%d}.",
            f"“{value[:20]}” is not a valid date: use YYYY-MM-DD, from {DAY_MIN:%Y-%m-%d} to {DAY_MAX:%Y-%m-%d}.",
        )
    return day


def report_request(args: Mapping[str, str], instrument_code: str = "sipas-counter") -> ReportRequest:
    """Parse ``period``, ``date``, ``end``, ``unit``, ``level``, ``procedure``,
    ``channel``, ``grouping`` and ``q`` (comment search).

    Raises
    ------
    FilterError
        For the first wrong value, with a message for the person.
    """
    kind = args.get("period") or "quarter"
    if kind not in PERIOD_KINDS:
        raise FilterError("period", f"Kỳ báo cáo phải là một trong: {', '.join(PERIOD_KINDS)}.",
                          f"The period is one of: {', '.join(PERIOD_KINDS)}.")  # fmt: skip
    on = _day(args.get("date"), "date") or vietnam_today()
    end = _day(args.get("end"), "end")
    if kind == "custom" and (end is None or end < on):
        raise FilterError("end", "Kỳ tùy chọn cần ngày kết thúc không trước ngày bắt đầu.",
                          "A custom period needs an end date on or after its start.")  # fmt: skip
    if kind == "custom" and (end - on).days > 3660:
        raise FilterError("end", "Kỳ báo cáo dài quá 10 năm.", "The period is longer than 10 years.")
    period = period_of(kind, on, end)
    level = args.get("level") or None
    if level is not None and level not in UNIT_LEVELS:
        raise FilterError("level", f"Cấp đơn vị phải là một trong: {', '.join(UNIT_LEVELS)}.",
                          f"The unit level is one of: {', '.join(UNIT_LEVELS)}.")  # fmt: skip
    channel = args.get("channel") or None
    if channel is not None and channel not in CHANNELS:
        raise FilterError("channel", f"Kênh phải là một trong: {', '.join(CHANNELS)}.",
                          f"The channel is one of: {', '.join(CHANNELS)}.")  # fmt: skip
    procedure_text = args.get("procedure") or None
    procedure = digits_parse(procedure_text, 3)
    if procedure_text is not None and procedure is None:
        raise FilterError("procedure", "Lĩnh vực phải là một mã số (tối đa 3 chữ số).",
                          "The procedure field is a code of at most 3 digits.")  # fmt: skip
    grouping = args.get("grouping") or "unit"
    if grouping not in GROUPINGS:
        raise FilterError("grouping", f"Cách nhóm phải là một trong: {', '.join(GROUPINGS)}.",
                          f"The grouping is one of: {', '.join(GROUPINGS)}.")  # fmt: skip
    unit = (args.get("unit") or "").strip() or None
    if unit is not None and len(unit) > 40:
        raise FilterError("unit", "Mã đơn vị quá dài.", "The unit code is too long.")
    search = (args.get("q") or "").strip()[:100] or None
    flt = ResponseFilter(
        instrument=instrument_code,
        unit_code=unit,
        level=level,
        procedure=procedure,
        channel=channel,
    )
    return ReportRequest(period, flt, grouping, search)

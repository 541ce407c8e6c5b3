"""Reporting periods: months, quarters, years and custom ranges of service days,
the period before each, and the steps of a trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.time import vietnam_today

PERIOD_KINDS = ("month", "quarter", "year", "custom")


@dataclass(frozen=True)
class Period:
    """An inclusive range of service days."""

    start: date
    end: date
    kind: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind and length just before this one."""
        if self.kind == "month":
            end = self.start - timedelta(days=1)
            return Period(end.replace(day=1), end, "month")
        if self.kind == "quarter":
            end = self.start - timedelta(days=1)
            return Period(date(end.year, (end.month - 1) // 3 * 3 + 1, 1), end, "quarter")
        if self.kind == "year":
            return Period(date(self.start.year - 1, 1, 1), date(self.start.year - 1, 12, 31), "year")
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), "custom")

    def label(self, lang: str = "vi") -> str:
        if self.kind == "month":
            return f"Tháng {self.start.month}/{self.start.year}" if lang == "vi" else f"{self.start:%B %Y}"
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return f"Quý {q}/{self.start.year}" if lang == "vi" else f"Q{q} {self.start.year}"
        if self.kind == "year":
            return f"Năm {self.start.year}" if lang == "vi" else str(self.start.year)
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


def period_of(kind: str, on: date, end: date | None = None) -> Period:
    """The month, quarter or year holding ``on``; ``custom`` runs from ``on`` to ``end``.

    Raises
    ------
    ValueError
        For an unknown kind or a custom range that ends before it starts.
    """
    if kind == "month":
        nxt = date(on.year + (on.month == 12), on.month % 12 + 1, 1)
        return Period(on.replace(day=1), nxt - timedelta(days=1), "month")
    if kind == "quarter":
        first = date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
        nxt = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
        return Period(first, nxt - timedelta(days=1), "quarter")
    if kind == "year":
        return Period(date(on.year, 1, 1), date(on.year, 12, 31), "year")
    if kind == "custom":
        if end is None or end < on:
            raise ValueError("a custom period needs an end on or after its start")
        return Period(on, end, "custom")
    raise ValueError(f"unknown period kind {kind!r}; use one of {', '.join(PERIOD_KINDS)}")


def trend_periods(period: Period) -> tuple[str, list[Period]]:
    """Months for a period up to a year, quarters beyond; at least the last 12 months."""
    # Months that have not begun yet would only show as empty points.
    end = min(period.end, vietnam_today())
    if end < period.start:
        end = period.end
    start = min(period.start, date(end.year - 1, end.month, 1) + timedelta(days=31))
    start = start.replace(day=1)
    step = "month" if (end - start).days <= 400 else "quarter"
    periods, cursor = [], start
    while cursor <= end:
        p = period_of(step, cursor)
        periods.append(Period(max(p.start, start), min(p.end, end), step))
        cursor = p.end + timedelta(days=1)
    return step, periods


def month_starts(period: Period) -> list[date]:
    """The first day of each calendar month that ``period`` touches, in order."""
    out, cursor = [], period.start.replace(day=1)
    while cursor <= period.end:
        out.append(cursor)
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    return out

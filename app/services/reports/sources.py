"""What a report reads: unit × month sums, stored or summed from cluster rows.

A report needs, for the months from the trend's first to the period's last,
the unit × month sums of its filter (:mod:`app.services.month_moments`),
those of each channel (the verified section), those without its channel or
procedure filter (disclosure.py's rule on complements), and which counter ×
month cells hold enough responses to release a comment. The stored sums
answer all of it when they can (:func:`app.services.month_store.month_moments_read`);
otherwise the cluster rows of the months are read once and summed here.
Both give the same numbers (tests/app/test_report_speed_paths.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from app.models import CHANNELS, ClusterRollup
from app.services.cluster_rows import ClusterRows, layout_of
from app.services.month_moments import MomentsLayout, MonthMoments, moments_layout, month_moments_of_rows
from app.services.month_store import month_moments_read
from app.services.reports.disclosure import comment_cells
from app.services.reports.periods import Period
from app.services.response_filter import ResponseFilter, units_clause
from app.services.rollup import cluster_rows_for, rollup_layout_current
from surveys import Instrument


class ReportSums:
    """The sums of a report's filter ``base`` over the months from ``start`` to ``end``."""

    def __init__(self, session: Session, instrument: Instrument, base: ResponseFilter, start: date, end: date):
        self._session, self._instrument, self._base = session, instrument, base
        layout = layout_of(instrument)
        self.layout: MomentsLayout = moments_layout(instrument, layout)
        self._layout_id = rollup_layout_current(session, layout)
        self._span = replace(base, date_from=start.replace(day=1), date_to=end)
        self._rows: ClusterRows | None = None
        stored = month_moments_read(session, instrument, self.layout, self._layout_id, self._span)
        #: True when the stored sums answer the filter (else the cluster rows were read)
        self.stored = stored is not None
        self.current = stored if stored is not None else self._summed(self._cluster_rows())
        self.unfiltered: MonthMoments | None = None
        if base.channel is not None or base.procedure is not None:
            self.unfiltered = self._of(replace(self._span, channel=None, procedure=None))

    def _cluster_rows(self) -> ClusterRows:
        if self._rows is None:
            rows = cluster_rows_for(self._session, self._instrument, self._span)
            self._rows = rows.grouped(by_procedure=False)
        return self._rows

    def _summed(self, rows: ClusterRows) -> MonthMoments:
        return month_moments_of_rows(self._instrument, self.layout, rows)

    def _of(self, flt: ResponseFilter) -> MonthMoments:
        stored = month_moments_read(self._session, self._instrument, self.layout, self._layout_id, flt)
        if stored is not None:
            return stored
        rows = cluster_rows_for(self._session, self._instrument, flt).grouped(by_procedure=False)
        return self._summed(rows)

    def channel(self, name: str) -> MonthMoments:
        """The filter's sums for the responses of one channel."""
        if self._base.channel is not None:
            return self.current if self._base.channel == name else MonthMoments.concat(self.layout, [])
        if not self.stored:
            rows = self._cluster_rows()
            return self._summed(rows.take(rows.channel == CHANNELS.index(name)))
        return self._of(replace(self._span, channel=name))

    def counter_responses(self, period: Period, channels: tuple[str, ...]) -> dict[int, int] | None:
        """Responses of ``channels`` per counter in ``period``, every channel and
        procedure of the filter's units, from the roll-up; None unless it answers."""
        if not self.stored:
            return None
        r = ClusterRollup
        conditions = [
            r.instrument_code == self._instrument.code,
            r.layout_id == self._layout_id,
            r.service_day.between(period.start, period.end),
            r.channel.in_(channels),
            r.owner > 0,
        ]
        units = units_clause(self._session, self._base, r.unit_id)
        if units is not None:
            conditions.append(units)
        found = self._session.execute(select(r.owner, func.sum(r.responses)).where(*conditions).group_by(r.owner))
        return {owner: int(n) for owner, n in found}

    def comment_cells(self, period: Period, disclosure_min: int) -> set[tuple[int, int, date]]:
        """The (unit, counter, month) cells of ``period`` that may release comments (disclosure.py)."""
        if not self.stored:
            rows = self._cluster_rows()
            inside = (rows.day >= period.start.toordinal()) & (rows.day <= period.end.toordinal())
            return comment_cells(rows.take(inside), period, disclosure_min)
        r = ClusterRollup
        year, month = extract("year", r.service_day), extract("month", r.service_day)
        conditions = [
            r.instrument_code == self._instrument.code,
            r.layout_id == self._layout_id,
            r.service_day.between(period.start, period.end),
        ]
        if self._base.channel is not None:
            conditions.append(r.channel == self._base.channel)
        units = units_clause(self._session, self._base, r.unit_id)
        if units is not None:
            conditions.append(units)
        found = self._session.execute(
            select(r.unit_id, r.owner, year, month)
            .where(*conditions)
            .group_by(r.unit_id, r.owner, year, month)
            .having(func.sum(r.responses) >= disclosure_min)
        ).all()
        return {(unit, owner, date(int(y), int(m), 1)) for unit, owner, y, m in found}


def months_inside(sums: MonthMoments, period: Period) -> MonthMoments:
    """The rows of the months of ``period``."""
    return sums.within(period.start, period.end)

"""The roll-up: cluster rows kept in the database, so reports read clusters, not responses.

``cluster_rollup`` holds the rows of :mod:`app.services.cluster_rows` for
every instrument, built from its active version's layout. Triggers on
``responses`` mark the (instrument version, service day) of every response
that is stored, excluded, restored or moved (``rollup_dirty``). A read
(:func:`cluster_rows_for`) takes the roll-up's rows for unmarked days and
builds the marked days' rows from the responses, so it is always right;
:func:`rollup_refresh` claims the marked days and rebuilds their rows, in
one transaction, so that the next read is fast. A day's rows are always
rebuilt whole, so the roll-up never drifts: what it holds equals what the
responses give (a test compares the two on every filter).

A new active version with other questions gets a new layout: its rows are
dropped and every day of the instrument is marked again (at ``migrate``,
or at the first read). ``flask --app wsgi rollup --rebuild`` does the same
by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from app.models import CHANNELS, ClusterRollup, CounterDayCount, InstrumentVersion, Response, RollupDirty, RollupLayout
from app.services.cluster_rows import ClusterRows, Layout, layout_of, rows_from_responses
from app.services.counter_days import counter_days_rebuild
from app.services.month_moments import moments_layout
from app.services.month_store import month_moments_drop, month_moments_replace
from app.services.response_filter import ResponseFilter, filter_conditions, units_clause, version_ids
from app.services.rollup_copy import rollup_copy_read
from app.services.transactions import write_transaction
from surveys import Instrument

#: days rebuilt per statement batch when many are marked (a first build)
DAYS_PER_BATCH = 31
#: byte layouts of a row's sums
COUNT_DTYPE = np.dtype("<u2")
FLOAT_DTYPE = np.dtype("<f8")
COUNT_MAX = np.iinfo(COUNT_DTYPE).max


def cluster_rows_for(session: Session, instrument: Instrument, flt: ResponseFilter) -> ClusterRows:
    """The cluster rows of the responses matching ``flt``: the roll-up's, and
    rows built from the responses for the days marked for a rebuild.

    Writes nothing, and sees what the session sees (the triggers mark a day
    in the same transaction that changes a response), so the figures are
    right whether or not the roll-up was refreshed; refreshing
    (:func:`rollup_refresh`, done by the report views and commands before
    they read) only makes them fast.
    """
    layout = layout_of(instrument)
    layout_id = rollup_layout_current(session, layout)
    if layout_id is None:  # not kept in this layout (a new version, not yet refreshed)
        return rows_direct(session, instrument, flt)
    versions = version_ids(session, instrument.code)
    marked = select(RollupDirty.service_day).where(RollupDirty.instrument_version_id.in_(versions))
    if flt.date_from is not None:
        marked = marked.where(RollupDirty.service_day >= flt.date_from)
    if flt.date_to is not None:
        marked = marked.where(RollupDirty.service_day <= flt.date_to)
    stale = sorted(set(session.scalars(marked)))
    kept = rollup_read(session, layout, layout_id, flt, leave_out=stale)
    if not stale:
        return kept
    fresh = rows_from_responses(
        session, instrument, layout, [*filter_conditions(session, flt), Response.service_day.in_(stale)]
    )
    return ClusterRows.concat(layout, [kept, fresh])


def rollup_refresh(session: Session, instrument: Instrument, layout: Layout | None = None) -> int:
    """Rebuild the marked days of ``instrument``'s roll-up; commit; return its layout's id.

    Two readers refreshing at once do not repeat each other's work: a day is
    claimed by deleting its mark, and the second waits for the first's
    commit and then finds the mark gone.
    """
    layout = layout or layout_of(instrument)
    versions = version_ids(session, instrument.code)
    with write_transaction(session, "the roll-up"):
        layout_id = _layout_id(session, layout, versions)
        claimed = session.execute(
            delete(RollupDirty)
            .where(RollupDirty.instrument_version_id.in_(versions))
            .returning(RollupDirty.service_day)
        ).scalars()
        days = sorted(set(claimed))
        for start in range(0, len(days), DAYS_PER_BATCH):
            _rebuild(session, instrument, layout, layout_id, versions, days[start : start + DAYS_PER_BATCH])
        # the unit x month sums of every month a rebuilt day lies in, from the rows just written
        moments = moments_layout(instrument, layout)
        for month in sorted({day.replace(day=1) for day in days}):
            end = date(month.year + (month.month == 12), month.month % 12 + 1, 1) - timedelta(days=1)
            rows = rollup_read(session, layout, layout_id, ResponseFilter(instrument.code, month, end))
            month_moments_replace(session, instrument, moments, layout_id, month, rows)
        if len(days) > DAYS_PER_BATCH and session.get_bind().dialect.name == "postgresql":
            # After a large rebuild the planner's row counts are those of the tables before it:
            # a report's grouped reads would be planned as nested loops over a few rows.
            for table in ("cluster_rollup", "month_moments", "counter_day_counts"):
                session.execute(text(f"ANALYZE {table}"))
    return layout_id


def rollup_layout_current(session: Session, layout: Layout) -> int | None:
    """The id of ``layout`` if the roll-up of its instrument is kept in it, else None."""
    latest = session.execute(
        select(RollupLayout.id, RollupLayout.signature)
        .where(RollupLayout.instrument_code == layout.instrument_code)
        .order_by(RollupLayout.id.desc())
        .limit(1)
    ).first()
    return latest.id if latest is not None and latest.signature == layout.signature else None


def _layout_id(session: Session, layout: Layout, versions: list[int]) -> int:
    """The id of ``layout``, making it the instrument's (and marking every day for a rebuild) when it is not."""
    current = rollup_layout_current(session, layout)
    if current is not None:
        return current
    # Rows of another layout cannot be read with this one: drop them, and
    # mark every day of the instrument.
    session.execute(delete(ClusterRollup).where(ClusterRollup.instrument_code == layout.instrument_code))
    month_moments_drop(session, layout.instrument_code)
    session.execute(delete(RollupLayout).where(RollupLayout.instrument_code == layout.instrument_code))
    row = RollupLayout(
        instrument_code=layout.instrument_code,
        signature=layout.signature,
        layout=layout.json,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    marked = {
        (v, d)
        for v, d in session.execute(
            select(RollupDirty.instrument_version_id, RollupDirty.service_day).where(
                RollupDirty.instrument_version_id.in_(versions)
            )
        )
    }
    pairs = session.execute(
        select(Response.instrument_version_id, Response.service_day)
        .where(Response.instrument_version_id.in_(versions))
        .distinct()
    ).all()
    new = [{"instrument_version_id": v, "service_day": d} for v, d in pairs if (v, d) not in marked]
    if new:
        session.execute(insert(RollupDirty), new)
    return row.id


def _rebuild(
    session: Session,
    instrument: Instrument,
    layout: Layout,
    layout_id: int,
    versions: list[int],
    days: list[date],
) -> None:
    """Replace the roll-up rows of ``days`` by rows built from their responses."""
    code = layout.instrument_code
    session.execute(
        delete(ClusterRollup).where(ClusterRollup.instrument_code == code, ClusterRollup.service_day.in_(days))
    )
    conditions = [
        Response.status == "submitted",
        Response.instrument_version_id.in_(versions),
        Response.service_day.in_(days),
    ]
    counter_days_rebuild(session, code, versions, days)
    rows = rows_from_responses(session, instrument, layout, conditions)
    if not len(rows):
        return
    if len(rows.counts) and rows.counts.max() > COUNT_MAX:  # pragma: no cover - a cluster of 65,536 answers
        raise ValueError("a cluster holds more answers than a roll-up row can count")
    counts = rows.counts.astype(COUNT_DTYPE)
    floats = rows.floats.astype(FLOAT_DTYPE)
    values = [
        {
            "instrument_code": code,
            "service_day": date.fromordinal(day),
            "unit_id": unit,
            "owner": owner,
            "channel": CHANNELS[channel],
            "procedure": procedure,
            "layout_id": layout_id,
            "responses": responses,
            "counts": counts[i].tobytes(),
            "shares": floats[i].tobytes(),
        }
        for i, (unit, owner, day, channel, procedure, responses) in enumerate(
            zip(
                rows.unit.tolist(),
                rows.owner.tolist(),
                rows.day.tolist(),
                rows.channel.tolist(),
                rows.procedure.tolist(),
                rows.responses.tolist(),
                strict=True,
            )
        )
    ]
    session.execute(insert(ClusterRollup), values)


def rollup_read(
    session: Session, layout: Layout, layout_id: int, flt: ResponseFilter, *, leave_out: list[date] = ()
) -> ClusterRows:
    """The roll-up rows of ``flt``, but for the days ``leave_out``, as cluster rows."""
    r = ClusterRollup
    conditions = [r.instrument_code == layout.instrument_code, r.layout_id == layout_id]
    if leave_out:
        conditions.append(r.service_day.not_in(leave_out))
    if flt.date_from is not None:
        conditions.append(r.service_day >= flt.date_from)
    if flt.date_to is not None:
        conditions.append(r.service_day <= flt.date_to)
    if flt.channel is not None:
        conditions.append(r.channel == flt.channel)
    if flt.procedure is not None:
        conditions.append(r.procedure == flt.procedure)
    units = units_clause(session, flt, r.unit_id)
    if units is not None:
        conditions.append(units)
    if session.get_bind().dialect.name == "postgresql":  # one binary stream, not a tuple per row
        return rollup_copy_read(session, layout, conditions, COUNT_DTYPE, FLOAT_DTYPE)
    found = session.execute(
        select(r.unit_id, r.owner, r.service_day, r.channel, r.procedure, r.responses, r.counts, r.shares).where(
            *conditions
        )
    ).all()
    if not found:
        return ClusterRows.empty(layout)
    unit, owner, day, channel, procedure, responses, counts, shares = zip(*found, strict=True)
    channel_number = {name: i for i, name in enumerate(CHANNELS)}
    return ClusterRows(
        layout,
        np.array(unit, dtype=np.int64),
        np.array(owner, dtype=np.int64),
        np.array([d.toordinal() for d in day], dtype=np.int64),
        np.array([channel_number[c] for c in channel], dtype=np.int64),
        np.array(procedure, dtype=np.int64),
        np.array(responses, dtype=np.int64),
        np.frombuffer(b"".join(counts), dtype=COUNT_DTYPE).reshape(len(found), layout.slots).astype(np.int64),
        np.frombuffer(b"".join(shares), dtype=FLOAT_DTYPE).reshape(len(found), layout.floats).copy(),
    )


def rows_direct(session: Session, instrument: Instrument, flt: ResponseFilter) -> ClusterRows:
    """The cluster rows of ``flt`` built from the responses themselves (no roll-up)."""
    return rows_from_responses(session, instrument, layout_of(instrument), filter_conditions(session, flt))


def rollup_rebuild(session: Session, instruments: list[Instrument]) -> int:
    """Drop the roll-up of ``instruments`` and build it again from the responses; the days rebuilt."""
    total = 0
    for instrument in instruments:
        versions = version_ids(session, instrument.code)
        with write_transaction(session, "the roll-up"):
            session.execute(delete(ClusterRollup).where(ClusterRollup.instrument_code == instrument.code))
            session.execute(delete(CounterDayCount).where(CounterDayCount.instrument_code == instrument.code))
            month_moments_drop(session, instrument.code)
            session.execute(delete(RollupDirty).where(RollupDirty.instrument_version_id.in_(versions)))
            pairs = session.execute(
                select(Response.instrument_version_id, Response.service_day)
                .where(Response.instrument_version_id.in_(versions))
                .distinct()
            ).all()
            if pairs:
                session.execute(insert(RollupDirty), [{"instrument_version_id": v, "service_day": d} for v, d in pairs])
            total += len({d for _, d in pairs})
        rollup_refresh(session, instrument)
    return total


def active_instruments(session: Session, registry: dict[str, Instrument]) -> list[Instrument]:
    """The active version of every registered instrument that the registry knows."""
    rows = session.execute(
        select(InstrumentVersion.code, InstrumentVersion.version).where(InstrumentVersion.active.is_(True))
    ).all()
    return [registry[f"{code}.v{version}"] for code, version in rows if f"{code}.v{version}" in registry]

"""Keeping unit × month sums (:mod:`app.services.month_moments`) in the database.

:func:`app.services.rollup.rollup_refresh` rebuilds the months of the days it
rebuilds, in the same transaction, from the roll-up rows it has just
written (:func:`month_moments_replace`); a new layout drops them with the
roll-up. :func:`month_moments_read` gives the rows of a filter, or None when
they cannot answer it exactly: a procedure filter (the rows sum every
procedure), a day of the period marked for a rebuild (the triggers mark a day
in the transaction that changes a response), or rows of another layout.
The caller then sums the cluster rows itself.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from app.models import CHANNELS, RollupDirty
from app.models import MonthMomentsRow as MonthRow
from app.services.cluster_rows import ClusterRows
from app.services.month_moments import MomentsLayout, MonthMoments, month_moments_of_rows
from app.services.response_filter import ResponseFilter, units_clause, version_ids
from surveys import Instrument

#: the ``channel`` of a row that sums every channel
ALL_CHANNELS = -1
_FLOAT = np.dtype("<f8")


def month_moments_replace(
    session: Session,
    instrument: Instrument,
    layout: MomentsLayout,
    layout_id: int,
    month: date,
    rows: ClusterRows,
) -> None:
    """Replace the stored rows of ``month`` by the sums of ``rows`` (that month's roll-up rows)."""
    session.execute(delete(MonthRow).where(MonthRow.instrument_code == instrument.code, MonthRow.month == month))
    if not len(rows):
        return
    rows = rows.grouped(by_procedure=False)
    whole = month_moments_of_rows(instrument, layout, rows)
    bits = np.zeros(len(whole), dtype=np.int64)
    per_channel = {}
    for c in np.unique(rows.channel).tolist():
        part = month_moments_of_rows(instrument, layout, rows.take(rows.channel == c))
        bits[np.searchsorted(whole.unit, part.unit)] |= 1 << c
        per_channel[c] = part
    values = [_row(instrument.code, month, u, ALL_CHANNELS, layout_id, b, v)
              for u, b, v in zip(whole.unit.tolist(), bits.tolist(), whole.values, strict=True)]  # fmt: skip
    mixed = {u for u, b in zip(whole.unit.tolist(), bits.tolist(), strict=True) if b & (b - 1)}
    for c, part in per_channel.items():
        values += [_row(instrument.code, month, u, c, layout_id, 1 << c, v)
                   for u, v in zip(part.unit.tolist(), part.values, strict=True) if u in mixed]  # fmt: skip
    session.execute(insert(MonthRow), values)


def _row(code: str, month: date, unit: int, channel: int, layout_id: int, bits: int, v: np.ndarray) -> dict:
    return {
        "instrument_code": code,
        "month": month,
        "unit_id": unit,
        "channel": channel,
        "layout_id": layout_id,
        "channels": bits,
        "responses": round(float(v[0])),
        "sums": v.astype(_FLOAT).tobytes(),
    }


def month_moments_drop(session: Session, instrument_code: str) -> None:
    """Drop every stored row of an instrument (its roll-up is being rebuilt)."""
    session.execute(delete(MonthRow).where(MonthRow.instrument_code == instrument_code))


def month_moments_read(
    session: Session,
    instrument: Instrument,
    layout: MomentsLayout,
    layout_id: int | None,
    flt: ResponseFilter,
) -> MonthMoments | None:
    """The unit × month rows of ``flt`` (whole months from ``flt.date_from`` to
    ``flt.date_to``), or None when the stored rows cannot answer it (module docstring)."""
    if layout_id is None or flt.procedure is not None or flt.date_from is None or flt.date_to is None:
        return None
    if flt.date_from.day != 1:
        return None
    dirty = session.scalar(
        select(RollupDirty.service_day)
        .where(
            RollupDirty.instrument_version_id.in_(version_ids(session, instrument.code)),
            RollupDirty.service_day.between(flt.date_from, flt.date_to),
        )
        .limit(1)
    )
    if dirty is not None:
        return None
    r = MonthRow
    conditions = [
        r.instrument_code == instrument.code,
        r.layout_id == layout_id,
        r.month >= flt.date_from,
        r.month <= flt.date_to,
    ]
    if flt.channel is None:
        conditions.append(r.channel == ALL_CHANNELS)
    else:
        c = CHANNELS.index(flt.channel)
        conditions.append(or_(r.channel == c, and_(r.channel == ALL_CHANNELS, r.channels == 1 << c)))
    units = units_clause(session, flt, r.unit_id)
    if units is not None:
        conditions.append(units)
    # by unit, then month: a period's rows are then each unit's in a run (MonthMoments.per_unit)
    found = session.execute(select(r.unit_id, r.month, r.sums).where(*conditions).order_by(r.unit_id, r.month)).all()
    if not found:
        return MonthMoments.concat(layout, [])
    unit, month, sums = zip(*found, strict=True)
    blob = b"".join(sums)
    if len(blob) != len(found) * layout.width * _FLOAT.itemsize:
        return None  # rows of another instrument version's layout
    return MonthMoments(
        layout,
        np.array(unit, dtype=np.int64),
        np.array([m.toordinal() for m in month], dtype=np.int64),
        np.frombuffer(blob, dtype=_FLOAT).reshape(len(found), layout.width),  # read-only, not copied
    )

"""Reading the roll-up on PostgreSQL as one binary stream instead of a million Python tuples.

:func:`app.services.rollup.rollup_read` selects the roll-up rows of a filter.
Fetched row by row, each row becomes a tuple of eight Python objects
(two of them ``bytes``) and NumPy arrays are then built from lists of
them: at a million responses that is most of a report's time. Here the
database packs each row into one fixed-width record (its integers with
``int4send``/``int8send``, then the stored count and share bytes as they
are) and ``COPY ... TO STDOUT (FORMAT binary)`` streams the records; NumPy
reads the stream in place through a structured dtype. The bytes of the
sums are the roll-up's own, so the rows are exactly those of the row-by-row
read (in the same order: one scan, one statement).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import ColumnElement, case, cast, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer, LargeBinary

from app.models import CHANNELS, ClusterRollup
from app.services.cluster_rows import ClusterRows, Layout

#: COPY's binary header: signature (11 bytes), flags (4), extension length (4)
_HEADER = b"PGCOPY\n\xff\r\n\x00"
_HEADER_SIZE = 19
#: the proleptic ordinal of 0001-01-01 is 1 (``date.toordinal``)
_EPOCH = "0001-01-01"


def _record_dtype(layout: Layout, count_dtype: np.dtype, float_dtype: np.dtype) -> np.dtype:
    """One COPY row: field count, field length, then the packed record."""
    return np.dtype(
        [
            ("fields", ">i2"),
            ("length", ">i4"),
            ("unit", ">i4"),
            ("owner", ">i4"),
            ("day", ">i4"),
            ("channel", ">i4"),
            ("procedure", ">i4"),
            ("responses", ">i4"),
            ("counts", count_dtype, (layout.slots,)),
            ("shares", float_dtype, (layout.floats,)),
        ]
    )


def rollup_copy_read(
    session: Session,
    layout: Layout,
    conditions: Sequence[ColumnElement[bool]],
    count_dtype: np.dtype,
    float_dtype: np.dtype,
) -> ClusterRows:
    """The roll-up rows matching ``conditions``, read with one binary COPY (PostgreSQL only)."""
    r = ClusterRollup
    channel = case(*((r.channel == name, i) for i, name in enumerate(CHANNELS)), else_=-1)
    day = r.service_day - cast(literal(_EPOCH), postgresql.DATE) + 1

    def int4(column) -> ColumnElement[bytes]:
        return func.int4send(cast(column, Integer), type_=LargeBinary)

    record = (
        int4(r.unit_id).op("||")(int4(r.owner)).op("||")(int4(day)).op("||")(int4(channel))
        .op("||")(int4(r.procedure)).op("||")(int4(r.responses)).op("||")(r.counts).op("||")(r.shares)
    )  # fmt: skip
    query = select(record).where(*conditions)
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    dtype = _record_dtype(layout, count_dtype, float_dtype)
    raw = session.connection().connection.driver_connection
    chunks = []
    with raw.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)") as copy:
        for block in copy:
            chunks.append(bytes(block))
    data = b"".join(chunks)
    if not data.startswith(_HEADER):  # pragma: no cover - a server speaking another COPY format
        raise ValueError("unexpected COPY header")
    extension = int.from_bytes(data[15:19], "big")
    body = memoryview(data)[_HEADER_SIZE + extension : len(data) - 2]  # the trailer is a field count of -1
    if len(body) % dtype.itemsize:
        raise ValueError("roll-up rows of another layout")  # pragma: no cover - layout_id is in the conditions
    records = np.frombuffer(body, dtype=dtype)
    width = dtype.itemsize - 6
    if len(records) and not ((records["fields"] == 1).all() and (records["length"] == width).all()):
        raise ValueError("roll-up rows of another width")  # pragma: no cover - a row of another layout
    if not len(records):
        return ClusterRows.empty(layout)

    def ints(name: str) -> np.ndarray:
        return records[name].astype(np.int64)

    return ClusterRows(
        layout,
        ints("unit"),
        ints("owner"),
        ints("day"),
        ints("channel"),
        ints("procedure"),
        ints("responses"),
        records["counts"].astype(np.int64).reshape(len(records), layout.slots),
        records["shares"].astype(np.float64).reshape(len(records), layout.floats),
    )

"""Read many responses' packed answers as arrays, without a Python object per row.

The indicator service needs, for every response of a filter, a few small
integers (unit, cluster) and its coded answers (``responses.codes``, see
:mod:`surveys.packing`). A million responses must not become a million
tuples: on PostgreSQL the database joins the responses' binary records
(every column a non-NULL 4-byte integer or date, then the packed answers of
one instrument version) into a few large values that NumPy reads in place.
SQLite (the embedded, small deployment) is read in batches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import ColumnElement, Connection, Date, Integer, bindparam, cast, func, literal_column, select, text
from sqlalchemy.orm import Session

from app.models import InstrumentVersion, Response
from app.services.prefetch import prefetched
from surveys import codes_matrix


@dataclass(frozen=True)
class PackedChunk:
    """Some responses of one instrument version.

    Attributes
    ----------
    layout : tuple of str
        The question codes of the columns of ``codes``.
    values : ndarray of int64, shape (n, k)
        The requested integer columns; a date is its proleptic ordinal
        (``date.toordinal()``) on every database.
    codes : ndarray of 4-byte integers (either byte order), shape (n, len(layout))
        Packed answers; :data:`surveys.MISSING` where not answered.
    """

    layout: tuple[str, ...]
    values: np.ndarray
    codes: np.ndarray


def instrument_layouts(session: Session, instrument: str) -> list[tuple[int, tuple[str, ...]]]:
    """``(version id, packed layout)`` of every registered version of ``instrument``."""
    rows = session.execute(
        select(InstrumentVersion.id, InstrumentVersion.packed_codes)
        .where(InstrumentVersion.code == instrument)
        .order_by(InstrumentVersion.id)
    ).all()
    return [(version_id, tuple(packed.split(",")) if packed else ()) for version_id, packed in rows]


def packed_chunks(
    session: Session,
    instrument: str,
    columns: Sequence[ColumnElement],
    conditions: Sequence[ColumnElement[bool]],
    *,
    rows: int = 65536,
    readers: int | None = None,
) -> Iterator[PackedChunk]:
    """Yield the responses matching ``conditions`` in chunks of about ``rows``.

    Parameters
    ----------
    columns : sequence of SQL expressions
        Non-NULL ``integer`` or ``date`` expressions on ``Response``.
    conditions : sequence of SQL conditions
        As :func:`app.services.aggregates.filter_conditions` makes them.
    rows : int
        Ids per chunk (chunks hold fewer where ids are missing or filtered out).
    readers : int, optional
        PostgreSQL connections to read with; :data:`READERS` by default.
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    for version_id, layout in instrument_layouts(session, instrument):
        stmt = select(*columns, Response.codes).where(*conditions, Response.instrument_version_id == version_id)
        if postgresql:
            yield from _aggregated_chunks(session, stmt, columns, layout, rows, readers or READERS)
        else:
            yield from _fetched_chunks(session, stmt, len(columns), layout, rows)


#: :func:`packed_record` writes a date as days since 2000-01-01
EPOCH_ORDINAL = date(2000, 1, 1).toordinal()


def packed_record(columns: Sequence[ColumnElement]) -> ColumnElement:
    """PostgreSQL: a response as one binary record, each column as a 4-byte
    big-endian integer (``int4send``; a date as days since 2000-01-01), then
    its packed answers. Read back with :func:`record_dtype`."""
    record = None
    for column in columns:
        if isinstance(column.type, Date):
            column = column - literal_column("DATE '2000-01-01'")
        part = func.int4send(cast(column, Integer))
        record = part if record is None else record.op("||")(part)
    return Response.codes if record is None else record.op("||")(Response.codes)


def record_dtype(n_columns: int, width: int) -> np.dtype:
    """NumPy's view of :func:`packed_record`: fields ``v0`` … and ``codes``."""
    fields = [(f"v{i}", ">i4") for i in range(n_columns)]
    return np.dtype(fields + ([("codes", ">i4", (width,))] if width else []))


def _fetched_chunks(session: Session, stmt, n_columns: int, layout, rows: int) -> Iterator[PackedChunk]:
    for part in session.execute(stmt.execution_options(yield_per=rows)).partitions():
        values = np.array(
            [[v.toordinal() if isinstance(v, date) else v for v in row[:n_columns]] for row in part],
            dtype=np.int64,
        ).reshape(len(part), n_columns)
        if layout:
            codes = codes_matrix(b"".join(row[n_columns] for row in part), len(layout))
        else:
            codes = np.zeros((len(part), 0), dtype=np.int32)
        yield PackedChunk(layout, values, codes)


#: Connections that build the records of a large read side by side: on a
#: two-core server, one builds the next range while another sends its own.
READERS = 2
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+-[0-9]+")


def _bulk_read_settings(conn: Connection) -> None:
    """For the current transaction of ``conn``: no JIT (compiling costs more
    than it saves here) and enough ``work_mem`` to hold the aggregated
    chunks without spilling to disk."""
    conn.execute(text("SELECT set_config('jit', 'off', true), set_config('work_mem', '256MB', true)"))


@contextmanager
def _session_settings(session: Session) -> Iterator[None]:
    old = session.execute(text("SELECT current_setting('jit'), current_setting('work_mem')")).one()
    _bulk_read_settings(session.connection())
    yield
    session.execute(text("SELECT set_config('jit', :jit, true), set_config('work_mem', :mem, true)"),
                    {"jit": old[0], "mem": old[1]})  # fmt: skip


@contextmanager
def _readers(session: Session, wanted: int) -> Iterator[list]:
    """Driver connections to read with: ``wanted`` new ones that see exactly
    what ``session`` sees, or the session's own when that is not possible.

    The new connections import the session's snapshot (``pg_export_snapshot``),
    so every range is read as of one moment. A transaction's own uncommitted
    writes are invisible to others, so a session that has written reads
    alone.
    """
    # A snapshot cannot be exported from within a savepoint.
    if wanted > 1 and not session.connection().in_nested_transaction():
        written = session.execute(text("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")).scalar_one()
        snapshot = "" if written else session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        if _SNAPSHOT_ID.fullmatch(snapshot):
            bind = session.get_bind()
            engine = bind.engine if isinstance(bind, Connection) else bind
            with ExitStack() as stack:
                connections = []
                for _ in range(wanted):
                    conn = stack.enter_context(engine.connect().execution_options(isolation_level="REPEATABLE READ"))
                    # SET TRANSACTION SNAPSHOT takes a literal only; the id was checked above.
                    conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                    _bulk_read_settings(conn)
                    connections.append(conn)
                try:
                    yield [conn.connection.driver_connection for conn in connections]
                except BaseException:
                    # A reader stopped early or failed may hold a cancelled
                    # pipeline: it is closed, not handed to the next user.
                    for conn in connections:
                        conn.invalidate()
                    raise
            return
    with _session_settings(session):
        yield [session.connection().connection.driver_connection]


def _aggregated_chunks(session: Session, stmt, columns, layout, rows: int, readers: int) -> Iterator[PackedChunk]:
    """PostgreSQL: each response becomes one binary record (its columns as
    ``int4send``, then its packed answers), and ``string_agg`` joins the
    records of a range of ``rows`` ids into one value that NumPy reads in
    place. (A binary ``COPY`` would hand Python one message per response.)

    The ranges are separate statements, dealt in turn to ``readers``
    connections and sent at once in pipeline mode: the server builds the
    next ranges on every core while Python reads the last one. Chunks come
    in id order.
    """
    record = packed_record(columns)
    dates = [i for i, column in enumerate(columns) if isinstance(column.type, Date)]
    low, high = bindparam("low", 0, type_=Integer), bindparam("high", 0, type_=Integer)
    ranged = stmt.with_only_columns(func.string_agg(record, literal_column("''::bytea"))).where(
        Response.id >= low, Response.id < high
    )
    dtype = record_dtype(len(columns), len(layout))
    first, last = session.execute(select(func.min(Response.id), func.max(Response.id))).one()
    if first is None:
        return
    starts = range(first, last + 1, rows)
    conn = session.connection()
    compiled = ranged.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    statements = [(str(compiled), {**compiled.params, "low": start, "high": start + rows}) for start in starts]
    with ExitStack() as stack:
        connections = stack.enter_context(_readers(session, min(readers, len(starts))))
        # Closed before the readers are given back, so that no thread or
        # pipeline is still using them when they are.
        blobs = stack.enter_context(
            closing(
                _pipelined(connections[0], statements) if len(connections) == 1 else _drained(connections, statements)
            )
        )
        for blob in blobs:
            if blob is None:  # no response of the filter in this range
                continue
            if len(blob) % dtype.itemsize:
                raise RuntimeError("packed answers of an unexpected length")
            rec = np.frombuffer(blob, dtype=dtype)
            values = np.stack([rec[f"v{i}"].astype(np.int64) for i in range(len(columns))], axis=1)
            if dates:
                values[:, dates] += EPOCH_ORDINAL
            # big-endian as stored; readers convert the columns they use
            codes = rec["codes"] if layout else np.zeros((len(rec), 0), dtype=np.int32)
            yield PackedChunk(layout, values, codes)


def _pipelined(raw, statements: list[tuple[str, dict]]) -> Iterator[bytes | None]:
    """Each statement's one value, the statements sent at once in pipeline mode."""
    with raw.pipeline():
        cursors = []
        for sql, params in statements:
            cursor = raw.cursor(binary=True)  # bytea as bytes (text would double it in hex)
            cursor.execute(sql, params)
            cursors.append(cursor)
        for cursor in cursors:
            with cursor:
                yield cursor.fetchone()[0]


def _drained(readers: list, statements: list[tuple[str, dict]]) -> Iterator[bytes | None]:
    """As :func:`_pipelined`, statement ``i`` on reader ``i mod len(readers)``,
    each reader emptied by a thread of its own a couple of results ahead.

    A server blocks once the socket holds one result; threads that read
    while Python works on an earlier range keep every server busy. Results
    come in statement order. If the caller stops early, the statements still
    running are cancelled.
    """
    n = len(readers)
    streams = [
        prefetched(_pipelined(raw, statements[k::n]), 2, name="packed-reader", on_abandon=raw.cancel_safe)
        for k, raw in enumerate(readers)
    ]
    try:
        for i in range(len(statements)):
            yield next(streams[i % n])
    finally:
        for stream in streams:
            stream.close()

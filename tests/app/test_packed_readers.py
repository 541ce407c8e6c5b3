"""Reading packed answers with several PostgreSQL connections at once.

These tests commit for real (other connections cannot see a test's
rolled-back transaction), into a unit of their own that they delete
afterwards.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import numpy as np
import psycopg
import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from app.models import InstrumentVersion, Response, ServicePoint, Unit
from app.services.cluster_rows import cluster_columns
from app.services.packed_rows import _drained, packed_chunks
from surveys import answers_unpack

RESPONSES = 53


@pytest.fixture
def committed(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("several connections reading one snapshot: PostgreSQL only")
    rng = random.Random(3)
    with Session(engine) as s:
        version = s.scalars(
            select(InstrumentVersion).where(InstrumentVersion.code == "sipas-counter", InstrumentVersion.active)
        ).one()
        layout = tuple(version.packed_codes.split(","))
        unit = Unit(code="PKR", name="Tỉnh Đọc Song Song", level="province", path="/")
        s.add(unit)
        s.flush()
        point = ServicePoint(unit_id=unit.id, code="Q1", name="Quầy 1")
        s.add(point)
        s.flush()
        now = datetime.now(UTC)
        for i in range(RESPONSES):
            codes = np.array([rng.choice([1, 2, 3, 4, 5, 9]) for _ in layout], dtype=">i4").tobytes()
            s.add(
                Response(
                    client_uuid=uuid.uuid4(),
                    payload_hash=f"{i:064d}",
                    instrument_version_id=version.id,
                    unit_id=unit.id,
                    service_point_id=point.id,
                    channel="qr",
                    received_at=now,
                    service_day=date(2026, 11, 1) + timedelta(days=i % 5),
                    codes=codes,
                )
            )
        s.commit()
        unit_id, point_id, version_id = unit.id, point.id, version.id
    yield unit_id, point_id, version_id, layout
    with Session(engine) as s:
        s.execute(delete(Response).where(Response.unit_id == unit_id))
        s.execute(delete(ServicePoint).where(ServicePoint.id == point_id))
        s.execute(delete(Unit).where(Unit.id == unit_id))
        s.commit()


def read(session: Session, unit_id: int, **options):
    _unit, point, day, _channel = cluster_columns()
    chunks = list(
        packed_chunks(
            session, "sipas-counter", [Response.unit_id, point, day], [Response.unit_id == unit_id], **options
        )
    )
    return np.concatenate([c.values for c in chunks]), np.concatenate([c.codes for c in chunks]), chunks


def test_two_readers_read_what_one_reads(engine, committed):
    unit_id, point_id, _, layout = committed
    with Session(engine) as s:
        values_1, codes_1, _ = read(s, unit_id, rows=4, readers=1)
    with Session(engine) as s:
        gen = packed_chunks(s, "sipas-counter", [Response.unit_id], [Response.unit_id == unit_id], rows=4, readers=2)
        next(gen)
        # the session's connection and two readers of its snapshot
        assert engine.pool.checkedout() == 3
        gen.close()
        values_2, codes_2, chunks = read(s, unit_id, rows=4, readers=2)
    assert engine.pool.checkedout() == 0
    assert len(values_1) == RESPONSES
    np.testing.assert_array_equal(values_1, values_2)
    np.testing.assert_array_equal(codes_1, codes_2)
    assert set(values_2[:, 0]) == {unit_id} and set(values_2[:, 1]) == {point_id}
    assert len(np.unique(values_2[:, 2])) == 5  # five service days
    assert all(c.layout == layout for c in chunks)
    with Session(engine) as s:
        stored = s.scalars(select(Response.codes).where(Response.unit_id == unit_id)).all()
    # within a range, records come in the table's order, not by id
    expected = sorted(tuple(answers_unpack(layout, bytes(b)).values()) for b in stored)
    assert sorted(tuple(row.astype(int).tolist()) for row in codes_2) == expected


def test_a_session_that_has_written_reads_its_own_rows(engine, committed):
    unit_id, point_id, version_id, layout = committed
    with Session(engine) as s:
        s.add(
            Response(
                client_uuid=uuid.uuid4(),
                payload_hash="f" * 64,
                instrument_version_id=version_id,
                unit_id=unit_id,
                service_point_id=point_id,
                channel="qr",
                received_at=datetime.now(UTC),
                service_day=date(2026, 11, 9),
                codes=np.full(len(layout), 4, dtype=">i4").tobytes(),
            )
        )
        s.flush()
        values, _, _ = read(s, unit_id, rows=4, readers=2)
        s.rollback()
    assert len(values) == RESPONSES + 1


def test_stopping_early_gives_the_connections_back(engine, committed):
    unit_id = committed[0]
    with Session(engine) as s:
        gen = packed_chunks(s, "sipas-counter", [Response.unit_id], [Response.unit_id == unit_id], rows=2, readers=2)
        first = next(gen)
        gen.close()
        assert len(first.values) == 2
        assert s.scalar(select(Response.id).where(Response.unit_id == unit_id).limit(1)) is not None
    assert engine.pool.checkedout() == 0
    # whatever the pool hands out next is idle and reads everything
    with Session(engine) as s:
        values, _, _ = read(s, unit_id, rows=2, readers=2)
    assert len(values) == RESPONSES
    with engine.connect() as conn:
        others = "datname = current_database() AND pid <> pg_backend_pid()"
        busy = conn.scalar(text(f"SELECT count(*) FROM pg_stat_activity WHERE {others} AND state <> 'idle'"))
    assert busy == 0


def test_ranges_come_in_order_and_a_failing_one_reaches_the_caller(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    raws = [engine.raw_connection() for _ in range(2)]
    try:
        drivers = [r.driver_connection for r in raws]
        statements = [("SELECT int4send(%(x)s)", {"x": x}) for x in range(1, 8)]
        assert [int.from_bytes(v, "big") for v in _drained(drivers, statements)] == list(range(1, 8))
        for d in drivers:
            d.rollback()
        statements[4] = ("SELECT int4send(1 / %(x)s)", {"x": 0})
        with pytest.raises(psycopg.errors.DivisionByZero):
            list(_drained(drivers, statements))
    finally:
        for r in raws:
            r.invalidate()

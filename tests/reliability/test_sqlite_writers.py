"""Embedded mode: SQLite in WAL mode with 20 concurrent writers.

Short version of ``bench/load_sqlite.py``: gunicorn with 4 worker processes
of 5 threads on one SQLite file, 20 citizens posting at once. No "database
is locked" reaches anyone, nothing is lost, nothing is doubled; phones that
hang up mid-request leave nothing half-written.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import create_engine, text

from bench.faults import form_open, hang_up
from bench.load_client import Citizens, submissions_make
from tests.reliability.conftest import assert_stored_exactly_as_acknowledged, scenario_run, serve

WRITERS = ("-k", "gthread", "-w", "4", "--threads", "5", "--keep-alive", "5")


def test_twenty_concurrent_writers_on_sqlite_lose_nothing(sqlite_db, tmp_path):
    url, points = sqlite_db
    targets = [(p.id, p.token) for p in points]
    subs = submissions_make(targets, 400, seed=31)
    cut = submissions_make(targets, 12, seed=32)
    for i, sub in enumerate(cut):
        sub.address = f"10.202.0.{i}"
    served = serve(url, tmp_path, workers=WRITERS)
    try:

        async def scenario():
            citizens = Citizens(served.base_url, concurrency=20, attempts=3)

            async def hang_ups():
                for i, sub in enumerate(cut):
                    if await form_open(served.base_url, sub):
                        await hang_up(served.base_url, sub, ("half", "reset", "no_wait")[i % 3])

            result, _ = await asyncio.gather(citizens.run(subs), hang_ups())
            return result

        result = scenario_run(scenario)
    finally:
        served.stop()

    # Every citizen acknowledged at the first attempt: no 503, no 500, no retry.
    assert result.count("acked") == len(subs), result.summary()
    assert set(result.statuses) == {"GET 200", "POST 303"}, result.summary()
    assert not result.errors
    log = (tmp_path / "gunicorn.log").read_text()
    assert "database is locked" not in log
    assert "Error handling request" not in log
    assert_stored_exactly_as_acknowledged(url, points, [*subs, *cut])
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()

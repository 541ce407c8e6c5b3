"""PostgreSQL goes away while citizens submit: nothing acknowledged is lost or doubled.

Short version of ``bench/faults_restart.py``, on the faults cluster (port 5433).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from flask import current_app
from sqlalchemy import create_engine, text

from app import create_app
from app.config import Settings
from app.extensions import db
from bench.faults import Outage, backends_terminate, database_outage, form_open, hang_up
from bench.load_client import Citizens, submissions_make
from tests.reliability.conftest import assert_stored_exactly_as_acknowledged, scenario_run, serve


async def _hang_ups(base_url: str, cut) -> None:
    for i, sub in enumerate(cut):
        if await form_open(base_url, sub):
            await hang_up(base_url, sub, ("half", "reset", "no_wait")[i % 3])
        await asyncio.sleep(0.2)


def _server_errors(statuses: Counter) -> dict[str, int]:
    return {k: n for k, n in statuses.items() if k.split()[1].startswith("5") and k.split()[1] != "503"}


def test_crash_and_cut_connections_mid_load_store_every_acknowledged_submission_once(
    pg_cluster, pg_faults_db, tmp_path
):
    url, points = pg_faults_db
    targets = [(p.id, p.token) for p in points]
    # long enough to be running through both faults on a fast machine
    subs = submissions_make(targets, 1500, seed=21)
    cut = submissions_make(targets, 9, seed=22)
    for i, sub in enumerate(cut):
        sub.address = f"10.201.0.{i}"
    served = serve(url, tmp_path)
    try:
        master = served.process.pid

        async def scenario():
            citizens = Citizens(served.base_url, concurrency=12, attempts=40, retry_cap=0.5)
            t0 = time.perf_counter()
            load = asyncio.create_task(citizens.run(subs))
            hang_ups = asyncio.create_task(_hang_ups(served.base_url, cut))
            await asyncio.sleep(0.8)
            assert not load.done(), "the load must still run when the database crashes"
            crash = await database_outage(
                pg_cluster, served.base_url, points[0].token, t0, mode="immediate", down_for=1.5
            )
            await asyncio.sleep(0.3)
            assert not load.done(), "the load must still run when connections are cut"
            await backends_terminate(pg_cluster, url.rsplit("/", 1)[1], t0)
            await asyncio.wait_for(hang_ups, 60)
            return await asyncio.wait_for(load, 120), crash

        result, crash = scenario_run(scenario)
        assert served.process.poll() is None and served.process.pid == master, "the app was not restarted"
    finally:
        served.stop()

    assert isinstance(crash, Outage) and crash.probe is not None
    # While the database was down the app said "come back later", never 500
    # (a counter's kept lookup, app/citizen/lookups.py, may still show its form).
    assert crash.probe.statuses["GET-unknown 503"] > 0, crash.probe.summary()
    assert not _server_errors(crash.probe.statuses), crash.probe.summary()
    assert crash.probe.without_retry_after == 0
    # The citizens saw the outage, retried with the same nonces, and all got through.
    assert result.statuses["POST 503"] + result.statuses["GET 503"] + sum(result.errors.values()) > 0
    assert not _server_errors(result.statuses), result.summary()
    assert result.unavailable_without_hint == 0
    assert result.count("acked") == len(subs), (result.summary(), [s for s in subs if s.outcome != "acked"])
    # Exactly once, with the answers sent; nothing cut off is stored; nothing half-written.
    assert_stored_exactly_as_acknowledged(url, points, [*subs, *cut])
    assert "Error handling request" not in (tmp_path / "gunicorn.log").read_text()


def test_connection_lost_after_the_page_is_made_still_gives_the_page(pg_faults_db, tmp_path):
    """The database connection dies after the view has run (a restart, a network
    cut): closing the request's session must not turn the page into a 500."""
    url, points = pg_faults_db
    app = create_app(Settings(env="testing", database_url=url), instance_path=str(tmp_path / "instance"))
    killer = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))

    @app.after_request
    def cut_own_connection(response):
        pid = db.session.connection().connection.dbapi_connection.info.backend_pid
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            deadline = time.monotonic() + 5
            while (
                time.monotonic() < deadline
                and conn.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).first()
            ):
                time.sleep(0.02)
        current_app.logger.info("cut backend %s", pid)
        return response

    client = app.test_client()
    try:
        for _ in range(3):
            response = client.get(f"/s/{points[0].token}")
            assert response.status_code == 200
            assert 'name="nonce"' in response.get_data(as_text=True)
    finally:
        killer.dispose()
        app.extensions["db"].engine.dispose()

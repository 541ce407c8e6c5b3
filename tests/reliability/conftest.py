"""Fixtures for the reliability tests: short versions of the bench/ runs.

They serve the real app under gunicorn (a child process on a loopback port)
and drive it with the load client of ``bench/load_client.py``. The
PostgreSQL fault test runs on its own cluster (``faults``, port 5433; see
``bench/pg_cluster.py``), created here when missing, never on the shared
server. The whole folder runs in well under three minutes:

    .venv/bin/pytest tests/reliability            # or -m reliability
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import text

from bench.load_client import stored_verify
from bench.pg_cluster import Cluster, ClusterUnavailable, cluster_lock, faults_cluster, tools_missing
from bench.served import LoadPoint, Served, database_prepare

T = TypeVar("T")

#: gunicorn in the tests: smaller than production, same worker class
TEST_WORKERS = ("-k", "gthread", "-w", "2", "--threads", "4", "--keep-alive", "5")


def scenario_run(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run ``scenario()`` to completion in an event loop of its own thread.

    ``asyncio.run`` refuses to start while the calling thread already has a
    running loop, which Playwright's sync API leaves behind when the browser
    tests ran earlier in the same pytest process; a fresh thread has none.
    """
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(scenario())
        except BaseException as exc:  # handed back to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="reliability-scenario")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reliability: load, fault and bad-input checks against a served app (tests/reliability)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture(scope="session")
def pg_cluster() -> Cluster:
    """The faults cluster, running. Skipped only where the cluster tools are not installed."""
    missing = tools_missing()
    if missing:
        pytest.skip(f"PostgreSQL fault test needs its own cluster: {missing}")
    try:
        return faults_cluster()
    except ClusterUnavailable as exc:
        pytest.fail(f"could not set up the faults cluster: {exc}")


@pytest.fixture
def pg_faults_db(pg_cluster: Cluster) -> Iterator[tuple[str, list[LoadPoint]]]:
    """A fresh database of this test process on the faults cluster, migrated, with three counters.

    The cluster lock is held throughout: a test that stops the server must not
    pull it from under another run on the same machine (colleagues, CI).
    """
    name = f"faults_{os.getpid()}"
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(cluster_lock(timeout=240))
        except ClusterUnavailable as exc:
            pytest.fail(str(exc))
        try:
            pg_cluster.start()
            url = pg_cluster.database_recreate(name)
            yield url, database_prepare(url, points=3, unit_code="FAULTS")
        finally:
            pg_cluster.start()  # a failed test must not leave it stopped
            pg_cluster.database_drop(name)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> tuple[str, list[LoadPoint]]:
    """A fresh SQLite file (WAL), migrated, with three counters."""
    url = f"sqlite:///{tmp_path / 'embedded.db'}"
    return url, database_prepare(url, points=3, unit_code="EMBED")


def serve(url: str, tmp_path: Path, workers=TEST_WORKERS) -> Served:
    return Served(url, worker_args=workers, log_path=tmp_path / "gunicorn.log").start()


def assert_stored_exactly_as_acknowledged(url: str, points: list[LoadPoint], submissions) -> None:
    check = stored_verify(url, [p.id for p in points], submissions)
    assert check.ok, check.summary()


def stored_rows(db_session) -> dict[str, tuple]:
    """Every response with its answers, by client UUID."""
    rows = db_session.execute(
        text(
            "SELECT r.client_uuid, r.payload_hash, r.service_point_id, a.question_code, a.value_int, a.value_text "
            "FROM responses r LEFT JOIN answers a ON a.response_id = r.id"
        )
    ).all()
    out: dict[str, list] = {}
    for client_uuid, digest, point_id, code, value_int, value_text in rows:
        out.setdefault(str(uuid.UUID(str(client_uuid))), [digest, point_id]).append((code, value_int, value_text))
    return {k: (v[0], v[1], tuple(sorted(v[2:], key=str))) for k, v in out.items()}

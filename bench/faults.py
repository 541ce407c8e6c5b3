"""Faults to inject while citizens submit: a database that stops or crashes,
connections cut under the app, a worker killed, phones that hang up mid-request.

Used by ``bench/faults_restart.py`` (the full run) and ``tests/reliability``
(short runs). Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from bench.load_client import NONCE_RE, Connection, Submission, nonce_uuid
from bench.pg_cluster import Cluster


@dataclass
class Probe:
    """What a watcher saw while a fault lasted: status (or error name) counts,
    and whether every 503 carried a Retry-After hint."""

    statuses: Counter = field(default_factory=Counter)
    without_retry_after: int = 0

    def summary(self) -> dict[str, object]:
        return {"seen": dict(sorted(self.statuses.items())), "503_without_retry_after": self.without_retry_after}


async def probe_while(base_url: str, token: str, running: asyncio.Event, interval: float = 0.2) -> Probe:
    """GET and POST the form every ``interval`` s until ``running`` is cleared,
    and GET the form of a token no counter has (``GET-unknown``).

    The POST's nonce is invalid on purpose: nothing can be stored by the probe.
    A worker keeps an active counter's lookup for a few seconds
    (app/citizen/lookups.py), so the counter's form can still be shown, and
    a bad nonce refused, while the database is away; an unknown token is
    never kept, so its lookup always needs the database. (The load's own
    citizens, retrying real forms, meet the outage in the storing code;
    their 503s are counted in the load result.)
    """
    probe = Probe()
    conn = Connection(base_url, timeout=10)
    deadline = time.monotonic() + 120
    unknown = "probe-" + secrets.token_urlsafe(12)
    while running.is_set() and time.monotonic() < deadline:
        for label, method, path in (
            ("GET", "GET", f"/s/{token}"),
            ("POST", "POST", f"/s/{token}"),
            ("GET-unknown", "GET", f"/s/{unknown}"),
        ):
            try:
                body = urlencode({"nonce": "x"}).encode() if method == "POST" else b""
                headers = {"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {}
                r = await conn.request(method, path, body, headers)
                probe.statuses[f"{label} {r.status}"] += 1
                if r.status == 503 and "retry-after" not in r.headers:
                    probe.without_retry_after += 1
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                probe.statuses[f"{label} {type(exc).__name__}"] += 1
        await asyncio.sleep(interval)
    await conn.close()
    return probe


@dataclass
class Outage:
    """One fault: what, when (seconds since the load started), and what the watcher saw."""

    kind: str
    started: float
    ended: float = 0.0
    probe: Probe | None = None
    #: seconds from the end of the fault to the next acknowledged submission
    recovered_after: float | None = None

    def summary(self) -> dict[str, object]:
        return {
            "fault": self.kind,
            "at_s": round(self.started, 1),
            "lasted_s": round(self.ended - self.started, 1),
            "recovered_after_s": None if self.recovered_after is None else round(self.recovered_after, 2),
            **(self.probe.summary() if self.probe else {}),
        }


async def database_outage(
    cluster: Cluster, base_url: str, token: str, t0: float, *, mode: str = "fast", down_for: float = 3.0
) -> Outage:
    """Stop the cluster (``fast``: clean shutdown; ``immediate``: a crash), keep it
    down ``down_for`` seconds while a probe watches the app, start it again."""
    running = asyncio.Event()
    running.set()
    outage = Outage(f"postgresql stop -m {mode}", time.perf_counter() - t0)
    await asyncio.to_thread(cluster.stop, mode)
    watcher = asyncio.create_task(probe_while(base_url, token, running))
    await asyncio.sleep(down_for)
    running.clear()
    outage.probe = await watcher
    await asyncio.to_thread(cluster.start)
    outage.ended = time.perf_counter() - t0
    return outage


async def backends_terminate(cluster: Cluster, database: str, t0: float) -> Outage:
    """Cut every connection the app holds to ``database`` (a network drop between app and database)."""
    outage = Outage("pg_terminate_backend (all app connections)", time.perf_counter() - t0)
    sql = (
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    )
    await asyncio.to_thread(cluster.psql, sql)
    outage.ended = time.perf_counter() - t0
    return outage


def recovery_times(outages: list[Outage], events: list[tuple[float, str]]) -> None:
    """Fill ``recovered_after``: from each fault's end to the next acknowledgement."""
    acks = sorted(t for t, kind in events if kind == "post_303")
    for outage in outages:
        after = next((t for t in acks if t >= outage.ended), None)
        outage.recovered_after = None if after is None else after - outage.ended


# -- phones that hang up --------------------------------------------------------------------------


async def form_open(base_url: str, sub: Submission) -> bool:
    """GET the form for ``sub`` and keep its nonce (and client UUID)."""
    conn = Connection(base_url, timeout=10)
    try:
        for _ in range(20):
            try:
                r = await conn.request("GET", f"/s/{sub.token}")
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                await asyncio.sleep(0.5)
                continue
            if r.status == 200 and (m := NONCE_RE.search(r.body)):
                sub.nonce = m.group(1).decode()
                sub.client_uuid = nonce_uuid(sub.nonce)
                return True
            await asyncio.sleep(0.5)
        return False
    finally:
        await conn.close()


async def hang_up(base_url: str, sub: Submission, how: str) -> None:
    """POST ``sub`` and hang up: ``half`` sends half the body then closes,
    ``reset`` sends half then aborts (TCP RST), ``no_wait`` sends everything
    and closes without reading the answer. ``sub.outcome`` records which."""
    parts = urlsplit(base_url)
    body = urlencode({**sub.form, "nonce": sub.nonce or ""}).encode()
    head = (
        f"POST /s/{sub.token} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        f"X-Forwarded-For: {sub.address}\r\n\r\n"
    ).encode()
    sent = body if how == "no_wait" else body[: len(body) // 2]
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(parts.hostname, parts.port), 10)
    except (TimeoutError, OSError):
        sub.outcome = "no_answer"
        return
    try:
        writer.write(head + sent)
        await writer.drain()
        await asyncio.sleep(0.05)
        if how == "reset":
            writer.transport.abort()
        else:
            writer.close()
    except OSError:
        pass
    # A complete body may have been stored (the server had all of it); a cut
    # one must never be.
    sub.outcome = "unknown" if how == "no_wait" else f"cut_{how}"

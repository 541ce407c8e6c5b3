"""Faults: the database stops, crashes and drops connections while citizens submit.

    .venv/bin/python bench/faults_restart.py                       # 50 clients, 5000 submissions
    .venv/bin/python bench/faults_restart.py --clients 20 --submissions 1500 --down 2

The app runs under gunicorn in its production configuration against a fresh
``faults_bench`` database on the faults cluster (port 5433, created if
missing; never the shared server on 5432). While the load client posts
(retrying with the *same* nonce, hence the same client UUID, after a 503 or a
broken connection), this script in turn:

1. stops PostgreSQL cleanly (``pg_ctlcluster stop -m fast``), keeps it down
   ``--down`` seconds, starts it;
2. crashes it (``-m immediate``: no checkpoint, WAL recovery on start);
3. cuts every connection the app holds (``pg_terminate_backend``);
4. SIGKILLs a gunicorn worker with requests in flight;

and, throughout, phones hang up mid-request (half a body then close, half a
body then TCP reset, a whole body then close without reading the answer).

A watcher GETs and POSTs the form during each outage: every answer must be a
503 with Retry-After, never a 500. Afterwards: every acknowledged submission is
stored exactly once with the answers sent, no cut-off submission is stored,
no response lacks its answers, and the gunicorn master was never restarted.
Exit status 0 only if all of that holds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# Appended, not prepended: PYTHONPATH=/tmp/snapshot serves a fixed commit (see served.source_root).
sys.path.append(str(Path(__file__).resolve().parents[1]))

from bench.faults import Outage, backends_terminate, database_outage, form_open, hang_up, recovery_times
from bench.load_client import Citizens, LoadResult, Submission, stored_verify, submissions_make
from bench.pg_cluster import Cluster, cluster_lock, faults_cluster
from bench.served import Served, database_prepare

DATABASE = "faults_bench"
HANG_UPS = ("half", "reset", "no_wait")


async def hang_ups(base_url: str, subs: list[Submission], stop: asyncio.Event, interval: float) -> None:
    for i, sub in enumerate(subs):
        if stop.is_set():
            break
        if await form_open(base_url, sub):
            await hang_up(base_url, sub, HANG_UPS[i % len(HANG_UPS)])
        else:
            sub.outcome = "no_form"
        await asyncio.sleep(interval)


async def scenario(
    args, cluster: Cluster, served: Served, subs: list[Submission], cut: list[Submission]
) -> tuple[LoadResult, list[Outage], dict]:
    citizens = Citizens(served.base_url, concurrency=args.clients, attempts=args.attempts, retry_cap=1.0)
    t0 = time.perf_counter()
    load = asyncio.create_task(citizens.run(subs))
    stop_hangups = asyncio.Event()
    hangers = asyncio.create_task(hang_ups(served.base_url, cut, stop_hangups, interval=0.25))
    token = subs[0].token
    outages: list[Outage] = []
    still_loading: list[bool] = []
    master = served.process.pid if served.process else None
    workers_before = set(served.workers())
    killed = None
    faults = [
        lambda: database_outage(cluster, served.base_url, token, t0, mode="fast", down_for=args.down),
        lambda: database_outage(cluster, served.base_url, token, t0, mode="immediate", down_for=args.down),
        lambda: backends_terminate(cluster, DATABASE, t0),
    ]
    try:
        await asyncio.sleep(args.gap)
        for fault in faults:
            still_loading.append(not load.done())
            outages.append(await fault())
            await asyncio.sleep(args.gap)
        still_loading.append(not load.done())
        at = time.perf_counter() - t0
        killed = served.kill_worker()
        outages.append(Outage(f"SIGKILL gunicorn worker {killed}", at, at))
        result = await asyncio.wait_for(load, timeout=args.timeout)
    finally:
        stop_hangups.set()
        await asyncio.wait_for(hangers, timeout=60)
        await asyncio.to_thread(cluster.start)  # whatever happened, leave the cluster running
    recovery_times(outages, result.events)
    workers_after = set(served.workers())
    app_state = {
        "master_pid_unchanged": served.process is not None
        and served.process.pid == master
        and served.process.poll() is None,
        "workers_replaced": sorted(workers_before - workers_after),
        "worker_killed": killed,
        "load_running_at_each_fault": still_loading,
    }
    return result, outages, app_state


def timeline(result: LoadResult, bin_s: float = 1.0) -> list[str]:
    bins: dict[int, Counter] = {}
    for t, kind in result.events:
        bins.setdefault(int(t // bin_s), Counter())[kind] += 1
    lines = []
    for b in sorted(bins):
        c = bins[b]
        lines.append(
            f"{b * bin_s:5.0f}s  303:{c['post_303']:4d}  503:{c['post_503'] + c['get_503']:4d}"
            f"  500:{c['post_500'] + c['get_500']:3d}  conn-errors:{c['post_error'] + c['get_error']:4d}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--hang-ups", type=int, default=90, help="phones that hang up mid-request")
    parser.add_argument("--down", type=float, default=4.0, help="seconds the database stays down")
    parser.add_argument("--gap", type=float, default=5.0, help="seconds between faults")
    parser.add_argument("--attempts", type=int, default=60, help="attempts per request before a client gives up")
    parser.add_argument("--timeout", type=float, default=600, help="longest the whole load may take")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    cluster = faults_cluster()
    with cluster_lock(timeout=600):
        return _run(args, cluster)


def _run(args, cluster: Cluster) -> int:
    cluster.start()
    url = cluster.database_recreate(DATABASE)
    points = database_prepare(url, points=10, unit_code="FAULTS")
    targets = [(p.id, p.token) for p in points]
    subs = submissions_make(targets, args.submissions, seed=11)
    cut = submissions_make(targets, args.hang_ups, seed=12)
    for i, sub in enumerate(cut):
        sub.address = f"10.200.{i >> 8 & 255}.{i & 255}"
    log = Path(tempfile.mkdtemp(prefix="faults_")) / "gunicorn.log"
    print(f"database {url}; {args.clients} clients; {args.submissions} submissions; log {log}", flush=True)
    with Served(url, log_path=log) as served:
        result, outages, app_state = asyncio.run(scenario(args, cluster, served, subs, cut))
    verification = stored_verify(url, [p.id for p in points], [*subs, *cut])
    server_errors = sum(n for k, n in result.statuses.items() if k.split()[1][0] == "5" and k.split()[1] != "503")
    report = {
        "load": result.summary(),
        "faults": [o.summary() for o in outages],
        "app": app_state,
        "hang_ups": dict(Counter(s.outcome for s in cut)),
        "verification": verification.summary(),
    }
    print("\n".join(timeline(result)))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    ok = (
        verification.ok
        and result.count("acked") == len(subs)
        and server_errors == 0
        and result.unavailable_without_hint == 0
        and all(o.probe is None or (o.probe.without_retry_after == 0 and not _server_errors(o)) for o in outages)
        and app_state["master_pid_unchanged"]
    )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def _server_errors(outage: Outage) -> int:
    assert outage.probe is not None
    return sum(n for k, n in outage.probe.statuses.items() if k.split()[1][0] == "5" and k.split()[1] != "503")


if __name__ == "__main__":
    raise SystemExit(main())

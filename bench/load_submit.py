"""Load: many citizens submitting the form at once, against gunicorn + PostgreSQL.

    .venv/bin/python bench/load_submit.py                      # 200 clients, 20 000 submissions, 3 repeats
    .venv/bin/python bench/load_submit.py --clients 50 --submissions 2000 --repeat 1
    .venv/bin/python bench/load_submit.py --think 1.0          # citizens who take time to answer

The app runs under gunicorn in its production configuration (APP_ENV=production,
a 48-character SECRET_KEY, ``served.PRODUCTION_WORKERS`` unless ``--workers``
says otherwise). The database is a fresh ``loadtest`` database on the shared
server (127.0.0.1:5432: only that database is dropped and created; the
server is never stopped) unless ``--database-url`` names another one. The
load client (``bench/load_client.py``) runs in this process on loopback.
Modes, each repeated ``--repeat`` times:

- ``form``: each citizen GETs the form, then POSTs it (latency is the POST's);
  throughput is acknowledged submissions per second, so each one costs the
  server a rendered form *and* a stored response;
- ``post-only``: every form is fetched first, then all are POSTed; throughput
  and latency of the submit path alone;
- ``api``: tablets POST one interview each to ``/api/v1/interviews`` with a
  bearer token (``bench/api_client.py``); skipped if the checkout has no API;
- ``floor`` / ``floor-answers``: the same POST bodies to ``bench/floor_app.py``
  under the same gunicorn settings (one INSERT; or the response and its answers).

Afterwards the database is compared with what the clients were told
(``load_client.stored_verify``): every acknowledged UUID stored once, with the
answers sent; nothing stored that was not acknowledged. The figures go to
stdout as a table and, with ``--json``, to a file. CPU per submission is
measured from /proc for the gunicorn workers, the PostgreSQL backends of the
load database and this process; "others' cores" is what the rest of the
machine used meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Appended, not prepended: PYTHONPATH=/tmp/snapshot serves a fixed commit (see served.source_root).
sys.path.append(str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from bench.api_client import Tablets, api_surveyor, interviews_make
from bench.load_client import Citizens, LoadResult, stored_verify, submissions_make
from bench.pg_cluster import shared_database_recreate
from bench.served import (
    PRODUCTION_WORKERS,
    Served,
    backends_cpu_seconds,
    cpu_seconds,
    database_prepare,
    machine_busy_seconds,
)

MODES = ("form", "post-only", "api", "floor", "floor-answers")


def run_mode(mode: str, served: Served, args, points, floor_point, seed: int) -> tuple[LoadResult, dict]:
    if mode == "api":
        subs = interviews_make(args.api_surveyor, args.submissions, seed=seed)
        runner = Tablets(served.base_url, args.api_surveyor, concurrency=args.clients)
    else:
        floor = mode.startswith("floor")
        targets = [(floor_point.id, floor_point.token)] if floor else [(p.id, p.token) for p in points]
        subs = submissions_make(targets, args.submissions, seed=seed)
        runner = Citizens(
            served.base_url,
            concurrency=args.clients,
            think=args.think if mode == "form" else 0.0,
            phase_split=mode == "post-only",
            floor_path={"floor": "/floor", "floor-answers": "/floor/answers"}.get(mode),
            seed=seed,
        )
    assert served.process is not None
    pg = args.pg_database
    pid = served.process.pid
    cpu0: tuple = ()

    def phase_starts() -> None:
        nonlocal cpu0
        cpu0 = (cpu_seconds(pid), os.times(), backends_cpu_seconds(pg) if pg else 0.0, machine_busy_seconds())

    result = asyncio.run(runner.run(subs, on_phase=phase_starts))
    cpu1 = (
        cpu_seconds(served.process.pid),
        os.times(),
        backends_cpu_seconds(pg) if pg else 0.0,
        machine_busy_seconds(),
    )
    acked = max(1, result.count("acked"))
    client_cpu = (cpu1[1].user + cpu1[1].system) - (cpu0[1].user + cpu0[1].system)
    ours = (cpu1[0] - cpu0[0]) + client_cpu + (cpu1[2] - cpu0[2])
    wall = result.finished - result.started
    cpu = {
        # cores kept busy by everything on the machine, and by other people's processes
        "machine_busy_cores": round((cpu1[3] - cpu0[3]) / wall, 2),
        "others_busy_cores": round(((cpu1[3] - cpu0[3]) - ours) / wall, 2),
        "server_cpu_ms_per_submission": round((cpu1[0] - cpu0[0]) * 1000 / acked, 2),
        "client_cpu_ms_per_submission": round(client_cpu * 1000 / acked, 2),
        "postgres_cpu_ms_per_submission": round((cpu1[2] - cpu0[2]) * 1000 / acked, 2) if pg else None,
    }
    return result, cpu


def median_row(mode: str, runs: list[dict]) -> dict:
    keys = ("throughput_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms")
    row = {k: statistics.median(r[k] for r in runs) for k in keys}
    cpu_keys = (
        "server_cpu_ms_per_submission",
        "client_cpu_ms_per_submission",
        "postgres_cpu_ms_per_submission",
        "machine_busy_cores",
        "others_busy_cores",
    )
    for k in cpu_keys:
        values = [r[k] for r in runs if r.get(k) is not None]
        row[k] = statistics.median(values) if values else None
    row["errors"] = sum(
        sum(r["errors"].values()) + sum(v for s, v in r["statuses"].items() if s.split()[1][0] == "5") for r in runs
    )
    row["not_acked"] = sum(r["submissions"] - r["acked"] for r in runs)
    row["mode"] = mode
    return row


def log_problems(path: Path) -> dict[str, int]:
    text_ = path.read_text(errors="replace") if path.exists() else ""
    return {
        "tracebacks": text_.count("Traceback"),
        "database_is_locked": text_.count("database is locked"),
        "worker_timeouts": text_.count("WORKER TIMEOUT"),
    }


def ratelimit_storage(choice: str) -> str:
    """The rate-limit storage to serve with (see ``--ratelimit-storage``)."""
    if choice != "auto":
        return choice
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/15"
    except OSError:
        pass
    return "memory://"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--submissions", type=int, default=20000, help="per mode and repeat")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--points", type=int, default=33, help="counters the submissions spread over")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between GET and POST (form mode)")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--workers", default=shlex.join(PRODUCTION_WORKERS), help="gunicorn worker options")
    parser.add_argument(
        "--database-url", help="default: a fresh database 'loadtest' on the shared server (127.0.0.1:5432)"
    )
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    parser.add_argument(
        "--ratelimit-storage",
        default="auto",
        help="RATELIMIT_STORAGE_URI of the app; 'auto': Redis at 127.0.0.1:6379 (database 15) if it answers, "
        "as several workers need (docs/administration.md), else each process's memory",
    )

    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    if unknown := set(modes) - set(MODES):
        parser.error(f"unknown modes {sorted(unknown)}; choose from {MODES}")

    url = args.database_url or shared_database_recreate("loadtest")
    args.pg_database = url.rsplit("/", 1)[1] if url.startswith("postgres") else None
    stamp = time.strftime("%H%M%S")
    points = database_prepare(url, points=args.points, unit_code=f"LOAD{stamp}", demo_responses=6000)
    floor_point = database_prepare(url, points=1, unit_code=f"FLOOR{stamp}")[0]
    api_point = database_prepare(url, points=1, unit_code=f"API{stamp}")[0]
    if "api" in modes:
        try:
            args.api_surveyor = api_surveyor(url, api_point.id)
        except ImportError:
            print("no /api/v1 in this checkout (app.services.api_tokens missing): api mode skipped", flush=True)
            modes.remove("api")
    worker_args = shlex.split(args.workers)
    storage = ratelimit_storage(args.ratelimit_storage)
    logs = Path(tempfile.mkdtemp(prefix="load_submit_"))
    print(
        f"database {url}; gunicorn {args.workers}; rate limits in {storage}; {args.clients} clients; logs in {logs}",
        flush=True,
    )

    runs: dict[str, list[dict]] = {m: [] for m in modes}
    app_subs = []
    api_subs = []
    floor_acked = 0
    for rep in range(args.repeat):
        for mode in modes:
            floor_mode = mode.startswith("floor")
            served = Served(
                url,
                app_spec="bench.floor_app:app" if floor_mode else "wsgi:app",
                worker_args=worker_args,
                env={"FLOOR_POINT_ID": str(floor_point.id), "RATELIMIT_STORAGE_URI": storage},
                log_path=logs / f"{mode}.log",
            )
            with served:
                # Warm up: imports, template compilation, the connection pools.
                warm: Citizens | Tablets = Citizens(served.base_url, concurrency=min(args.clients, 20))
                target = [(floor_point.id, floor_point.token)] if floor_mode else [(p.id, p.token) for p in points]
                warm_subs = submissions_make(target, 200, seed=10_000 + rep)
                if floor_mode:
                    warm.floor_path = "/floor"
                if mode == "api":
                    warm = Tablets(served.base_url, args.api_surveyor, concurrency=20)
                    warm_subs = interviews_make(args.api_surveyor, 200, seed=20_000 + rep)
                asyncio.run(warm.run(warm_subs))
                result, cpu = run_mode(mode, served, args, points, floor_point, seed=rep * 100 + MODES.index(mode))
            if floor_mode:
                floor_acked += result.count("acked") + sum(1 for s in warm_subs if s.outcome == "acked")
            elif mode == "api":
                api_subs.extend([*result.submissions, *warm_subs])
            else:
                app_subs.extend(result.submissions)
                app_subs.extend(warm_subs)
            summary = result.summary() | cpu
            runs[mode].append(summary)
            print(f"[{rep + 1}/{args.repeat}] {mode}: {json.dumps(summary, ensure_ascii=False)}", flush=True)

    verification = stored_verify(url, [p.id for p in points], app_subs) if app_subs else None
    api_verification = stored_verify(url, [api_point.id], api_subs) if api_subs else None
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        floor_rows = conn.execute(
            text("SELECT count(*) FROM responses WHERE service_point_id = :p"), {"p": floor_point.id}
        ).scalar_one()
    engine.dispose()
    problems = {m: log_problems(logs / f"{m}.log") for m in modes}

    rows = [median_row(m, runs[m]) for m in modes]
    floor = next((r["throughput_per_s"] for r in rows if r["mode"] == "floor"), None)
    print(f"\nMedians of {args.repeat} runs; {args.clients} clients; {args.submissions} submissions per run")
    header = (
        "| mode | submissions/s | ratio to floor | p50 ms | p95 ms | p99 ms | max ms | errors | not acked |"
        " server CPU ms/sub | PostgreSQL CPU ms/sub | client CPU ms/sub | cores busy (others') |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for r in rows:
        ratio = f"{r['throughput_per_s'] / floor:.2f}" if floor else "–"
        print(
            f"| {r['mode']} | {r['throughput_per_s']:.0f} | {ratio} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |"
            f" {r['p99_ms']:.1f} | {r['max_ms']:.0f} | {r['errors']} | {r['not_acked']} |"
            f" {r['server_cpu_ms_per_submission']} | {r['postgres_cpu_ms_per_submission']} |"
            f" {r['client_cpu_ms_per_submission']} | {r['machine_busy_cores']} ({r['others_busy_cores']}) |"
        )
    if verification is not None:
        print(f"\nstored vs acknowledged (form and post-only runs): {verification.summary()}")
    if api_verification is not None:
        print(f"stored vs acknowledged (api runs): {api_verification.summary()}")
    print(f"floor rows stored {floor_rows}, floor POSTs acknowledged {floor_acked}")
    print(f"server logs: {problems}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "runs": runs,
                    "medians": rows,
                    "verification": verification.summary() if verification else None,
                    "api_verification": api_verification.summary() if api_verification else None,
                    "floor": {"stored": floor_rows, "acked": floor_acked},
                    "logs": problems,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    ok = (verification is None or verification.ok) and floor_rows == floor_acked
    ok = ok and (api_verification is None or api_verification.ok)
    ok = ok and all(r["errors"] == 0 and r["not_acked"] == 0 for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

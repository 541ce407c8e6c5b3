"""Embedded mode: SQLite (WAL) with 20 concurrent writers, under gunicorn.

    .venv/bin/python bench/load_sqlite.py                       # 20 writers, 5000 submissions, 3 repeats
    .venv/bin/python bench/load_sqlite.py --workers "-k gthread -w 1 --threads 20"

A fresh SQLite file (the embedded default: ``DATABASE_URL`` unset means
``instance/survey.db``; here a temporary file) is migrated and given 10
counters; gunicorn serves the app in its production configuration with
several worker *processes* (so writers really contend for SQLite's single
write lock across processes, not only across threads); 20 clients GET and
POST the form at once, and phones hang up mid-request throughout.

Passes (exit 0) only if no answer is a 5xx, no "database is locked" appears
in any answer or in the server log, and the file holds exactly the
acknowledged submissions with their answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

# Appended, not prepended: PYTHONPATH=/tmp/snapshot serves a fixed commit (see served.source_root).
sys.path.append(str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from bench.faults import form_open, hang_up
from bench.load_client import Citizens, Submission, stored_verify, submissions_make
from bench.served import Served, database_prepare

WORKERS = "-k gthread -w 4 --threads 5 --keep-alive 5"


async def run_once(base_url: str, subs: list[Submission], cut: list[Submission], writers: int):
    citizens = Citizens(base_url, concurrency=writers, attempts=3)

    async def hang_ups():
        for i, sub in enumerate(cut):
            if await form_open(base_url, sub):
                await hang_up(base_url, sub, ("half", "reset", "no_wait")[i % 3])
            await asyncio.sleep(0.1)

    result, _ = await asyncio.gather(citizens.run(subs), hang_ups())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=20, help="concurrent clients")
    parser.add_argument("--submissions", type=int, default=5000, help="per repeat")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default=WORKERS, help="gunicorn worker options")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="load_sqlite_"))
    url = f"sqlite:///{folder / 'survey.db'}"
    points = database_prepare(url, points=10, unit_code="EMBED", demo_responses=6000)
    targets = [(p.id, p.token) for p in points]
    print(f"database {url}; gunicorn {args.workers}; {args.writers} writers", flush=True)
    everything: list[Submission] = []
    runs = []
    for rep in range(args.repeat):
        subs = submissions_make(targets, args.submissions, seed=40 + rep)
        cut = submissions_make(targets, 30, seed=60 + rep)
        for i, sub in enumerate(cut):
            sub.address = f"10.203.{rep}.{i}"
        log = folder / f"gunicorn-{rep}.log"
        with Served(url, worker_args=shlex.split(args.workers), log_path=log) as served:
            result = asyncio.run(run_once(served.base_url, subs, cut, args.writers))
        everything += [*subs, *cut]
        summary = result.summary() | {
            "hang_ups": dict(Counter(s.outcome for s in cut)),
            "locked_in_log": log.read_text().count("database is locked"),
            "server_errors_in_log": log.read_text().count("Error handling request"),
        }
        runs.append(summary)
        print(f"[{rep + 1}/{args.repeat}] {json.dumps(summary, ensure_ascii=False)}", flush=True)
    verification = stored_verify(url, [p.id for p in points], everything)
    engine = create_engine(url)
    with engine.connect() as conn:
        journal = conn.execute(text("PRAGMA journal_mode")).scalar()
        integrity = conn.execute(text("PRAGMA integrity_check")).scalar()
    engine.dispose()
    keys = ("throughput_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms")
    medians = {k: statistics.median(r[k] for r in runs) for k in keys}
    print(f"\nmedians of {args.repeat} runs: {medians}")
    print(f"journal_mode={journal}, integrity_check={integrity}")
    print(f"stored vs acknowledged: {verification.summary()}")
    bad = sum(n for r in runs for k, n in r["statuses"].items() if k.split()[1] != "200" and k.split()[1] != "303")
    locked = sum(r["locked_in_log"] for r in runs)
    ok = verification.ok and bad == 0 and locked == 0 and journal == "wal" and integrity == "ok"
    ok = ok and all(r["acked"] == r["submissions"] and r["server_errors_in_log"] == 0 for r in runs)
    if args.json:
        args.json.write_text(
            json.dumps({"runs": runs, "medians": medians, "verification": verification.summary()}, indent=2)
        )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

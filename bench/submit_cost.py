"""What one citizen form POST costs the app, in numbers that repeat: CPU and instructions.

    .venv/bin/python bench/submit_cost.py                  # process CPU per POST, median of 5 runs of 600
    .venv/bin/python bench/submit_cost.py --callgrind      # instructions per POST under valgrind (about 4 min)
    .venv/bin/python bench/submit_cost.py --tree /tmp/snap_old --callgrind   # another checkout, same measure
    .venv/bin/python bench/submit_cost.py --baseline /work/main   # both, runs interleaved, side by side

Under gunicorn on a shared 2-core machine the floor itself moves by a
quarter from run to run (docs/benchmarks-reliability.md), which hides any
change worth less than about 15 % of a POST. This script measures the
app's side of a POST in one process instead, driven by Flask's test
client against PostgreSQL (``load_submit_cost`` on 127.0.0.1:5432, dropped
and created) and the rate-limit storage (Redis database 15 when it
answers, else memory), each POST from its own address with its own form:

- default: process CPU (``time.process_time``) per POST, each run in a
  fresh interpreter, the median of ``--repeat`` runs;
- ``--callgrind``: ``valgrind --tool=callgrind`` counts the instructions of
  two runs, with and without the POSTs (everything else the same,
  ``PYTHONHASHSEED=0``), and divides the difference by the POSTs: repeatable
  to about 3 % whatever else the machine does (two runs of each tree:
  7.47 and 7.27 M, 6.48 and 6.63 M). PostgreSQL's and Redis'
  own work is not in either figure.

``--tree`` measures the app of another checkout (e.g. ``git archive <rev> |
tar -x -C /tmp/snap_old``) with this script and its helpers; ``--baseline``
measures a second checkout in the same run, alternating runs of the two so
the machine's drift falls on both, and prints the ratio of the medians.
Run one at a time: every run recreates the same database
(``SUBMIT_COST_DATABASE`` names another one).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE = os.environ.get("SUBMIT_COST_DATABASE", "load_submit_cost")
REDIS = "redis://127.0.0.1:6379/15"
BASE = "https://khaosat.test"


def _redis_or_memory() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return "memory://"
    return REDIS


def child(posts: int, seed: int, send: bool) -> dict:
    """Prepare ``posts`` forms (GET each), POST them if ``send``; CPU of the POSTs."""
    from app import create_app
    from app.config import Settings
    from bench.load_client import NONCE_RE, answers_random, instrument_active
    from bench.served import database_prepare

    url = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
    points = database_prepare(url, points=20, unit_code=f"COST{seed}")
    settings = Settings(
        env="production",
        secret_key=secrets.token_urlsafe(48),
        database_url=url,
        public_url=BASE,
        ratelimit_storage_uri=_redis_or_memory(),
    )
    app = create_app(settings, instance_path=tempfile.mkdtemp(prefix="submit_cost_"))
    instrument = instrument_active()  # the version counters use
    rng = random.Random(seed)
    prepared = []
    for i in range(posts):
        client = app.test_client()
        point = points[i % len(points)]
        environ = {"REMOTE_ADDR": f"10.{seed % 250}.{i >> 8 & 255}.{i & 255}"}
        page = client.get(f"/s/{point.token}", base_url=BASE, environ_base=environ)
        if page.status_code != 200:
            raise SystemExit(f"GET answered {page.status_code}")
        form, _ = answers_random(rng, instrument)
        form["nonce"] = NONCE_RE.search(page.data).group(1).decode()
        prepared.append((client, point.token, form, environ))
    started = time.process_time()
    for client, token, form, environ in prepared if send else ():
        answer = client.post(f"/s/{token}", data=form, base_url=BASE, environ_base=environ)
        if answer.status_code != 303:
            raise SystemExit(f"POST answered {answer.status_code}: {answer.data[:200]!r}")
    return {"cpu_ms_per_post": 1000 * (time.process_time() - started) / posts}


def _child_command(tree: Path, posts: int, seed: int, send: bool) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", "--tree", str(tree), "--posts", str(posts),
            "--seed", str(seed)] + ([] if send else ["--no-send"])  # fmt: skip


def _environment(tree: Path) -> dict[str, str]:
    # the measured app first, then this checkout for bench/ (load_client, served)
    return {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{ROOT}", "PYTHONHASHSEED": "0"}


def cpu_run(tree: Path, posts: int, seed: int) -> float:
    out = subprocess.run(_child_command(tree, posts, seed, True), env=_environment(tree),
                         capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])["cpu_ms_per_post"]


def cpu_runs(tree: Path, posts: int, repeat: int) -> list[float]:
    return [cpu_run(tree, posts, 10 + rep) for rep in range(repeat)]


def instructions(tree: Path, posts: int, send: bool, seed: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out"]
        out = subprocess.run(command + _child_command(tree, posts, seed, send), env=_environment(tree),
                             capture_output=True, text=True, check=True)  # fmt: skip
    collected = re.search(r"Collected : (\d+)", out.stderr)
    if collected is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{out.stderr[-2000:]}")
    return int(collected.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, help="POSTs per run (default 600, 150 with --callgrind)")
    parser.add_argument("--repeat", type=int, default=5, help="runs for the CPU median")
    parser.add_argument("--callgrind", action="store_true", help="count instructions instead of CPU time")
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout whose app is measured")
    parser.add_argument("--baseline", type=Path, help="a second checkout measured alongside (CPU mode)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-send", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    if args.child:
        print(json.dumps(child(args.posts, args.seed, not args.no_send)))
        return 0

    sys.path.insert(0, str(ROOT))
    from bench.pg_cluster import shared_database_recreate

    shared_database_recreate(DATABASE)
    print(f"tree {tree}; rate-limit storage {_redis_or_memory()}")
    if args.callgrind:
        if shutil.which("valgrind") is None:
            raise SystemExit("valgrind is not installed (apt-get install -y valgrind)")
        posts = args.posts or 150
        with_posts = instructions(tree, posts, True, seed=101)
        without = instructions(tree, posts, False, seed=102)
        per_post = (with_posts - without) / posts
        print(f"{posts} POSTs: {with_posts:,} instructions with them, {without:,} without")
        print(f"instructions per POST: {per_post / 1e6:.2f} M")
    elif args.baseline is not None:
        base, new = [], []
        for rep in range(args.repeat):  # interleaved: drift falls on both
            # a fresh database for each: the trees' schemas may differ
            shared_database_recreate(DATABASE)
            base.append(cpu_run(args.baseline.resolve(), args.posts or 600, 10 + rep))
            shared_database_recreate(DATABASE)
            new.append(cpu_run(tree, args.posts or 600, 10 + rep))
        print(f"baseline {args.baseline}: runs {', '.join(f'{r:.2f}' for r in base)} ms")
        print(f"this tree: runs {', '.join(f'{r:.2f}' for r in new)} ms")
        ratio = statistics.median(new) / statistics.median(base)
        print(f"median: baseline {statistics.median(base):.2f} ms, this tree {statistics.median(new):.2f} ms, "
              f"ratio {ratio:.3f}")  # fmt: skip
    else:
        runs = cpu_runs(tree, args.posts or 600, args.repeat)
        print(f"process CPU per POST, runs: {', '.join(f'{r:.2f}' for r in runs)} ms")
        print(f"median: {statistics.median(runs):.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

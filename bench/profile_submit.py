"""Where a citizen form POST spends its time: cProfile of N POSTs in one process.

    .venv/bin/python bench/profile_submit.py [--posts 1000] [--ratelimit-storage memory://] [--get]

With ``--get`` the form's GETs (a phone opening the form) are profiled instead.

The app is built in its production configuration (``APP_ENV=production``
settings, a random 48-character secret) against a fresh PostgreSQL database
``load_profile`` on the shared server (127.0.0.1:5432; only that database
is dropped and created) and driven with Flask's test client, one simulated
phone per POST (its own address and cookies). Every form is fetched first;
only the POSTs are profiled. Prints the time per POST by package (the test
client's own Werkzeug work included, so compare packages, not totals, with
the gunicorn figures of ``bench/load_submit.py``) and the top functions.

Profiled time includes waiting for PostgreSQL: psycopg's share is mostly
round trips, not CPU.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from app import create_app
from app.config import Settings
from bench.load_client import NONCE_RE, answers_random, instrument_active
from bench.pg_cluster import shared_database_recreate
from bench.served import database_prepare

BASE = "https://khaosat.test"


def package_of(filename: str, function: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    root = str(Path(__file__).resolve().parents[1]) + "/"
    if filename.startswith(root):
        return filename[len(root) :]
    if filename.startswith(("~", "<")):
        return function
    return "stdlib " + filename.rsplit("/", 1)[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--ratelimit-storage", default="memory://")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--get", action="store_true", help="profile the form GETs, not the POSTs")
    parser.add_argument("--dump", metavar="FILE", help="also write the raw profile (pstats) to FILE")
    args = parser.parse_args(argv)

    url = shared_database_recreate("load_profile")
    points = database_prepare(url, points=args.points, unit_code="PROF")
    settings = Settings(
        env="production",
        secret_key=secrets.token_urlsafe(48),
        database_url=url,
        public_url=BASE,
        ratelimit_storage_uri=args.ratelimit_storage,
    )
    app = create_app(settings, instance_path=tempfile.mkdtemp(prefix="profile_submit_"))
    instrument = instrument_active()  # the version counters use
    rng = random.Random(1)
    prepared = []
    profile = cProfile.Profile()
    for i in range(args.posts):
        client = app.test_client()
        point = points[i % len(points)]
        environ = {"REMOTE_ADDR": f"10.0.{i >> 8 & 255}.{i & 255}"}
        if args.get:
            profile.enable()
        page = client.get(f"/s/{point.token}", base_url=BASE, environ_base=environ)
        profile.disable()
        if page.status_code != 200:
            raise SystemExit(f"GET answered {page.status_code}: {page.data[:300]!r}")
        form, _ = answers_random(rng, instrument)
        form["nonce"] = NONCE_RE.search(page.data).group(1).decode()
        prepared.append((client, point.token, form, environ))

    started = time.perf_counter()
    if not args.get:
        profile.enable()
        for client, token, form, environ in prepared:
            answer = client.post(f"/s/{token}", data=form, base_url=BASE, environ_base=environ)
            if answer.status_code != 303:
                raise SystemExit(f"POST answered {answer.status_code}: {answer.data[:300]!r}")
        profile.disable()
    what = "GET" if args.get else "POST"
    stats = pstats.Stats(profile)
    if args.dump:
        stats.dump_stats(args.dump)
    elapsed = stats.total_tt if args.get else time.perf_counter() - started
    print(f"{args.posts} {what}s in {elapsed:.2f} s profiled = {1000 * elapsed / args.posts:.2f} ms per {what}")
    by_package: collections.Counter[str] = collections.Counter()
    for (filename, _line, function), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
        by_package[package_of(filename, function)] += own
    print(f"\nown time per {what}, by package:")
    for package, seconds in by_package.most_common(args.top):
        print(f"  {1000 * seconds / args.posts:7.3f} ms  {package}")
    print()
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed of a whole report (what the dashboard does on every click) on a large PostgreSQL database.

    .venv/bin/python bench/report_speed_db.py [--responses 1000000] [--repeat 5]
        [--keep-rollup] [--no-dashboard] [--no-direct] [--periods year,quarter,month]

Uses the database that ``bench/indicators_speed.py`` builds (``bench``: one
province, 1,000 units, two counters each, the synthetic instrument
``bench-25q``; ``--responses`` of them over 2025); run that first with the
same ``--responses`` (``--no-r`` is enough). Then, in one run:

1. builds the per-cluster roll-up and its unit x month sums from scratch
   (``rollup_rebuild``) and reports how long that takes and how many rows
   it holds;
2. for a year, a quarter and a month of 2025, times ``report_for`` (what the
   dashboard, the downloads and the ``report`` command call: roll-up
   refresh, one read of unit x month sums for the period, the previous period
   and the trend, every figure, verdict and comparison) and the dashboard
   request ``GET /bao-cao`` as an analyst (the same plus the page and its
   charts), the median of ``--repeat`` runs each;
3. times the same report built from the responses themselves (no roll-up,
   the cluster rows summed from every response), alternated with the
   roll-up runs, and checks that both give the same figures (every
   estimate, bound and n of every unit, the total and the trend);
4. prints a markdown block with the machine, the command and the medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import app.services.reports.sources as sources_mod  # noqa: E402
from app import create_app  # noqa: E402
from app.config import Settings  # noqa: E402
from app.extensions import engine_for  # noqa: E402
from app.models import ClusterRollup, Response, User  # noqa: E402
from app.services import accounts  # noqa: E402
from app.services.reports.build import report_for  # noqa: E402
from app.services.reports.model import ReportRequest  # noqa: E402
from app.services.reports.periods import period_of  # noqa: E402
from app.services.response_filter import ResponseFilter  # noqa: E402
from app.services.rollup import rollup_rebuild, rollup_refresh, rows_direct  # noqa: E402
from bench.indicators_speed import CODE, data_present, write_instrument  # noqa: E402

PERIODS = {"year": dt.date(2025, 6, 30), "quarter": dt.date(2025, 8, 15), "month": dt.date(2025, 9, 10)}


def figures_of(report) -> dict:
    """Every published number of a report, keyed by where it is."""
    out = {}
    lines = [("total", line.key, line.current) for line in report.summary]
    lines += [(u.code, key, f) for u in report.units for key, f in u.figures.items()]
    lines += [(p.label, key, f) for p in report.trend for key, f in p.figures.items()]
    for where, key, f in lines:
        if f is not None:
            out[(where, key)] = (f.n, f.estimate, f.lower, f.upper)
    return out


def same(a: dict, b: dict) -> float:
    """The largest difference between two reports' numbers (inf if they differ in shape)."""
    if a.keys() != b.keys():
        return float("inf")
    worst = 0.0
    for key, va in a.items():
        for x, y in zip(va, b[key], strict=True):
            if (x is None) != (y is None):
                return float("inf")
            if x is not None:
                worst = max(worst, abs(x - y))
    return worst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--responses", type=int, default=1_000_000)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    ap.add_argument("--no-direct", action="store_true", help="skip the comparison without the roll-up")
    ap.add_argument("--keep-rollup", action="store_true", help="use the roll-up as it is (refreshed, not rebuilt)")
    ap.add_argument("--no-dashboard", action="store_true", help="time report_for only, not GET /bao-cao")
    ap.add_argument("--periods", default=",".join(PERIODS), help="comma-separated: year,quarter,month")
    args = ap.parse_args()

    engine = engine_for(args.database_url)
    if not data_present(engine, args.responses, args.units):
        sys.exit(f"run `bench/indicators_speed.py --responses {args.responses} --no-r` first")
    instrument = write_instrument(Path(tempfile.mkdtemp()))
    app = create_app(
        Settings(env="testing", database_url=args.database_url, secret_key="x" * 40, public_url="http://bench"),
        instance_path=tempfile.mkdtemp(),
    )
    app.extensions["instruments"][instrument.key] = instrument
    registry = app.extensions["instruments"]

    with Session(engine) as s:
        t0 = time.perf_counter()
        if args.keep_rollup:
            rollup_refresh(s, instrument)
            days = s.scalar(select(func.count(func.distinct(ClusterRollup.service_day))))
        else:
            days = rollup_rebuild(s, [instrument])
        build_s = time.perf_counter() - t0
        rows = s.scalar(select(func.count()).select_from(ClusterRollup))
        responses = s.scalar(select(func.count()).select_from(Response))
        size = s.scalar(text("SELECT pg_total_relation_size('cluster_rollup')"))
        if s.scalar(select(User.id).where(User.username == "bench-analyst")) is None:
            accounts.user_create(s, username="bench-analyst", password="bench-analyst-2026", role="analyst")
            s.commit()
    how = "refreshed" if args.keep_rollup else "built"
    print(f"# roll-up {how} in {build_s:.1f} s: {days} days, {rows:,} cluster rows, {size / 2**20:.0f} MB "
          f"for {responses:,} responses", flush=True)  # fmt: skip

    client = app.test_client()
    with app.app_context():
        pass
    login = client.post(
        "/dang-nhap", data={"username": "bench-analyst", "password": "bench-analyst-2026"}, follow_redirects=False
    )
    if login.status_code not in (302, 303):  # the form carries a CSRF token
        import re

        page = client.get("/dang-nhap").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        login = client.post(
            "/dang-nhap",
            data={"username": "bench-analyst", "password": "bench-analyst-2026", "csrf_token": token},
        )
    rollup_times: dict[str, list[float]] = {}
    direct_times: dict[str, list[float]] = {}
    page_times: dict[str, list[float]] = {}
    agreement: dict[str, float] = {}
    kinds = [k for k in args.periods.split(",") if k in PERIODS]
    for kind, day in ((k, PERIODS[k]) for k in kinds):
        request = ReportRequest(period_of(kind, day), ResponseFilter(instrument=CODE), "unit", None)
        for _ in range(args.repeat + 1):  # the first round warms up and is dropped
            with Session(engine) as s:
                t0 = time.perf_counter()
                kept = report_for(s, registry, request)
                rollup_times.setdefault(kind, []).append(time.perf_counter() - t0)
            if not args.no_dashboard:
                t0 = time.perf_counter()
                response = client.get(f"/bao-cao?instrument={CODE}&period={kind}&date={day.isoformat()}")
                page_times.setdefault(kind, []).append(time.perf_counter() - t0)
                if response.status_code != 200:
                    sys.exit(f"dashboard answered {response.status_code}")
            if not args.no_direct:
                # no stored month sums, no roll-up: cluster rows summed from the responses
                original = sources_mod.cluster_rows_for, sources_mod.month_moments_read
                sources_mod.cluster_rows_for, sources_mod.month_moments_read = rows_direct, lambda *args: None
                try:
                    with Session(engine) as s:
                        t0 = time.perf_counter()
                        direct = report_for(s, registry, request)
                        direct_times.setdefault(kind, []).append(time.perf_counter() - t0)
                finally:
                    sources_mod.cluster_rows_for, sources_mod.month_moments_read = original
                agreement[kind] = max(agreement.get(kind, 0.0), same(figures_of(kept), figures_of(direct)))
        for times in (rollup_times, direct_times, page_times):
            if kind in times:
                times[kind] = times[kind][1:]
        page = f"{statistics.median(page_times[kind]):.2f} s" if kind in page_times else "—"
        print(f"{kind}: report {statistics.median(rollup_times[kind]):.2f} s "
              f"({', '.join(f'{t:.2f}' for t in rollup_times[kind])}), dashboard {page}"
              + (f", from responses {statistics.median(direct_times[kind]):.2f} s, largest difference "
                 f"{agreement[kind]:.1e}" if kind in direct_times else ""), flush=True)  # fmt: skip

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    print()
    print(f"`.venv/bin/python bench/report_speed_db.py {' '.join(sys.argv[1:])}` — "
          f"{dt.date.today().isoformat()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
          f"{responses:,} responses, {rows:,} roll-up rows ({size / 2**20:.0f} MB), "
          f"built in {build_s:.1f} s.")  # fmt: skip
    print()
    print("| period | report (roll-up) | dashboard request | report from responses | largest difference |")
    print("|---|---:|---:|---:|---:|")
    for kind in kinds:
        page = f"{statistics.median(page_times[kind]):.2f} s" if kind in page_times else "—"
        direct = f"{statistics.median(direct_times[kind]):.2f} s" if kind in direct_times else "—"
        diff = f"{agreement[kind]:.1e}" if kind in agreement else "—"
        print(f"| {kind} | {statistics.median(rollup_times[kind]):.2f} s | "
              f"{page} | {direct} | {diff} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Render time of the XLSX and PDF reports for 1,000 units.

    .venv/bin/python bench/report_speed.py [--units 1000] [--repeat 5]

Builds a real report from a seeded SQLite database (the demo province), then
widens its units table to --units units by copying real unit lines with new
codes and names (renderers only lay the Report out, so this measures them
on a table of the target size), and times each renderer --repeat times.
Prints medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import Session

from app import create_app
from app.config import Settings
from app.migrations import schema_upgrade
from app.render.pdf.report import report_pdf
from app.render.xlsx.report import report_xlsx
from app.services.demo import demo_seed
from app.services.reports.build import report_build
from app.services.reports.periods import period_of
from app.time import VIETNAM
from surveys import load_all


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    app = create_app(Settings(env="testing", database_url=f"sqlite:///{folder / 'r.db'}"), instance_path=str(folder))
    engine = app.extensions["db"].engine
    schema_upgrade(engine)
    from datetime import datetime

    with Session(engine) as session:
        demo_seed(session, responses=6000)
        session.commit()
        today = datetime.now(VIETNAM).date()
        report = report_build(
            session, load_all()["sipas-counter.v2"], period_of("custom", today - timedelta(days=365), today)
        )
    base = report.units
    units = [
        replace(base[i % len(base)], code=f"U{i:04d}", name=f"{base[i % len(base)].name} số {i}")
        for i in range(args.units)
    ]
    big = replace(report, units=units)
    print(f"report: {len(big.units)} units, {len(big.criteria)} criteria, {len(big.trend)} trend points, "
          f"{len(big.comments)} comments")  # fmt: skip
    for name, render in (("xlsx", report_xlsx), ("pdf", report_pdf)):
        times, size = [], 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            size = len(render(big))
            times.append(time.perf_counter() - start)
        print(f"{name}: median {statistics.median(times):.2f} s over {args.repeat} runs "
              f"(min {min(times):.2f}, max {max(times):.2f}); {size / 1024:.0f} KB")  # fmt: skip


if __name__ == "__main__":
    main()

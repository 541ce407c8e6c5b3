"""Streaming CSV export of anonymised responses: rows per second and peak memory.

    .venv/bin/python bench/export_speed.py [--url postgresql://postgres@127.0.0.1:5432/bench]

Runs against the database that ``bench/indicators_speed.py`` fills with
1,000,000 responses (instrument ``bench-25q``; run that first, or pass
``--url`` of another database and ``--instrument``). Streams every response
through ``app.services.exports.responses_csv`` into a null sink, as a
download would, and reports rows/s and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import engine_for
from app.models import InstrumentVersion
from app.services.exports import responses_csv
from app.services.response_filter import ResponseFilter
from surveys import load_instrument


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--instrument", default="bench-25q")
    args = parser.parse_args()
    engine = engine_for(args.url)
    with Session(engine) as session:
        row = session.execute(
            select(InstrumentVersion)
            .where(InstrumentVersion.code == args.instrument)
            .order_by(InstrumentVersion.version.desc())
        ).scalar_one()
        # The instrument as registered, from the stored source (the file may not be here).
        tmp = Path("/tmp") / f"{row.code}.v{row.version}.yaml"
        tmp.write_text(row.source, encoding="utf-8")
        instrument = load_instrument(tmp)
        start = time.perf_counter()
        rows = size = 0
        for chunk in responses_csv(session, instrument, ResponseFilter(instrument=args.instrument)):
            rows += chunk.count("\r\n")
            size += len(chunk)
        elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows -= 1  # header
    print(f"{rows:,} rows, {size / 1e6:.0f} MB of CSV in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s; "
          f"peak RSS {peak:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()

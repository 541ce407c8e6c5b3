"""Bad input to the JSON API: schemathesis against the served OpenAPI description.

    python3 -m venv /tmp/st && /tmp/st/bin/pip install schemathesis     # not a project dependency
    .venv/bin/python bench/fuzz_api.py --schemathesis /tmp/st/bin/schemathesis [--max-examples 200]

schemathesis is not in requirements.txt (no test imports it) and is kept out
of the project's virtualenv on purpose: its pins (hypothesis among them)
would fight the project's. It runs from its own virtualenv as a separate
process against the app, served by gunicorn in the production configuration
on a fresh SQLite file (or ``--database-url``), with the bearer token of a
surveyor who has an assignment, so requests get past authentication.

Every check schemathesis has (``--checks all``: no 5xx, status codes,
content types and bodies as documented, ...) runs on every operation with
both valid and invalid generated input (``--mode all``). Afterwards the
database is checked: no response without its answers, and every stored
response's answers are valid for its instrument.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Appended, not prepended: PYTHONPATH=/tmp/snapshot serves a fixed commit (see served.source_root).
sys.path.append(str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from bench.api_client import api_surveyor
from bench.served import Served, database_prepare
from surveys import answers_validate, load_all


def stored_answers_valid(url: str) -> dict[str, int]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    registry = load_all()
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.id, iv.code, iv.version, a.question_code, a.value_int, a.value_text FROM responses r "
                "JOIN instrument_versions iv ON iv.id = r.instrument_version_id "
                "LEFT JOIN answers a ON a.response_id = r.id"
            )
        ).all()
    engine.dispose()
    by_response: dict[int, tuple[str, dict]] = {}
    for rid, code, version, q, vi, vt in rows:
        entry = by_response.setdefault(rid, (f"{code}.v{version}", {}))
        if q is not None:
            entry[1][q] = vi if vi is not None else vt
    invalid = sum(1 for key, answers in by_response.values() if not answers_validate(registry[key], answers).ok)
    empty = sum(1 for _key, answers in by_response.values() if not answers)
    return {"responses": len(by_response), "invalid_answers": invalid, "without_answers": empty}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schemathesis", default=shutil.which("schemathesis") or "schemathesis")
    parser.add_argument("--max-examples", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="fuzz_api_"))
    url = args.database_url or f"sqlite:///{folder / 'api.db'}"
    point = database_prepare(url, points=1, unit_code="FUZZAPI")[0]
    try:
        surveyor = api_surveyor(url, point.id)
    except ImportError:
        print("no /api/v1 in this checkout: nothing to fuzz")
        return 0
    with Served(url, log_path=folder / "gunicorn.log") as served:
        cmd = [
            args.schemathesis,
            "run",
            f"{served.base_url}/api/v1/openapi.json",
            "--url",
            served.base_url,
            "-H",
            f"Authorization: Bearer {surveyor.token}",
            "--checks",
            "all",
            # the -H above replaces any credentials schemathesis generates, so its
            # "invalid auth accepted" check would only flag our own valid token
            "--exclude-checks",
            "ignored_auth",
            "--mode",
            "all",
            "--max-examples",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--request-timeout",
            "30",
            "--report",
            "junit",
            "--report-dir",
            str(folder),
        ]
        print(" ".join([*cmd[:3], "..."]), flush=True)
        # cwd: schemathesis keeps a cache (.schemathesis/) in its working directory
        done = subprocess.run(cmd, cwd=folder, timeout=1800, check=False)
    log = (folder / "gunicorn.log").read_text()
    database = stored_answers_valid(url)
    print(f"server log: {log.count('Error handling request')} unhandled errors; database: {database}")
    print(f"reports and server log in {folder}")
    ok = done.returncode == 0 and "Error handling request" not in log
    ok = ok and database["invalid_answers"] == 0 and database["without_answers"] == 0
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

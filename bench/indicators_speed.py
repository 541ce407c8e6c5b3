"""Speed of the per-unit indicator table on PostgreSQL, against R's ``svyby``.

    .venv/bin/python bench/indicators_speed.py [--responses 1000000] [--units 1000] [--repeat 3]

What it does, in one run:

1. Resets the database ``bench`` (never ``test``, which the suite wipes):
   Alembic schema, the shipped instruments plus a synthetic instrument
   ``bench-25q`` with 25 indicator questions (22 criteria in 5 elements, the
   overall question, harassment, informal payment) and a procedure field;
   one province with ``--units`` units below it (10 districts, the rest
   communes), two service points each; ``--responses`` responses with their
   answers, generated server-side (``INSERT ... SELECT`` over
   ``generate_series``, ``setseed`` for reproducibility). Satisfaction varies
   by unit and by cluster (service point x day); each point works about 100
   days of the year, so a cluster holds about 5 responses. 1 % of responses
   are excluded. The generation time is reported, not benchmarked.
   ``--reuse`` keeps the data of an earlier run of the same size.
2. Times ``indicator_table`` end to end (SQL + statistics) on the full
   filter: one warm-up, then the median of ``--repeat`` runs, with the time
   spent reading cluster rows (``cluster_rows_for``) and the rest (statistics, mapping).
3. Exports the response-level data R needs with COPY (unit, cluster, and a
   0/1 indicator per question, empty for "not applicable", refusals and
   missing answers), runs ``bench/indicators_speed.R``, which builds
   ``svydesign(ids = ~cluster, strata = ~unit, nest = TRUE)`` and times
   ``svyby(~q, ~unit, des, svymean, na.rm = TRUE)`` question by question
   within ``--r-budget`` seconds (R needs minutes per question at this
   size; the time for all 25 is then extrapolated, and labelled so), and
   compares R's estimates and standard errors with the service's for every
   unit and question R finished.
4. Prints a markdown block with the machine, the command, sizes, medians,
   the R / service ratio and the largest difference.

``--explain`` also prints ``EXPLAIN (ANALYZE, BUFFERS)`` of every statement
``unit_moments`` runs (the SQL of the responses path). ``--no-r`` skips step 3.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import app.services.indicators as indicators_mod  # noqa: E402
from app.extensions import engine_for  # noqa: E402
from app.migrations import schema_upgrade  # noqa: E402
from app.services.aggregates import unit_moments_of_rows  # noqa: E402
from app.services.indicators import indicator_table  # noqa: E402
from app.services.instruments import instruments_sync  # noqa: E402
from app.services.response_filter import ResponseFilter  # noqa: E402
from app.services.rollup import cluster_rows_for  # noqa: E402
from surveys import MISSING, Role, load_instrument, packed_layout  # noqa: E402

CODE = "bench-25q"
#: criteria per element: 22 criteria + overall + harassment + informal payment = 25 questions
ELEMENT_SIZES = (4, 5, 5, 4, 4)
#: the questions R estimates first, so a small K still covers every kind
R_ORDER_FIRST = ("E1_1", "harassment", "E5_1", "overall", "informal_payment")


# ---------------------------------------------------------------- instrument
def instrument_yaml() -> dict:
    sat = {
        "choices": [
            [1, "Rất không hài lòng", "Very dissatisfied"],
            [2, "Không hài lòng", "Dissatisfied"],
            [3, "Bình thường", "Neutral"],
            [4, "Hài lòng", "Satisfied"],
            [5, "Rất hài lòng", "Very satisfied"],
            [9, "Không áp dụng / Không biết", "Not applicable / Don't know"],
        ],
        "satisfied": [4, 5],
        "not_applicable": [9],
    }
    ynr = {
        "choices": [[1, "Có", "Yes"], [2, "Không", "No"], [8, "Không muốn trả lời", "Prefer not to say"]],
        "yes_codes": [1],
        "no_codes": [2],
        "refused_codes": [8],
    }
    proc = {"choices": [[i, f"Lĩnh vực {i}", f"Field {i}"] for i in range(1, 8)]}

    def q(code, scale, role=None):
        out = {"code": code, "scale": scale, "required": True, "text": {"vi": f"Câu {code}", "en": f"Item {code}"}}
        if role:
            out["role"] = role
        return out

    sections = [
        {
            "code": "visit",
            "title": {"vi": "Lần giao dịch", "en": "Visit"},
            "questions": [q("procedure", "procedure", "procedure")],
        }
    ]
    for e, size in enumerate(ELEMENT_SIZES, start=1):
        sections.append(
            {
                "code": f"E{e}",
                "element": True,
                "title": {"vi": f"Yếu tố {e}", "en": f"Element {e}"},
                "questions": [q(f"E{e}_{i}", "satisfaction5") for i in range(1, size + 1)],
            }
        )
    sections.append(
        {
            "code": "integrity",
            "title": {"vi": "Phiền hà", "en": "Integrity"},
            "questions": [
                q("harassment", "yes_no_refuse", "harassment"),
                q("informal_payment", "yes_no_refuse", "informal_payment"),
            ],
        }
    )
    sections.append(
        {
            "code": "overall",
            "title": {"vi": "Đánh giá chung", "en": "Overall"},
            "questions": [q("overall", "satisfaction5", "overall")],
        }
    )
    return {
        "code": CODE,
        "version": 1,
        "title": {"vi": "Bộ câu hỏi đo tốc độ", "en": "Benchmark instrument"},
        "intro": {"vi": "Dữ liệu giả lập.", "en": "Synthetic data."},
        "channels": ["qr", "kiosk", "tablet", "paper"],
        "scales": {"satisfaction5": sat, "yes_no_refuse": ynr, "procedure": proc},
        "sections": sections,
    }


def write_instrument(directory: Path):
    path = directory / f"{CODE}.v1.yaml"
    path.write_text(yaml.safe_dump(instrument_yaml(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_instrument(path)


def indicator_items(instrument):
    roles = (Role.CRITERION, Role.OVERALL, Role.HARASSMENT, Role.INFORMAL_PAYMENT)
    return [q for q in instrument.questions if q.scale is not None and q.role in roles]


# ---------------------------------------------------------------- database
def ensure_database(url: str) -> None:
    u = make_url(url)
    if "test" in (u.database or ""):
        raise SystemExit("refusing to use a database named *test*: the test suite wipes it")
    admin = engine_for(u.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": u.database})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


def data_present(engine, responses: int, units: int) -> bool:
    with engine.connect() as conn:
        try:
            got = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM units), "
                    "(SELECT count(*) FROM instrument_versions WHERE code = :c)"
                ),
                {"c": CODE},
            ).one()
        except Exception:
            return False
    return got == (responses, units + 1, 1)


def generate(engine, instrument_dir: Path, instrument, n_responses: int, n_units: int, seed: float) -> dict:
    """Reset the schema and fill it; returns timings in seconds."""
    timings = {}
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    schema_upgrade(engine)
    with Session(engine) as s:
        instruments_sync(s)
        instruments_sync(s, instrument_dir)
        s.commit()
        version_id = s.scalar(text("SELECT id FROM instrument_versions WHERE code = :c"), {"c": CODE})
    timings["schema"] = time.perf_counter() - t0

    n_districts = min(10, max(1, n_units // 10))
    points = 2 * n_units
    items = indicator_items(instrument)
    # (code, kind, not-applicable or refusal rate, shift on the logit scale, missing rate)
    qrows = []
    for i, q in enumerate(items):
        if q.role in (Role.HARASSMENT, Role.INFORMAL_PAYMENT):
            qrows.append((q.code, "yn", 0.03, 0.0 if q.role is Role.HARASSMENT else -0.6, 0.003))
        else:
            na = 0.4 if q.element == "E5" else 0.05 if q.role is Role.CRITERION else 0.01
            qrows.append((q.code, "sat", na, ((i * 37) % 11 - 5) / 10, 0.005))
    qvalues = ", ".join(f"('{c}', '{k}', {na}, {sh}, {m})" for c, k, na, sh, m in qrows)

    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))  # deterministic random()
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(text("SELECT setseed(:s)"), {"s": seed})
        conn.execute(
            text(
                "INSERT INTO units (id, code, name, level, parent_id, path, created_at) "
                "VALUES (1, 'BENCH-P', 'Tỉnh đo tốc độ', 'province', NULL, '/', now())"
            )
        )
        conn.execute(
            text(
                "INSERT INTO units (id, code, name, level, parent_id, path, created_at) "
                "SELECT g, 'BENCH-' || lpad(g::text, 5, '0'), 'Đơn vị ' || g, "
                "  CASE WHEN g <= 1 + :nd THEN 'district' ELSE 'commune' END, "
                "  CASE WHEN g <= 1 + :nd THEN 1 ELSE 2 + (g % :nd) END, "
                "  CASE WHEN g <= 1 + :nd THEN '/1/' ELSE '/1/' || (2 + (g % :nd)) || '/' END, now() "
                "FROM generate_series(2, :nu + 1) g"
            ),
            {"nd": n_districts, "nu": n_units},
        )
        conn.execute(
            text(
                "INSERT INTO service_points (id, unit_id, code, name, qr_token, instrument_code, created_at) "
                "SELECT p, 2 + (p - 1) / 2, 'Q0' || (1 + (p - 1) % 2), 'Quầy ' || p, md5('sp' || p), :c, now() "
                "FROM generate_series(1, :np) p"
            ),
            {"np": points, "c": CODE},
        )
        # Point sizes vary mildly (the first points are ~4x busier than the last);
        # each point works ~100 days spread over 2025.
        conn.execute(
            text(
                "INSERT INTO responses (id, client_uuid, payload_hash, instrument_version_id, unit_id, "
                "  service_point_id, channel, status, excluded_reason, received_at, service_day, codes) "
                "SELECT g, md5('r' || g)::uuid, md5('p' || g) || md5('q' || g), :v, 2 + (p - 1) / 2, p, "
                "  CASE WHEN x < 0.9 THEN 'qr' ELSE 'kiosk' END, "
                "  CASE WHEN x2 < 0.01 THEN 'excluded' ELSE 'submitted' END, "
                "  CASE WHEN x2 < 0.01 THEN 'benchmark exclusion' END, now(), "
                "  date '2025-01-01' + (slot * 3 + p % 67), ''::bytea "
                "FROM (SELECT g, 1 + floor(:np * power(random(), 1.3))::int AS p, "
                "        floor(random() * 100)::int AS slot, random() AS x, random() AS x2 "
                "      FROM generate_series(1, :n) g) s"
            ),
            {"v": version_id, "np": points, "n": n_responses},
        )
        for table, column in (("units", "id"), ("service_points", "id"), ("responses", "id")):
            conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max(id) FROM {table}))")
            )
        # Latent satisfaction (logit scale) per response: unit effect + cluster effect.
        conn.execute(
            text(
                "CREATE TEMP TABLE bench_unit_eff ON COMMIT DROP AS "
                "SELECT id AS unit_id, random() - 0.5 AS e FROM units ORDER BY id"
            )
        )
        conn.execute(
            text(
                "CREATE TEMP TABLE bench_cluster_eff ON COMMIT DROP AS "
                "SELECT service_point_id AS p, service_day AS d, random() - 0.5 AS e "
                "FROM (SELECT DISTINCT service_point_id, service_day FROM responses ORDER BY 1, 2) c"
            )
        )
        conn.execute(
            text(
                "CREATE TEMP TABLE bench_latent ON COMMIT DROP AS "
                "SELECT r.id, 0.9 + 1.6 * u.e + 1.8 * c.e AS a "
                "FROM responses r JOIN bench_unit_eff u ON u.unit_id = r.unit_id "
                "JOIN bench_cluster_eff c ON c.p = r.service_point_id AND c.d = r.service_day ORDER BY r.id"
            )
        )
        timings["units+responses"] = time.perf_counter() - t0

        # Answers: drop the answers indexes and skip FK triggers while loading, then rebuild.
        t0 = time.perf_counter()
        pk = conn.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'answers'::regclass AND contype = 'p'"
            )
        ).all()
        idx = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'answers' "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'answers'::regclass)"
            )
        ).all()
        for name, _ in pk:
            conn.execute(text(f'ALTER TABLE answers DROP CONSTRAINT "{name}"'))
        for name, _ in idx:
            conn.execute(text(f'DROP INDEX "{name}"'))
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            text(
                "INSERT INTO answers (response_id, question_code, value_int) "
                "SELECT id, 'procedure', 1 + floor(random() * 7)::int FROM bench_latent ORDER BY id"
            )
        )
        conn.execute(
            text(
                "INSERT INTO answers (response_id, question_code, value_int) "
                "SELECT id, code, v FROM ("
                "  SELECT l.id, q.code, q.miss, random() AS m, CASE "
                "    WHEN q.kind = 'sat' THEN CASE "
                "      WHEN random() < q.na THEN 9 "
                "      WHEN random() < 1 / (1 + exp(-(l.a + q.shift))) THEN 4 + (random() < 0.4)::int "
                "      ELSE 1 + floor(random() * 3)::int END "
                "    ELSE CASE "
                "      WHEN random() < q.na THEN 8 "
                "      WHEN random() < 1 / (1 + exp(3.0 + 1.2 * l.a - q.shift)) THEN 1 "
                "      ELSE 2 END "
                f"  END AS v FROM bench_latent l CROSS JOIN (VALUES {qvalues}) AS q(code, kind, na, shift, miss) "
                ") s "
                "WHERE m >= miss"
            )
        )
        conn.execute(text("SET LOCAL session_replication_role = origin"))
        timings["answers insert"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for name, definition in pk:
            conn.execute(text(f'ALTER TABLE answers ADD CONSTRAINT "{name}" {definition}'))
        for _, definition in idx:
            conn.execute(text(definition))
        timings["answers indexes"] = time.perf_counter() - t0
        # The packed answers (surveys/packing.py), built from the answers as
        # the migration 5f3b9d2e7a41 does for existing databases.
        t0 = time.perf_counter()
        conn.execute(
            text(
                "UPDATE responses r SET codes = p.codes FROM ("
                "  SELECT r2.id, string_agg(coalesce(int4send(a.value_int), int4send(:missing)), ''::bytea"
                "                           ORDER BY l.pos) AS codes"
                "  FROM responses r2 CROSS JOIN unnest(CAST(:layout AS text[])) WITH ORDINALITY AS l(code, pos)"
                "  LEFT JOIN answers a ON a.response_id = r2.id AND a.question_code = l.code"
                "  GROUP BY r2.id) p "
                "WHERE r.id = p.id"
            ),
            {"layout": list(packed_layout(instrument)), "missing": MISSING},
        )
        timings["packed answers"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (FULL, ANALYZE) responses"))  # the packing UPDATE left a dead copy
        conn.execute(text("VACUUM (ANALYZE) units, service_points, answers"))
    timings["vacuum analyze"] = time.perf_counter() - t0
    return timings


# ---------------------------------------------------------------- timing
class Stopwatch:
    """Wraps indicators.cluster_rows_for (or ``replacement``) to time the reading part of indicator_table."""

    def __init__(self, replacement=None):
        self.last = 0.0
        self.replacement = replacement

    def __enter__(self):
        self.original = indicators_mod.cluster_rows_for
        inner = self.replacement or self.original

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.last = time.perf_counter() - t0

        indicators_mod.cluster_rows_for = timed
        return self

    def __exit__(self, *exc):
        indicators_mod.cluster_rows_for = self.original


def time_service(engine, instrument, repeat: int, replacement=None, warm_up: bool = True):
    flt = ResponseFilter(instrument=CODE)
    totals, sqls, table = [], [], None
    with Stopwatch(replacement) as sw:
        for i in range(0 if warm_up else 1, repeat + 1):
            with Session(engine) as s:
                t0 = time.perf_counter()
                table = indicator_table(s, instrument, flt)
                elapsed = time.perf_counter() - t0
            if i == 0:
                print(f"  warm-up: {elapsed:.3f} s (SQL {sw.last:.3f} s)", flush=True)
                continue
            totals.append(elapsed)
            sqls.append(sw.last)
            print(f"  run {i}: {elapsed:.3f} s (SQL {sw.last:.3f} s, rest {elapsed - sw.last:.3f} s)", flush=True)
    return table, totals, sqls


def load_baseline(path: str):
    """``unit_moments`` of another copy of app/services/aggregates.py (e.g. the previous commit's)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("baseline_aggregates", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.unit_moments


def table_difference(a, b) -> tuple[float, int]:
    """Largest |difference| of estimate, se, lower, upper over every figure of two tables, and figures compared."""
    worst, count = 0.0, 0
    pairs = [(a.total, b.total), *zip(a.domains, b.domains, strict=True)]
    for da, db in pairs:
        if da.key != db.key or set(da.figures) != set(db.figures):
            return float("inf"), count
        for key, fa in da.figures.items():
            fb = db.figures[key]
            if (fa.n, fa.df, fa.distribution, fa.suppressed) != (fb.n, fb.df, fb.distribution, fb.suppressed):
                return float("inf"), count
            for name in ("estimate", "se", "lower", "upper"):
                va, vb = getattr(fa, name), getattr(fb, name)
                if (va is None) != (vb is None):
                    return float("inf"), count
                if va is not None:
                    worst = max(worst, abs(va - vb))
            count += 1
    return worst, count


def explain(engine, instrument) -> None:
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    with Session(engine) as s:
        event.listen(engine, "before_cursor_execute", capture)
        try:
            unit_moments_of_rows(instrument, cluster_rows_for(s, instrument, ResponseFilter(instrument=CODE)))
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            if "set_config(" in statement or "current_setting(" in statement:
                s.connection().exec_driver_sql(statement, parameters)  # the service's session settings
                continue
            t0 = time.perf_counter()
            plan = s.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
            print(f"\n```\n-- EXPLAIN ANALYZE, {time.perf_counter() - t0:.2f} s\n{statement[:3000]}\n--\n"
                  + "\n".join(r[0] for r in plan) + "\n```")  # fmt: skip


# ---------------------------------------------------------------- R
def export_for_r(engine, instrument, path: Path) -> float:
    """Response-level 0/1 indicators (empty = NA) per question, as CSV, via COPY."""
    cols = []
    for q in indicator_items(instrument):
        sc = q.scale
        if q.role in (Role.HARASSMENT, Role.INFORMAL_PAYMENT):
            event_codes, other = sc.yes, sc.no
        else:
            event_codes, other = sc.satisfied, sc.codes - sc.not_applicable - sc.refused - sc.satisfied
        ev = ",".join(map(str, sorted(event_codes)))
        ot = ",".join(map(str, sorted(other)))
        cols.append(
            f"max(CASE WHEN a.question_code = '{q.code}' THEN CASE WHEN a.value_int IN ({ev}) THEN 1 "
            f'WHEN a.value_int IN ({ot}) THEN 0 END END) AS "{q.code}"'
        )
    sql = (
        "COPY (SELECT u.code AS unit, coalesce(r.service_point_id, 0) || '_' || r.service_day AS cluster, "
        + ", ".join(cols)
        + " FROM responses r JOIN units u ON u.id = r.unit_id "
        "LEFT JOIN answers a ON a.response_id = r.id "
        "WHERE r.status = 'submitted' AND r.instrument_version_id IN "
        f"(SELECT id FROM instrument_versions WHERE code = '{CODE}') "
        "GROUP BY r.id, u.code, r.service_point_id, r.service_day ORDER BY r.id) TO STDOUT WITH (FORMAT csv, HEADER)"
    )
    t0 = time.perf_counter()
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cur, path.open("wb") as out, cur.copy(sql) as copy:
            for chunk in copy:
                out.write(chunk)
    finally:
        raw.close()
    return time.perf_counter() - t0


def run_r(csv_path: Path, out_dir: Path, questions: list[str], k: int, budget: float) -> dict | None:
    script = ROOT / "bench" / "indicators_speed.R"
    cmd = ["Rscript", str(script), str(csv_path), str(out_dir), ",".join(questions), str(k), str(budget)]
    print("  $ " + " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=budget + 1800)
    sys.stdout.write("".join("  R> " + line + "\n" for line in proc.stdout.splitlines()))
    if proc.returncode != 0:
        print("R failed:\n" + proc.stderr[-3000:])
        return None
    return json.loads((out_dir / "timing.json").read_text())


def compare(table, out_dir: Path) -> dict:
    figures = {d.key: d.figures for d in table.domains}
    worst = {"estimate": (0.0, None), "se": (0.0, None)}
    compared = 0
    questions = set()
    with (out_dir / "estimates.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            fig = figures[row["unit"]][row["question"]]
            questions.add(row["question"])
            compared += 1
            for name in ("estimate", "se"):
                mine = getattr(fig, name)
                theirs = float(row[name])
                diff = abs((mine if mine is not None else float("nan")) - theirs)
                if not diff <= worst[name][0]:
                    worst[name] = (diff, f"{row['unit']}/{row['question']}")
    return {"compared": compared, "questions": sorted(questions), "worst": worst}


# ---------------------------------------------------------------- report
def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor()
    )  # fmt: skip
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))  # fmt: skip
    return f"{os.cpu_count()} CPUs ({model}), {mem_kb / 2**20:.1f} GiB RAM, {platform.system()} {platform.release()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--responses", type=int, default=1_000_000)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=float, default=0.2024)
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    ap.add_argument("--reuse", action="store_true", help="keep the data of an earlier run of the same size")
    ap.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the SQL")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--baseline", metavar="AGGREGATES_PY",
                    help="also time indicator_table once with unit_moments from this file (e.g. the previous "
                         "app/services/aggregates.py) and compare every figure")  # fmt: skip
    ap.add_argument("--r-questions", type=int, default=25, help="at most this many questions in R")
    ap.add_argument("--r-budget", type=float, default=480.0,
                    help="seconds of svyby; R stops before a question that would exceed it")  # fmt: skip
    args = ap.parse_args()
    started = time.perf_counter()
    today = dt.datetime.now().astimezone()

    workdir = Path(tempfile.mkdtemp(prefix="bench-indicators-"))
    instrument = write_instrument(workdir)
    items = [q.code for q in indicator_items(instrument)]
    engine = engine_for(args.database_url)
    if engine.dialect.name != "postgresql":
        raise SystemExit("this benchmark needs PostgreSQL")
    ensure_database(args.database_url)

    print(f"# data: {args.responses:,} responses, {args.units:,} units, {len(items)} questions", flush=True)
    if args.reuse and data_present(engine, args.responses, args.units):
        gen = None
        print("  reusing the existing data", flush=True)
    else:
        t0 = time.perf_counter()
        gen = generate(engine, workdir, instrument, args.responses, args.units, args.seed)
        gen["total"] = time.perf_counter() - t0
        print("  generated: " + ", ".join(f"{k} {v:.1f} s" for k, v in gen.items()), flush=True)
    with engine.connect() as conn:
        size = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM responses WHERE status = 'submitted'), "
                "(SELECT count(*) FROM answers), "
                "(SELECT count(*) FROM (SELECT DISTINCT unit_id, service_point_id, service_day FROM responses "
                "  WHERE status = 'submitted') c), "
                "(SELECT count(DISTINCT unit_id) FROM responses), "
                "pg_size_pretty(pg_total_relation_size('answers')), pg_size_pretty(pg_total_relation_size('responses'))"
            )
        ).one()
        settings = dict(conn.execute(text(
            "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN "
            "('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit', 'server_version')"
        )).all())  # fmt: skip
    submitted, n_answers, n_clusters, n_units_with, answers_size, responses_size = size
    print(f"  submitted responses {submitted:,}, answers {n_answers:,}, clusters {n_clusters:,}, "
          f"units with responses {n_units_with:,}; answers {answers_size}, responses {responses_size}")  # fmt: skip

    if args.explain:
        explain(engine, instrument)

    print(f"# service: indicator_table, 1 warm-up + {args.repeat} runs", flush=True)
    # As wsgi.py does after building the app: what exists at startup is not
    # scanned again by each full garbage collection.
    gc.freeze()
    table, totals, sqls = time_service(engine, instrument, args.repeat)
    service_med = statistics.median(totals)
    sql_med = statistics.median(sqls)
    stats_med = statistics.median([t - s for t, s in zip(totals, sqls, strict=True)])
    baseline = None
    if args.baseline:
        print(f"# baseline: indicator_table with unit_moments from {args.baseline}, 1 run", flush=True)
        base_table, base_totals, base_sqls = time_service(
            engine, instrument, 1, replacement=load_baseline(args.baseline), warm_up=False
        )
        baseline = (base_totals[0], base_sqls[0], *table_difference(table, base_table))

    r_timing = cmp = None
    export_s = None
    if not args.no_r:
        print("# R: export, then svyby", flush=True)
        csv_path = workdir / "responses.csv"
        export_s = export_for_r(engine, instrument, csv_path)
        print(f"  COPY export {export_s:.1f} s, {csv_path.stat().st_size / 2**20:.0f} MiB", flush=True)
        order = list(R_ORDER_FIRST) + [q for q in items if q not in R_ORDER_FIRST]
        r_timing = run_r(csv_path, workdir, order, args.r_questions, args.r_budget)
        if r_timing is not None:
            cmp = compare(table, workdir)

    # ------------------------------------------------------------ markdown
    lines = ["```markdown", "### Indicator table speed: service vs R svyby", ""]
    lines.append(f"- machine: {machine()}; load average at start {os.getloadavg()[0]:.2f}")
    lines.append(f"- date: {today:%Y-%m-%d %H:%M %Z}; Python {platform.python_version()}; "
                 f"PostgreSQL {settings.get('server_version')} (shared_buffers {settings.get('shared_buffers')}, "
                 f"work_mem {settings.get('work_mem')}, max_parallel_workers_per_gather "
                 f"{settings.get('max_parallel_workers_per_gather')}, jit {settings.get('jit')})")  # fmt: skip
    lines.append(f"- command: `.venv/bin/python bench/indicators_speed.py {' '.join(sys.argv[1:])}`")
    lines.append(
        f"- data: {submitted:,} submitted responses ({args.responses:,} generated, 1 % excluded), "
        f"{n_units_with:,} units with responses, {n_clusters:,} clusters (service point x day), "
        f"{len(items)} indicator questions ({sum(ELEMENT_SIZES)} criteria in {len(ELEMENT_SIZES)} elements, overall, "
        f"harassment, informal payment) + a procedure field; {n_answers:,} answer rows "
        f"(answers {answers_size}, responses {responses_size})"
    )
    if baseline is not None and baseline[2] != float("inf"):
        lines.append(f"- baseline vs current: {baseline[3]:,} figures, same n/df/distributions, "
                     f"max |difference| of estimate/se/bounds {baseline[2]:.1e}")  # fmt: skip
    elif baseline is not None:
        lines.append("- baseline vs current: THE TABLES DIFFER (keys, n, df or suppression)")
    if gen is not None:
        lines.append("- data generation (not benchmarked): " + ", ".join(f"{k} {v:.1f} s" for k, v in gen.items()))
    lines += [
        "",
        "| step | median | runs |",
        "|---|---:|---|",
        f"| `indicator_table` end to end ({len(table.domains)} units + total, "
        f"{len(next(iter(table.domains)).figures) if table.domains else 0} figures each) | **{service_med:.2f} s** | "
        + ", ".join(f"{t:.2f}" for t in totals)
        + " |",
        f"| of which reading cluster rows (`cluster_rows_for`) | {sql_med:.2f} s | "
        + ", ".join(f"{t:.2f}" for t in sqls)
        + " |",
        f"| of which statistics and mapping | {stats_med:.2f} s | "
        + ", ".join(f"{t - s:.2f}" for t, s in zip(totals, sqls, strict=True))
        + " |",
    ]
    if baseline is not None:
        b_total, b_sql, _, _ = baseline
        lines.append(
            f"| baseline `{args.baseline}` end to end, 1 run (SQL {b_sql:.1f} s) | {b_total:.1f} s | "
            f"{b_total / service_med:.1f}x the current median |"
        )
    if r_timing is not None:
        per_q = r_timing["svyby_seconds"]
        k = len(per_q)
        per_q_med = statistics.median(per_q.values())
        all_r = per_q_med * len(items)
        service_per_q = service_med  # the service does all questions (and indices) in one call
        lines += [
            f"| R: COPY export of response-level CSV (not timed) | {export_s:.1f} s | |",
            f"| R: read.csv (not timed) | {r_timing['read_seconds']:.1f} s | |",
            f"| R: `svydesign(ids = ~cluster, strata = ~unit, nest = TRUE)` | {r_timing['design_seconds']:.1f} s | |",
            f"| R: `svyby(~q, ~unit, des, svymean, na.rm = TRUE)`, per question (median of {k}) | {per_q_med:.1f} s | "
            + ", ".join(f"{q} {t:.1f}" for q, t in per_q.items())
            + " |",
            f"| R: all {len(items)} questions ({'measured' if k == len(items) else f'EXTRAPOLATED from {k} measured'}) "
            f"| {all_r:.0f} s | |",
        ]
        lines += [
            "",
            f"- R / service: all {len(items)} questions in R ({'measured' if k == len(items) else 'extrapolated'}, "
            f"svyby only) {all_r:.0f} s vs the whole service table {service_med:.2f} s: "
            f"**{all_r / service_per_q:,.0f}x**. "
            f"Measured only: the {k} question(s) R did took {sum(per_q.values()):.0f} s, "
            f"{sum(per_q.values()) / service_med:,.0f}x the service's time for all {len(items)} questions "
            "(whose table also holds 6 indices, distributions, intervals, verdicts and the total)",
        ]
        if cmp is not None:
            (de, de_at), (ds, ds_at) = cmp["worst"]["estimate"], cmp["worst"]["se"]
            lines.append(
                f"- agreement with R on {cmp['compared']:,} (unit, question) pairs ({', '.join(cmp['questions'])}): "
                f"max |estimate difference| {de:.2e} ({de_at}), max |SE difference| {ds:.2e} ({ds_at}); "
                f"goal 1e-6: {'met' if max(de, ds) <= 1e-6 else 'NOT MET'}"
            )
        lines.append(f"- {r_timing['r_version']}; survey {r_timing['survey_version']}; "
                     "options(survey.lonely.psu = \"adjust\")")  # fmt: skip
    lines.append(
        f"- goal < 2 s: {'met' if service_med < 2 else 'NOT MET'}"
        + (f"; goal >= 20x R: {'met' if all_r / service_med >= 20 else 'NOT MET'}" if r_timing else "")
    )
    lines.append(f"- wall time of this run: {time.perf_counter() - started:.0f} s")
    lines.append("```")
    print("\n".join(lines))
    engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)  # the instrument file, the CSV for R and R's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

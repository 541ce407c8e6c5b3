"""The fast paths of a report give the figures of the direct ones (issue 17, speed at scale).

Every shortcut taken for speed is compared here with the way the same
numbers were computed before it, on seeded data, on SQLite and on
PostgreSQL (the suite runs on both):

- the whole report (every estimate, bound, SE, n, distribution, verdict
  and flag count of the total, each unit, the previous period and the
  trend) against the report built from rows summed from the responses
  themselves, with the flag counts of ``anomalies.flags_by_unit`` and the
  full disclosure pass on every table;
- the report-only flag counts (:mod:`app.services.flag_counts`) against
  ``anomalies.flags_by_unit``, with duplicates, bursts, flag bits,
  exclusions and a counter-day shared by two units;
- the roll-up read (a binary COPY on PostgreSQL) against the row-by-row read.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

import app.services.reports.build as build_mod
import app.services.reports.sources as sources_mod
from app.models import Response, ServicePoint, Unit
from app.services import anomalies
from app.services.cluster_rows import layout_of
from app.services.demo import demo_seed
from app.services.flag_counts import counter_flagged_stored, flag_counts_by_unit
from app.services.indicators import indicator_table_of_moments, indicator_table_of_rows
from app.services.instruments import instrument_active
from app.services.month_moments import moments_layout, month_moments_of_rows
from app.services.reports.build import report_for
from app.services.reports.disclosure import answers_per_month, hidden_months, months_suppress, parts_suppress
from app.services.reports.model import ReportRequest
from app.services.reports.periods import period_of
from app.services.reports.sources import ReportSums
from app.services.response_filter import ResponseFilter, version_ids
from app.services.rollup import rollup_layout_current as current_layout
from app.services.rollup import rollup_read, rollup_refresh, rows_direct
from app.services.submissions import response_submit
from app.time import vietnam_today
from surveys import answers_validate, load_all
from tests.app.test_citizen_form import VALID

REGISTRY = load_all()
#: the largest difference allowed between a figure computed both ways
TOLERANCE = 1e-12


def _table_protect_full(table, rows, instrument, period, domain_of_unit, whole=None):
    """``disclosure.table_protect`` as it was, with no shortcut for a month's total
    (the requests here filter no channel or procedure: no ``whole``)."""
    assert whole is None
    k = table.thresholds.disclosure_min
    hidden = hidden_months(answers_per_month(rows, instrument, period, domain_of_unit), k)
    total = replace(table.total, figures=months_suppress(table.total.figures, hidden.get("*", {})))
    domains = [replace(d, figures=months_suppress(d.figures, hidden.get(d.key, {}))) for d in table.domains]
    return replace(table, total=total, domains=parts_suppress(total, domains, k))


def report_figures(report) -> dict:
    """Every published number of a report, keyed by where it is."""
    out = {}
    lines = [("total", line.key, line.current) for line in report.summary]
    lines += [("previous", line.key, line.previous) for line in report.summary]
    lines += [(u.code, key, f) for u in report.units for key, f in u.figures.items()]
    lines += [(p.label, key, f) for p in report.trend for key, f in p.figures.items()]
    for where, key, f in lines:
        if f is not None:
            out[(where, key)] = (
                f.n, f.estimate, f.lower, f.upper, f.se, f.n_eff, f.df, f.n_psu, f.distribution,
                f.not_applicable, f.refused, f.verdict, f.p_adjusted, f.suppressed_reason, f.funnel,
            )  # fmt: skip
    for u in report.units:
        out[(u.code, "flags")] = (u.flagged, u.excluded, u.responses, u.rank)
    out[("report", "flags")] = (report.flagged, report.excluded, report.responses)
    out[("trend", "responses")] = tuple(p.responses for p in report.trend)
    if report.verified is not None:  # response rates: responses per counter from the roll-up or the responses
        for line in [*report.verified.rates, report.verified.total_rate]:
            out[("rate", line.code)] = (line.responses, line.dossiers, line.rate, line.suppressed)
    return out


def largest_difference(a: dict, b: dict) -> float:
    """The largest numeric difference between two reports' figures, relative to
    the figure's size when above 1 (an effective sample size of 759 carries
    about 1e-13 of rounding); inf where anything else differs."""
    assert a.keys() == b.keys()
    worst = 0.0
    for key, va in a.items():
        for x, y in zip(va, b[key], strict=True):
            if isinstance(x, float) and isinstance(y, float):
                if math.isnan(x) and math.isnan(y):
                    continue
                worst = max(worst, abs(x - y) / max(1.0, abs(x), abs(y)))
            elif x != y:
                return math.inf
    return worst


@pytest.fixture
def seeded(db_session, users):
    demo_seed(db_session, responses=900, seed=11, stuffed=24, force=True, older_version=False)
    db_session.commit()
    return db_session


@pytest.mark.parametrize("kind", ["year", "quarter", "month"])
def test_the_report_equals_the_report_computed_directly(seeded, monkeypatch, kind):
    session = seeded
    instrument = instrument_active(session, REGISTRY, "sipas-counter").instrument
    last_month = vietnam_today().replace(day=1) - timedelta(days=1)  # a whole month of the demo's data
    request = ReportRequest(period_of(kind, last_month), ResponseFilter(instrument=instrument.code), "unit", None)
    fast = report_for(session, REGISTRY, request)
    assert ReportSums(session, instrument, request.filter, request.period.start, request.period.end).stored
    # no stored month sums, no roll-up: cluster rows summed from the responses themselves
    monkeypatch.setattr(sources_mod, "month_moments_read", lambda *args: None)
    monkeypatch.setattr(sources_mod, "cluster_rows_for", rows_direct)
    monkeypatch.setattr(build_mod, "flag_counts_by_unit", lambda *args, instrument_code: anomalies.flags_by_unit(*args))
    monkeypatch.setattr(build_mod, "table_protect", _table_protect_full)
    direct = report_for(session, REGISTRY, request)
    a, b = report_figures(fast), report_figures(direct)
    assert any(key[0] == "rate" for key in a)
    assert fast.responses > 0 and len(fast.units) > 1 and len(fast.trend) >= 12
    worst = largest_difference(a, b)
    print(f"\nlargest difference, {kind}, {session.get_bind().dialect.name}: {worst:.1e}")  # seen with -s
    assert worst <= TOLERANCE


def test_report_flag_counts_equal_the_review_screens(seeded):
    session = seeded
    today = vietnam_today()
    # a counter-day shared by two units: a response of another unit at a busy counter, twice the same answers
    day = session.scalar(select(func.max(Response.service_day)))
    point = session.scalar(select(ServicePoint).join(Unit).where(Unit.level == "commune").order_by(ServicePoint.id))
    other = session.scalar(select(Unit).where(Unit.level == "commune", Unit.id != point.unit_id).order_by(Unit.id))
    active = instrument_active(session, REGISTRY, "sipas-counter")
    answers = answers_validate(active.instrument, VALID, channel="qr").answers
    for unit_id in (point.unit_id, other.id, other.id):
        response_submit(
            session, client_uuid=uuid.uuid4(), instrument=active, unit_id=unit_id, service_point_id=point.id,
            channel="qr", answers=dict(answers), submitted_at=None, quality_flags=0, fill_seconds=90,
        )  # fmt: skip
    session.commit()
    units = sorted(session.scalars(select(Unit.id)))
    checked = 0
    for start, end in [
        (today - timedelta(days=365), today),
        (today - timedelta(days=30), today),
        (day, day),
        (today, today),
    ]:
        fast = flag_counts_by_unit(session, units, start, end)
        direct = anomalies.flags_by_unit(session, units, start, end)
        assert fast == direct
        checked += sum(c.flagged for c in direct.values())
    assert checked > 0  # the stuffed counter and the shared day are flagged


def test_stored_counter_day_counts_give_the_review_screens_flags(seeded):
    """The report's flag counts from counter_day_counts (kept with the roll-up) equal the review screen's."""
    session = seeded
    today = vietnam_today()
    day = session.scalar(select(func.max(Response.service_day)))
    point = session.scalar(select(ServicePoint).join(Unit).where(Unit.level == "commune").order_by(ServicePoint.id))
    other = session.scalar(select(Unit).where(Unit.level == "commune", Unit.id != point.unit_id).order_by(Unit.id))
    active = instrument_active(session, REGISTRY, "sipas-counter")
    answers = answers_validate(active.instrument, VALID, channel="qr").answers
    for unit_id in (point.unit_id, other.id, other.id):  # a counter-day of two units, with a repeat
        response_submit(
            session, client_uuid=uuid.uuid4(), instrument=active, unit_id=unit_id, service_point_id=point.id,
            channel="qr", answers=dict(answers), submitted_at=None, quality_flags=0, fill_seconds=90,
        )  # fmt: skip
    session.commit()
    versions = version_ids(session, "sipas-counter")
    assert counter_flagged_stored(session, "sipas-counter", [point.unit_id], day, day, versions) is None  # marked
    rollup_refresh(session, active.instrument)
    units = sorted(session.scalars(select(Unit.id)))
    checked = 0
    for start, end in [(today - timedelta(days=365), today), (today - timedelta(days=30), today), (day, day)]:
        assert counter_flagged_stored(session, "sipas-counter", units, start, end, versions) is not None
        fast = flag_counts_by_unit(session, units, start, end, versions, instrument_code="sipas-counter")
        assert fast == anomalies.flags_by_unit(session, units, start, end, versions)
        # a report of one unit of the shared counter-day: the repeat across units is not its own
        mine = flag_counts_by_unit(session, [other.id], start, end, versions, instrument_code="sipas-counter")
        assert mine == anomalies.flags_by_unit(session, [other.id], start, end, versions)
        checked += sum(c.flagged for c in fast.values())
    assert checked > 0


def test_the_rollup_read_equals_the_row_by_row_read(seeded, monkeypatch):
    session = seeded
    instrument = instrument_active(session, REGISTRY, "sipas-counter").instrument
    layout = layout_of(instrument)
    rollup_refresh(session, instrument)
    layout_id = current_layout(session, layout)
    district = session.scalar(select(Unit.code).where(Unit.level == "district").order_by(Unit.code))
    today = vietnam_today()
    for flt in [
        ResponseFilter(instrument=instrument.code),
        ResponseFilter(instrument=instrument.code, unit_code=district, date_from=today - timedelta(days=60)),
        ResponseFilter(instrument=instrument.code, channel="qr", date_to=today - timedelta(days=10)),
    ]:
        fast = rollup_read(session, layout, layout_id, flt, leave_out=[today])
        dialect = session.get_bind().dialect
        monkeypatch.setattr(dialect, "name", "row-by-row")
        slow = rollup_read(session, layout, layout_id, flt, leave_out=[today])
        monkeypatch.undo()
        assert len(fast) == len(slow) > 0
        for name in ("unit", "owner", "day", "channel", "procedure", "responses", "counts", "floats"):
            assert np.array_equal(getattr(fast, name), getattr(slow, name)), name


def table_figures(table) -> dict:
    out = {}
    for d in [table.total, *table.domains]:
        out[(d.key, "size")] = (d.responses, d.clusters)
        for key, f in d.figures.items():
            out[(d.key, key)] = (
                f.n, f.estimate, f.lower, f.upper, f.se, f.n_eff, f.deff, f.df, f.n_psu, f.distribution,
                f.not_applicable, f.refused, f.verdict, f.p_adjusted, f.not_assessed, f.funnel, f.reliable,
                f.suppressed, f.deff1_interval, f.components,
            )  # fmt: skip
    return out


@pytest.mark.parametrize(
    ("kind", "grouping", "channel"),
    [("year", "unit", None), ("quarter", "district", None), ("month", "unit", "qr"), ("year", "unit", "paper")],
)
def test_tables_from_month_sums_equal_tables_from_clusters(seeded, kind, grouping, channel):
    """The per-stratum moments of unit x month sums (analysis.moments, analysis.index_moments)
    give every figure of the per-cluster computation, summed over months."""
    session = seeded
    instrument = instrument_active(session, REGISTRY, "sipas-counter").instrument
    period = period_of(kind, vietnam_today().replace(day=1) - timedelta(days=1))
    flt = ResponseFilter(instrument=instrument.code, date_from=period.start, date_to=period.end, channel=channel)
    rows = rows_direct(session, instrument, flt)
    assert len(rows) > 0
    sums = month_moments_of_rows(instrument, moments_layout(instrument, rows.layout), rows)
    if kind != "month":
        assert len(np.unique(sums.month)) > 1  # several months summed
    for df_rule in ("domain", "design"):
        a = indicator_table_of_rows(session, instrument, rows, flt, grouping=grouping, df_rule=df_rule)
        b = indicator_table_of_moments(session, instrument, sums.unit_moments(), flt, grouping=grouping,
                                       df_rule=df_rule)  # fmt: skip
        fa, fb = table_figures(a), table_figures(b)
        assert fa.keys() == fb.keys() and len(fa) > 20
        assert largest_difference(fa, fb) <= TOLERANCE

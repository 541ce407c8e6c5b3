"""The indicator service: SQL aggregation + analysis, checked against a
straightforward per-response computation with the cluster-level estimators
(which tests/analysis checks against R's survey package)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select, update

from analysis import design_frame, domain_means, domain_proportions
from app.models import Answer, InstrumentVersion, Response, ServicePoint, Unit
from app.services.aggregates import ResponseFilter
from app.services.demo import demo_seed
from app.services.indicators import TOTAL_KEY, indicator_table
from app.services.instruments import instrument_version
from app.services.submissions import response_submit
from surveys import Role, load_all

SIPAS = load_all()["sipas-counter.v1"]


@pytest.fixture
def demo(db_session):
    demo_seed(db_session, responses=900, seed=7, version=1)  # v1 pinned: these tests use its codes
    db_session.commit()
    return db_session


def raw_responses(session):
    """Every submitted response to SIPAS with its cluster and answers, read plainly."""
    rows = session.execute(
        select(
            Response.id,
            Response.unit_id,
            Response.service_point_id,
            Response.service_day,
            Answer.question_code,
            Answer.value_int,
        )
        .join(Answer)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(Response.status == "submitted", InstrumentVersion.code == SIPAS.code)
    ).all()
    out: dict[int, dict] = {}
    for rid, unit, point, day, code, value in rows:
        r = out.setdefault(rid, {"unit": unit, "cluster": f"{point}/{day}", "answers": {}})
        r["answers"][code] = value
    return out


def reference_proportion(responses, codes_valid, codes_event, question, domain_of):
    frame = design_frame([r["cluster"] for r in responses.values()], [r["unit"] for r in responses.values()])
    cells: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in responses.values():
        v = r["answers"].get(question)
        if v in codes_valid:
            cell = cells[(domain_of(r["unit"]), r["unit"], r["cluster"])]
            cell[0] += 1
            cell[1] += v in codes_event
    keys = list(cells)
    n = np.array([cells[k][0] for k in keys])
    y = np.array([cells[k][1] for k in keys])
    return domain_proportions(
        [k[0] for k in keys],
        [k[2] for k in keys],
        n,
        n,
        y,
        stratum=[k[1] for k in keys],
        sum_wy2=y,
        frame=frame,
    )


def reference_index(responses, domain_of, element=None):
    frame = design_frame([r["cluster"] for r in responses.values()], [r["unit"] for r in responses.values()])
    cells: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for r in responses.values():
        shares = []
        for e in SIPAS.elements:
            valid = [r["answers"][c] for c in e.criteria if r["answers"].get(c) in (1, 2, 3, 4, 5)]
            if valid:
                shares.append((e.code, sum(v >= 4 for v in valid) / len(valid)))
        values = (
            [s for code, s in shares if code == element]
            if element
            else [np.mean([s for _, s in shares])]
            if shares
            else []
        )
        for value in values:
            cell = cells[(domain_of(r["unit"]), r["unit"], r["cluster"])]
            cell[0] += 1
            cell[1] += value
            cell[2] += value * value
    keys = list(cells)
    n = np.array([cells[k][0] for k in keys])
    return domain_means(
        [k[0] for k in keys], [k[2] for k in keys], n, n, np.array([cells[k][1] for k in keys]),
        stratum=[k[1] for k in keys], sum_wy2=np.array([cells[k][2] for k in keys]), frame=frame,
    )  # fmt: skip


def assert_figures_match(table_figures, ref, i):
    fig = table_figures
    assert fig.n == ref.n[i]
    assert fig.estimate == pytest.approx(ref.estimate[i], abs=1e-9)
    assert fig.se == pytest.approx(ref.se[i], abs=1e-9)
    assert fig.df == ref.df[i]
    if fig.lower is not None and not np.isnan(ref.lower[i]):
        assert fig.lower == pytest.approx(max(ref.lower[i], 0.0), abs=1e-9)
        assert fig.upper == pytest.approx(min(ref.upper[i], 1.0), abs=1e-9)


@pytest.mark.parametrize("question", ["E1_1", "E3_2", "overall", "harassment", "informal_payment"])
def test_unit_rates_match_the_cluster_level_estimator(demo, question):
    table = indicator_table(demo, SIPAS)
    q = SIPAS.question(question)
    scale = q.scale
    if q.role in (Role.HARASSMENT, Role.INFORMAL_PAYMENT):
        valid, event = scale.yes | scale.no, scale.yes
    else:
        valid, event = scale.codes - scale.not_applicable, scale.satisfied
    units = {u.id: u.code for u in demo.scalars(select(Unit))}
    ref = reference_proportion(raw_responses(demo), valid, event, question, lambda u: units[u])
    by_code = {d.key: d for d in table.domains}
    for i, code in enumerate(ref.domain.tolist()):
        assert_figures_match(by_code[code].figures[question], ref, i)
    total = reference_proportion(raw_responses(demo), valid, event, question, lambda u: TOTAL_KEY)
    assert_figures_match(table.total.figures[question], total, 0)


@pytest.mark.parametrize("element", [None, "E2", "E5"])
def test_indices_match_the_respondent_level_computation(demo, element):
    table = indicator_table(demo, SIPAS, grouping="district")
    units = {u.id: u for u in demo.scalars(select(Unit))}

    def district_of(uid):
        unit = units[uid]
        chain = [unit] + [units[int(p)] for p in unit.path.strip("/").split("/") if p]
        return next((u.code for u in chain if u.level == "district"), "")

    ref = reference_index(raw_responses(demo), district_of, element)
    by_code = {d.key: d for d in table.domains}
    key = element or "INDEX"
    for i, code in enumerate(ref.domain.tolist()):
        if code:
            assert_figures_match(by_code[code].figures[key], ref, i)
    assert {d.level for d in table.domains} == {"district"}


def test_verdicts_flag_the_worst_units(demo):
    table = indicator_table(demo, SIPAS)
    verdicts = {d.figures["INDEX"].verdict for d in table.domains}
    assert "worse" in verdicts and "better" in verdicts
    for d in table.domains:
        f = d.figures["INDEX"]
        if f.verdict == "worse":
            assert f.upper < table.total.figures["INDEX"].estimate or f.p_adjusted < 0.05


def test_no_responses_gives_an_empty_table(db_session, point):
    table = indicator_table(db_session, SIPAS)
    assert table.domains == [] and table.total.responses == 0 and table.total.figures == {}


def submit(session, point, answers, *, day_offset=0, channel="qr"):
    active = instrument_version(session, load_all(), "sipas-counter", 1)
    from datetime import UTC, datetime

    when = datetime(2026, 3, 2, 3, 0, tzinfo=UTC) + timedelta(days=day_offset)
    return response_submit(
        session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
        service_point_id=point.id, channel=channel, answers=answers, submitted_at=when,
    )  # fmt: skip


BASE = {"procedure": 1, "E5_gate": 2, "harassment": 2, "informal_payment": 2, "overall": 4}


def test_small_units_are_suppressed_and_flagged(db_session, point):
    for i in range(4):
        submit(db_session, point, {**BASE, "E1_1": 4 if i else 2}, day_offset=i)
    db_session.commit()
    fig = indicator_table(db_session, SIPAS).domains[0].figures["E1_1"]
    assert fig.n == 4 and fig.suppressed and not fig.reliable
    assert fig.estimate is None and fig.distribution == ()
    for i in range(4, 8):
        submit(db_session, point, {**BASE, "E1_1": 5}, day_offset=i)
    db_session.commit()
    fig = indicator_table(db_session, SIPAS).domains[0].figures["E1_1"]
    assert fig.n == 8 and not fig.suppressed and not fig.reliable
    assert fig.estimate == pytest.approx(7 / 8)
    assert fig.distribution == (0, 1, 0, 3, 4)


def test_only_not_applicable_answers(db_session, point):
    for i in range(6):
        submit(db_session, point, {**BASE, "E1_1": 9}, day_offset=i)
    db_session.commit()
    fig = indicator_table(db_session, SIPAS).domains[0].figures["E1_1"]
    assert fig.n == 0 and fig.estimate is None and fig.not_applicable == 6


def test_refusals_are_counted_apart(db_session, point):
    for i, value in enumerate([1, 2, 2, 8, 8, 2, 2]):
        submit(db_session, point, {**BASE, "harassment": value}, day_offset=i)
    db_session.commit()
    fig = indicator_table(db_session, SIPAS).domains[0].figures["harassment"]
    assert fig.n == 5 and fig.refused == 2 and fig.estimate == pytest.approx(1 / 5)


def test_one_cluster_has_no_interval(db_session, point):
    for _ in range(12):
        submit(db_session, point, {**BASE, "E1_1": 4})
    submit(db_session, point, {**BASE, "E1_1": 1})
    db_session.commit()
    fig = indicator_table(db_session, SIPAS).domains[0].figures["E1_1"]
    assert fig.df == 0 and fig.lower is None and fig.upper is None and not fig.reliable


def test_filters(demo):
    every = indicator_table(demo, SIPAS).total.responses
    first_day = demo.scalar(select(Response.service_day).order_by(Response.service_day).limit(1))
    half = first_day + timedelta(days=180)
    early = indicator_table(demo, SIPAS, ResponseFilter(date_to=half)).total.responses
    late = indicator_table(demo, SIPAS, ResponseFilter(date_from=half + timedelta(days=1))).total.responses
    assert early + late == every and early > 0 and late > 0
    district = indicator_table(demo, SIPAS, ResponseFilter(unit_code="DEMO-SL"))
    assert {d.key for d in district.domains} <= {
        "DEMO-SL",
        "DEMO-SL-01",
        "DEMO-SL-02",
        "DEMO-SL-03",
        "DEMO-SL-04",
    }
    communes = indicator_table(demo, SIPAS, ResponseFilter(level="commune"))
    assert {d.level for d in communes.domains} == {"commune"}
    land = indicator_table(demo, SIPAS, ResponseFilter(procedure=1)).total.responses
    assert 0 < land < every
    assert indicator_table(demo, SIPAS, ResponseFilter(channel="paper")).total.responses == 0
    assert indicator_table(demo, SIPAS, ResponseFilter(unit_code="NOPE")).total.responses == 0


def test_excluded_responses_leave_the_statistics(demo):
    before = indicator_table(demo, SIPAS).total.responses
    rid = demo.scalar(select(Response.id).where(Response.channel == "qr").limit(1))
    demo.execute(update(Response).where(Response.id == rid).values(status="excluded", excluded_reason="test"))
    assert indicator_table(demo, SIPAS).total.responses == before - 1


def test_service_points_without_clusters_share_days(db_session, point):
    other = ServicePoint(unit_id=point.unit_id, code="Q09", name="Quầy 9")
    db_session.add(other)
    db_session.flush()
    for i in range(6):
        submit(db_session, point, {**BASE, "E1_1": 4}, day_offset=i % 2)
        submit(db_session, other, {**BASE, "E1_1": 2}, day_offset=i % 2)
    db_session.commit()
    d = indicator_table(db_session, SIPAS).domains[0]
    assert d.clusters == 4 and d.figures["E1_1"].df == 3
    assert d.figures["E1_1"].estimate == pytest.approx(0.5)


def test_tablet_interviews_cluster_by_surveyor_and_day(db_session, point):
    from app.services import accounts

    unit = db_session.get(Unit, point.unit_id)
    surveyors = [
        accounts.user_create(db_session, username=f"dtv{i}", password="mat-khau-rat-dai-1", role="surveyor", unit=unit)
        for i in range(2)
    ]
    db_session.flush()
    active = instrument_version(db_session, load_all(), "sipas-counter", 1)
    from datetime import UTC, datetime

    for i in range(12):
        response_submit(
            db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
            service_point_id=point.id, channel="tablet", answers={**BASE, "E1_1": 4 if i % 3 else 2},
            submitted_at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC), surveyor_id=surveyors[i % 2].id, device_id="tab-1",
        )  # fmt: skip
    db_session.commit()
    d = indicator_table(db_session, SIPAS).domains[0]
    # one counter, one day, but two interviewers: two clusters, df = 1
    assert d.clusters == 2 and d.figures["E1_1"].df == 1


def test_versions_with_other_layouts_are_read_through_their_own(demo):
    """Responses to an older version whose packed layout orders (and lacks)
    questions differently count exactly as their answers say."""
    from sqlalchemy import insert

    from surveys import answers_pack, packed_layout

    layout = tuple(reversed([c for c in packed_layout(SIPAS) if c != "E3_2"]))
    old = InstrumentVersion(
        code="sipas-counter", version=0 + 99, title="cũ", checksum="c", source="", packed_codes=",".join(layout),
        active=False,
    )  # fmt: skip
    demo.add(old)
    demo.flush()
    points = demo.scalars(select(ServicePoint).order_by(ServicePoint.id).limit(3)).all()
    rng = np.random.default_rng(3)
    for i in range(60):
        point = points[i % 3]
        answers = {**BASE, "E1_1": int(rng.choice([1, 2, 4, 5, 9])), "E2_1": int(rng.choice([2, 4]))}
        rid = demo.scalar(
            insert(Response).returning(Response.id),
            {"client_uuid": uuid.uuid4(), "payload_hash": "0" * 64, "instrument_version_id": old.id,
             "unit_id": point.unit_id, "service_point_id": point.id, "channel": "qr", "status": "submitted",
             "service_day": date(2026, 1, 5 + i % 4), "codes": answers_pack(layout, answers)},
        )  # fmt: skip
        demo.execute(
            insert(Answer), [{"response_id": rid, "question_code": c, "value_int": v} for c, v in answers.items()]
        )
    demo.commit()
    table = indicator_table(demo, SIPAS)
    units = {u.id: u.code for u in demo.scalars(select(Unit))}
    everything = raw_responses(demo)
    by_code = {d.key: d for d in table.domains}
    for question in ("E1_1", "E2_1", "E3_2"):  # E3_2: not in the old layout, nor answered there
        scale = SIPAS.question(question).scale
        ref = reference_proportion(everything, scale.codes - scale.not_applicable, scale.satisfied, question, units.get)
        for i, code in enumerate(ref.domain.tolist()):
            assert_figures_match(by_code[code].figures[question], ref, i)

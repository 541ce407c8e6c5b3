"""The indicator service: SQL aggregation + analysis, checked against a
straightforward per-response computation with the cluster-level estimators
(which tests/analysis checks against R's survey package)."""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pytest
from scipy import stats
from sqlalchemy import select, update

from analysis import design_frame, domain_means, domain_proportions, index_estimate
from app.models import Answer, InstrumentVersion, Response, ServicePoint, Unit
from app.services.demo import demo_seed
from app.services.indicators import TOTAL_KEY, Thresholds, indicator_table
from app.services.instruments import instrument_version
from app.services.response_filter import ResponseFilter
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


def district_of_units(session):
    units = {u.id: u for u in session.scalars(select(Unit))}

    def district_of(uid):
        unit = units[uid]
        chain = [unit] + [units[int(p)] for p in unit.path.strip("/").split("/") if p]
        # no district above it (a department): its own group, not dropped (issue 17)
        return next((u.code for u in chain if u.level == "district"), unit.code)

    return district_of


@pytest.mark.parametrize("element", [None, "E2", "E5"])
def test_respondent_level_indices_match_the_respondent_level_computation(demo, element):
    # The respondent-level formula, which INDEX held before issue 14, is kept under its own keys.
    table = indicator_table(demo, SIPAS, grouping="district")
    ref = reference_index(raw_responses(demo), district_of_units(demo), element)
    by_code = {d.key: d for d in table.domains}
    key = (element or "INDEX") + "_RESPONDENT"
    for i, code in enumerate(ref.domain.tolist()):
        if code:
            assert_figures_match(by_code[code].figures[key], ref, i)
    # departments hold no district: each is its own group instead of being dropped
    assert {d.level for d in table.domains} == {"district", "department"}
    assert sum(d.responses for d in table.domains) == table.total.responses


def reference_sipas(responses, domain_of):
    """index_estimate on one row per response (the aggregation level does not matter)."""
    criteria = [c for e in SIPAS.elements for c in e.criteria]
    element_of = [e.code for e in SIPAS.elements for _ in e.criteria]
    rows = list(responses.values())
    answers = np.array([[r["answers"].get(c, 0) or 0 for c in criteria] for r in rows])
    valid = ((answers >= 1) & (answers <= 5)).astype(float)
    satisfied = ((answers >= 4) & (answers <= 5)).astype(float)
    frame = design_frame([r["cluster"] for r in rows], [r["unit"] for r in rows])
    return index_estimate(
        [domain_of(r["unit"]) for r in rows], [r["cluster"] for r in rows], np.ones(len(rows)), satisfied, valid,
        element_of, stratum=[r["unit"] for r in rows], frame=frame,
    ), criteria, satisfied, valid, rows  # fmt: skip


@pytest.mark.parametrize("element", [None, "E2", "E5"])
def test_sipas_indices_match_the_rate_level_computation(demo, element):
    table = indicator_table(demo, SIPAS, grouping="district")
    district_of = district_of_units(demo)
    ref, criteria, satisfied, valid, rows = reference_sipas(raw_responses(demo), district_of)
    column = [e.code for e in SIPAS.elements].index(element) if element else -1
    by_code = {d.key: d for d in table.domains}
    for key in ((element or "INDEX") + "_SIPAS", element or "INDEX"):  # the headline is the SIPAS formula
        for i, code in enumerate(ref.domain.tolist()):
            if not code:
                continue
            fig = by_code[code].figures[key]
            assert fig.n == ref.n[i, column] and fig.df == ref.df[i] and fig.n_psu == ref.n_psu[i]
            for name in ("estimate", "se", "lower", "upper", "n_eff", "deff"):
                assert getattr(fig, name) == pytest.approx(getattr(ref, name)[i, column], abs=1e-9), name
    # And by hand: the mean over elements of the mean of their criteria's rates.
    members = [r["unit"] for r in rows]
    for d in table.domains:
        mine = np.array([district_of(u) == d.key for u in members])
        rate = satisfied[mine].sum(0) / valid[mine].sum(0)
        means = [np.mean([rate[criteria.index(c)] for c in e.criteria]) for e in SIPAS.elements]
        expected = np.mean(means) if element is None else means[column]
        assert d.figures[element or "INDEX"].estimate == pytest.approx(expected, abs=1e-12)


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


def test_the_headline_index_follows_the_instrument(demo):
    sipas = indicator_table(demo, SIPAS)
    respondent = indicator_table(demo, dataclasses.replace(SIPAS, headline_index="respondent"))
    assert sipas.headline_index == "sipas" and respondent.headline_index == "respondent"
    for table, suffix in ((sipas, "_SIPAS"), (respondent, "_RESPONDENT")):
        for d in [table.total, *table.domains]:
            for key in ["INDEX", *(e.code for e in SIPAS.elements)]:
                if key + suffix in d.figures:
                    head, own = d.figures[key], d.figures[key + suffix]
                    assert (head.estimate, head.lower, head.n) == (own.estimate, own.lower, own.n)
    # Both formulas are there either way, and they differ: E5 (gated) weighs a fifth in SIPAS.
    total = sipas.total.figures
    assert total["INDEX_SIPAS"].estimate == respondent.total.figures["INDEX_SIPAS"].estimate
    assert abs(total["INDEX_SIPAS"].estimate - total["INDEX_RESPONDENT"].estimate) > 1e-3
    assert total["INDEX"].components == 5
    with pytest.raises(ValueError, match="headline_index"):
        indicator_table(demo, dataclasses.replace(SIPAS, headline_index="mean"))


def test_effective_sample_sizes_never_exceed_n(demo):
    table = indicator_table(demo, SIPAS)
    seen = 0
    for d in [table.total, *table.domains]:
        for key, f in d.figures.items():
            if f.n_eff is not None:
                assert f.n_eff <= f.n + 1e-9, (d.key, key)
                seen += 1
    assert seen > 100


def test_units_with_few_clusters_get_figures_but_no_verdict_or_funnel_signal(demo):
    table = indicator_table(demo, SIPAS, thresholds=Thresholds(min_clusters=7))
    few = [d for d in table.domains if d.figures["INDEX"].n_psu < 7]
    many = [d for d in table.domains if d.figures["INDEX"].n_psu >= 7]
    assert few and many
    for d in few:
        f = d.figures["INDEX"]
        assert f.estimate is not None and f.lower is not None
        assert f.verdict is None and f.p_adjusted is None and f.funnel is None
        assert f.not_assessed == "too_few_clusters"
    for d in many:
        f = d.figures["INDEX"]
        assert f.verdict in ("better", "not_distinguishable", "worse") and f.not_assessed is None
        assert f.funnel in ("above_998", "above_95", "within", "below_95", "below_998")
    # Holm runs over the assessed units only: fewer tests, smaller adjusted p-values.
    every = indicator_table(demo, SIPAS, thresholds=Thresholds(min_clusters=0))
    by_code = {d.key: d.figures["INDEX"] for d in every.domains}
    for d in many:
        assert d.figures["INDEX"].p_adjusted <= by_code[d.key].p_adjusted + 1e-15


def test_a_commune_in_three_clusters_is_not_called_better(db_session, point):
    # The demo's complaint: a commune with n = 11 in 3 nearly identical clusters
    # read as deff 0.03, n_eff 327, "better" and "above 99.8 %".
    commune = db_session.get(Unit, point.unit_id)
    big = Unit(code="T01-X02", name="UBND xã Lớn", level="commune", parent=commune.parent, path=commune.path)
    db_session.add(big)
    db_session.flush()
    big_point = ServicePoint(unit=big, code="Q01", name="Quầy 1")
    db_session.add(big_point)
    db_session.flush()
    rng = np.random.default_rng(14)
    for i in range(120):
        low = int(rng.integers(1, 4))
        submit(db_session, big_point, {**BASE, "E1_1": low, "E1_2": low, "E2_1": 4, "E3_1": low}, day_offset=i % 30)
    for i in range(11):
        submit(db_session, point, {**BASE, "E1_1": 5, "E1_2": 5, "E2_1": 5, "E3_1": 4 + (i == 0)}, day_offset=i % 3)
    db_session.commit()
    table = indicator_table(db_session, SIPAS)
    small = next(d for d in table.domains if d.key == "T01-X01").figures["INDEX"]
    assert small.n == 11 and small.n_psu == 3 and small.n_eff <= 11
    assert small.estimate > table.total.figures["INDEX"].estimate + 0.2
    assert small.verdict is None and small.funnel is None and small.not_assessed == "too_few_clusters"
    loose = indicator_table(db_session, SIPAS, thresholds=Thresholds(min_clusters=3))
    small = next(d for d in loose.domains if d.key == "T01-X01").figures["INDEX"]
    assert small.verdict is not None and small.not_assessed is None and small.funnel is not None


def test_the_design_df_rule_gives_every_domain_the_filters_df(demo):
    own = indicator_table(demo, SIPAS)
    design = indicator_table(demo, SIPAS, df_rule="design")
    assert own.df_rule == "domain" and design.df_rule == "design"
    design_df = design.total.clusters - len({d.key for d in design.domains})
    for d_own, d_design in zip(own.domains, design.domains, strict=True):
        for key in ("INDEX", "INDEX_RESPONDENT"):
            a, b = d_own.figures[key], d_design.figures[key]
            assert a.df == b.df and a.se == b.se and a.estimate == b.estimate
            half = stats.t.ppf(0.975, design_df) * b.se
            assert b.lower == pytest.approx(max(b.estimate - half, 0.0), abs=1e-12)
            assert b.upper == pytest.approx(min(b.estimate + half, 1.0), abs=1e-12)
    with pytest.raises(ValueError, match="df_rule"):
        indicator_table(demo, SIPAS, df_rule="own")


def test_everyone_satisfied_gets_a_flagged_korn_graubard_interval(db_session, point):
    answers = {code: 5 for e in SIPAS.elements for code in e.criteria if code.startswith(("E1", "E2"))}
    for i in range(8):
        submit(db_session, point, {**BASE, **answers, "E1_1": 5}, day_offset=i)
    db_session.commit()
    figures = indicator_table(db_session, SIPAS).domains[0].figures
    e1 = figures["E1"]
    assert e1.estimate == 1.0 and e1.se == 0.0 and e1.upper == 1.0 and e1.deff1_interval
    assert 0.5 < e1.lower < 1.0
    assert figures["E1_RESPONDENT"].deff1_interval and figures["E1_1"].deff1_interval

"""Response rate and verified against open QR responses (issue 16.4), on a
small hand-built month whose figures are computed here by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest

from app.models import DossierCount, RegisteredDossier, ServicePoint
from app.services.aggregates import INDEX_KEY
from app.services.instruments import instrument_active
from app.services.reports.build import report_for
from app.services.reports.model import ReportRequest
from app.services.reports.periods import period_of
from app.services.reports.verified import GAP_MIN
from app.services.response_filter import ResponseFilter
from app.services.submissions import response_submit
from surveys import Role, answers_validate, load_all
from tests.app.test_citizen_form import VALID

REGISTRY = load_all()
DAYS = [date(2026, 3, d) for d in (2, 3, 4, 5, 6, 9)]
RATED = (Role.CRITERION, Role.OVERALL, Role.ELEMENT_OVERALL)
#: satisfied respondents per day, out of 4 open and 2 verified responses a day
OPEN_SATISFIED = [4, 3, 4, 2, 4, 3]
VERIFIED_SATISFIED = [1, 0, 1, 1, 0, 0]
#: the per-dossier rating of the verified responses, two a day
RATINGS = [(3, 2), (1, 1), (3, 1), (2, 2), (1, 2), (1, 1)]


def at(day: date) -> datetime:
    return datetime.combine(day, time(9)).replace(tzinfo=UTC) - timedelta(hours=7)


def answers(active, satisfied: bool) -> dict:
    """Every rated question at 5 (satisfied) or 2: each criterion's rate, each
    element index and the SIPAS index are then the share of satisfied respondents."""
    base = answers_validate(active.instrument, VALID, channel="qr").answers
    rated = {q.code for q in active.instrument.questions if q.role in RATED}
    return {k: ((5 if satisfied else 2) if k in rated and v in (1, 2, 3, 4, 5) else v) for k, v in base.items()}


@pytest.fixture
def month(db_session, units):
    """Commune A1: 24 open QR and 12 verified responses over six days, 200
    dossiers imported for March; commune A2: 2 kiosk responses and 3
    registered dossiers."""
    active = instrument_active(db_session, REGISTRY, "sipas-counter")
    a1 = ServicePoint(unit=units["A1"], code="Q1", name="Quầy A1")
    a2 = ServicePoint(unit=units["A2"], code="Q1", name="Quầy A2")
    db_session.add_all([a1, a2])
    db_session.flush()

    def add(point, channel, satisfied, rating=None, day=DAYS[0]):
        response_submit(
            db_session,
            client_uuid=uuid.uuid4(),
            instrument=active,
            unit_id=point.unit_id,
            service_point_id=point.id,
            channel=channel,
            answers=answers(active, satisfied),
            submitted_at=at(day),
            dossier_rating=rating,
        )

    for day, sat_open, sat_ver, rated in zip(DAYS, OPEN_SATISFIED, VERIFIED_SATISFIED, RATINGS, strict=True):
        for i in range(4):
            add(a1, "qr", i < sat_open, day=day)
        for i in range(2):
            add(a1, "qr-verified", i < sat_ver, rated[i], day=day)
    add(a2, "kiosk", True)
    add(a2, "kiosk", True)
    db_session.add_all(
        [
            DossierCount(service_point_id=a1.id, month=date(2026, 3, 1), dossiers=200, source="import"),
            DossierCount(service_point_id=a1.id, month=date(2026, 2, 1), dossiers=999, source="import"),
            # registered at A1 too, but March has an imported count, which wins
            RegisteredDossier(service_point_id=a1.id, dossier="a" * 32, expires=DAYS[0], registered_on=DAYS[0]),
            *(
                RegisteredDossier(service_point_id=a2.id, dossier=f"{i}" * 32, expires=DAYS[0], registered_on=DAYS[i])
                for i in range(3)
            ),
        ]
    )
    db_session.commit()
    return units


def clustered(satisfied: list[int], per_day: int) -> tuple[float, float]:
    """A share and its linearised SE with days as clusters, by hand:
    p = Σy / Σn, z_c = (y_c − p n_c) / N, var = C / (C − 1) · Σ z_c² (R: svymean
    of a 0/1 variable with svydesign(ids = ~day))."""
    y = np.array(satisfied, dtype=float)
    n = np.full(len(y), float(per_day))
    p = y.sum() / n.sum()
    z = (y - p * n) / n.sum()
    c = len(y)
    return p, float(np.sqrt(c / (c - 1) * np.sum(z**2)))


def test_rate_comparison_and_rating_shares_of_a_hand_built_month(db_session, month):
    period = period_of("month", DAYS[0])
    request = ReportRequest(period, ResponseFilter(instrument="sipas-counter"), "unit", None)
    report = report_for(db_session, REGISTRY, request)
    section = report.verified
    assert section is not None

    rates = {r.code: r for r in section.rates}
    assert (rates["U-A1"].responses, rates["U-A1"].dossiers) == (36, 200)
    assert rates["U-A1"].rate == pytest.approx(36 / 200)
    # two responses are below the disclosure threshold: the rate is not published, the dossiers are
    assert (rates["U-A2"].responses, rates["U-A2"].dossiers, rates["U-A2"].rate) == (0, 3, None)
    assert rates["U-A2"].suppressed
    assert (section.total_rate.dossiers, section.total_rate.rate) == (203, pytest.approx(38 / 203))

    line = next(v for v in section.lines if v.code == "U-A1")
    p_open, se_open = clustered(OPEN_SATISFIED, 4)
    p_ver, se_ver = clustered(VERIFIED_SATISFIED, 2)
    assert line.open.estimate == pytest.approx(20 / 24) == pytest.approx(p_open)
    assert line.verified.estimate == pytest.approx(3 / 12)
    assert line.open.se == pytest.approx(se_open, rel=1e-9) and line.verified.se == pytest.approx(se_ver, rel=1e-9)
    # open − verified ± z(0.975) · sqrt(se_open² + se_ver²), z = 1.959963984540054 (qnorm(0.975) in R)
    gap = p_open - p_ver
    half = 1.959963984540054 * np.hypot(se_open, se_ver)
    assert line.gap.difference == pytest.approx(gap)
    assert (line.gap.lower, line.gap.upper) == (pytest.approx(gap - half), pytest.approx(gap + half))
    assert line.gap.significant and gap >= GAP_MIN and line.flagged  # the staff-stuffing signature
    assert section.total.gap.difference == pytest.approx(gap)
    # and the findings say so in plain words
    assert any("Đơn vị A1 (+58,3)" in f.vi and "check who fills in" in f.en for f in report.findings)
    assert report.units and INDEX_KEY in report.units[0].figures

    # the per-dossier rating: 12 ratings, shares of each level with an interval around them
    assert line.ratings == 12
    levels = [r for pair in RATINGS for r in pair]
    for share in line.shares:
        expected = levels.count(share.level) / 12
        assert share.count == levels.count(share.level)
        assert share.estimate == pytest.approx(expected)
        assert share.lower < expected < share.upper
    assert [s.level for s in line.shares] == [3, 2, 1]
    assert [s.label.vi for s in line.shares] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]


def test_without_a_gap_nothing_is_flagged(db_session, units):
    active = instrument_active(db_session, REGISTRY, "sipas-counter")
    point = ServicePoint(unit=units["A1"], code="Q1", name="Quầy")
    db_session.add(point)
    db_session.flush()
    for day in DAYS:
        for channel, rating in (("qr", None), ("qr", None), ("qr-verified", 3), ("qr-verified", 2)):
            response_submit(
                db_session,
                client_uuid=uuid.uuid4(),
                instrument=active,
                unit_id=point.unit_id,
                service_point_id=point.id,
                channel=channel,
                answers=answers(active, True),
                submitted_at=at(day),
                dossier_rating=rating,
            )
    db_session.commit()
    period = period_of("month", DAYS[0])
    report = report_for(
        db_session, REGISTRY, ReportRequest(period, ResponseFilter(instrument="sipas-counter"), "unit", None)
    )
    line = next(v for v in report.verified.lines if v.code == "U-A1")
    assert line.gap.difference == pytest.approx(0.0) and not line.flagged
    # no dossier count: the rate cannot be computed, the responses are still shown
    rate = next(r for r in report.verified.rates if r.code == "U-A1")
    assert (rate.responses, rate.dossiers, rate.rate) == (24, 0, None)


def test_a_period_without_verified_responses_or_dossiers_has_no_section(db_session, units):
    period = period_of("month", DAYS[0])
    report = report_for(
        db_session, REGISTRY, ReportRequest(period, ResponseFilter(instrument="sipas-counter"), "unit", None)
    )
    assert report.verified is None


def test_the_dashboard_json_and_workbook_show_the_section(client, users, login_as, month):
    import io
    import json

    from openpyxl import load_workbook

    login_as(client, users["analyst"])
    query = "period=month&date=2026-03-02"
    html = client.get(f"/bao-cao?{query}").get_data(as_text=True)
    section = html[html.index('id="ty-le-phan-hoi"') :]
    assert "Tỷ lệ phản hồi theo đơn vị" in section and "18,0" in section  # 36 ÷ 200
    assert "Cần kiểm tra" in section and "row-worse" in section
    english = client.get(f"/bao-cao?{query}&lang=en").get_data(as_text=True)
    assert "Response rate by unit" in english and "Open counter QR against dossier QR" in english
    data = json.loads(client.get(f"/bao-cao/tai-ve.json?{query}").get_data(as_text=True))
    a1 = next(r for r in data["verified"]["rates"] if r["code"] == "U-A1")
    assert (a1["responses"], a1["dossiers"]) == (36, 200)
    workbook = load_workbook(io.BytesIO(client.get(f"/bao-cao/tai-ve.xlsx?{query}&lang=vi").data))
    ws = workbook["Tỷ lệ phản hồi"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert any(r[0] == "Đơn vị A1 (U-A1)" and r[1:4] == [36, 200, pytest.approx(0.18)] for r in rows)
    flagged = next(r for r in rows if r[0] == "Đơn vị A1 (U-A1)" and len(r) > 10 and r[13] == "Cần kiểm tra")
    assert flagged[9] == pytest.approx(20 / 24 - 3 / 12)
    assert (
        flagged[15] == pytest.approx(2 / 12) and flagged[16] < 2 / 12 < flagged[17]
    )  # rất hài lòng, with its interval


def test_the_demo_province_shows_the_response_rate_and_the_comparison(db_session):
    from app.services.demo import demo_seed
    from app.time import vietnam_today

    demo_seed(db_session, responses=800, seed=4, force=True)
    db_session.commit()
    period = period_of("quarter", vietnam_today())
    request = ReportRequest(period, ResponseFilter(instrument="sipas-counter"), "district", None)
    section = report_for(db_session, REGISTRY, request).verified
    assert section is not None
    assert section.total_rate.dossiers > 0 and 0 < section.total_rate.rate < 1
    assert section.total.verified is not None and section.total.verified.n > 0
    assert section.total.ratings > 0 and sum(s.count for s in section.total.shares) == section.total.ratings


def test_the_pdf_prints_the_section(db_session, month):
    import io

    import pypdf

    from app.render.pdf.report import report_pdf

    period = period_of("month", DAYS[0])
    report = report_for(
        db_session, REGISTRY, ReportRequest(period, ResponseFilter(instrument="sipas-counter"), "unit", None)
    )
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report_pdf(report))).pages)
    section = text[text.index("Tỷ lệ phản hồi") :]
    assert "36 200 18,0" in section and "+58,3" in section and "Cần kiểm tra" in section


def test_rating_shares_follow_the_disclosure_rules():
    from app.services.reports.verified import ratings_hidden

    march, april = date(2026, 3, 1), date(2026, 4, 1)
    # B is under the threshold; the total minus A would then reveal B: A is hidden too
    assert ratings_hidden({"*": {march: 14}, "A": {march: 12}, "B": {march: 2}}, 5) == {"A", "B"}
    # with a third unit, hiding the smallest published one is enough
    both = {"*": {march: 24}, "A": {march: 12}, "B": {march: 2}, "C": {march: 10}}
    assert ratings_hidden(both, 5) == {"B", "C"}
    # a month of a longer period under the threshold hides the unit's quarter
    quarter = {"*": {march: 30, april: 30}, "A": {march: 28, april: 2}, "B": {march: 2, april: 28}}
    assert ratings_hidden(quarter, 5) == {"A", "B"}
    assert ratings_hidden({"*": {march: 3}, "A": {march: 3}}, 5) == {"*", "A"}
    assert ratings_hidden({"*": {march: 20}, "A": {march: 12}, "B": {march: 8}}, 5) == set()


def test_a_manager_sees_only_their_units_rates(client, users, login_as, month, db_session):
    b1 = ServicePoint(unit=month["B1"], code="Q1", name="Quầy B1")
    db_session.add(b1)
    db_session.flush()
    db_session.add(DossierCount(service_point_id=b1.id, month=date(2026, 3, 1), dossiers=77, source="import"))
    db_session.commit()
    login_as(client, users["analyst"])
    everyone = client.get("/bao-cao?period=month&date=2026-03-02").get_data(as_text=True)
    assert "U-B1" in everyone[everyone.index('id="ty-le-phan-hoi"') :]
    login_as(client, users["unit_manager"])  # district A
    mine = client.get("/bao-cao?period=month&date=2026-03-02").get_data(as_text=True)
    section = mine[mine.index('id="ty-le-phan-hoi"') :]
    assert "U-A1" in section and "U-B1" not in section and "77" not in section

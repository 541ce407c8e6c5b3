"""Targets (issue 17): the classification rule, the administration screen, who
may do what, the year-end export (XLSX read back with openpyxl, CSV) and the command."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, time

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from analysis import difference_confint
from app.models import AuditEvent, ServicePoint, Target
from app.services.indicators import Figure
from app.services.instruments import instrument_active
from app.services.submissions import response_submit
from app.services.targets import target_classify
from app.services.targets_export import EXPORT_COLUMNS
from app.time import VIETNAM
from surveys import load_all
from tests.app.conftest import csrf_token_of

TODAY = datetime.now(VIETNAM).date()
YEAR = TODAY.year - 1  # a whole year with responses, and the one before it
BASE = {"visit_stage": 1, "procedure": 1, "E5_gate": 2, "informal_payment": 2, "overall": 4, "expectations": (6,)}


def fig(estimate, lower=None, upper=None, *, se=None, n=100, n_psu=10, n_eff=None, suppressed=False, reason=None):
    """A figure as the report gives it (hidden ones without estimate or interval)."""
    if suppressed:
        estimate = lower = upper = se = None
    return Figure(
        n=n, estimate=estimate, lower=lower, upper=upper, se=se, df=n_psu - 1, deff=None, n_eff=n_eff,
        reliable=True, suppressed=suppressed, n_psu=n_psu, suppressed_reason=reason,
    )  # fmt: skip


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("figure", "status"),
    [
        (fig(0.93, 0.91, 0.95), "met"),  # the whole interval above 90 %
        (fig(0.92, 0.90, 0.94), "met"),  # the lower bound on the target counts as reaching it
        (fig(0.92, 0.88, 0.95), "likely_met"),  # the point estimate above, the interval across
        (fig(0.90, 0.85, 0.94), "likely_met"),
        (fig(0.89, 0.85, 0.93), "not_met"),
        (fig(0.50, 0.40, 0.60), "not_met"),
    ],
)
def test_a_level_target(figure, status):
    result = target_classify("level", 90, figure)
    assert result.status == status
    assert result.goal == pytest.approx(0.90) and result.reason is None


@pytest.mark.parametrize(
    ("figure", "reason"),
    [
        (None, "no_estimate"),
        (fig(None), "no_estimate"),
        (fig(None, suppressed=True, n=3, reason="few_answers"), "suppressed"),
        (fig(None, suppressed=True, n=40, reason="complementary"), "suppressed"),
        (fig(0.99, 0.97, 1.0, n_psu=4), "too_few_clusters"),
    ],
)
def test_a_target_without_a_usable_figure_is_not_assessable(figure, reason):
    for kind in ("level", "rise"):
        result = target_classify(kind, 90 if kind == "level" else 5, figure, fig(0.5, 0.4, 0.6, se=0.05))
        assert (result.status, result.reason) == ("not_assessable", reason)


def test_a_rise_of_an_index_uses_the_interval_of_the_change():
    # d = 0.10, se = sqrt(0.01² + 0.01²) = 0.014142; 95 %: 0.10 ± 1.959964 × 0.014142 = (0.07228, 0.12772)
    met = target_classify("rise", 5, fig(0.80, se=0.01), fig(0.70, se=0.01))
    assert met.status == "met"
    assert (met.change, met.change_lower, met.change_upper) == pytest.approx((0.10, 0.072282, 0.127718), abs=1e-6)
    assert met.goal == pytest.approx(0.05)
    # d = 0.06, half-width 1.959964 × 0.028284 = 0.055437: lower 0.0046 < 0.05 <= 0.06
    likely = target_classify("rise", 5, fig(0.76, se=0.02), fig(0.70, se=0.02))
    assert likely.status == "likely_met" and likely.change_lower == pytest.approx(0.004563, abs=1e-6)
    assert target_classify("rise", 5, fig(0.72, se=0.01), fig(0.70, se=0.01)).status == "not_met"
    assert target_classify("rise", 5, fig(0.60, se=0.01), fig(0.70, se=0.01)).status == "not_met"  # a fall


def test_a_rise_of_a_criterion_uses_newcombe_on_effective_counts():
    current, previous = fig(0.90, n=300, n_eff=200), fig(0.70, n=300, n_eff=150)
    result = target_classify("rise", 5, current, previous, index=False)
    expected = difference_confint(0.90 * 200, 200, 0.70 * 150, 150)
    assert result.status == "met"
    assert (result.change_lower, result.change_upper) == pytest.approx((expected.lower, expected.upper))


@pytest.mark.parametrize(
    ("previous", "reason"),
    [
        (None, "previous_no_estimate"),
        (fig(None, suppressed=True, n=2, reason="few_answers"), "previous_suppressed"),
        (fig(0.7, 0.6, 0.8, se=0.05, n_psu=2), "previous_too_few_clusters"),
    ],
)
def test_a_rise_needs_a_usable_previous_year(previous, reason):
    result = target_classify("rise", 5, fig(0.9, 0.85, 0.95, se=0.02), previous)
    assert (result.status, result.reason) == ("not_assessable", reason)


def test_a_level_ignores_the_previous_year_and_an_unknown_kind_is_an_error():
    assert target_classify("level", 50, fig(0.9, 0.8, 0.95), None).status == "met"
    with pytest.raises(ValueError, match="kind"):
        target_classify("above", 50, fig(0.9, 0.8, 0.95))


# ------------------------------------------------------------ the database


def test_the_database_refuses_an_unknown_kind_or_a_value_out_of_range(db_session, units):
    for kind, value, year in (("above", 50.0, 2026), ("level", 0.0, 2026), ("rise", 101.0, 2026),
                              ("level", -5.0, 2026), ("level", 50.0, 1999)):  # fmt: skip
        nested = db_session.begin_nested()
        target = Target(unit_id=units["A1"].id, instrument_code="sipas-counter", indicator="INDEX", year=year,
                        kind=kind, value=value)  # fmt: skip
        db_session.add(target)
        with pytest.raises(IntegrityError):
            db_session.flush()
        nested.rollback()


# ------------------------------------------------------------ the screens


def form(unit, **values):
    data = {"unit_id": str(unit), "indicator": "INDEX", "year": str(YEAR), "kind": "level", "value": "90"}
    return {**data, **values}


@pytest.fixture
def post(admin_client):
    """POST as the administrator with the CSRF token of the targets page."""

    def send(url, data):
        token = csrf_token_of(admin_client.get("/chi-tieu").get_data(as_text=True))
        return admin_client.post(url, data={"csrf_token": token, **data})

    return send


def targets_in(db_session):
    return db_session.scalars(select(Target).order_by(Target.id)).all()


def test_an_administrator_adds_edits_and_deletes_a_target_each_change_audited(
    admin_client, post, db_session, units
):  # fmt: skip
    page = admin_client.get("/chi-tieu")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    response = post("/chi-tieu", form(units["A1"].id, value="92,5", note="Quyết định 12/QĐ-UBND"))
    assert response.status_code == 303
    (target,) = targets_in(db_session)
    assert (target.kind, target.value, target.year, target.note) == ("level", 92.5, YEAR, "Quyết định 12/QĐ-UBND")
    listing = admin_client.get(f"/chi-tieu?nam={YEAR}").get_data(as_text=True)
    assert "Đơn vị A1" in listing and "92,5" in listing and "Không đủ cơ sở đánh giá" in listing

    assert admin_client.get(f"/chi-tieu/{target.id}").status_code == 200
    response = post(f"/chi-tieu/{target.id}", form(units["A1"].id, indicator="E1", kind="rise", value="5"))
    assert response.status_code == 303
    db_session.refresh(target)
    assert (target.indicator, target.kind, target.value) == ("E1", "rise", 5.0)

    assert post(f"/chi-tieu/{target.id}/xoa", {}).status_code == 303
    assert targets_in(db_session) == []
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("targets.%"))).all()
    assert sorted(actions) == ["targets.create", "targets.delete", "targets.update"]
    update = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "targets.update")).one()
    assert update.detail["before"]["value"] == 92.5 and update.detail["after"]["kind"] == "rise"
    assert update.actor_username == "test-admin" and update.target == f"U-A1/E1/{YEAR}"


@pytest.mark.parametrize(
    ("values", "status", "message"),
    [
        ({"value": "abc"}, 422, "Giá trị không hợp lệ"),
        ({"value": "0"}, 422, "Giá trị không hợp lệ"),
        ({"value": "101"}, 422, "Giá trị không hợp lệ"),
        ({"value": "90.123"}, 422, "Giá trị không hợp lệ"),
        ({"value": "nan"}, 422, "Giá trị không hợp lệ"),
        ({"value": ""}, 422, "Giá trị không hợp lệ"),
        ({"year": "20x6"}, 400, "Năm không hợp lệ"),
        ({"year": "1999"}, 400, "Năm không hợp lệ"),
        ({"year": "99999999999999"}, 400, "Năm không hợp lệ"),
        ({"kind": "above"}, 422, "Chọn loại chỉ tiêu"),
        ({"indicator": "E9_nope"}, 422, "Chọn một chỉ số"),
        ({"indicator": ""}, 422, "Chọn một chỉ số"),
        ({"unit_id": ""}, 422, "Chọn một đơn vị"),
        ({"unit_id": "999999"}, 422, "Chọn một đơn vị"),
        ({"unit_id": "1e9"}, 422, "Chọn một đơn vị"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_stores_nothing(post, db_session, units, values, status, message):
    response = post("/chi-tieu", {**form(units["A1"].id), **values})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert targets_in(db_session) == []


def test_a_second_target_on_the_same_indicator_and_year_is_a_409(post, db_session, units):
    assert post("/chi-tieu", form(units["A1"].id)).status_code == 303
    again = post("/chi-tieu", form(units["A1"].id, value="80"))
    assert again.status_code == 409 and "đã có chỉ tiêu" in again.get_data(as_text=True)
    assert [t.value for t in targets_in(db_session)] == [90.0]
    other = targets_in(db_session)[0]
    assert post("/chi-tieu", form(units["A1"].id, indicator="E2")).status_code == 303
    moved = post(f"/chi-tieu/{other.id + 1}", form(units["A1"].id))  # edit E2 into the existing INDEX target
    assert moved.status_code == 409


def test_unknown_targets_and_requests_without_a_form_token(admin_client, post, units):
    assert admin_client.get("/chi-tieu/999999").status_code == 404
    assert post("/chi-tieu/999999", form(units["A1"].id)).status_code == 404
    assert post("/chi-tieu/999999/xoa", {}).status_code == 404
    assert admin_client.post("/chi-tieu", data=form(units["A1"].id)).status_code == 400  # no CSRF token
    assert admin_client.get("/chi-tieu?nam=abc").status_code == 400
    assert admin_client.get("/chi-tieu/xep-loai.xlsx?nam=99").status_code == 400
    assert admin_client.get("/chi-tieu/xep-loai.pdf").status_code == 404


def test_a_manager_can_neither_see_nor_change_targets(app, users, login_as, post, db_session, units):
    assert post("/chi-tieu", form(units["A1"].id)).status_code == 303
    (target,) = targets_in(db_session)
    manager = app.test_client()
    login_as(manager, users["unit_manager"])
    token = csrf_token_of(manager.get("/doi-mat-khau").get_data(as_text=True))
    for url in ("/chi-tieu", f"/chi-tieu/{target.id}", f"/chi-tieu/{target.id}/xoa"):
        response = manager.post(url, data={"csrf_token": token, **form(units["A1"].id, value="10")})
        assert response.status_code == 403, url
    for url in ("/chi-tieu", f"/chi-tieu/{target.id}", f"/chi-tieu/xep-loai.xlsx?nam={YEAR}"):
        assert manager.get(url).status_code == 403, url
    db_session.refresh(target)
    assert target.value == 90.0


def test_an_analyst_reads_and_downloads_but_does_not_edit(app, users, login_as, post, db_session, units):
    assert post("/chi-tieu", form(units["A1"].id)).status_code == 303
    analyst = app.test_client()
    login_as(analyst, users["analyst"])
    page = analyst.get(f"/chi-tieu?nam={YEAR}")
    html = page.get_data(as_text=True)
    # no add, edit or delete form (the navigation bar's sign-out form is the only one)
    assert page.status_code == 200 and "Đơn vị A1" in html
    assert 'method="post" action="/chi-tieu' not in html
    assert analyst.get(f"/chi-tieu/xep-loai.xlsx?nam={YEAR}").status_code == 200
    assert analyst.get(f"/chi-tieu/xep-loai.csv?nam={YEAR}").status_code == 200
    (target,) = targets_in(db_session)
    assert analyst.get(f"/chi-tieu/{target.id}").status_code == 403
    assert analyst.post("/chi-tieu", data=form(units["A1"].id)).status_code == 403


# ------------------------------------------------------------- the export


@pytest.fixture
def year_responses(db_session, units):
    """YEAR: communes A1 (90 % satisfied) and A2 (70 %), 60 responses each, five a
    month at two counters; B1: 12 responses on two days at one counter (two
    clusters). The year before: A1 at 50 %."""
    active = instrument_active(db_session, load_all(), "sipas-counter")
    points = {}
    for key in ("A1", "A2", "B1"):
        points[key] = [ServicePoint(unit=units[key], code=f"Q{i}", name=f"Quầy {key}-{i}") for i in (1, 2)]
        db_session.add_all(points[key])
    db_session.flush()

    def submit(key, day, good, i):
        answers = {**BASE, "E1_seats": 5 if good else 2, "E2_posted_complete": 4 if good else 1,
                   "harassment": 2 if good else 1}  # fmt: skip
        point = points[key][i % 2 if key != "B1" else 0]
        response_submit(
            db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
            service_point_id=point.id, channel="qr", answers=answers,
            submitted_at=datetime.combine(day, time(9), tzinfo=VIETNAM).astimezone(UTC),
        )  # fmt: skip

    for year, plan in ((YEAR, {"A1": 0.9, "A2": 0.7}), (YEAR - 1, {"A1": 0.5})):
        for key, share in plan.items():
            for i in range(60):
                submit(key, date(year, 1 + i % 12, 1 + i // 12 * 3), i < share * 60, i)
    for i in range(12):
        submit("B1", date(YEAR, 6, 10 + i % 2), True, i)
    db_session.commit()


@pytest.fixture
def year_targets(post, units, year_responses):
    for key, indicator, kind, value in (("A1", "INDEX", "level", "50"), ("A1", "E1", "rise", "5"),
                                        ("A2", "INDEX", "level", "99"), ("A2", "E1", "level", "68"),
                                        ("B1", "INDEX", "level", "50")):  # fmt: skip
        assert post("/chi-tieu", form(units[key].id, indicator=indicator, kind=kind, value=value)).status_code == 303


EXPECTED = {
    ("U-A1", "INDEX"): "met",
    ("U-A1", "E1"): "met",  # 50 % → 90 %: a rise of 40 points, whole interval above 5
    ("U-A2", "INDEX"): "not_met",
    ("U-A2", "E1"): "likely_met",  # 70 %, its interval reaching below 68 %
    ("U-B1", "INDEX"): "not_assessable",  # two clusters
}


def test_the_xlsx_export_reads_back_with_every_target_classified(admin_client, year_targets):
    response = admin_client.get(f"/chi-tieu/xep-loai.xlsx?nam={YEAR}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="xep-loai-chi-tieu-{YEAR}.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == EXPORT_COLUMNS
    records = [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert {(r["ma_don_vi"], r["chi_so"]): r["xep_loai"] for r in records} == EXPECTED
    a1 = next(r for r in records if (r["ma_don_vi"], r["chi_so"]) == ("U-A1", "INDEX"))
    assert a1["nam"] == YEAR and a1["loai_chi_tieu"] == "level" and a1["gia_tri_chi_tieu"] == 50
    assert a1["muc_can_dat"] == pytest.approx(0.5) and a1["xep_loai_ten"] == "Đạt"
    assert a1["can_duoi"] <= a1["uoc_luong"] <= a1["can_tren"] and a1["can_duoi"] > 0.5
    assert a1["so_cau_tra_loi"] == 60 and a1["so_cum"] >= 5
    rise = next(r for r in records if (r["ma_don_vi"], r["chi_so"]) == ("U-A1", "E1"))
    assert rise["uoc_luong_nam_truoc"] == pytest.approx(0.5, abs=0.02)
    assert rise["thay_doi_can_duoi"] > 0.05 and rise["thay_doi"] == pytest.approx(0.4, abs=0.02)
    b1 = next(r for r in records if r["ma_don_vi"] == "U-B1")
    assert b1["ly_do"] == "too_few_clusters" and b1["so_cum"] == 2
    assert sheet["L2"].number_format == "0.0%"  # uoc_luong
    assert next(book.worksheets[1].iter_rows(values_only=True))[0].startswith("Đạt:")


def test_the_csv_export_has_the_same_classifications_and_the_page_shows_them(admin_client, year_targets, db_session):
    response = admin_client.get(f"/chi-tieu/xep-loai.csv?nam={YEAR}&lang=en")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    records = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert tuple(records[0]) == EXPORT_COLUMNS
    assert {(r["ma_don_vi"], r["chi_so"]): r["xep_loai"] for r in records} == EXPECTED
    assert {r["xep_loai_ten"] for r in records} == {"Met", "Likely met", "Not met", "Not assessable"}
    exported = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "targets.export")).one()
    assert exported.detail == {"format": "csv", "targets": 5} and exported.target == str(YEAR)
    html = admin_client.get(f"/chi-tieu?nam={YEAR}&lang=vi").get_data(as_text=True)
    for text in ("Đạt", "Có khả năng đạt", "Không đạt", "Quá ít cụm khảo sát"):
        assert text in html


def test_a_year_without_targets_exports_only_the_header(admin_client):
    response = admin_client.get("/chi-tieu/xep-loai.xlsx?nam=2030")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    assert rows == [EXPORT_COLUMNS]


def test_the_targets_export_command(runner, year_targets, tmp_path, db_session):
    out = tmp_path / "xep-loai.xlsx"
    result = runner.invoke(args=["targets-export", "--year", str(YEAR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 targets" in result.output
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert {(r[1], r[4]): r[18] for r in rows[1:]} == EXPECTED
    text_out = tmp_path / "xep-loai.csv"
    result = runner.invoke(args=["targets-export", "--year", str(YEAR), "--format", "csv", "--out", str(text_out)])
    assert result.exit_code == 0 and text_out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert db_session.scalar(select(func.count()).select_from(Target)) == 5


@pytest.mark.parametrize("year", ["abc", "1999", "20266", ""])
def test_the_command_refuses_a_bad_year(runner, tmp_path, year):
    result = runner.invoke(args=["targets-export", "--year", year, "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "--year" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_the_english_page(admin_client):
    html = admin_client.get("/chi-tieu?lang=en").get_data(as_text=True)
    assert "Targets of the year" in html and "Add a target" in html


def _year_query(**extra) -> str:
    return "&".join(f"{k}={v}" for k, v in {"period": "year", "date": f"{YEAR}-06-01", **extra}.items())


def _card(page: str) -> str:
    """The targets card of a dashboard page, or "" when it has none."""
    start = page.find('id="targets"')
    return page[start : page.index("</section>", start)] if start >= 0 else ""


def test_the_year_report_shows_each_target_as_the_targets_page_classifies_it(admin_client, year_targets):
    card = _card(admin_client.get(f"/bao-cao?{_year_query()}").get_data(as_text=True))
    assert f"Chỉ tiêu năm {YEAR}" in card
    rows = card.split("<tr")[2:]  # after the header row
    shown = {(r.split('<span class="muted">')[1].split("<")[0], r.split('<span class="muted">')[2].split("<")[0]): r
             for r in rows}  # fmt: skip
    assert set(shown) == set(EXPECTED)
    for key, status in EXPECTED.items():
        assert f"tgt-{status}" in shown[key]


def test_a_filtered_year_report_shows_the_targets_of_its_units_only(admin_client, year_targets):
    card = _card(admin_client.get(f"/bao-cao?{_year_query(unit='U-A2')}").get_data(as_text=True))
    assert "U-A2" in card and "U-A1" not in card and "U-B1" not in card


@pytest.mark.parametrize("query", ["period=quarter&date={y}-06-01", "period=year&date={y}-06-01&channel=qr"])
def test_reports_other_than_a_whole_year_by_unit_show_no_targets(admin_client, year_targets, query):
    page = admin_client.get(f"/bao-cao?{query.format(y=YEAR)}")
    assert page.status_code == 200
    assert _card(page.get_data(as_text=True)) == ""


def test_the_year_pdf_has_the_targets_section(admin_client, year_targets):
    import pypdf

    response = admin_client.get(f"/bao-cao/tai-ve.pdf?{_year_query()}")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    section = text[text.index(f"Chỉ tiêu năm {YEAR}") :]
    for unit in ("Đơn vị A1 (U-A1)", "Đơn vị A2 (U-A2)", "Đơn vị B1 (U-B1)"):
        assert unit in section
    for status in ("Đạt", "Không đạt", "Có khả năng đạt", "Không đủ cơ sở đánh giá"):
        assert status in section

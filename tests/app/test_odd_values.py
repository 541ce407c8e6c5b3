"""Odd dates and numbers get a 4xx with a message, never a 500 (issue 15, item 9).

Python's date type reaches year 9999, so a report for the quarter of
9999-12-31 overflowed computing the next quarter, and 0001-01-01 the
previous one or the shift to UTC; ``str.isdigit`` says yes to "²", which
``int`` refuses. Every date a person or a file gives now goes through one
parser bounded to 2000–2099 (``app.parsing``), and every number through
ASCII digits of a bounded length.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from app.parsing import DAY_MAX, DAY_MIN, day_parse, digits_parse, moment_parse
from tests.app.test_interviews_api import interview, send

ODD_DAYS = ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01", "2024-02-30", "²⁰²⁴-01-01", "x" * 500]


def test_the_parsers_bound_what_they_accept():
    assert day_parse("2024-02-29") == date(2024, 2, 29)
    assert day_parse("29/02/2024", ("%d/%m/%Y",)) == date(2024, 2, 29)
    assert day_parse(DAY_MIN.isoformat()) == DAY_MIN and day_parse(DAY_MAX.isoformat()) == DAY_MAX
    for text in [*ODD_DAYS, "", None, " ", "31/12/9999"]:
        assert day_parse(text) is None, text
    assert day_parse("31/12/9999", ("%d/%m/%Y",)) is None
    assert moment_parse("2026-03-01T08:00:00+07:00") == datetime(2026, 3, 1, 1, tzinfo=UTC)
    for text in ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-03-01T08:00:00", 5, None, "z" * 41]:
        assert moment_parse(text) is None, text
    assert digits_parse("12", 3) == 12
    for text in ["²", "١٢", "1²", "-1", "+1", " 1", "1.0", "1234", "", None]:
        assert digits_parse(text, 3) is None, text


@pytest.mark.parametrize("day", ODD_DAYS)
@pytest.mark.parametrize("field", ["date", "end"])
def test_reports_refuse_odd_days(app, users, login_as, day, field):
    client = app.test_client()
    login_as(client, users["analyst"])
    query = f"period=custom&date=2026-01-01&end={day}" if field == "end" else f"date={day}"
    for url in (f"/bao-cao?{query}", f"/bao-cao/tai-ve.csv?{query}"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "2000" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["²", "١", "1²", "9" * 30, "-1"])
def test_reports_refuse_odd_procedure_codes(app, users, login_as, value):
    client = app.test_client()
    login_as(client, users["analyst"])
    assert client.get(f"/bao-cao?procedure={value}").status_code == 400


#: query parameters that pages copied into their links' url_for(..., **args), where they are url_for's own
URL_FOR_NAMES = ["fmt=json", "endpoint=x", "_method=POST", "_anchor=x", "_external=1&_scheme=javascript", "values=1"]


@pytest.mark.parametrize("extra", URL_FOR_NAMES)
def test_pages_that_repeat_their_filter_in_links_ignore_unknown_parameters(app, users, login_as, admin_client, extra):
    """The dashboard's download links and the administration lists' pages and
    CSV link repeat the filter: only the filter's own parameters, so a
    parameter named like one of url_for's (fmt, endpoint, _external, ...)
    is neither a 500 nor a link to another scheme or host."""
    analyst = app.test_client()
    login_as(analyst, users["analyst"])
    pages = [(analyst, f"/bao-cao?unit=&{extra}")]
    pages += [(admin_client, f"{url}?page=1&action=x&{extra}") for url in ("/quan-tri/nhat-ky", "/quan-tri/phieu")]
    for client, url in pages:
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "javascript:" not in html and "//localhost" not in html and "#x" not in html, url


@pytest.mark.parametrize("day", ODD_DAYS)
@pytest.mark.parametrize("url", ["/quan-tri/nhat-ky", "/quan-tri/nhat-ky.csv", "/quan-tri/phieu"])
@pytest.mark.parametrize("field", ["from", "to"])
def test_administration_lists_refuse_odd_days(admin_client, url, field, day):
    response = admin_client.get(f"{url}?{field}={day}")
    assert response.status_code == 400
    assert "2000" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 40, "-3", "0"])
@pytest.mark.parametrize("url", ["/quan-tri/nhat-ky", "/quan-tri/phieu"])
def test_odd_page_numbers_show_the_first_page(admin_client, url, value):
    assert admin_client.get(f"{url}?page={value}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/quan-tri/don-vi/99999999999999999999",
        "/quan-tri/quay/99999999999999999999",
        "/quan-tri/tai-khoan/99999999999999999999",
        "/quan-tri/phieu/99999999999999999999",
        "/quan-tri/bo-cau-hoi/99999999999999999999",
    ],
)
def test_huge_ids_in_paths_are_not_found(admin_client, url):
    assert admin_client.get(url).status_code == 404


def test_huge_ids_in_forms_are_refused(admin_post, users):
    made = admin_post(
        "/quan-tri/tai-khoan",
        {
            "username": "can-bo-moi",
            "role": "unit_manager",
            "unit_id": "9" * 30,
            "password": "mat-khau-tam-2026",
            "confirmation": "mat-khau-tam-2026",
        },
    )
    assert made.status_code == 422
    moved = admin_post(f"/quan-tri/tai-khoan/{users['surveyor'].id}/sua", {"role": "surveyor", "unit_id": "²"})
    assert moved.status_code == 422


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("started_at", "0001-01-01T00:00:00+01:00"),
        ("submitted_at", "0001-01-01T00:00:00+01:00"),
        ("started_at", "9999-12-31T23:59:59-01:00"),
        ("submitted_at", "9999-12-31T23:59:59-01:00"),
    ],
)
def test_an_interview_with_an_odd_time_is_invalid_and_the_rest_of_the_batch_is_kept(
    surveyor_assignment, app, users, login_as, field, value
):
    client = app.test_client()
    login_as(client, users["surveyor"])
    headers = {"X-CSRFToken": client.get("/api/v1/session").json["csrf_token"]}
    good = interview(surveyor_assignment.id)
    odd = interview(surveyor_assignment.id, client_uuid=str(uuid.uuid4()), **{field: value})
    response = send(client, headers, [odd, good])
    assert response.status_code == 200
    assert [r["status"] for r in response.json["results"]] == ["invalid", "created"]
    assert response.json["results"][0]["errors"][0]["field"] == field


def test_paper_import_refuses_days_outside_the_range(tmp_path, db_session, point):
    from app.services.imports import responses_import
    from app.services.instruments import instrument_active
    from surveys import load_all

    active = instrument_active(db_session, load_all(), "sipas-counter")
    sheet = tmp_path / "phieu.csv"
    sheet.write_text(
        "ma_phieu,don_vi,ngay\nP1,T01-X01,01/01/0001\nP2,T01-X01,31/12/1999\nP3,T01-X01,2025-06-01\n", encoding="utf-8"
    )
    result = responses_import(db_session, active, sheet)
    about_day = [e.row for e in result.errors if "ngày không hợp lệ" in e.message]
    assert about_day == [2, 3]  # row 4 has a good day (and misses answers)


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "0001-01-01"],
        ["--from", "2026-01-01", "--to", "9999-12-31"],
        ["--from", "2026-01-01", "--target", "99999999999999999999"],
        ["--from", "2026-01-01", "--target", "0"],
    ],
)
def test_the_assign_command_refuses_odd_dates_and_targets(runner, users, args):
    base = ["assign", "--username", "test-surveyor", "--unit", "U-A1", "--target", "5"]
    result = runner.invoke(args=[*base, *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_the_report_command_refuses_odd_dates(runner, tmp_path):
    result = runner.invoke(
        args=["report", "--format", "json", "--out", str(tmp_path / "r.json"), "--date", "9999-12-31"]
    )
    assert result.exit_code == 2 and "2000-01-01" in result.output


@pytest.mark.parametrize("value", ["١٢", "１２", "²", "3\u0663"])
def test_answers_take_ascii_digits_only_as_the_tablet_does(value):
    """The tablet's check (``/\\d/`` in JavaScript) knows ASCII digits only;
    the server read "١٢" (Arabic-Indic) as 12. Both refuse it now."""
    from surveys import answers_validate, load_all
    from surveys.answers import MSG_NOT_NUMBER

    instrument = load_all()["sipas-counter.v1"]
    assert answers_validate(instrument, {"visits": "2"}).answers.get("visits") == 2
    checked = answers_validate(instrument, {"visits": value})
    assert checked.errors.get("visits") == MSG_NOT_NUMBER


@pytest.mark.parametrize(
    ("query", "vi", "en"),
    [
        ("period=week", "kỳ báo cáo phải là một trong", "the period must be one of"),
        ("date=0001-01-01", "từ 2000-01-01 đến 2099-12-31", "from 2000-01-01 to 2099-12-31"),
        ("period=custom&date=2026-05-01", "ngày kết thúc", "needs an end date"),
        ("level=planet", "cấp đơn vị", "unit level"),
        ("procedure=²", "lĩnh vực", "procedure field"),
    ],
)
def test_a_refused_report_filter_says_why_in_the_persons_language(app, users, login_as, query, vi, en):
    client = app.test_client()
    login_as(client, users["analyst"])
    assert vi in client.get(f"/bao-cao?{query}").get_data(as_text=True)
    assert en in client.get(f"/bao-cao?{query}&lang=en").get_data(as_text=True)

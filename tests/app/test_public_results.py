"""The public results page /ket-qua and its open data (issue 17): closed periods
only, the dashboard report's disclosure control, no comments, no sign-in."""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from app.models import ServicePoint
from app.refusals import Refused
from app.reports.forms import report_request
from app.services.instruments import instrument_active
from app.services.public_results import OPEN_DATA_COLUMNS, closed_periods, period_code, public_period_parse
from app.services.reports.build import report_for
from app.services.reports.periods import period_of
from app.services.submissions import response_submit
from app.time import VIETNAM
from surveys import load_all

TODAY = datetime.now(VIETNAM).date()
#: the last quarter that has ended
CLOSED = period_of("quarter", TODAY).previous()
OPEN = period_of("quarter", TODAY)
SECRET_COMMENT = "Ý kiến riêng của một công dân ở A1"
BASE = {"visit_stage": 1, "procedure": 1, "E5_gate": 2, "informal_payment": 2, "overall": 4, "expectations": (6,)}


@pytest.fixture
def published(db_session, units):
    """In the last closed quarter: communes A1 (good) and A2 (average) and district B
    with 30 responses each, spread over its three months and over two counters;
    commune B1 with 3 responses (too few to publish); a comment in A1."""
    active = instrument_active(db_session, load_all(), "sipas-counter")
    plan = {"A1": (30, 0.9), "A2": (30, 0.6), "B": (30, 0.75), "B1": (3, 0.0)}
    months = [CLOSED.start, (CLOSED.start + timedelta(days=32)).replace(day=1)]
    months.append((months[1] + timedelta(days=32)).replace(day=1))
    for key, (count, share) in plan.items():
        points = [ServicePoint(unit=units[key], code=f"Q{i}", name=f"Quầy {key}-{i}") for i in (1, 2)]
        db_session.add_all(points)
        db_session.flush()
        for i in range(count):
            good = i < share * count
            answers = {**BASE, "E1_seats": 5 if good else 2, "E2_posted_complete": 4 if good else 1,
                       "harassment": 2 if good else 1}  # fmt: skip
            if key == "A1" and i == 0:
                answers["comment"] = SECRET_COMMENT
            day = months[i % 3] + timedelta(days=i // 3 % 20)
            point = points[i % 2]
            response_submit(
                db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
                service_point_id=point.id, channel="qr", answers=answers,
                submitted_at=datetime.combine(day, time(9), tzinfo=VIETNAM).astimezone(UTC),
            )  # fmt: skip
    db_session.commit()
    return period_code(CLOSED)


def get(client, url):
    """The response and what a person reads in it (a JSON refusal's message)."""
    response = client.get(url)
    if response.is_json and "message" in response.json:
        return response, response.json["message"]
    return response, response.get_data(as_text=True)


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_a_closed_quarter_shows_the_figures_to_anyone(client, published):
    response, html = get(client, f"/ket-qua?ky={published}")
    assert response.status_code == 200  # nobody signed in
    assert "Kết quả khảo sát sự hài lòng" in html and CLOSED.label("vi") in html
    for name in ("Đơn vị A1", "Đơn vị A2", "Đơn vị B", "Toàn tỉnh", "Chỉ số hài lòng chung"):
        assert name in html
    assert "\u00a0%" in html  # figures in the Vietnamese number format
    assert response.headers["Cache-Control"] == "public, max-age=600"
    assert response.headers["ETag"]
    again = client.get(f"/ket-qua?ky={published}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_without_a_period_the_last_closed_quarter_is_shown(client, published):
    response, html = get(client, "/ket-qua")
    assert response.status_code == 200
    assert f'value="{published}" selected' in html
    assert OPEN.label("vi") not in html  # the open quarter is not offered


def test_english_is_the_second_language(client, published):
    response, html = get(client, f"/ket-qua?ky={published}&lang=en")
    assert response.status_code == 200
    assert "Citizen satisfaction survey results" in html and "Whole province" in html
    # the response that sets the language cookie is kept by the person's browser only
    assert response.headers["Cache-Control"] == "private, max-age=600" and "lang=en" in response.headers["Set-Cookie"]
    again, html = get(client, f"/ket-qua?ky={published}")  # the cookie now chooses English
    assert "Whole province" in html and again.headers["Cache-Control"] == "public, max-age=600"
    assert "Cookie" in again.headers["Vary"]


@pytest.mark.parametrize("code", [period_code(OPEN), str(TODAY.year), str(TODAY.year + 1), f"{TODAY.year + 1}-Q1"])
def test_an_open_or_future_period_is_refused(client, published, code):
    for url in (f"/ket-qua?ky={code}", f"/ket-qua/du-lieu.csv?ky={code}", f"/ket-qua/du-lieu.json?ky={code}"):
        response, text = get(client, url)
        assert response.status_code == 404, url
        assert "chưa kết thúc" in text, url


@pytest.mark.parametrize(
    "value", ["abc", "2026-Q5", "2026-Q0", "1999", "99999", "2026-Q", "2026Q3", "%00", "2026-Q3'--", "x" * 500]
)
def test_a_value_that_names_no_period_is_a_400(client, published, value):
    from urllib.parse import quote

    for url in (f"/ket-qua?ky={quote(value)}", f"/ket-qua/du-lieu.json?ky={quote(value)}"):
        response, text = get(client, url)
        assert response.status_code == 400, url
        assert "không hợp lệ" in text
    assert client.get("/ket-qua/du-lieu.json?ky=abc").json["error"] == "pub.period_bad"


def test_an_unknown_download_format_is_a_404(client, published):
    assert client.get(f"/ket-qua/du-lieu.xlsx?ky={published}").status_code == 404
    assert client.get(f"/ket-qua/du-lieu.pdf?ky={published}").status_code == 404


def test_units_are_ranked_within_their_level(client, published):
    data = client.get(f"/ket-qua/du-lieu.json?ky={published}").json
    index_rows = {r["ma_don_vi"]: r for r in data["rows"] if r["pham_vi"] == "don_vi" and r["chi_so"] == "INDEX"}
    assert index_rows["U-B"]["cap"] == "district" and index_rows["U-B"]["hang_trong_cap"] == 1
    communes = {code: r["hang_trong_cap"] for code, r in index_rows.items() if r["cap"] == "commune"}
    published_communes = sorted(r for r in communes.values() if r is not None)
    assert published_communes == list(range(1, len(published_communes) + 1))
    assert communes["U-B1"] is None  # hidden: no rank
    if communes["U-A1"] is not None and communes["U-A2"] is not None:
        assert communes["U-A1"] < communes["U-A2"]


def test_a_unit_with_few_answers_is_hidden_on_the_page_and_in_the_open_data(client, published):
    _response, html = get(client, f"/ket-qua?ky={published}")
    row = html[html.index('data-unit="U-B1"') :]
    row = row[: row.index("</tr>")]
    assert "Không công bố" in row and "%" not in row
    assert "Không công bố: dưới 5 câu trả lời" in row

    rows = [r for r in csv_rows(client.get(f"/ket-qua/du-lieu.csv?ky={published}")) if r["ma_don_vi"] == "U-B1"]
    assert rows and all(r["cong_bo"] == "0" and r["uoc_luong"] == r["can_duoi"] == r["can_tren"] == "" for r in rows)
    index = next(r for r in rows if r["chi_so"] == "INDEX")
    assert index["ly_do_khong_cong_bo"] in ("few_answers", "small_month")

    data = client.get(f"/ket-qua/du-lieu.json?ky={published}").json
    hidden = [r for r in data["rows"] if r["ma_don_vi"] == "U-B1"]
    assert hidden and all(r["cong_bo"] == 0 and r["uoc_luong"] is None and r["can_tren"] is None for r in hidden)


def test_the_open_data_publishes_exactly_what_the_dashboard_report_publishes(app, client, db_session, published):
    """Every unit figure: published in the open data if and only if the
    dashboard's report publishes it, with the same estimate and interval."""
    rows = client.get(f"/ket-qua/du-lieu.json?ky={published}").json["rows"]
    req = report_request({"period": "quarter", "date": CLOSED.start.isoformat()})
    report = report_for(db_session, app.extensions["instruments"], req)
    by_unit = {u.code: u for u in report.units}
    checked = 0
    for row in rows:
        if row["pham_vi"] != "don_vi":
            continue
        figure = by_unit[row["ma_don_vi"]].figures.get(row["chi_so"])
        shown = figure is not None and figure.estimate is not None and not figure.suppressed
        assert row["cong_bo"] == (1 if shown else 0), row
        if shown:
            assert row["uoc_luong"] == pytest.approx(figure.estimate, abs=1e-6)
            assert row["can_duoi"] == pytest.approx(figure.lower, abs=1e-6)
            assert row["can_tren"] == pytest.approx(figure.upper, abs=1e-6)
        checked += 1
    assert checked >= 4 * 8
    assert any(r["cong_bo"] == 1 for r in rows) and any(r["cong_bo"] == 0 for r in rows)


def test_no_comment_appears_anywhere(client, published):
    for url in (f"/ket-qua?ky={published}", f"/ket-qua/du-lieu.csv?ky={published}",
                f"/ket-qua/du-lieu.json?ky={published}", f"/ket-qua?ky={published}&lang=en"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200
        text = response.data.decode("utf-8-sig")
        assert SECRET_COMMENT not in text and json.dumps(SECRET_COMMENT)[1:-1] not in text


def test_csv_and_json_have_the_documented_columns(client, published):
    response = client.get(f"/ket-qua/du-lieu.csv?ky={published}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="ket-qua-{published}.csv"' in response.headers["Content-Disposition"]
    header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert tuple(header) == OPEN_DATA_COLUMNS
    data = client.get(f"/ket-qua/du-lieu.json?ky={published}").json
    assert data["columns"] == list(OPEN_DATA_COLUMNS) and "CC BY 4.0" in data["licence"]
    assert data["method"].endswith(f"/ket-qua?ky={published}#phuong-phap")
    assert all(tuple(r) == OPEN_DATA_COLUMNS for r in data["rows"])
    documented = (Path(__file__).parents[2] / "docs" / "open-data.md").read_text(encoding="utf-8")
    assert all(f"`{c}`" in documented for c in OPEN_DATA_COLUMNS)
    total = [r for r in data["rows"] if r["pham_vi"] == "tinh"]
    assert {"INDEX", "harassment", "informal_payment", "E1_seats"} <= {r["chi_so"] for r in total}
    assert next(r for r in total if r["chi_so"] == "INDEX")["so_phieu"] == 93


def test_a_signed_in_person_gets_a_private_copy(client, users, login_as, published):
    login_as(client, users["analyst"])
    response = client.get(f"/ket-qua?ky={published}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=600"


# ------------------------------------------------------------------ the periods


def test_period_parsing():
    today = date(2026, 12, 5)
    assert public_period_parse(None, today) == period_of("quarter", date(2026, 7, 1))
    assert public_period_parse("2026-Q3", today) == period_of("quarter", date(2026, 7, 1))
    assert public_period_parse("2025", today) == period_of("year", date(2025, 1, 1))
    assert public_period_parse(" 2025-q4 ", today) == period_of("quarter", date(2025, 10, 1))
    for value, status in (("2026-Q4", 404), ("2026", 404), ("2027", 404), ("2028", 400), ("1999", 400), ("Q3", 400)):
        with pytest.raises(Refused) as refused:
            public_period_parse(value, today)
        assert refused.value.status == status, value
    # the first day of a quarter: the quarter before it has just closed
    assert public_period_parse("2026-Q3", date(2026, 10, 1)).end == date(2026, 9, 30)
    with pytest.raises(Refused):
        public_period_parse("2026-Q3", date(2026, 9, 30))


def test_closed_periods_run_from_the_first_response(db_session, published):
    periods = closed_periods(db_session, TODAY)
    assert periods and all(p.end < TODAY for p in periods)
    assert CLOSED in periods and OPEN not in periods
    assert closed_periods(db_session, CLOSED.end + timedelta(days=1))[-1] == CLOSED


def test_closed_periods_without_responses_offer_the_last_quarter(db_session):
    assert closed_periods(db_session, date(2026, 12, 5)) == [period_of("quarter", date(2026, 7, 1))]


def test_the_report_is_built_as_the_dashboard_builds_it():
    req = report_request({"period": "quarter", "date": CLOSED.start.isoformat()})
    assert req.period == CLOSED and req.grouping == "unit" and req.filter.unit_code is None
    assert replace(req, search=None) == req

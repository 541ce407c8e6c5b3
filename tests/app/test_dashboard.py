"""The dashboard and downloads: content, filters, scope of a unit manager, audit."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import AuditEvent, ServicePoint
from app.services.instruments import instrument_active
from app.services.submissions import response_submit
from app.time import VIETNAM
from surveys import load_all
from tests.periods import RECENT

TODAY = datetime.now(VIETNAM).date()
BASE = {"visit_stage": 1, "procedure": 1, "E5_gate": 2, "informal_payment": 2, "overall": 4, "expectations": (6,)}


@pytest.fixture
def responses(db_session, units):
    """Responses in communes A1 (good), A2 (average) and B1 (bad), with comments."""
    active = instrument_active(db_session, load_all(), "sipas-counter")
    plan = {"A1": (0.9, "Rất tốt ở A1"), "A2": (0.7, "Bình thường ở A2"), "B1": (0.3, "Bí mật của B1")}
    for key, (share, comment) in plan.items():
        point = ServicePoint(unit=units[key], code="Q1", name=f"Quầy {key}")
        db_session.add(point)
        db_session.flush()
        for i in range(60):
            good = i < share * 60
            answers = {
                **BASE,
                "E1_seats": 5 if good else 2,
                "E2_posted_complete": 4 if good else 1,
                "harassment": 2 if good else 1,
            }
            if i == 0:
                answers["comment"] = comment
            when = datetime.now(UTC) - timedelta(days=1 + i % 20)
            response_submit(
                db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
                service_point_id=point.id, channel="qr", answers=answers, submitted_at=when,
            )  # fmt: skip
    db_session.commit()


def page(client, url=f"/bao-cao?{RECENT}"):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client, responses):
    response = client.get("/bao-cao")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_analyst_sees_every_unit_with_figures_and_charts(client, users, responses, login_as):
    login_as(client, users["analyst"])
    response, html = page(client)
    assert response.status_code == 200
    for name in ("Đơn vị A1", "Đơn vị A2", "Đơn vị B1"):
        assert name in html
    assert "Chỉ số hài lòng chung" in html and "<svg" in html
    assert "Bí mật của B1" in html
    assert "Kém hơn" in html  # B1 is significantly worse than the rest
    assert response.headers["Cache-Control"] == "no-store"


def test_unit_manager_sees_only_their_subtree(client, users, responses, login_as):
    login_as(client, users["unit_manager"])
    response, html = page(client)
    assert response.status_code == 200
    assert "Đơn vị A1" in html and "Đơn vị A2" in html
    assert "Đơn vị B1" not in html and "Bí mật của B1" not in html and "U-B1" not in html
    for url in ("/bao-cao?unit=U-B1", "/bao-cao?unit=U-B", "/bao-cao?unit=U-P", "/bao-cao?unit=NOPE",
                "/bao-cao/tai-ve.json?unit=U-B1", "/bao-cao/tai-ve.csv?unit=U-B"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    searched = client.get(f"/bao-cao?{RECENT}&q=B1").get_data(as_text=True)
    assert "Bí mật của B1" not in searched
    data = json.loads(client.get(f"/bao-cao/tai-ve.json?{RECENT}").get_data(as_text=True))
    assert {u["code"] for u in data["units"]} == {"U-A1", "U-A2"}
    assert all("B1" not in c["text"] for c in data["comments"])


@pytest.mark.parametrize("role", ["surveyor"])
def test_surveyors_have_no_dashboard(client, users, responses, login_as, role):
    login_as(client, users[role])
    assert client.get("/bao-cao").status_code == 403
    assert client.get("/bao-cao/tai-ve.json").status_code == 403


def test_json_and_csv_downloads_agree_with_the_page(client, users, responses, login_as):
    login_as(client, users["analyst"])
    data = json.loads(client.get(f"/bao-cao/tai-ve.json?{RECENT}").get_data(as_text=True))
    assert data["responses"] == 180
    response = client.get(f"/bao-cao/tai-ve.csv?{RECENT}")
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert any("Đơn vị B1" in row for row in rows)
    a1 = next(u for u in data["units"] if u["code"] == "U-A1")["figures"]["E1_seats"]
    assert a1["estimate"] == pytest.approx(54 / 60)


def test_filters_and_bad_filters(client, users, responses, login_as):
    login_as(client, users["analyst"])
    _, html = page(client, f"/bao-cao?{RECENT}&unit=U-A")
    # B1 stays in the analyst's unit picker but not in the results
    assert '<span class="muted">U-A1 · ' in html and '<span class="muted">U-B1 · ' not in html
    for bad in ("period=week", "date=hôm-nay", "level=planet", "channel=fax", "period=custom&date=2026-05-01",
                "procedure=abc", "grouping=cosmos"):  # fmt: skip
        response = client.get(f"/bao-cao?{bad}")
        assert response.status_code == 400, bad
        assert "không" in response.get_data(as_text=True) or "phải" in response.get_data(as_text=True)
    empty = client.get("/bao-cao?period=year&date=2001-01-01").get_data(as_text=True)
    assert "Không có dữ liệu cho bộ lọc này." in empty
    assert client.get("/bao-cao/tai-ve.docx").status_code == 404


def test_views_and_downloads_are_audited(client, users, responses, login_as, db_session):
    login_as(client, users["analyst"])
    client.get(f"/bao-cao?{RECENT}&unit=U-A")
    client.get(f"/bao-cao/tai-ve.json?{RECENT}&q=tốt")
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action.like("report.%"))).all()
    assert [e.action for e in events] == ["report.view", "report.download"]
    assert events[0].target == "U-A" and events[0].actor_username == "test-analyst"
    assert "tốt" in json.dumps(events[1].detail, ensure_ascii=False)


def test_comment_xss_is_inert(client, users, responses, login_as, db_session):
    from app.models import Answer

    db_session.execute(
        Answer.__table__.update()
        .where(Answer.question_code == "comment")
        .values(value_text="<script>alert(1)</script>")
    )
    db_session.commit()
    login_as(client, users["analyst"])
    _, html = page(client)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_dashboard_opens_with_findings_and_shows_the_previous_period(client, users, responses, login_as):
    login_as(client, users["analyst"])
    _, html = page(client, f"/bao-cao?{RECENT}")
    assert html.index("Tóm tắt kết quả") < html.index('<table class="data">')
    assert "Chỉ số hài lòng (SIPAS)" in html  # the headline finding, in words
    units = html[html.index("<th>Hạng</th>") :]
    assert "<th>Thay đổi so với kỳ trước</th>" in units and "Xếp hạng theo chỉ số chung, trong cùng cấp" in units


def test_the_language_switch_keeps_the_filters(client, users, login_as):
    login_as(client, users["analyst"])
    page = client.get("/bao-cao?period=month&date=2026-03-01&grouping=district&lang=vi").get_data(as_text=True)
    link = page.split('class="ctl lang" href="')[1].split('"')[0].replace("&amp;", "&")
    assert link == "/bao-cao?period=month&date=2026-03-01&grouping=district&lang=en"
    assert '<html lang="en"' in client.get(link).get_data(as_text=True)


def test_the_language_switch_encodes_what_it_repeats(client):
    page = client.get('/?x="><script>alert(1)</script>').get_data(as_text=True)
    link = page.split('class="ctl lang" href="')[1].split('"')[0]
    assert "<script>" not in link and "%3Cscript%3E" in link


def test_expectations_card_and_csv_table(client, users, responses, login_as):
    """Every respondent chose option 6 ("shorter processing times"): 100 % with the deff-1 interval."""
    login_as(client, users["analyst"])
    _, html = page(client)
    card = html[html.index('id="expectations"') :]
    card = card[: card.index("</section>")]
    assert "Mong đợi của người dân" in card and "Rút ngắn thời gian giải quyết thủ tục hành chính" in card
    assert "table=expectations" in card
    response = client.get(f"/bao-cao/tai-ve.csv?{RECENT}&table=expectations")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('-expectations.csv"')
    header, *rows = csv.reader(io.StringIO(response.data.decode("utf-8-sig")))
    assert header[1:4] == ["Mã nội dung", "Nội dung", "Tỷ lệ chọn"]
    by_code = {int(r[1]): r for r in rows}
    assert by_code[6][3] == "1.0000" and by_code[6][5] == "1.0000" and 0.9 < float(by_code[6][4]) < 1
    assert (by_code[6][6], by_code[6][7]) == ("180", "180")
    assert by_code[1][3] == "0.0000" and by_code[1][7] == "0"


def test_an_unknown_csv_table_is_refused_with_the_reason(client, users, responses, login_as):
    login_as(client, users["analyst"])
    response = client.get(f"/bao-cao/tai-ve.csv?{RECENT}&table=nope")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Không có bảng «nope»" in text and "expectations" in text


def test_units_table_shows_clusters_with_the_marks_and_their_footnote(client, users, responses, login_as):
    """Nobody paid informally (0 %: the deff-1 interval, °); 20 clusters a unit: no §."""
    login_as(client, users["analyst"])
    _, html = page(client)
    assert 'id="cluster-rules-note"' in html and "Ký hiệu ở cột số cụm" in html
    cells = html.split('<td class="fig cluster-rules">')[1:]
    assert len(cells) == 3
    for cell in cells:
        cell = cell[: cell.index("</td>")]
        marks = cell[cell.index('">') + 2 : cell.index("</abbr>")]  # the marks, not the title explaining them
        assert cell.startswith("20 ") and "°" in marks and "§" not in marks

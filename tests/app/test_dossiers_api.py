"""POST /api/v1/dossiers (issue 16.3): a unit's software registers dossiers
of its own counters and gets each one's code; registering again is harmless."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, RegisteredDossier, ServicePoint
from app.services.api_tokens import api_token_issue
from app.services.dossier_codes import dossier_code_read
from app.time import vietnam_today

URL = "/api/v1/dossiers"


@pytest.fixture
def counters(db_session, units) -> dict[str, ServicePoint]:
    made = {key: ServicePoint(unit=units[key], code="Q1", name=f"Quầy {key}") for key in ("A1", "B1")}
    db_session.add_all(made.values())
    db_session.commit()
    return made


@pytest.fixture
def software(db_session, users) -> dict[str, str]:
    """The bearer header of district A's one-stop-shop software."""
    token = api_token_issue(db_session, users["unit_manager"], "Một cửa điện tử", scope="dossiers")
    db_session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_registers_and_is_idempotent(app, client, counters, software, db_session):
    point = counters["A1"]
    body = {"dossiers": [{"service_point_id": point.id, "dossier": "000.00.20.H12-261219-0007"}]}
    first = client.post(URL, json=body, headers=software)
    assert first.status_code == 200
    item = first.get_json()["results"][0]
    assert (item["status"], item["http_status"]) == ("created", 201)
    read = dossier_code_read(app.secret_key, item["code"], vietnam_today())
    assert (read.service_point_id, read.dossier) == (point.id, "000.00.20.H12-261219-0007")
    assert read.expires == vietnam_today() + timedelta(days=30)
    assert item["url"].startswith(f"https://khaosat.test/s/{point.qr_token}?ma=")
    # the code opens the verified form
    assert client.get(item["url"].removeprefix("https://khaosat.test")).status_code == 200
    # again, even asking for another expiry: the same code, nothing new stored
    later = (vietnam_today() + timedelta(days=5)).isoformat()
    again = client.post(URL, json={"dossiers": [{**body["dossiers"][0], "expires": later}]}, headers=software)
    repeated = again.get_json()["results"][0]
    assert (repeated["status"], repeated["code"], repeated["url"]) == ("existing", item["code"], item["url"])
    assert db_session.scalar(select(func.count()).select_from(RegisteredDossier)) == 1
    stored = db_session.scalars(select(RegisteredDossier.dossier)).one()
    assert "H12" not in stored  # kept as a keyed hash only
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "api.dossiers")).all()
    assert [e.detail["counts"]["created"] for e in events] == [1, 0] and "H12" not in str(events[0].detail)


def test_registering_an_expired_dossier_again_issues_a_fresh_code(app, client, counters, software, db_session, users):
    """A code whose last day has passed is of no use to the citizen: the same
    dossier registered again gets a new code with a new expiry (status
    renewed), still one response per dossier; the registration is not counted twice."""
    from app.services.dossier_register import dossiers_register

    point = counters["A1"]
    item = {"service_point_id": point.id, "dossier": "000.00.20.H12-261219-0008"}
    # registered 40 days ago: its code was good for 30 days
    (first,) = dossiers_register(
        db_session, app.secret_key, users["unit_manager"], [item], today=vietnam_today() - timedelta(days=40)
    )
    db_session.commit()
    expired = client.get(f"/s/{point.qr_token}", query_string={"ma": first.code})
    assert expired.status_code == 410
    answer = client.post(URL, json={"dossiers": [item]}, headers=software)
    again = answer.get_json()["results"][0]
    assert (again["status"], again["http_status"]) == ("renewed", 201)
    assert again["code"] != first.code
    assert again["expires"] == (vietnam_today() + timedelta(days=30)).isoformat()
    assert answer.get_json()["counts"]["renewed"] == 1
    read = dossier_code_read(app.secret_key, again["code"], vietnam_today())
    assert (read.service_point_id, read.dossier) == (point.id, item["dossier"])
    assert client.get(again["url"].removeprefix("https://khaosat.test")).status_code == 200
    assert db_session.scalar(select(func.count()).select_from(RegisteredDossier)) == 1
    # a live code is not renewed: the same one again
    third = client.post(URL, json={"dossiers": [item]}, headers=software).get_json()["results"][0]
    assert (third["status"], third["code"]) == ("existing", again["code"])


def test_refuses_other_units_counters_and_bad_items_with_clear_messages(client, counters, software, db_session):
    too_late = (vietnam_today() + timedelta(days=400)).isoformat()
    items = [
        {"service_point_id": counters["B1"].id, "dossier": "X-1"},  # district B's counter
        {"service_point_id": 999999, "dossier": "X-2"},
        {"service_point_id": counters["A1"].id, "dossier": "có dấu"},
        {"service_point_id": counters["A1"].id, "dossier": "X-3", "expires": too_late},
        {"service_point_id": "1", "dossier": "X-4"},
        "X-5",
        {"service_point_id": counters["A1"].id, "dossier": "X-6", "expires": vietnam_today().isoformat()},
    ]
    answer = client.post(URL, json={"dossiers": items}, headers=software, query_string={"lang": "en"})
    results = answer.get_json()["results"]
    assert [r["status"] for r in results] == [
        "forbidden",
        "forbidden",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "created",
    ]
    assert results[0]["messages"] == results[1]["messages"]  # nothing learnt about other units' counters
    assert "không thuộc đơn vị" in results[0]["messages"]["vi"] and "not in the account" in results[0]["message"]
    assert "chữ cái không dấu" in results[2]["messages"]["vi"]
    assert "YYYY-MM-DD" in results[3]["message"]
    assert "code" not in results[0]
    assert db_session.scalar(select(func.count()).select_from(RegisteredDossier)) == 1


def test_whole_request_refusals_and_scopes(app, client, counters, software, db_session, users):
    assert client.post(URL, json={"nope": []}, headers=software).status_code == 400
    assert client.post(URL, data="{", content_type="application/json", headers=software).status_code == 400
    assert client.post(URL, data="x", content_type="text/plain", headers=software).status_code == 415
    many = {"dossiers": [{"service_point_id": counters["A1"].id, "dossier": f"X-{i}"} for i in range(501)]}
    assert client.post(URL, json=many, headers=software).status_code == 413
    assert client.post(URL, json={"dossiers": []}).status_code == 401
    # a tablet's or a reader's token may not register; the software's token may do nothing else
    for scope, role in (("submit", "surveyor"), ("read", "analyst")):
        other = api_token_issue(db_session, users[role], "x", scope=scope)
        db_session.commit()
        assert client.post(URL, json={"dossiers": []}, headers={"Authorization": f"Bearer {other}"}).status_code == 403
    assert client.get("/api/v1/indicators", headers=software).status_code == 403
    assert client.get("/api/v1/openapi.json", headers=software).status_code == 200


def test_only_unit_managers_hold_dossier_tokens(db_session, users):
    from app.refusals import Refused

    with pytest.raises(Refused) as refused:
        api_token_issue(db_session, users["surveyor"], "x", scope="dossiers")
    assert refused.value.message_key == "token.not_dossier_system"


def test_the_openapi_document_describes_it(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    post = doc["paths"]["/api/v1/dossiers"]["post"]
    assert "scope `dossiers`" in post["description"] and "Idempotent" in post["description"]
    assert set(post["responses"]) >= {"200", "400", "401", "403", "413", "415"}
    assert doc["components"]["schemas"]["Dossier"]["required"] == ["service_point_id", "dossier"]


def test_an_administrator_prints_slips_of_one_time_codes(app, admin_client, counters, db_session):
    import re

    point = counters["A1"]
    page = admin_client.get(f"/quan-tri/quay/{point.id}").get_data(as_text=True)
    assert "Mã đánh giá theo hồ sơ" in page and f"/quan-tri/quay/{point.id}/ma-ho-so.pdf" in page
    sheet = admin_client.get(f"/quan-tri/quay/{point.id}/ma-ho-so.pdf?so=10&ngay=30")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")
    assert sheet.headers["Content-Disposition"].startswith('attachment; filename="ma-ho-so-U-A1-Q1-')
    urls = sorted(set(re.findall(rb"/URI \((https://khaosat\.test/s/[^)]+)\)", sheet.data)))
    assert len(urls) == 10  # ten different codes, two pages
    codes = [u.decode().split("?ma=")[1] for u in urls]
    for code in codes:
        read = dossier_code_read(app.secret_key, code, vietnam_today())
        assert read.service_point_id == point.id and read.expires == vietnam_today() + timedelta(days=30)
    assert admin_client.get(f"/s/{point.qr_token}?ma={codes[0]}").status_code == 200
    for query in ("so=0", "so=201", "ngay=400", "so=abc"):
        refused = admin_client.get(f"/quan-tri/quay/{point.id}/ma-ho-so.pdf?{query}")
        assert refused.status_code == 422 and "%PDF" not in refused.get_data(as_text=True)
    assert admin_client.get("/quan-tri/quay/999999/ma-ho-so.pdf").status_code == 404


def test_a_unit_manager_prints_slips_for_the_counters_of_their_units_only(
    app, client, counters, users, login_as, db_session
):
    """Counters without software get printed one-time codes from their unit's
    manager too, not only from the province's administrators; a neighbour's
    counter is not found, as an unknown one; each print is audited."""
    import re

    login_as(client, users["unit_manager"])
    mine, theirs = counters["A1"], counters["B1"]
    listing = client.get("/ma-ho-so")
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "Mã đánh giá theo hồ sơ" in html
    assert f"/ma-ho-so/{mine.id}.pdf" in html and f"/ma-ho-so/{theirs.id}.pdf" not in html
    assert "Quầy B1" not in html
    sheet = client.get(f"/ma-ho-so/{mine.id}.pdf?so=3&ngay=10")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")
    codes = {u.decode().split("?ma=")[1] for u in re.findall(rb"/URI \((https://khaosat\.test/s/[^)]+)\)", sheet.data)}
    assert len(codes) == 3
    for code in codes:
        read = dossier_code_read(app.secret_key, code, vietnam_today())
        assert read.service_point_id == mine.id and read.expires == vietnam_today() + timedelta(days=10)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "dossier_sheet.print")).one()
    assert event.detail == {"service_point_id": mine.id, "count": 3, "days": 10}
    assert client.get(f"/ma-ho-so/{theirs.id}.pdf").status_code == 404
    assert client.get("/ma-ho-so/999999.pdf").status_code == 404
    odd = ("so=0", "so=201", "ngay=400", "so=abc", "so=%C2%B2", "ngay=%D9%A1", "so=1_0", "so=+5", "so=" + "9" * 5000)
    for query in odd:
        refused = client.get(f"/ma-ho-so/{mine.id}.pdf?{query}&lang=en")
        assert refused.status_code == 422 and "%PDF" not in refused.get_data(as_text=True), query
        said = refused.get_data(as_text=True)
        assert "from 1 to" in said or "whole numbers" in said, query
    for person in ("analyst", "surveyor"):
        other = app.test_client()
        login_as(other, users[person])
        assert other.get(f"/ma-ho-so/{mine.id}.pdf").status_code == 403


@pytest.mark.parametrize("dossier", ["X-7\n", "X-7\r\n", "\nX-7"])
def test_a_dossier_number_with_a_line_break_is_invalid(client, counters, software, db_session, dossier):
    """'$' in a pattern also matches before a final line break: "X-7\\n" was
    registered as a dossier apart from "X-7", with a code that no form opens."""
    item = {"service_point_id": counters["A1"].id, "dossier": dossier}
    result = client.post(URL, json={"dossiers": [item]}, headers=software).get_json()["results"][0]
    assert result["status"] == "invalid" and "code" not in result
    assert db_session.scalar(select(func.count()).select_from(RegisteredDossier)) == 0

"""The surveyor's pages, the service worker route, assignments and the demo."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Response, SurveyorAssignment, User
from app.refusals import Refused
from app.services.assignments import assignment_create, assignments_of
from app.services.instruments import instrument_active
from app.services.submissions import response_submit
from surveys import load_all

STATIC = Path(__file__).resolve().parents[2] / "static"
ANSWERS = {
    "sex": 2, "age_group": 5, "ethnicity": 2, "education": 1, "used_service": 2,
    "P_land": 9, "P_construction": 9, "P_hospital": 2, "P_school": 2, "P_job": 2,
}  # fmt: skip


def config_of(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="sv-config">(.*?)</script>', html, re.S).group(1))


def tablet_response(db_session, unit_id, *, surveyor_id=None, channel="tablet", day=None):
    active = instrument_active(db_session, load_all(), "papi-household")
    moment = datetime.combine(day or date.today(), datetime.min.time(), tzinfo=UTC) + timedelta(hours=3)
    response_submit(
        db_session,
        client_uuid=uuid.uuid4(),
        instrument=active,
        unit_id=unit_id,
        service_point_id=None,
        channel=channel,
        answers=ANSWERS,
        started_at=moment - timedelta(minutes=15),
        submitted_at=moment,
        surveyor_id=surveyor_id,
        device_id="tablet-0001" if surveyor_id else None,
    )


@pytest.fixture
def surveyor_client(app, users, login_as):
    client = app.test_client()
    login_as(client, users["surveyor"])
    return client


def test_home_lists_assignments_with_progress_from_the_server(
    surveyor_client, surveyor_assignment, db_session, users, units
):
    mine = users["surveyor"].id
    tablet_response(db_session, units["A1"].id, surveyor_id=mine)
    tablet_response(db_session, units["A1"].id, surveyor_id=mine)
    tablet_response(db_session, units["A1"].id, surveyor_id=users["unit_manager"].id)  # not theirs
    tablet_response(db_session, units["A1"].id, channel="paper")  # not an interview
    tablet_response(db_session, units["A1"].id, surveyor_id=mine, day=date.today() - timedelta(days=60))  # before
    db_session.commit()
    page = surveyor_client.get("/dieu-tra")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Phỏng vấn hộ gia đình về chất lượng dịch vụ hành chính công" in html
    assert "Đã nhận 2/10" in html
    assert f'href="/dieu-tra/phong-van/{surveyor_assignment.id}"' in html
    assert page.headers["Cache-Control"] == "no-store"
    config = config_of(html)
    assert config["user"]["username"] == "test-surveyor"
    assert config["urls"]["sw"] == "/sw.js" and config["urls"]["scope"] == "/dieu-tra"
    assert f"/dieu-tra/phong-van/{surveyor_assignment.id}" in config["warm"]
    assert "/api/v1/instruments/papi-household" in config["warm"]
    texts = json.loads(re.search(r'id="sv-texts">(.*?)</script>', html, re.S).group(1))
    assert texts["start"] == "Bắt đầu phỏng vấn"
    assert 'rel="manifest"' in html and 'name="csrf-token"' in html


def test_pages_keep_to_the_content_security_policy(surveyor_client, surveyor_assignment):
    for url in ("/dieu-tra", f"/dieu-tra/phong-van/{surveyor_assignment.id}"):
        html = surveyor_client.get(url).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert " style=" not in html and "<style" not in html
        assert " on" not in re.sub(r"<script.*?</script>", "", html, flags=re.S).replace(" one", "")  # no onclick=


def test_the_interview_page_is_only_for_the_assignments_surveyor(
    app, surveyor_client, surveyor_assignment, db_session, users, units, login_as, staff_password
):
    from app.services import accounts

    page = surveyor_client.get(f"/dieu-tra/phong-van/{surveyor_assignment.id}")
    assert page.status_code == 200
    config = config_of(page.get_data(as_text=True))
    assert config["assignment"]["instrument_url"] == "/api/v1/instruments/papi-household"
    assert config["assignment"]["active"] is True
    other = accounts.user_create(
        db_session, username="test-surveyor-2", password=staff_password, role="surveyor", unit=units["A1"]
    )
    db_session.commit()
    client = app.test_client()
    login_as(client, other)
    assert client.get(f"/dieu-tra/phong-van/{surveyor_assignment.id}").status_code == 404
    assert surveyor_client.get("/dieu-tra/phong-van/999999").status_code == 404


def test_the_service_worker_lists_files_that_exist_and_changes_with_them(client, app):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    assert "__VERSION__" not in source and "__ASSETS__" not in source
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", source).group(1))
    assert "/static/js/surveyor/interview.js" in assets
    for url in assets:
        assert (STATIC / url.removeprefix("/static/")).is_file(), url
        with client.get(url) as served:
            assert served.status_code == 200
    version = re.search(r'const VERSION = "([0-9a-f]{16})"', source)
    assert version


def test_the_web_app_manifest_makes_the_app_installable(client):
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["start_url"] == "/dieu-tra" and manifest["scope"] == "/dieu-tra"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as served:
            assert served.status_code == 200
    with client.get("/static/manifest.webmanifest") as served:
        assert served.mimetype == "application/manifest+json"


def test_the_account_page_leads_a_surveyor_to_their_page(surveyor_client):
    assert 'href="/dieu-tra"' in surveyor_client.get("/tai-khoan").get_data(as_text=True)


def test_assignments_are_checked_when_made(db_session, users, units, point):
    registry = load_all()
    surveyor, today = users["surveyor"], date.today()
    common = {"surveyor": surveyor, "target": 5, "starts_on": today}
    cases = [
        ({**common, "surveyor": users["analyst"], "unit": units["A1"]}, "assign.not_surveyor"),
        ({**common, "unit": units["B1"]}, "assign.unit_out_of_scope"),
        ({**common, "unit": units["A1"], "instrument_code": "no-such"}, "assign.instrument_unknown"),
        ({**common, "unit": units["A1"], "target": 0}, "assign.target_positive"),
        ({**common, "unit": units["A1"], "ends_on": today - timedelta(days=1)}, "assign.dates_reversed"),
        ({**common, "unit": units["A1"], "service_point": point}, "assign.point_not_in_unit"),
    ]
    for kwargs, key in cases:
        kwargs.setdefault("instrument_code", "papi-household")
        with pytest.raises(Refused) as caught:
            assignment_create(db_session, registry, **kwargs)
        assert caught.value.message_key == key


def test_ended_assignments_leave_the_list_after_a_month(db_session, users, units):
    registry = load_all()
    today = date.today()
    for days_ago in (10, 40):
        assignment_create(
            db_session,
            registry,
            surveyor=users["surveyor"],
            unit=units["A1"],
            instrument_code="papi-household",
            target=5,
            starts_on=today - timedelta(days=days_ago + 30),
            ends_on=today - timedelta(days=days_ago),
        )
    shown = assignments_of(db_session, registry, users["surveyor"].id, today)
    assert [a.ends_on for a in shown] == [today - timedelta(days=10)]
    assert not shown[0].active


def test_assign_command_gives_a_surveyor_interviews(runner, users, units, db_session):
    result = runner.invoke(
        args=[
            "assign",
            "--username",
            "test-surveyor",
            "--unit",
            "U-A1",
            "--target",
            "30",
            "--from",
            "2026-01-05",
            "--to",
            "2026-03-31",
        ]
    )
    assert result.exit_code == 0, result.output
    made = db_session.scalar(select(SurveyorAssignment).where(SurveyorAssignment.surveyor_id == users["surveyor"].id))
    assert (made.target_count, made.starts_on, made.instrument_code) == (30, date(2026, 1, 5), "papi-household")
    refused = runner.invoke(args=["assign", "--username", "test-surveyor", "--unit", "U-B1", "--target", "3",
                                  "--from", "2026-01-05"])  # fmt: skip
    assert refused.exit_code != 0 and "outside" in refused.output


def test_the_demo_surveyor_has_assignments_and_interviews(db_session):
    from app.services.demo import DEMO_DEVICE, demo_seed

    demo_seed(db_session, responses=30, force=True)
    surveyor = db_session.scalar(select(User).where(User.username == "demo-surveyor"))
    shown = assignments_of(db_session, load_all(), surveyor.id, datetime.now(UTC).date())
    assert {a.instrument_code for a in shown} == {"papi-household", "sipas-counter"}
    household = next(a for a in shown if a.instrument_code == "papi-household")
    assert household.done == 24 and household.target == 60 and household.active
    rows = db_session.scalars(select(Response).where(Response.surveyor_id == surveyor.id)).all()
    assert len(rows) == 24
    assert all(r.channel == "tablet" and r.device_id == DEMO_DEVICE and r.started_at < r.submitted_at for r in rows)
    assert len({r.service_day for r in rows}) > 1  # several surveyor × day clusters

"""Issue 15.5 and 15.6: a QR response keeps no exact time, the citizen's
cookies carry no time, and device tags are forgotten once their day is over."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from app.models import Response
from app.services import devices
from app.services.instruments import instrument_active
from app.services.submissions import response_submit
from app.time import vietnam_today
from surveys import answers_validate, load_all
from tests.app.test_citizen_form import VALID, open_form

REGISTRY = load_all()


def test_a_qr_response_is_stored_to_the_hour_with_no_start(client, point, db_session):
    nonce = open_form(client, point)
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}).status_code == 303
    row = db_session.execute(select(Response.started_at, Response.submitted_at, Response.received_at)).one()
    assert row.started_at is None
    for moment in (row.submitted_at, row.received_at):
        assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)
    assert db_session.scalar(select(Response.fill_seconds)) is not None  # the duration, not a time of day


def test_the_browser_keeps_only_a_flag_that_it_sent(app, client, point):
    nonce = open_form(client, point)
    sent = client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce})
    cookies = {c.split("=", 1)[0]: c for c in sent.headers.getlist("Set-Cookie")}
    assert cookies["da_gui"].startswith("da_gui=1;")
    session_cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    if session_cookie is not None:  # whatever the session holds, it holds no time of the submission
        data = SecureCookieSessionInterface().get_signing_serializer(app).loads(session_cookie.value)
        assert "sent" not in data
    back = client.get(f"/s/{point.qr_token}").get_data(as_text=True)
    assert "Chúng tôi đã nhận phiếu của ông/bà. Mỗi lần" in back
    today = datetime.now(UTC)
    assert f"{today:%H:%M}" not in back.split("<main", 1)[-1]


def test_device_tags_are_forgotten_once_their_day_is_over(db_session, point):
    active = instrument_active(db_session, REGISTRY, "sipas-counter")
    answers = answers_validate(active.instrument, VALID, channel="qr").answers
    today = vietnam_today()
    for days_ago in (0, 1, 5):
        response_submit(db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=point.unit_id,
                        service_point_id=point.id, channel="qr", answers=answers, device_tag="ab" * 16,
                        submitted_at=datetime.now(UTC) - timedelta(days=days_ago))  # fmt: skip
    db_session.commit()
    assert devices.device_tags_forget(db_session, today) == 2
    db_session.commit()
    tags = dict(db_session.execute(select(Response.service_day, Response.device_tag)).all())
    assert [tag for day, tag in sorted(tags.items())] == [None, None, "ab" * 16]
    assert devices.device_tags_forget(db_session, today) == 0
    assert date.today() >= min(tags)


def test_the_daily_command_and_migrate_forget_past_tags(runner, db_session, point):
    result = runner.invoke(args=["forget-device-tags"])
    assert result.exit_code == 0 and "Device tags of past days cleared: 0." in result.output

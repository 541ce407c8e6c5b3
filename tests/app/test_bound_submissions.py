"""Bound submissions (issue 16.1): the scripted stuffing attack is refused or
flagged, a citizen who fills the form in is not."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from app.models import Response
from app.models.responses import FLAG_FAST_FILL, FLAG_NO_ORIGIN
from app.services import devices
from app.services.form_nonce import nonce_issue, nonce_read
from app.time import VIETNAM
from tests.app.test_citizen_form import VALID, nonce_of, open_form, stored

SAME = {"Origin": "http://localhost"}


def flags(db_session) -> list[int]:
    """The stored responses' fill-time and origin flags (the others depend on the clock)."""
    stored_flags = db_session.scalars(select(Response.quality_flags).order_by(Response.id)).all()
    return [f & (FLAG_FAST_FILL | FLAG_NO_ORIGIN) for f in stored_flags]


def opened_minutes_ago(monkeypatch, minutes: int) -> None:
    """Forms opened from now on look opened ``minutes`` ago (the nonce's timestamp)."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 60 * minutes)


def test_the_nonce_names_the_device_of_the_cookie(app, client, point):
    nonce = nonce_read(app.secret_key, open_form(client, point), point.id)
    assert nonce.device_id == client.get_cookie(devices.COOKIE, path="/s/").value


def test_a_citizen_who_reads_the_form_is_stored_unflagged(app, client, point, db_session, monkeypatch):
    opened_minutes_ago(monkeypatch, 3)
    nonce = open_form(client, point)
    response = client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}, headers=SAME)
    assert response.status_code == 303
    assert flags(db_session) == [0]
    assert db_session.scalars(select(Response.device_tag)).one() is not None


def test_a_script_without_cookies_stores_nothing(app, point, db_session):
    attacker = app.test_client()
    for _ in range(5):
        nonce = open_form(attacker, point)
        attacker.delete_cookie(devices.COOKIE, path="/s/")
        response = attacker.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}, headers=SAME)
        assert response.status_code == 400
    assert stored(db_session) == 0


def test_a_made_up_cookie_or_a_nonce_made_for_another_device_is_refused(app, client, point, db_session):
    nonce = open_form(client, point)
    client.set_cookie(devices.COOKIE, "x" * 22, path="/s/")
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}).status_code == 400
    # a nonce naming the made-up device cannot be had without the secret key;
    # an old nonce that names no device is refused like a missing cookie
    old = URLSafeTimedSerializer(app.secret_key, salt="citizen-form-nonce").dumps({"p": point.id, "u": uuid4().hex})
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": old}).status_code == 400
    forged = nonce_issue("not-the-secret-key", point.id, "x" * 22)
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": forged}).status_code == 400
    assert stored(db_session) == 0


def test_fresh_cookies_each_time_are_stored_but_flagged_as_too_fast(app, point, db_session):
    """The script opens the form in a new browser for each post: each is a new
    device, so the daily limit does not hold, but none took the time to read."""
    app.config["DEVICE_DAILY_MAX"] = 1
    for _ in range(4):
        bot = app.test_client()
        nonce = open_form(bot, point)
        assert bot.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}, headers=SAME).status_code == 303
    assert [f & FLAG_FAST_FILL for f in flags(db_session)] == [FLAG_FAST_FILL] * 4


def test_the_fill_time_flag_can_be_turned_off(app, client, point, db_session):
    app.config["FORM_MIN_SECONDS_PER_ANSWER"] = 0
    nonce = open_form(client, point)
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}, headers=SAME).status_code == 303
    assert flags(db_session) == [0]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/form.html"},
        {"Origin": "http://localhost.evil.example"},
    ],
)
def test_a_cross_site_post_is_refused_with_a_clear_message(client, point, db_session, headers):
    nonce = open_form(client, point)
    response = client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}, headers=headers)
    assert response.status_code == 403
    assert "được gửi từ một trang web khác" in response.get_data(as_text=True)
    assert stored(db_session) == 0


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://localhost"}, {"Referer": "http://localhost/s/abc"}, {"Origin": "https://khaosat.test"}],
)
def test_a_post_from_our_own_pages_is_taken(app, client, point, db_session, monkeypatch, headers):
    opened_minutes_ago(monkeypatch, 3)
    nonce = open_form(client, point)
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}, headers=headers).status_code == 303
    assert flags(db_session) == [0]


def test_a_post_naming_no_origin_is_taken_but_flagged(client, point, db_session, monkeypatch):
    opened_minutes_ago(monkeypatch, 3)
    nonce = open_form(client, point)
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}).status_code == 303
    assert flags(db_session) == [FLAG_NO_ORIGIN]


def test_the_page_warns_before_filling_when_cookies_are_off(client, point):
    html = client.get(f"/s/{point.qr_token}").get_data(as_text=True)
    # shown by static/js/form.js when navigator.cookieEnabled is false
    assert 'id="cookies-off" hidden>Trình duyệt đang chặn cookie' in html


def test_the_device_cookie_ends_with_the_service_day(client, point):
    late = datetime(2026, 12, 5, 23, 0, tzinfo=VIETNAM)
    assert devices.cookie_max_age(late) == 3600
    assert devices.cookie_max_age(datetime(2026, 12, 5, 16, 59, 30, tzinfo=UTC)) == 30
    raw = [c for c in client.get(f"/s/{point.qr_token}").headers.getlist("Set-Cookie") if c.startswith("thiet_bi=")]
    max_age = int(raw[0].split("Max-Age=")[1].split(";")[0])
    assert 0 < max_age <= 24 * 3600


def test_a_refused_form_keeps_its_answers_and_a_fresh_nonce_sends_it(client, point, db_session):
    nonce = open_form(client, point)
    client.set_cookie(devices.COOKIE, "y" * 22, path="/s/")  # the cookie changed under the form
    again = client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce})
    assert again.status_code == 400
    fresh = nonce_of(again.get_data(as_text=True))
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": fresh}).status_code == 303
    assert stored(db_session) == 1

"""Salted, daily-rotating device tags: one browser cannot stuff a counter's ballot box."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.models import Answer, Response, ServicePoint
from app.services import devices
from tests.app.test_citizen_form import VALID, nonce_of, open_form


def stored(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Response))


def device_cookie(client) -> str | None:
    cookie = client.get_cookie(devices.COOKIE, path="/s/")
    return cookie.value if cookie else None


def fresh_form(client, point) -> str:
    """The form's nonce, asking for a new form as the "answer for another visit" link does."""
    response = client.get(f"/s/{point.qr_token}?moi=1")
    assert response.status_code == 200
    return nonce_of(response.get_data(as_text=True))


def send(client, point):
    return client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": fresh_form(client, point)})


def test_the_form_gives_a_random_device_id_once(client, point):
    open_form(client, point)
    first = device_cookie(client)
    assert devices.device_id_valid(first)
    raw = client.get(f"/s/{point.qr_token}").headers.getlist("Set-Cookie")
    assert not any(c.startswith(devices.COOKIE) for c in raw)  # kept, not replaced
    assert device_cookie(client) == first


def test_a_browser_gets_its_daily_share_then_a_clear_refusal(app, client, point, db_session):
    app.config["DEVICE_DAILY_MAX"] = 2
    assert send(client, point).status_code == 303
    assert send(client, point).status_code == 303
    refused = send(client, point)
    assert refused.status_code == 429
    assert "Thiết bị này đã gửi 2 phiếu cho quầy này hôm nay" in refused.get_data(as_text=True)
    assert stored(db_session) == 2
    other = app.test_client()  # another phone at the same counter
    assert send(other, point).status_code == 303
    assert stored(db_session) == 3


def test_a_replay_of_a_stored_form_is_not_refused(app, client, point, db_session):
    app.config["DEVICE_DAILY_MAX"] = 1
    nonce = open_form(client, point)
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}).status_code == 303
    # the phone lost the answer and sends the same form again: same thank-you, nothing new
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce}).status_code == 303
    assert stored(db_session) == 1
    assert send(client, point).status_code == 429


def test_the_limit_is_per_counter(app, client, point, db_session):
    app.config["DEVICE_DAILY_MAX"] = 1
    other = ServicePoint(unit_id=point.unit_id, code="Q02", name="Quầy 2")
    db_session.add(other)
    db_session.commit()
    assert send(client, point).status_code == 303
    assert send(client, other).status_code == 303
    assert send(client, point).status_code == 429


def test_zero_turns_the_check_off(app, client, point, db_session):
    app.config["DEVICE_DAILY_MAX"] = 0
    for _ in range(4):
        assert send(client, point).status_code == 303
    assert stored(db_session) == 4


def test_without_the_device_cookie_a_form_is_refused_and_kept(app, client, point, db_session):
    app.config["DEVICE_DAILY_MAX"] = 1
    nonce = fresh_form(client, point)
    client.delete_cookie(devices.COOKIE, path="/s/")
    refused = client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "trình duyệt không giữ cookie của trang này" in html
    assert "Cán bộ hướng dẫn tận tình" in html  # the answers are kept
    assert stored(db_session) == 0
    # the page gave a new cookie and a nonce naming it: with cookies on, sending again works
    assert device_cookie(client) is not None
    assert client.post(f"/s/{point.qr_token}", data={**VALID, "nonce": nonce_of(html)}).status_code == 303
    assert db_session.scalars(select(Response.device_tag)).one() is not None


def test_only_the_tag_is_stored_never_the_device_id(app, client, point, db_session):
    assert send(client, point).status_code == 303
    device = device_cookie(client)
    row = db_session.execute(select(Response.device_tag, Response.service_day)).one()
    assert row.device_tag == devices.device_tag(app.secret_key, device, point.id, row.service_day)
    assert device not in row.device_tag
    columns = db_session.execute(select(Response)).scalar_one().__dict__.values()
    assert not any(isinstance(v, str) and device in v for v in columns)


@pytest.mark.parametrize(
    ("other_device", "other_point", "other_day"),
    [("b" * 22, 1, date(2026, 5, 1)), ("a" * 22, 2, date(2026, 5, 1)), ("a" * 22, 1, date(2026, 5, 2))],
)
def test_tags_do_not_link_across_devices_counters_or_days(other_device, other_point, other_day):
    tag = devices.device_tag("k" * 32, "a" * 22, 1, date(2026, 5, 1))
    assert len(tag) == 32 and int(tag, 16) >= 0
    assert devices.device_tag("k" * 32, "a" * 22, 1, date(2026, 5, 1)) == tag
    assert devices.device_tag("k" * 32, other_device, other_point, other_day) != tag


@pytest.mark.parametrize("value", [None, "", "short", "a" * 65, "a" * 21 + "!", "a" * 21 + "\u00e9"])
def test_malformed_device_ids_are_ignored(value):
    assert not devices.device_id_valid(value)


def test_a_refused_form_stores_no_answers_and_excluded_forms_do_not_count(app, client, point, db_session):
    app.config["DEVICE_DAILY_MAX"] = 1
    assert send(client, point).status_code == 303
    answers_before = db_session.scalar(select(func.count()).select_from(Answer))
    assert send(client, point).status_code == 429
    assert stored(db_session) == 1
    assert db_session.scalar(select(func.count()).select_from(Answer)) == answers_before
    # an analyst excluded the first form: it no longer uses the device's share
    first = db_session.scalars(select(Response)).one()
    first.status, first.excluded_reason = "excluded", "thử nghiệm"
    db_session.commit()
    assert send(client, point).status_code == 303
    assert stored(db_session) == 2

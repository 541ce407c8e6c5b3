"""Sign-in throttling per username *and* network address (issue 15, item 8).

Before, five wrong passwords typed by anyone, anywhere, locked an account
for 15 minutes even for its owner with the right password. Now failures
count per (username, address): the address that keeps guessing waits
longer and longer (30 s, 1, 2, 4, 8, then 15 minutes), and the owner
signing in from their own office or tablet is not held back by it.
Addresses are stored only as keyed hashes, and forgotten after a day.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AuditEvent
from app.models.accounts import LoginThrottle
from app.services import accounts
from app.services.login_throttle import address_tag, throttle_delay

ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.7"


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves by hand."""
    moment = {"now": accounts.clock()}
    monkeypatch.setattr(accounts, "clock", lambda: moment["now"])

    def advance(**delta) -> None:
        moment["now"] += timedelta(**delta)

    return advance


def test_an_attacker_elsewhere_cannot_lock_the_real_user_out(app, users, sign_in_form):
    attacker = _client(app, ATTACKER)
    statuses = [sign_in_form(attacker, "test-admin", "doan-mo-mat-khau").status_code for _ in range(12)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    office = _client(app, OFFICE)
    assert sign_in_form(office, "test-admin").status_code == 303
    assert office.get("/tai-khoan").status_code == 200


def test_the_wait_grows_with_each_failure_from_one_address(app, users, sign_in_form, clock, db_session):
    attacker = _client(app, ATTACKER)
    for _ in range(4):
        assert sign_in_form(attacker, "test-admin", "sai-mat-khau").status_code == 401
    waits = []
    for _ in range(8):
        assert sign_in_form(attacker, "test-admin", "sai-mat-khau").status_code == 401
        refused = sign_in_form(attacker, "test-admin")  # even the right password waits
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        clock(seconds=waits[-1])
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]
    assert "login.success" not in db_session.scalars(select(AuditEvent.action)).all()
    assert sign_in_form(attacker, "test-admin").status_code == 303


def test_the_refusal_says_how_long_to_wait_in_the_persons_language(app, users, sign_in_form):
    client = _client(app, ATTACKER)
    for _ in range(5):
        sign_in_form(client, "test-analyst", "sai-mat-khau")
    vi = sign_in_form(client, "test-analyst").get_data(as_text=True)
    assert "nhập sai mật khẩu nhiều lần" in vi and "30 giây" in vi
    client.get("/dang-nhap?lang=en")
    en = sign_in_form(client, "test-analyst").get_data(as_text=True)
    assert "30 seconds" in en


def test_refused_attempts_do_not_extend_the_wait(app, users, sign_in_form, clock):
    client = _client(app, ATTACKER)
    for _ in range(5):
        sign_in_form(client, "test-analyst", "sai-mat-khau")
    for _ in range(5):
        clock(seconds=5)
        assert sign_in_form(client, "test-analyst", "sai-mat-khau").status_code == 429
    clock(seconds=6)
    assert sign_in_form(client, "test-analyst").status_code == 303


def test_a_success_clears_the_failures_of_that_address(app, users, sign_in_form, db_session):
    client = _client(app, OFFICE)
    for _ in range(4):
        sign_in_form(client, "test-manager", "sai-mat-khau")
    assert sign_in_form(client, "test-manager").status_code == 303
    assert db_session.scalars(select(LoginThrottle)).all() == []
    other = _client(app, OFFICE)
    for _ in range(4):
        assert sign_in_form(other, "test-manager", "sai-mat-khau").status_code == 401


def test_failures_are_forgotten_after_a_day(app, users, sign_in_form, clock, db_session):
    client = _client(app, ATTACKER)
    for _ in range(10):
        sign_in_form(client, "test-admin", "sai-mat-khau")
    clock(hours=24, seconds=1)
    stranger = _client(app, "192.0.2.44")
    assert sign_in_form(stranger, "nobody-here", "sai-mat-khau").status_code == 401  # prunes old rows
    assert [row.username for row in db_session.scalars(select(LoginThrottle))] == ["nobody-here"]
    for _ in range(4):
        assert sign_in_form(client, "test-admin", "sai-mat-khau").status_code == 401


def test_unknown_usernames_are_throttled_alike(app, sign_in_form):
    client = _client(app, ATTACKER)
    for _ in range(5):
        assert sign_in_form(client, "no-such-person", "sai-mat-khau").status_code == 401
    assert sign_in_form(client, "no-such-person", "sai-mat-khau").status_code == 429


def test_no_network_address_is_stored(app, users, sign_in_form, db_session):
    client = _client(app, ATTACKER)
    for _ in range(6):
        sign_in_form(client, "test-admin", "sai-mat-khau")
    rows = db_session.scalars(select(LoginThrottle)).all()
    assert len(rows) == 1 and rows[0].failures == 5 and rows[0].username == "test-admin"
    assert ATTACKER not in rows[0].address_tag and len(rows[0].address_tag) == 32
    everything = [str(v) for r in db_session.scalars(select(AuditEvent)) for v in (r.target, r.detail)]
    assert not any(ATTACKER in text for text in everything)
    assert "address" not in {c.name for c in AuditEvent.__table__.columns}


def test_address_tags_are_keyed_and_group_an_ipv6_network():
    assert address_tag("k1", ATTACKER) != address_tag("k2", ATTACKER)  # without the key, no dictionary of IPv4
    assert address_tag("k1", ATTACKER) == address_tag("k1", ATTACKER)
    assert address_tag("k1", "2001:db8:1:2::1") == address_tag("k1", "2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert address_tag("k1", "2001:db8:1:2::1") != address_tag("k1", "2001:db8:1:3::1")
    assert address_tag("k1", "::ffff:203.0.113.9") == address_tag("k1", ATTACKER)
    assert address_tag("k1", None) == address_tag("k1", "")


def test_the_schedule():
    assert [throttle_delay(n).total_seconds() for n in range(1, 12)] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]


def test_guessing_the_current_password_from_one_address_is_slowed(app, users, sign_in_form, csrf_of):
    client = _client(app, ATTACKER)
    sign_in_form(client, "test-analyst")

    def change(current: str):
        form = csrf_of(client.get("/doi-mat-khau").get_data(as_text=True))
        new = "mot-cau-de-nho-2026"
        data = {"csrf_token": form, "current": current, "new": new, "confirmation": new}
        return client.post("/doi-mat-khau", data=data)

    for _ in range(5):
        assert change("sai-mat-khau-hien-tai").status_code == 422
    refused = change("mat-khau-thu-nghiem")
    assert refused.status_code == 429 and "30 giây" in refused.get_data(as_text=True)
    # the owner at the office is not held back by it
    office = _client(app, OFFICE)
    assert sign_in_form(office, "test-analyst").status_code == 303

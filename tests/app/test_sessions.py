"""Staff sessions end when they should (issue 15, item 3).

A session cookie is signed, not stored: before, a copy of it kept working
after ``POST /dang-xuat`` until the cookie's 31 days ran out. Each account
now has a session generation in the database, part of the value the
cookie holds; signing out, changing or resetting the password and
deactivating the account bump it, and every copy of an older cookie stops
working. A session also ends after a while without use.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.config import ConfigError, Settings
from app.models import User


def _copy_cookie(source, target) -> None:
    """Put ``source``'s session cookie into ``target``: what a thief would do."""
    target.set_cookie("session", source.get_cookie("session").value)


def _logout(client, csrf_of):
    page = client.get("/tai-khoan")
    return client.post("/dang-xuat", data={"csrf_token": csrf_of(page.get_data(as_text=True))})


def test_a_copied_session_cookie_stops_working_after_sign_out(app, users, sign_in_form, csrf_of):
    browser, thief = app.test_client(), app.test_client()
    assert sign_in_form(browser, "test-analyst").status_code == 303
    _copy_cookie(browser, thief)
    assert thief.get("/tai-khoan").status_code == 200
    assert _logout(browser, csrf_of).status_code == 303
    assert thief.get("/tai-khoan").status_code == 302
    assert thief.get("/bao-cao").status_code == 302


def test_sign_out_ends_the_sessions_on_other_devices_too(app, users, sign_in_form, csrf_of):
    office, tablet = app.test_client(), app.test_client()
    sign_in_form(office, "test-surveyor")
    sign_in_form(tablet, "test-surveyor")
    _logout(office, csrf_of)
    assert tablet.get("/tai-khoan").status_code == 302
    assert sign_in_form(tablet, "test-surveyor").status_code == 303
    assert tablet.get("/tai-khoan").status_code == 200


def test_a_password_reset_ends_the_persons_sessions(app, users, sign_in_form, admin_post, db_session):
    victim = app.test_client()
    sign_in_form(victim, "test-manager")
    assert victim.get("/tai-khoan").status_code == 200
    reset = admin_post(
        f"/quan-tri/tai-khoan/{users['unit_manager'].id}/mat-khau",
        {"password": "mat-khau-tam-2026", "confirmation": "mat-khau-tam-2026"},
    )
    assert reset.status_code == 303
    assert victim.get("/tai-khoan").status_code == 302


def test_deactivating_and_reactivating_does_not_revive_old_sessions(app, users, sign_in_form, admin_post):
    person = app.test_client()
    sign_in_form(person, "test-manager")
    user_id = users["unit_manager"].id
    assert admin_post(f"/quan-tri/tai-khoan/{user_id}/trang-thai", {"active": "0"}).status_code == 303
    assert admin_post(f"/quan-tri/tai-khoan/{user_id}/trang-thai", {"active": "1"}).status_code == 303
    assert person.get("/tai-khoan").status_code == 302


def test_the_generation_is_stored_and_bumped(app, users, sign_in_form, csrf_of, db_session):
    before = db_session.scalar(select(User.session_generation).where(User.username == "test-admin"))
    client = app.test_client()
    sign_in_form(client, "test-admin")
    _logout(client, csrf_of)
    db_session.expire_all()
    after = db_session.scalar(select(User.session_generation).where(User.username == "test-admin"))
    assert after == before + 1
    assert f":{after}:" in db_session.get(User, users["admin"].id).get_id()


@pytest.mark.parametrize(
    ("person", "idle_minutes"),
    [("analyst", 30), ("unit_manager", 30), ("admin", 30), ("surveyor", 480)],
)
def test_a_session_ends_after_the_idle_time_of_the_role(app, users, sign_in_form, monkeypatch, person, idle_minutes):
    client = app.test_client()
    sign_in_form(client, users[person].username)
    assert client.get("/tai-khoan").status_code == 200
    start = time.time()
    monkeypatch.setattr("app.access.now_seconds", lambda: start + (idle_minutes - 1) * 60)
    assert client.get("/tai-khoan").status_code == 200  # used again: the clock restarts
    monkeypatch.setattr("app.access.now_seconds", lambda: start + (2 * idle_minutes - 2) * 60)
    assert client.get("/tai-khoan").status_code == 200
    monkeypatch.setattr("app.access.now_seconds", lambda: start + (3 * idle_minutes) * 60)
    bounced = client.get("/tai-khoan")
    assert bounced.status_code == 302 and bounced.headers["Location"].startswith("/dang-nhap")


def test_the_api_on_a_session_honours_the_idle_time_too(app, users, sign_in_form, monkeypatch):
    client = app.test_client()
    sign_in_form(client, "test-surveyor")
    assert client.get("/api/v1/session").status_code == 200
    later = time.time() + 481 * 60
    monkeypatch.setattr("app.access.now_seconds", lambda: later)
    assert client.get("/api/v1/session").status_code == 401


def test_idle_times_are_configurable(tmp_path):
    from app import create_app

    settings = Settings.from_env({"SESSION_IDLE_MINUTES": "15", "SURVEYOR_SESSION_IDLE_MINUTES": "720"})
    assert (settings.session_idle_minutes, settings.surveyor_session_idle_minutes) == (15, 720)
    defaults = Settings.from_env({})
    assert (defaults.session_idle_minutes, defaults.surveyor_session_idle_minutes) == (30, 480)
    app = create_app(settings.with_overrides(env="testing"), instance_path=str(tmp_path))
    assert app.config["SESSION_IDLE_MINUTES"] == 15 and app.config["SURVEYOR_SESSION_IDLE_MINUTES"] == 720
    for bad in ({"SESSION_IDLE_MINUTES": "0"}, {"SESSION_IDLE_MINUTES": "lâu"}, {"SURVEYOR_SESSION_IDLE_MINUTES": "²"}):
        with pytest.raises(ConfigError, match="IDLE_MINUTES"):
            Settings.from_env(bad)

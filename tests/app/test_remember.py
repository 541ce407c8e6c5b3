"""A surveyor's tablet stays signed in across restarts (issue 17).

"Restart" here is a client that lost its session cookie but kept the
remember cookie, as a browser does when it closes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.config import ConfigError, Settings
from app.models import AuditEvent
from app.remember import COOKIE


def _sign_in(app, sign_in_form, username, **extra):
    client = app.test_client()
    response = sign_in_form(client, username, **extra)
    assert response.status_code == 303
    return client, response


def _restart(client) -> None:
    client.delete_cookie("session")


def _remembered(app, client):
    """A new browser holding only the remember cookie of ``client``."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    other = app.test_client()
    other.set_cookie(COOKIE, cookie.value)
    return other


def test_a_remembered_tablet_survives_a_restart(app, users, sign_in_form, db_session):
    client, response = _sign_in(app, sign_in_form, "test-surveyor", remember="y")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    assert "Max-Age=2592000" in header and "HttpOnly" in header and "SameSite=Lax" in header
    _restart(client)
    assert client.get("/dieu-tra").status_code == 200
    assert client.get("/api/v1/session").status_code == 200
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "login.resumed")).all()
    assert [e.actor_username for e in events] == ["test-surveyor"]  # once: the session lives on


def test_without_the_tick_a_restart_signs_out(app, users, sign_in_form):
    client, _ = _sign_in(app, sign_in_form, "test-surveyor")
    assert client.get_cookie(COOKIE) is None
    _restart(client)
    assert client.get("/dieu-tra").status_code == 302


@pytest.mark.parametrize("username", ["test-analyst", "test-manager", "test-admin"])
def test_other_roles_are_never_remembered(app, users, sign_in_form, username):
    client, _ = _sign_in(app, sign_in_form, username, remember="y")
    assert client.get_cookie(COOKIE) is None


def test_a_cookie_naming_another_role_or_forged_is_ignored(app, users, login_as):
    from app.remember import _serializer

    with app.test_request_context():
        good = _serializer().dumps(users["analyst"].get_id())
    client = app.test_client()
    client.set_cookie(COOKIE, good)
    assert client.get("/bao-cao").status_code == 302
    client.set_cookie(COOKIE, "forged.value.here")
    assert client.get("/dieu-tra").status_code == 302


def test_it_ends_after_the_configured_days(app, users, sign_in_form, monkeypatch):
    import itsdangerous.timed

    client, _ = _sign_in(app, sign_in_form, "test-surveyor", remember="y")
    other = _remembered(app, client)
    real = itsdangerous.timed.time.time

    class Later:
        @staticmethod
        def time():
            return real() + 31 * 86400

    monkeypatch.setattr(itsdangerous.timed, "time", Later)
    assert other.get("/dieu-tra").status_code == 302


def test_sign_out_ends_it_everywhere(app, users, sign_in_form, csrf_of):
    client, _ = _sign_in(app, sign_in_form, "test-surveyor", remember="y")
    copy = _remembered(app, client)
    token = csrf_of(client.get("/tai-khoan").get_data(as_text=True))
    response = client.post("/dang-xuat", data={"csrf_token": token})
    assert any(h.startswith(COOKIE + "=;") for h in response.headers.getlist("Set-Cookie"))
    assert copy.get("/dieu-tra").status_code == 302


def test_a_password_change_ends_it(app, users, sign_in_form, csrf_of, staff_password):
    client, _ = _sign_in(app, sign_in_form, "test-surveyor", remember="y")
    copy = _remembered(app, client)
    token = csrf_of(client.get("/doi-mat-khau").get_data(as_text=True))
    new = "mot-mat-khau-moi-2026"
    changed = client.post(
        "/doi-mat-khau", data={"csrf_token": token, "current": staff_password, "new": new, "confirmation": new}
    )
    assert changed.status_code == 303
    assert copy.get("/dieu-tra").status_code == 302


def test_an_admin_revokes_it_from_the_accounts_screen(app, users, sign_in_form, admin_client, admin_post, db_session):
    client, _ = _sign_in(app, sign_in_form, "test-surveyor", remember="y")
    copy = _remembered(app, client)
    page = admin_client.get(f"/quan-tri/tai-khoan/{users['surveyor'].id}").get_data(as_text=True)
    assert "Đăng xuất trên mọi thiết bị" in page
    response = admin_post(f"/quan-tri/tai-khoan/{users['surveyor'].id}/dang-xuat")
    assert response.status_code == 303
    assert copy.get("/dieu-tra").status_code == 302  # revoked: the cookie no longer works
    assert client.get("/dieu-tra").status_code == 302  # nor the open session
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "admin.user.sessions_end")).one()
    assert event.target == "user:test-surveyor" and event.actor_username == "test-admin"
    assert admin_post(f"/quan-tri/tai-khoan/{users['admin'].id}/dang-xuat").status_code == 422


def test_an_idle_session_resumes_from_the_cookie(app, users, sign_in_form, monkeypatch):
    import app.access as access

    client, _ = _sign_in(app, sign_in_form, "test-surveyor", remember="y")
    later = access.now_seconds() + 2 * 86400  # far past the surveyor's idle limit
    monkeypatch.setattr(access, "now_seconds", lambda: later)
    assert client.get("/dieu-tra").status_code == 200


def test_the_days_come_from_the_environment():
    assert Settings.from_env({}).surveyor_remember_days == 30
    assert Settings.from_env({"SURVEYOR_REMEMBER_DAYS": "7"}).surveyor_remember_days == 7
    with pytest.raises(ConfigError, match="SURVEYOR_REMEMBER_DAYS"):
        Settings.from_env({"SURVEYOR_REMEMBER_DAYS": "0"})

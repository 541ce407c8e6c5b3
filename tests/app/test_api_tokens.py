"""Tablets' bearer tokens: they expire, end with a password change or
reset, record (by day) when they were last used, and an administrator can
withdraw one of them on the account's page (issue 15, item 7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.config import ConfigError, Settings
from app.models import ApiToken, AuditEvent
from app.services.api_tokens import api_token_issue
from app.time import vietnam_today


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _works(app, token: str) -> bool:
    status = app.test_client().get("/api/v1/session", headers=_bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


@pytest.fixture
def token(db_session, users) -> str:
    made = api_token_issue(db_session, users["surveyor"], "Máy tính bảng 3")
    db_session.commit()
    return made


def test_a_password_change_withdraws_the_tokens(app, users, token, sign_in_form, csrf_of, db_session):
    assert _works(app, token)
    client = app.test_client()
    sign_in_form(client, "test-surveyor")
    form = client.get("/doi-mat-khau").get_data(as_text=True)
    new = "mot-cau-de-nho-2026"
    changed = client.post(
        "/doi-mat-khau",
        data={"csrf_token": csrf_of(form), "current": "mat-khau-thu-nghiem", "new": new, "confirmation": new},
    )
    assert changed.status_code == 303
    assert not _works(app, token)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.revoke")).one()
    assert event.detail["count"] == 1 and event.detail["reason"] == "password.change"


def test_a_password_reset_withdraws_the_tokens(app, users, token, admin_post, db_session):
    reset = admin_post(
        f"/quan-tri/tai-khoan/{users['surveyor'].id}/mat-khau",
        {"password": "mat-khau-tam-2026", "confirmation": "mat-khau-tam-2026"},
    )
    assert reset.status_code == 303
    assert not _works(app, token)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.revoke")).one()
    assert event.actor_user_id == users["admin"].id and event.detail["reason"] == "password.reset"


def test_a_token_expires(app, users, token, db_session):
    row = db_session.scalars(select(ApiToken)).one()
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    assert timedelta(days=89) < expires - created <= timedelta(days=90)
    assert _works(app, token)
    row.created_at = datetime.now(UTC) - timedelta(days=91)
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db_session.commit()
    assert not _works(app, token)


def test_the_last_use_is_kept_by_day_only(app, users, token, db_session):
    row = db_session.scalars(select(ApiToken)).one()
    assert row.last_used_on is None
    assert _works(app, token)
    db_session.refresh(row)
    assert row.last_used_on == vietnam_today()
    assert type(row.last_used_on) is date  # a day, not the moment of each request
    row.last_used_on = vietnam_today() - timedelta(days=3)
    db_session.commit()
    assert _works(app, token)
    db_session.refresh(row)
    assert row.last_used_on == vietnam_today()


def test_the_command_gives_tokens_the_configured_lifetime(app, runner, users, db_session):
    app.config["API_TOKEN_DAYS"] = 30
    made = runner.invoke(args=["api-token", "--username", "test-surveyor", "--label", "Máy 1"])
    assert made.exit_code == 0, made.output
    row = db_session.scalars(select(ApiToken)).one()
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    assert "30" in made.stderr and "ngày" in made.stderr


def test_token_lifetime_is_configurable():
    assert Settings.from_env({}).api_token_days == 90
    assert Settings.from_env({"API_TOKEN_DAYS": "365"}).api_token_days == 365
    for bad in ("0", "ba tháng", "²", "100000"):
        with pytest.raises(ConfigError, match="API_TOKEN_DAYS"):
            Settings.from_env({"API_TOKEN_DAYS": bad})


def test_the_account_page_lists_the_tokens_and_withdraws_one(app, users, admin_client, admin_post, csrf_of, db_session):
    surveyor = users["surveyor"]
    first = api_token_issue(db_session, surveyor, "Máy tính bảng 1")
    second = api_token_issue(db_session, surveyor, "Máy tính bảng 2")
    db_session.commit()
    _works(app, first)
    page = admin_client.get(f"/quan-tri/tai-khoan/{surveyor.id}").get_data(as_text=True)
    assert "Mã truy cập API" in page
    assert "Máy tính bảng 1" in page and "Máy tính bảng 2" in page
    assert "Dùng lần cuối" in page and "Hết hạn" in page and "Thu hồi" in page
    assert first not in page and second not in page  # never shown again
    rows = {r.label: r for r in db_session.scalars(select(ApiToken))}
    url = f"/quan-tri/tai-khoan/{surveyor.id}/ma-api/{rows['Máy tính bảng 1'].id}/thu-hoi"
    done = admin_post(url)
    assert done.status_code == 303 and done.headers["Location"] == f"/quan-tri/tai-khoan/{surveyor.id}"
    assert not _works(app, first)
    assert _works(app, second)  # only that tablet
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.revoke")).one()
    assert event.actor_user_id == users["admin"].id and event.target == "user:test-surveyor"
    assert event.detail == {"token": rows["Máy tính bảng 1"].id, "label": "Máy tính bảng 1", "count": 1}
    listed = admin_client.get(f"/quan-tri/tai-khoan/{surveyor.id}").get_data(as_text=True)
    assert "Đã thu hồi" in listed
    # again, or through another account's page: nothing to withdraw
    assert admin_post(url).status_code == 404
    other = f"/quan-tri/tai-khoan/{users['analyst'].id}/ma-api/{rows['Máy tính bảng 2'].id}/thu-hoi"
    assert admin_post(other).status_code == 404
    assert _works(app, second)
    assert admin_client.post(url).status_code == 400  # no CSRF token


def test_the_account_page_reads_in_english_too(admin_client, users, token):
    page = admin_client.get(f"/quan-tri/tai-khoan/{users['surveyor'].id}?lang=en").get_data(as_text=True)
    assert "API tokens" in page and "Last used" in page and "Revoke" in page

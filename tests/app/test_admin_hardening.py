"""Hardening: rate limits on the public forms, security headers, the admin link."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from app import create_app
from app.access import PUBLIC, allow
from app.config import Settings
from app.extensions import DatabaseState
from app.models import Response
from app.ratelimit import TESTING_LIMIT, rate_limited
from tests.app.test_citizen_form import VALID as ANSWERS


def nonce(client, token: str) -> str:
    html = client.get(f"/s/{token}?moi=1").get_data(as_text=True)  # a new form, also after sending one
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def test_tests_run_with_limits_far_above_what_they_send(app):
    assert app.config["RATELIMIT_LOGIN"] == app.config["RATELIMIT_CITIZEN_FORM"] == TESTING_LIMIT
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_limits_are_the_documented_ones(tmp_path):
    app = create_app(
        Settings(env="production", secret_key="k" * 40, public_url="https://khaosat.test"), instance_path=str(tmp_path)
    )
    assert app.config["RATELIMIT_LOGIN"] == "10 per minute"
    assert app.config["RATELIMIT_CITIZEN_FORM"] == "20 per minute"


def test_sign_in_is_limited_per_address_with_a_vietnamese_429(app, users, sign_in_form):
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    client = app.test_client()
    for _ in range(3):
        assert sign_in_form(client, "test-analyst", "sai-mat-khau-1").status_code == 401
    refused = sign_in_form(client, "test-analyst")  # even the right password waits
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Vui lòng đợi một chút" in html and "đợi khoảng một phút rồi thử lại" in html
    assert refused.headers["Retry-After"] == "60"
    assert client.get("/dang-nhap").status_code == 200  # reading the page is not limited
    # another address has its own counter
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert sign_in_form(elsewhere, "test-analyst").status_code == 303


def test_the_citizen_form_is_limited_and_a_refused_post_stores_nothing(app, client, point, db_session):
    app.config["RATELIMIT_CITIZEN_FORM"] = "2 per minute"
    for _ in range(2):
        sent = client.post(f"/s/{point.qr_token}", data={**ANSWERS, "nonce": nonce(client, point.qr_token)})
        assert sent.status_code == 303
    refused = client.post(f"/s/{point.qr_token}", data={**ANSWERS, "nonce": nonce(client, point.qr_token)})
    assert refused.status_code == 429
    assert "Có quá nhiều lượt gửi từ thiết bị hoặc mạng này" in refused.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Response)) == 2
    english = client.post(f"/s/{point.qr_token}?lang=en", data={**ANSWERS, "nonce": "x"})
    assert english.status_code == 429 and "Please wait about a minute" in english.get_data(as_text=True)
    assert client.get(f"/s/{point.qr_token}").status_code == 200  # the form itself still opens


def test_a_limited_api_request_gets_json(app):
    app.add_url_rule(
        "/api/_probe_limit",
        "probe_limit",
        allow(PUBLIC)(rate_limited("RATELIMIT_LOGIN", methods=("GET",))(lambda: {"ok": True})),
    )
    app.config["RATELIMIT_LOGIN"] = "1 per minute"
    client = app.test_client()
    assert client.get("/api/_probe_limit").json == {"ok": True}
    refused = client.get("/api/_probe_limit")
    assert refused.status_code == 429 and refused.is_json
    assert refused.json["error"] == "Too Many Requests" and "một phút" in refused.json["message"]


@pytest.fixture
def app_with_redis_down(connection, database_url_for_tests, tmp_path):
    """An app whose rate-limit counters should live in a Redis nobody runs."""
    settings = Settings(
        env="testing", database_url=database_url_for_tests, ratelimit_storage_uri="redis://127.0.0.1:1/0"
    )
    app = create_app(settings, instance_path=str(tmp_path / "instance"))
    app.extensions["db"].engine.dispose()
    app.extensions["db"] = DatabaseState(
        connection.engine,
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False),
    )
    return app


def test_settings_read_the_rate_limit_storage_from_the_environment():
    assert Settings.from_env({"RATELIMIT_STORAGE_URI": "redis://cache:6379/2"}).ratelimit_storage_uri == (
        "redis://cache:6379/2"
    )
    assert Settings.from_env({}).ratelimit_storage_uri is None


def test_with_redis_down_citizens_can_still_answer(app_with_redis_down, point, db_session):
    assert app_with_redis_down.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:1/0"
    client = app_with_redis_down.test_client()
    sent = client.post(f"/s/{point.qr_token}", data={**ANSWERS, "nonce": nonce(client, point.qr_token)})
    assert sent.status_code == 303
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1


def test_with_redis_down_the_limit_is_still_counted_in_memory(app_with_redis_down, point, db_session):
    app_with_redis_down.config["RATELIMIT_CITIZEN_FORM"] = "2 per minute"
    client = app_with_redis_down.test_client()
    statuses = [
        client.post(f"/s/{point.qr_token}", data={**ANSWERS, "nonce": nonce(client, point.qr_token)}).status_code
        for _ in range(3)
    ]
    assert statuses == [303, 303, 429]
    assert app_with_redis_down.extensions["ratelimit"].storage_down
    assert db_session.scalar(select(func.count()).select_from(Response)) == 2


def test_a_sign_in_without_its_form_token_is_counted_too(app, users):
    app.config["RATELIMIT_LOGIN"] = "2 per minute"
    client = app.test_client()
    no_token = {"username": "test-analyst", "password": "sai-mat-khau-1"}
    assert [client.post("/dang-nhap", data=no_token).status_code for _ in range(3)] == [400, 400, 429]


def test_permissions_policy_everywhere_and_hsts_only_in_production(app, client, point, tmp_path):
    for url in ("/", f"/s/{point.qr_token}", "/dang-nhap"):
        response = client.get(url)
        assert response.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
        assert "Strict-Transport-Security" not in response.headers
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    production = create_app(
        Settings(env="production", secret_key="k" * 40, public_url="https://khaosat.test"), instance_path=str(tmp_path)
    )
    page = production.test_client().get("/")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path):
    app = create_app(Settings(env="testing", trusted_proxies=1), instance_path=str(tmp_path))
    seen = {}

    @app.get("/_probe_addr")
    @allow(PUBLIC)
    def probe():
        from flask import request

        seen["addr"] = request.remote_addr
        return "ok"

    app.test_client().get("/_probe_addr", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen["addr"] == "203.0.113.9"
    plain = create_app(Settings(env="testing"), instance_path=str(tmp_path / "other"))
    plain.add_url_rule("/_probe_addr", "probe", probe)
    plain.test_client().get("/_probe_addr", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen["addr"] == "127.0.0.1"  # not trusted by default: a client could forge it


def test_only_administrators_see_the_admin_link(app, users, login_as):
    for role, shown in (("admin", True), ("analyst", False), ("surveyor", False)):
        client = app.test_client()
        login_as(client, users[role])
        assert ('href="/quan-tri"' in client.get("/tai-khoan").get_data(as_text=True)) is shown, role
    assert 'href="/quan-tri"' not in app.test_client().get("/").get_data(as_text=True)


def test_rate_limits_can_be_switched_off(app, users, sign_in_form):
    app.config.update(RATELIMIT_LOGIN="1 per minute", RATELIMIT_ENABLED=False)
    client = app.test_client()
    assert [sign_in_form(client, "test-analyst", "sai-mat-khau-1").status_code for _ in range(3)] == [401] * 3

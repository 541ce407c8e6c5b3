"""Staff sign-in, throttling, sign-out, password change, the audit log and create-admin."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from sqlalchemy import select

from app.models import ROLES, AuditEvent, User
from app.refusals import Refused
from app.services import accounts
from app.texts import catalogue, placeholders, texts

FAILED = "Tên đăng nhập hoặc mật khẩu không đúng."


def _actions(db_session, target: str) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.target == target).order_by(AuditEvent.id)
    return list(db_session.scalars(query))


def _login_actions(db_session) -> list[str]:
    return list(db_session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("login.%"))))


def _alert(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('role="alert"')
    return html[start : html.index("</div>", start)]


def test_csrf_protection_is_on_in_tests(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_sign_in_opens_the_home_page_and_the_account_page(client, users, sign_in_form, db_session):
    response = sign_in_form(client, "test-manager")
    assert response.status_code == 303
    assert response.headers["Location"] == "/bao-cao"
    page = client.get("/tai-khoan").get_data(as_text=True)
    assert "test-manager" in page
    assert "Lãnh đạo đơn vị" in page and "Đơn vị A" in page
    assert 'action="/dang-xuat"' in page and 'href="/doi-mat-khau"' in page
    assert client.get("/tai-khoan").headers["Cache-Control"] == "no-store"
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "login.success")).one()
    assert event.actor_user_id == users["unit_manager"].id and event.actor_username == "test-manager"
    db_session.refresh(users["unit_manager"])
    assert users["unit_manager"].last_login_at is not None


def test_usernames_ignore_case_and_spaces(client, users, sign_in_form):
    assert sign_in_form(client, "  Test-Admin ").status_code == 303


def test_sign_in_follows_next_only_within_the_site(app, users, sign_in_form):
    inside = sign_in_form(app.test_client(), "test-analyst", next="/doi-mat-khau")
    assert inside.headers["Location"] == "/doi-mat-khau"
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = sign_in_form(app.test_client(), "test-analyst", next=evil)
        assert response.headers["Location"] == "/bao-cao", evil


def test_a_protected_page_sends_to_sign_in_and_back(client, users, sign_in_form):
    bounced = client.get("/doi-mat-khau")
    assert bounced.status_code == 302
    assert bounced.headers["Location"] == "/dang-nhap?next=/doi-mat-khau"
    page = client.get(bounced.headers["Location"]).get_data(as_text=True)
    assert "Vui lòng đăng nhập để tiếp tục." in page
    assert 'name="next" value="/doi-mat-khau"' in page


def test_unknown_user_and_wrong_password_look_the_same(client, users, sign_in_form, db_session, monkeypatch):
    verified = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash, password):
            verified.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "hasher", CountingHasher.from_parameters(CHEAPEST))
    wrong = sign_in_form(client, "test-admin", "not-the-password")
    unknown = sign_in_form(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert FAILED in _alert(wrong) and _alert(wrong) == _alert(unknown)
    # the unknown user cost an argon2 verification too (timing does not tell)
    assert len(verified) == 2 and all(h.startswith("$argon2id$") for h in verified)
    failures = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login.failure").order_by(AuditEvent.id)
    ).all()
    assert [(e.target, e.detail["reason"], e.actor_user_id) for e in failures] == [
        ("test-admin", "wrong_password", None),
        ("nobody-here", "unknown_user", None),
    ]


def test_an_empty_form_is_refused_without_an_attempt(client, users, sign_in_form, db_session):
    response = sign_in_form(client, "", "")
    assert response.status_code == 422
    assert "Vui lòng nhập tên đăng nhập và mật khẩu." in response.get_data(as_text=True)
    assert _login_actions(db_session) == []


def test_a_deactivated_account_cannot_sign_in(client, users, sign_in_form, db_session):
    users["surveyor"].active = False
    db_session.commit()
    response = sign_in_form(client, "test-surveyor")
    assert response.status_code == 401 and FAILED in _alert(response)
    assert db_session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "login.failure")).one() == {
        "reason": "inactive"
    }


def test_the_sixth_attempt_from_one_device_waits_even_with_the_right_password(
    client, users, sign_in_form, db_session, monkeypatch
):
    # the throttle per username and address is tested in test_login_throttle.py
    for _ in range(5):
        assert sign_in_form(client, "test-analyst", "wrong-password").status_code == 401
    refused = sign_in_form(client, "test-analyst")  # the right password
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == 30
    assert "nhập sai mật khẩu nhiều lần" in _alert(refused) and "30 giây" in _alert(refused)
    assert "login.success" not in _actions(db_session, "test-analyst")
    assert _actions(db_session, "test-analyst")[-1] == "login.throttled"

    later = accounts.clock() + timedelta(seconds=31)
    monkeypatch.setattr(accounts, "clock", lambda: later)
    assert sign_in_form(client, "test-analyst").status_code == 303


def test_throttling_does_not_reveal_whether_a_username_exists(client, sign_in_form):
    for _ in range(5):
        assert sign_in_form(client, "no-such-person", "wrong-password").status_code == 401
    assert sign_in_form(client, "no-such-person", "wrong-password").status_code == 429


def test_a_successful_sign_in_clears_earlier_failures(app, users, sign_in_form):
    client = app.test_client()
    for _ in range(4):
        sign_in_form(client, "test-admin", "wrong-password")
    assert sign_in_form(client, "test-admin").status_code == 303
    other = app.test_client()
    assert sign_in_form(other, "test-admin", "wrong-password").status_code == 401
    assert sign_in_form(other, "test-admin").status_code == 303


def test_sign_in_starts_a_new_session(client, users, sign_in_form):
    client.get("/dang-nhap")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie("session").value
    assert sign_in_form(client, "test-admin").status_code == 303
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == users["admin"].get_id()


def test_the_login_form_needs_its_csrf_token(client, users, db_session):
    response = client.post("/dang-nhap", data={"username": "test-admin", "password": "mat-khau-thu-nghiem"})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/tai-khoan").status_code == 302
    assert _login_actions(db_session) == []


def test_sign_out_only_by_post_with_csrf(client, users, sign_in_form, csrf_of, db_session):
    sign_in_form(client, "test-surveyor")
    assert client.get("/dang-xuat").status_code == 405
    assert client.post("/dang-xuat").status_code == 400  # no token
    account = client.get("/tai-khoan")
    assert account.status_code == 200  # still signed in
    response = client.post("/dang-xuat", data={"csrf_token": csrf_of(account.get_data(as_text=True))})
    assert response.status_code == 303 and response.headers["Location"] == "/dang-nhap"
    assert "Ông/bà đã đăng xuất." in client.get("/dang-nhap").get_data(as_text=True)
    assert client.get("/tai-khoan").status_code == 302
    assert _actions(db_session, "test-surveyor") == ["login.success", "logout"]


@pytest.fixture
def change_password(csrf_of):
    def post(client, current: str, new: str, confirmation: str | None = None):
        form = client.get("/doi-mat-khau")
        assert form.status_code == 200
        data = {
            "csrf_token": csrf_of(form.get_data(as_text=True)),
            "current": current,
            "new": new,
            "confirmation": new if confirmation is None else confirmation,
        }
        return client.post("/doi-mat-khau", data=data)

    return post


@pytest.mark.parametrize(
    ("current", "new", "confirmation", "message"),
    [
        ("wrong-current-password", "mot-cau-de-nho-2026", None, "Mật khẩu hiện tại không đúng."),
        ("mat-khau-thu-nghiem", "ngan-qua", None, "Mật khẩu phải có ít nhất 10 ký tự."),
        ("mat-khau-thu-nghiem", "TEST-ANALYST", None, "Mật khẩu không được trùng với tên đăng nhập."),
        ("mat-khau-thu-nghiem", "mot-cau-de-nho-2026", "mot-cau-khac-2026", "không khớp nhau"),
        ("mat-khau-thu-nghiem", "mat-khau-thu-nghiem", None, "phải khác mật khẩu hiện tại"),
    ],
)
def test_a_password_change_is_refused_with_a_reason(
    client, users, sign_in_form, change_password, db_session, current, new, confirmation, message
):
    sign_in_form(client, "test-analyst")
    before = users["analyst"].password_hash
    response = change_password(client, current, new, confirmation)
    assert response.status_code == 422
    assert message in _alert(response)
    db_session.refresh(users["analyst"])
    assert users["analyst"].password_hash == before
    assert "password.change" not in _actions(db_session, "test-analyst")


def test_a_wrong_current_password_is_audited(client, users, sign_in_form, change_password, db_session):
    sign_in_form(client, "test-analyst")
    change_password(client, "wrong-current-password", "mot-cau-de-nho-2026")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "password.change_failure")).one()
    assert event.actor_username == "test-analyst" and event.detail == {"reason": "wrong_current"}


def test_changing_the_password(app, users, sign_in_form, change_password, db_session):
    client, elsewhere = app.test_client(), app.test_client()
    sign_in_form(client, "test-analyst")
    sign_in_form(elsewhere, "test-analyst")
    before = users["analyst"].password_hash
    response = change_password(client, "mat-khau-thu-nghiem", "mot-cau-de-nho-2026")
    assert response.status_code == 303 and response.headers["Location"] == "/tai-khoan"
    assert "Đã đổi mật khẩu." in client.get("/tai-khoan").get_data(as_text=True)
    db_session.refresh(users["analyst"])
    assert users["analyst"].password_hash != before
    assert users["analyst"].password_hash.startswith("$argon2id$")
    assert "password.change" in _actions(db_session, "test-analyst")
    # the session that changed it continues; every other session ends
    assert client.get("/tai-khoan").status_code == 200
    assert elsewhere.get("/tai-khoan").status_code == 302
    assert sign_in_form(app.test_client(), "test-analyst").status_code == 401
    assert sign_in_form(app.test_client(), "test-analyst", "mot-cau-de-nho-2026").status_code == 303


def test_every_audited_action_leaves_a_row(app, users, sign_in_form, change_password, csrf_of, db_session):
    client = app.test_client()
    sign_in_form(client, "test-manager", "wrong-password")
    sign_in_form(client, "test-manager")
    change_password(client, "mat-khau-thu-nghiem", "mot-cau-de-nho-2026")
    page = client.get("/tai-khoan").get_data(as_text=True)
    client.post("/dang-xuat", data={"csrf_token": csrf_of(page)})
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.target == "test-manager").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["login.failure", "login.success", "password.change", "logout"]
    assert [e.actor_user_id for e in events] == [None] + [users["unit_manager"].id] * 3
    assert all(e.at is not None for e in events)
    # staff audit rows name the account, never the network address
    assert not {"ip", "ip_address", "remote_addr", "user_agent"} & set(AuditEvent.__table__.columns.keys())


def test_accounts_need_a_known_role_and_units_for_unit_roles(db_session):
    with pytest.raises(Refused) as missing_unit:
        accounts.user_create(db_session, username="no-unit", password="mot-cau-de-nho", role="surveyor")
    assert missing_unit.value.message_key == "account.unit_required"
    with pytest.raises(Refused) as bad_role:
        accounts.user_create(db_session, username="x-role", password="mot-cau-de-nho", role="root")
    assert bad_role.value.message_key == "account.role_unknown"
    with pytest.raises(Refused) as bad_name:
        accounts.user_create(db_session, username="có dấu", password="mot-cau-de-nho", role="admin")
    assert bad_name.value.message_key == "account.username_invalid"


def test_create_admin_reads_the_password_from_stdin(runner, db_session):
    result = runner.invoke(
        args=["create-admin", "--username", "Chanh-VP", "--password-stdin"], input="mot-cau-de-nho-2026\n"
    )
    assert result.exit_code == 0, result.output
    assert "https://khaosat.test/dang-nhap" in result.output
    user = db_session.scalars(select(User).where(User.username == "chanh-vp")).one()
    assert user.role == "admin" and user.active and user.unit_id is None
    assert accounts.hasher.verify(user.password_hash, "mot-cau-de-nho-2026")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "admin.user.create")).one()
    assert event.target == "user:chanh-vp" and event.detail["via"] == "cli"


def test_create_admin_prompts_twice_without_echo(runner, db_session):
    result = runner.invoke(args=["create-admin", "--username", "quantri"], input="mot-cau-de-nho-2026\n" * 2)
    assert result.exit_code == 0, result.output
    assert "mot-cau-de-nho-2026" not in result.output
    assert db_session.scalars(select(User.role).where(User.username == "quantri")).one() == "admin"


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("quantri", "ngan", "at least 10 characters"),
        ("quantri", "quantri", "at least 10 characters"),
        ("quantri-vien", "QUANTRI-VIEN", "must not be the username"),
        ("có dấu", "mot-cau-de-nho-2026", "A username has 3–80 characters"),
    ],
)
def test_create_admin_refuses_weak_passwords_and_bad_names(runner, db_session, username, password, message):
    result = runner.invoke(args=["create-admin", "--username", username, "--password-stdin"], input=password)
    assert result.exit_code == 1
    assert message in result.output
    assert db_session.scalars(select(User)).all() == []


def test_create_admin_refuses_an_existing_username(runner, users, db_session):
    result = runner.invoke(
        args=["create-admin", "--username", "TEST-ANALYST", "--password-stdin"], input="mot-cau-de-nho-2026\n"
    )
    assert result.exit_code == 1
    assert "already taken" in result.output
    assert db_session.scalars(select(User.role).where(User.username == "test-analyst")).one() == "analyst"


def test_seed_demo_makes_demo_logins_and_urls_prints_them(runner, users, db_session):
    assert runner.invoke(args=["seed-demo", "--responses", "20"]).exit_code == 0
    demo = {u.username: u for u in db_session.scalars(select(User).where(User.username.like("demo-%")))}
    assert {name: u.role for name, u in demo.items()} == {
        "demo-admin": "admin",
        "demo-analyst": "analyst",
        "demo-manager": "unit_manager",
        "demo-surveyor": "surveyor",
    }
    manager, surveyor = demo["demo-manager"], demo["demo-surveyor"]
    assert manager.unit.level == "district"
    assert surveyor.unit.level == "commune" and surveyor.unit.parent_id == manager.unit_id

    output = runner.invoke(args=["urls"]).output
    assert "https://khaosat.test/dang-nhap" in output
    assert "demo-admin / demo-admin-2026" in output and "demo-surveyor / demo-surveyor-2026" in output
    assert "test-admin" not in output  # only demo logins are printed

    # a second demo province does not duplicate the accounts
    assert runner.invoke(args=["seed-demo", "--responses", "20", "--force"]).exit_code == 0
    assert db_session.scalars(select(User).where(User.username.like("demo-%"))).all().__len__() == 4


def test_urls_stops_printing_a_demo_password_that_was_changed(runner, db_session):
    runner.invoke(args=["seed-demo", "--responses", "10"])
    admin = db_session.scalars(select(User).where(User.username == "demo-admin")).one()
    admin.password_hash = accounts.password_hash("a-private-password")
    db_session.commit()
    output = runner.invoke(args=["urls"]).output
    assert "demo-admin-2026" not in output and "demo-analyst / demo-analyst-2026" in output


def test_static_files_do_not_vary_on_the_session(client, users, login_as):
    login_as(client, users["admin"])
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert "Cookie" not in response.headers.get("Vary", "")


def test_guessing_the_current_password_is_throttled_too(client, users, sign_in_form, change_password):
    sign_in_form(client, "test-analyst")
    for _ in range(5):
        assert change_password(client, "wrong-current-password", "mot-cau-de-nho-2026").status_code == 422
    refused = change_password(client, "mat-khau-thu-nghiem", "mot-cau-de-nho-2026")
    assert refused.status_code == 429
    assert "nhập sai mật khẩu nhiều lần" in _alert(refused)


def test_every_message_the_accounts_code_uses_exists_in_both_languages():
    app_dir = Path(__file__).parents[2] / "app"
    sources = [app_dir / name for name in ("access.py", "auth/routes.py", "services/accounts.py")]
    sources += (app_dir / "templates" / "auth").glob("*.html")
    # keys given to t(), translate() and Refused(), or returned as a reason
    used = re.compile(r"""(?:\bt\(|translate\(|Refused\(|return )["']([a-z]+\.[a-z_.]+)["']""")
    keys = {key for source in sources for key in used.findall(source.read_text())}
    keys |= {f"role.{role}" for role in ROLES}
    assert len(keys) > 35
    assert not sorted(keys - set(catalogue().all_keys()))
    for key in keys:
        assert placeholders(texts(key, "vi")) == placeholders(texts(key, "en")), key

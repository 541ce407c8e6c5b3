"""Administration of staff accounts: list, create, role and unit, deactivate, temporary passwords."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, User
from app.refusals import Refused
from app.services import user_admin

TEMPORARY = "tam-thoi-2026-abc"


def audit(db_session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def account(db_session, username: str) -> User:
    db_session.expire_all()
    return db_session.scalars(select(User).where(User.username == username)).one()


def test_the_list_shows_every_account_and_never_a_password_hash(admin_client, users):
    html = admin_client.get("/quan-tri/tai-khoan").get_data(as_text=True)
    for user in users.values():
        assert user.username in html
        assert user.password_hash not in html
    assert "$argon2" not in html
    assert "Điều tra viên" in html and "Đơn vị A1" in html
    detail = admin_client.get(f"/quan-tri/tai-khoan/{users['surveyor'].id}").get_data(as_text=True)
    assert "$argon2" not in detail and users["surveyor"].password_hash not in detail


def test_create_an_account_with_a_temporary_password(admin_post, app, db_session, units, users, sign_in_form):
    response = admin_post(
        "/quan-tri/tai-khoan",
        {
            "username": "Can-Bo.Xa",
            "display_name": "Nguyễn Văn A",
            "role": "surveyor",
            "unit_id": units["B1"].id,
            "password": TEMPORARY,
            "confirmation": TEMPORARY,
        },
    )
    assert response.status_code == 303
    made = account(db_session, "can-bo.xa")
    assert (made.role, made.unit_id, made.display_name, made.active) == (
        "surveyor",
        units["B1"].id,
        "Nguyễn Văn A",
        True,
    )
    (event,) = audit(db_session, "admin.user.create")[-1:]
    assert event.target == "user:can-bo.xa" and event.actor_user_id == users["admin"].id
    assert event.detail == {"after": {"role": "surveyor", "unit": "U-B1", "active": True}, "via": "admin"}
    assert TEMPORARY not in str(event.detail)
    # the person is sent to choose their own password at the first sign-in
    client = app.test_client()
    first = sign_in_form(client, "can-bo.xa", TEMPORARY)
    assert first.status_code == 303 and first.headers["Location"] == "/doi-mat-khau"
    page = client.get("/doi-mat-khau").get_data(as_text=True)
    assert "do quản trị hệ thống đặt tạm" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "unit_manager", "unit_id": ""}, "phải thuộc một đơn vị"),
        ({"role": "root"}, "Vai trò “root” không tồn tại"),
        ({"username": "có dấu"}, "Tên đăng nhập gồm 3–80 ký tự"),
        ({"username": "test-admin"}, "đã có người dùng"),
        ({"password": "ngan", "confirmation": "ngan"}, "ít nhất 10 ký tự"),
        ({"confirmation": "khac-han-2026"}, "không khớp"),
    ],
)
def test_create_refuses_with_a_reason(admin_post, db_session, units, data, message):
    form = {
        "username": "moi-tao",
        "display_name": "",
        "role": "analyst",
        "unit_id": "",
        "password": TEMPORARY,
        "confirmation": TEMPORARY,
        **data,
    }
    response = admin_post("/quan-tri/tai-khoan", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db_session.scalars(select(User).where(User.username == "moi-tao")).all() == []


def test_change_role_and_unit_is_audited_and_takes_effect(admin_post, app, login_as, db_session, units, users):
    manager = users["unit_manager"]
    client = app.test_client()
    login_as(client, manager)
    assert client.get("/quan-tri").status_code == 403
    response = admin_post(
        f"/quan-tri/tai-khoan/{manager.id}/sua", {"display_name": "Trưởng phòng", "role": "admin", "unit_id": ""}
    )
    assert response.status_code == 303
    assert client.get("/quan-tri").status_code == 200
    (event,) = audit(db_session, "admin.user.update")
    assert event.detail == {
        "before": {"display_name": "test-manager", "role": "unit_manager", "unit": "U-A"},
        "after": {"display_name": "Trưởng phòng", "role": "admin", "unit": None},
    }
    refused = admin_post(f"/quan-tri/tai-khoan/{manager.id}/sua", {"role": "surveyor", "unit_id": ""})
    assert refused.status_code == 422 and account(db_session, "test-manager").role == "admin"


def test_deactivation_ends_the_session_and_reactivation_restores_access(
    admin_post, app, login_as, db_session, users, sign_in_form
):
    analyst = users["analyst"]
    client = app.test_client()
    login_as(client, analyst)
    assert client.get("/bao-cao").status_code == 200
    assert admin_post(f"/quan-tri/tai-khoan/{analyst.id}/trang-thai", {"active": "0"}).status_code == 303
    assert account(db_session, "test-analyst").active is False
    assert client.get("/bao-cao").status_code == 302  # signed out
    assert sign_in_form(app.test_client(), "test-analyst").status_code == 401
    assert admin_post(f"/quan-tri/tai-khoan/{analyst.id}/trang-thai", {"active": "1"}).status_code == 303
    assert sign_in_form(app.test_client(), "test-analyst").status_code == 303
    actions = [e.action for e in db_session.scalars(select(AuditEvent).where(AuditEvent.target == "user:test-analyst"))]
    assert actions[-2:] == ["admin.user.deactivate", "admin.user.reactivate"]


def test_an_admin_cannot_lock_themselves_out(admin_post, db_session, users):
    admin = users["admin"]
    own = admin_post(f"/quan-tri/tai-khoan/{admin.id}/trang-thai", {"active": "0"})
    assert own.status_code == 422 and "tự khóa" in own.get_data(as_text=True)
    demote = admin_post(f"/quan-tri/tai-khoan/{admin.id}/sua", {"role": "analyst", "unit_id": ""})
    assert demote.status_code == 422
    assert account(db_session, "test-admin").role == "admin" and account(db_session, "test-admin").active


def test_the_last_active_administrator_stays(db_session, users):
    # Through the screens the only administrator is the actor (refused above);
    # the service refuses it for any actor.
    with pytest.raises(Refused) as refused:
        user_admin.user_set_active(db_session, users["analyst"], users["admin"].id, False)
    assert refused.value.message_key == "adm.user.last_admin"
    with pytest.raises(Refused):
        user_admin.user_update(
            db_session, users["analyst"], users["admin"].id, display_name=None, role="analyst", unit_id=None
        )


def test_password_reset_sets_a_temporary_password_and_ends_sessions(
    admin_post, app, login_as, db_session, users, sign_in_form, staff_password, csrf_of
):
    surveyor = users["surveyor"]
    client = app.test_client()
    login_as(client, surveyor)
    assert client.get("/tai-khoan").status_code == 200
    mismatch = admin_post(
        f"/quan-tri/tai-khoan/{surveyor.id}/mat-khau", {"password": TEMPORARY, "confirmation": TEMPORARY + "x"}
    )
    assert mismatch.status_code == 422
    response = admin_post(
        f"/quan-tri/tai-khoan/{surveyor.id}/mat-khau", {"password": TEMPORARY, "confirmation": TEMPORARY}
    )
    assert response.status_code == 303
    assert client.get("/tai-khoan").status_code == 302  # the old session ended
    assert sign_in_form(app.test_client(), "test-surveyor", staff_password).status_code == 401
    fresh = app.test_client()
    assert sign_in_form(fresh, "test-surveyor", TEMPORARY).headers["Location"] == "/doi-mat-khau"
    (event,) = audit(db_session, "admin.user.password_reset")
    assert TEMPORARY not in str(event.detail) and event.target == "user:test-surveyor"
    # once the person chose their own, sign-in goes on as usual
    page = fresh.get("/doi-mat-khau").get_data(as_text=True)
    changed = fresh.post(
        "/doi-mat-khau",
        data={
            "csrf_token": csrf_of(page),
            "current": TEMPORARY,
            "new": "cau-cua-rieng-toi-2026",
            "confirmation": "cau-cua-rieng-toi-2026",
        },
    )
    assert changed.status_code == 303
    again = sign_in_form(app.test_client(), "test-surveyor", "cau-cua-rieng-toi-2026")
    assert again.headers["Location"] == "/dieu-tra"
    own = admin_post(
        f"/quan-tri/tai-khoan/{users['admin'].id}/mat-khau", {"password": TEMPORARY, "confirmation": TEMPORARY}
    )
    assert own.status_code == 422

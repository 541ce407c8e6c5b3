"""Surveyors' assignments on the administration screen (issue 17).

Until now only ``flask assign`` could give a surveyor work; administrators
now list, add and end assignments at ``/quan-tri/phan-cong``, each change
audited, with the same rules as the command.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AuditEvent, SurveyorAssignment
from app.time import vietnam_today


def _form(users, units, **changes):
    today = vietnam_today()
    return {
        "surveyor_id": str(users["surveyor"].id),
        "unit_id": str(units["A1"].id),
        "point_code": "",
        "instrument": "papi-household",
        "target": "25",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
        **changes,
    }


def _events(db_session, action):
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_list_shows_assignments_with_progress(admin_client, surveyor_assignment):
    html = admin_client.get("/quan-tri/phan-cong").get_data(as_text=True)
    assert "test-surveyor" in html and "Đơn vị A1" in html and "papi-household" in html
    assert "0 / 10" in html and "Đang thực hiện" in html
    assert 'aria-current="page"' in html and "Phân công điều tra viên" in html


def test_an_admin_adds_an_assignment_audited(admin_client, admin_post, users, units, db_session):
    response = admin_post("/quan-tri/phan-cong", _form(users, units))
    assert response.status_code == 303
    made = db_session.scalars(select(SurveyorAssignment)).one()
    assert (made.surveyor_id, made.unit_id, made.target_count) == (users["surveyor"].id, units["A1"].id, 25)
    assert made.ends_on == vietnam_today() + timedelta(days=30)
    event = _events(db_session, "admin.assignment.create")[0]
    assert event.target == "test-surveyor" and event.detail["unit"] == "U-A1" and event.detail["target"] == 25
    assert f"Đã tạo phân công số {made.id}." in admin_client.get("/quan-tri/phan-cong").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"surveyor_id": ""}, "Vui lòng chọn điều tra viên."),
        ({"unit_id": "999999"}, "Vui lòng chọn đơn vị."),
        ({"target": "0"}, "Chỉ tiêu phải lớn hơn 0."),
        ({"target": "nhiều"}, "Chỉ tiêu phải lớn hơn 0."),
        ({"starts_on": ""}, "Vui lòng nhập ngày bắt đầu."),
        ({"ends_on": "31/02/2026"}, "Ngày không hợp lệ"),
        ({"ends_on": "2000-01-01"}, "Ngày kết thúc trước ngày bắt đầu."),
        ({"instrument": "khong-co"}, "không tồn tại"),
        ({"point_code": "Q99"}, "Quầy Q99 không thuộc đơn vị U-A1."),
        ({"unit_id": "__B1__"}, "nằm ngoài phạm vi của điều tra viên"),
    ],
)
def test_a_bad_assignment_is_refused_with_the_reason(admin_post, users, units, db_session, changes, message):
    if changes.get("unit_id") == "__B1__":
        changes = {"unit_id": str(units["B1"].id)}
    response = admin_post("/quan-tri/phan-cong", _form(users, units, **changes))
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert db_session.scalars(select(SurveyorAssignment)).first() is None
    assert not _events(db_session, "admin.assignment.create")


def test_ending_a_running_assignment_stops_it_today(admin_post, surveyor_assignment, db_session):
    response = admin_post(f"/quan-tri/phan-cong/{surveyor_assignment.id}/ket-thuc")
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(SurveyorAssignment, surveyor_assignment.id).ends_on == vietnam_today()
    event = _events(db_session, "admin.assignment.end")[0]
    assert event.detail["to"] == vietnam_today().isoformat() and event.target == "test-surveyor"
    again = admin_post(f"/quan-tri/phan-cong/{surveyor_assignment.id}/ket-thuc")
    assert again.status_code == 409 and "đã kết thúc" in again.get_data(as_text=True)


def test_ending_one_not_started_cancels_it(admin_post, users, units, db_session):
    tomorrow = (vietnam_today() + timedelta(days=1)).isoformat()
    admin_post("/quan-tri/phan-cong", _form(users, units, starts_on=tomorrow, ends_on=""))
    made_id = db_session.scalars(select(SurveyorAssignment.id)).one()
    response = admin_post(f"/quan-tri/phan-cong/{made_id}/ket-thuc")
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(SurveyorAssignment, made_id) is None
    assert _events(db_session, "admin.assignment.cancel")


def test_ending_an_unknown_assignment_is_404(admin_post):
    assert admin_post("/quan-tri/phan-cong/999999/ket-thuc").status_code == 404


def test_forms_need_their_csrf_token(admin_client, users, units, db_session):
    response = admin_client.post("/quan-tri/phan-cong", data=_form(users, units))
    assert response.status_code == 400
    assert db_session.scalars(select(SurveyorAssignment)).first() is None


@pytest.mark.parametrize("role", ["surveyor", "unit_manager", "analyst"])
def test_only_administrators(app, users, login_as, role):
    client = app.test_client()
    login_as(client, users[role])
    assert client.get("/quan-tri/phan-cong").status_code == 403

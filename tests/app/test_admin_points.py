"""Administration of service points: create, edit, rotate the QR token, retire, QR downloads."""

from __future__ import annotations

from sqlalchemy import select

from app.models import AuditEvent, RetiredQrToken, ServicePoint


def audit(db_session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def fresh(db_session, point: ServicePoint) -> ServicePoint:
    db_session.expire_all()
    return db_session.get(ServicePoint, point.id)


def test_the_unit_page_lists_its_counters_with_qr_links(admin_client, point):
    html = admin_client.get(f"/quan-tri/don-vi/{point.unit_id}").get_data(as_text=True)
    assert "Quầy Tư pháp – hộ tịch" in html
    assert f"/quan-tri/quay/{point.id}/qr.png" in html and f"/quan-tri/quay/{point.id}/qr.svg" in html
    assert f"/quan-tri/don-vi/{point.unit_id}/ap-phich.pdf" in html


def test_create_a_service_point(admin_post, db_session, point, users):
    response = admin_post(
        f"/quan-tri/don-vi/{point.unit_id}/quay", {"code": "Q02", "name": "Quầy Đất đai", "procedure_field": "Đất đai"}
    )
    assert response.status_code == 303
    made = db_session.scalars(select(ServicePoint).where(ServicePoint.code == "Q02")).one()
    assert made.unit_id == point.unit_id and made.procedure_field == "Đất đai" and len(made.qr_token) >= 16
    (event,) = audit(db_session, "admin.point.create")
    assert event.target == "service_point:T01-X01/Q02" and event.actor_user_id == users["admin"].id
    taken = admin_post(f"/quan-tri/don-vi/{point.unit_id}/quay", {"code": "q01", "name": "Trùng mã"})
    assert taken.status_code == 422 and "đã có quầy mã" in taken.get_data(as_text=True)


def test_rename_and_set_the_procedure_field(admin_post, db_session, point):
    page = admin_post(f"/quan-tri/quay/{point.id}/sua", {"name": "Quầy số 1", "procedure_field": "Tư pháp – hộ tịch"})
    assert page.status_code == 303
    point = fresh(db_session, point)
    assert (point.name, point.procedure_field) == ("Quầy số 1", "Tư pháp – hộ tịch")
    (event,) = audit(db_session, "admin.point.update")
    assert event.detail == {
        "before": {"name": "Quầy Tư pháp – hộ tịch", "procedure_field": None},
        "after": {"name": "Quầy số 1", "procedure_field": "Tư pháp – hộ tịch"},
    }
    # clearing the procedure field stores NULL
    assert (
        admin_post(f"/quan-tri/quay/{point.id}/sua", {"name": "Quầy số 1", "procedure_field": " "}).status_code == 303
    )
    assert fresh(db_session, point).procedure_field is None


def test_rotating_the_token_retires_the_old_one_and_the_new_one_works(admin_post, client, db_session, point):
    old = point.qr_token
    assert client.get(f"/s/{old}").status_code == 200
    assert admin_post(f"/quan-tri/quay/{point.id}/doi-ma", {}).status_code == 422  # the box is not ticked
    response = admin_post(f"/quan-tri/quay/{point.id}/doi-ma", {"confirm": "y"})
    assert response.status_code == 303
    new = fresh(db_session, point).qr_token
    assert new != old
    assert db_session.get(RetiredQrToken, old).service_point_id == point.id
    stale = client.get(f"/s/{old}")
    assert stale.status_code == 404
    assert "Mã QR này không còn sử dụng" in stale.get_data(as_text=True)
    assert client.get(f"/s/{new}").status_code == 200
    (event,) = audit(db_session, "admin.point.rotate")
    assert event.detail["before"]["token"].startswith(old[:6]) and old not in str(event.detail)


def test_retire_and_restore_a_service_point(admin_post, client, db_session, point):
    assert admin_post(f"/quan-tri/quay/{point.id}/ngung", {"confirm": "y"}).status_code == 303
    assert fresh(db_session, point).retired_at is not None
    assert "Mã QR này không còn sử dụng" in client.get(f"/s/{point.qr_token}").get_data(as_text=True)
    again = admin_post(f"/quan-tri/quay/{point.id}/doi-ma", {"confirm": "y"})
    assert again.status_code == 422 and "Quầy đã ngừng hoạt động" in again.get_data(as_text=True)
    assert admin_post(f"/quan-tri/quay/{point.id}/khoi-phuc").status_code == 303
    assert client.get(f"/s/{point.qr_token}").status_code == 200
    assert [len(audit(db_session, a)) for a in ("admin.point.retire", "admin.point.restore")] == [1, 1]


def test_qr_code_downloads(admin_client, point):
    png = admin_client.get(f"/quan-tri/quay/{point.id}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    assert 'filename="qr-T01-X01-Q01.png"' in png.headers["Content-Disposition"]
    svg = admin_client.get(f"/quan-tri/quay/{point.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert admin_client.get(f"/quan-tri/quay/{point.id}/qr.gif").status_code == 404


def test_the_point_page_shows_the_link_and_suggests_procedure_fields(admin_client, point):
    html = admin_client.get(f"/quan-tri/quay/{point.id}").get_data(as_text=True)
    assert f"https://khaosat.test/s/{point.qr_token}" in html
    assert '<datalist id="procedures">' in html and "Đất đai" in html

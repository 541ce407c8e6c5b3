"""Administration of the unit tree: create, rename, move, retire, restore, posters."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.access import visible_unit_ids
from app.models import AuditEvent, ServicePoint, Unit
from app.services.units import child_path, subtree_clause


def audit(db_session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def unit_by_code(db_session, code: str) -> Unit:
    db_session.expire_all()
    return db_session.scalars(select(Unit).where(Unit.code == code)).one()


def codes_below(db_session, unit: Unit) -> set[str]:
    return set(db_session.scalars(select(Unit.code).where(subtree_clause(unit)))) - {unit.code}


def test_the_tree_lists_every_unit_under_its_parent(admin_client, units):
    html = admin_client.get("/quan-tri/don-vi").get_data(as_text=True)
    positions = [html.index(f">{units[k].name}<") for k in ("P", "A", "A1", "A2", "B", "B1")]
    assert positions == sorted(positions)  # depth first: A's communes before B
    assert 'class="depth-2"' in html and 'class="depth-0"' in html
    assert "staff.css" in html and 'class="wide"' in html


def test_create_a_unit_under_a_valid_parent(admin_post, db_session, units, users):
    response = admin_post(
        "/quan-tri/don-vi", {"code": "U-B2", "name": "Xã Bình An", "level": "commune", "parent_id": units["B"].id}
    )
    assert response.status_code == 303
    made = unit_by_code(db_session, "U-B2")
    assert made.parent_id == units["B"].id and made.path == child_path(units["B"])
    (event,) = audit(db_session, "admin.unit.create")
    assert event.actor_user_id == users["admin"].id and event.target == "unit:U-B2"
    assert event.detail["after"] == {"code": "U-B2", "name": "Xã Bình An", "level": "commune", "parent": "U-B"}
    # two-tier local government: a commune directly under the province
    direct = admin_post(
        "/quan-tri/don-vi", {"code": "U-X9", "name": "Phường Mới", "level": "commune", "parent_id": units["P"].id}
    )
    assert direct.status_code == 303


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "U-A", "name": "Trùng", "level": "district", "parent": "P"}, "đã tồn tại"),
        ({"code": "u-a", "name": "Trùng chữ thường", "level": "district", "parent": "P"}, "đã tồn tại"),
        ({"code": "U-D1", "name": "Sở dưới huyện", "level": "department", "parent": "A"}, "Sở, ngành phải thuộc tỉnh"),
        ({"code": "U-H1", "name": "Huyện dưới xã", "level": "district", "parent": "A1"}, "Huyện phải thuộc tỉnh"),
        ({"code": "U-X1", "name": "Xã dưới xã", "level": "commune", "parent": "A1"}, "Xã phải thuộc một huyện"),
        ({"code": "U-X2", "name": "Xã mồ côi", "level": "commune", "parent": None}, "chọn đơn vị cấp trên"),
        ({"code": "T2", "name": "Tỉnh có cấp trên", "level": "province", "parent": "P"}, "Tỉnh không có"),
        ({"code": "có dấu", "name": "Mã sai", "level": "commune", "parent": "A"}, "Mã gồm 1–40 ký tự"),
        ({"code": "U-X3", "name": "  ", "level": "commune", "parent": "A"}, "Tên không được để trống"),
        ({"code": "U-X4", "name": "Cấp lạ", "level": "village", "parent": "A"}, "Cấp đơn vị không hợp lệ"),
    ],
)
def test_create_refuses_with_a_reason(admin_post, db_session, units, data, message):
    before = set(db_session.scalars(select(Unit.code)))
    parent = units[data.pop("parent")].id if data.get("parent") else ""
    data.pop("parent", None)
    response = admin_post("/quan-tri/don-vi", {**data, "parent_id": parent})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db_session.expire_all()
    assert set(db_session.scalars(select(Unit.code))) == before
    assert audit(db_session, "admin.unit.create") == []


def test_rename_is_audited_with_before_and_after(admin_post, db_session, units):
    response = admin_post(f"/quan-tri/don-vi/{units['A1'].id}/doi-ten", {"name": "Phường A1 mới"})
    assert response.status_code == 303
    assert unit_by_code(db_session, "U-A1").name == "Phường A1 mới"
    (event,) = audit(db_session, "admin.unit.rename")
    assert event.detail == {"before": "Đơn vị A1", "after": "Phường A1 mới"}


def test_moving_a_district_moves_its_communes_and_the_subtree_queries_follow(
    admin_post, db_session, units, users, point
):
    # a second province to move district A into (e.g. a boundary change)
    other = Unit(code="U-Q", name="Tỉnh Q", level="province", path="/")
    db_session.add(other)
    db_session.commit()
    manager = users["unit_manager"]  # manages district A
    assert codes_below(db_session, units["P"]) >= {"U-A", "U-A1", "U-A2"}

    response = admin_post(f"/quan-tri/don-vi/{units['A'].id}/chuyen", {"parent_id": other.id})
    assert response.status_code == 303
    a, a1, a2 = (unit_by_code(db_session, c) for c in ("U-A", "U-A1", "U-A2"))
    assert a.parent_id == other.id and a.path == f"/{other.id}/"
    assert a1.path == a2.path == f"/{other.id}/{a.id}/"
    assert a1.parent_id == a.id  # children keep their parent
    p = unit_by_code(db_session, "U-P")
    assert codes_below(db_session, p) == {"U-B", "U-B1"}
    assert codes_below(db_session, unit_by_code(db_session, "U-Q")) == {"U-A", "U-A1", "U-A2"}
    # the manager of A still sees exactly A and its communes
    db_session.refresh(manager)
    assert set(visible_unit_ids(db_session, manager)) == {a.id, a1.id, a2.id}
    (event,) = audit(db_session, "admin.unit.move")
    assert event.detail == {"before": "U-P", "after": "U-Q", "units_moved": 3}


def test_a_commune_can_move_to_another_district_or_straight_under_the_province(admin_post, db_session, units):
    assert admin_post(f"/quan-tri/don-vi/{units['A1'].id}/chuyen", {"parent_id": units["B"].id}).status_code == 303
    assert unit_by_code(db_session, "U-A1").path == child_path(unit_by_code(db_session, "U-B"))
    assert admin_post(f"/quan-tri/don-vi/{units['A1'].id}/chuyen", {"parent_id": units["P"].id}).status_code == 303
    assert unit_by_code(db_session, "U-A1").path == f"/{units['P'].id}/"
    assert codes_below(db_session, unit_by_code(db_session, "U-A")) == {"U-A2"}


def test_a_unit_cannot_move_under_itself_or_its_descendant(admin_post, db_session, units):
    for target in ("A", "A1"):
        response = admin_post(f"/quan-tri/don-vi/{units['A'].id}/chuyen", {"parent_id": units[target].id})
        assert response.status_code == 422
        assert "Không thể chuyển đơn vị vào chính nó" in response.get_data(as_text=True)
    commune_under_commune = admin_post(f"/quan-tri/don-vi/{units['A1'].id}/chuyen", {"parent_id": units["B1"].id})
    assert commune_under_commune.status_code == 422
    assert unit_by_code(db_session, "U-A").path == f"/{units['P'].id}/"
    assert audit(db_session, "admin.unit.move") == []


def test_retiring_a_unit_with_active_units_below_needs_the_subtree_box(admin_post, db_session, units):
    url = f"/quan-tri/don-vi/{units['A'].id}/ngung"
    unconfirmed = admin_post(url, {})
    assert unconfirmed.status_code == 422 and "đánh dấu ô xác nhận" in unconfirmed.get_data(as_text=True)
    refused = admin_post(url, {"confirm": "y"})
    assert refused.status_code == 422
    assert "còn 2 đơn vị cấp dưới đang hoạt động" in refused.get_data(as_text=True)
    assert unit_by_code(db_session, "U-A").retired_at is None

    assert admin_post(url, {"confirm": "y", "subtree": "y"}).status_code == 303
    retired = {c for c in ("U-A", "U-A1", "U-A2", "U-B") if unit_by_code(db_session, c).retired_at is not None}
    assert retired == {"U-A", "U-A1", "U-A2"}
    (event,) = audit(db_session, "admin.unit.retire")
    assert event.detail["units_retired"] == 3


def test_a_retired_units_qr_code_is_no_longer_in_use_and_restoring_brings_it_back(
    admin_post, client, db_session, point
):
    commune = point.unit_id
    assert admin_post(f"/quan-tri/don-vi/{commune}/ngung", {"confirm": "y"}).status_code == 303
    old = client.get(f"/s/{point.qr_token}")
    assert old.status_code == 404 and "Mã QR này không còn sử dụng" in old.get_data(as_text=True)
    assert admin_post(f"/quan-tri/don-vi/{commune}/khoi-phuc").status_code == 303
    assert client.get(f"/s/{point.qr_token}").status_code == 200
    assert [e.action for e in audit(db_session, "admin.unit.restore")] == ["admin.unit.restore"]


def test_restore_brings_back_only_what_was_retired_together(admin_post, db_session, units):
    assert admin_post(f"/quan-tri/don-vi/{units['A2'].id}/ngung", {"confirm": "y"}).status_code == 303
    assert admin_post(f"/quan-tri/don-vi/{units['A'].id}/ngung", {"confirm": "y", "subtree": "y"}).status_code == 303
    blocked = admin_post(f"/quan-tri/don-vi/{units['A1'].id}/khoi-phuc")
    assert blocked.status_code == 422 and "cấp trên đã ngừng" in blocked.get_data(as_text=True)
    assert admin_post(f"/quan-tri/don-vi/{units['A'].id}/khoi-phuc").status_code == 303
    assert unit_by_code(db_session, "U-A1").retired_at is None
    assert unit_by_code(db_session, "U-A2").retired_at is not None  # retired earlier, on its own


def test_posters_pdf_has_one_page_per_active_service_point(admin_client, admin_post, db_session, units):
    for unit, code in (("A1", "Q01"), ("A1", "Q02"), ("A2", "Q01"), ("B1", "Q01")):
        assert (
            admin_post(f"/quan-tri/don-vi/{units[unit].id}/quay", {"code": code, "name": f"Quầy {code}"}).status_code
            == 303
        )
    retired = db_session.scalars(
        select(ServicePoint).where(ServicePoint.unit_id == units["A1"].id, ServicePoint.code == "Q02")
    ).one()
    assert admin_post(f"/quan-tri/quay/{retired.id}/ngung", {"confirm": "y"}).status_code == 303

    response = admin_client.get(f"/quan-tri/don-vi/{units['A'].id}/ap-phich.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 2  # A1/Q01 and A2/Q01
    province = admin_client.get(f"/quan-tri/don-vi/{units['P'].id}/ap-phich.pdf")
    assert len(PdfReader(io.BytesIO(province.data)).pages) == 3


def test_posters_for_a_subtree_without_counters_say_so(admin_client, units):
    response = admin_client.get(f"/quan-tri/don-vi/{units['B'].id}/ap-phich.pdf")
    assert response.status_code == 404
    assert "chưa có quầy nào đang hoạt động" in response.get_data(as_text=True)
    assert admin_client.get("/quan-tri/don-vi/999999/ap-phich.pdf").status_code == 404


def test_an_admin_form_without_its_csrf_token_is_refused(admin_client, db_session, units):
    response = admin_client.post(f"/quan-tri/don-vi/{units['A1'].id}/doi-ten", data={"name": "Không có token"})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    forged = admin_client.post(
        f"/quan-tri/don-vi/{units['A1'].id}/doi-ten", data={"name": "Token giả", "csrf_token": "abc"}
    )
    assert forged.status_code == 400
    assert unit_by_code(db_session, "U-A1").name == "Đơn vị A1"
    assert audit(db_session, "admin.unit.rename") == []


def test_unknown_ids_are_404(admin_client):
    for url in ("/quan-tri/don-vi/999999", "/quan-tri/quay/999999", "/quan-tri/tai-khoan/999999", "/quan-tri/phieu/9"):
        assert admin_client.get(url).status_code == 404, url

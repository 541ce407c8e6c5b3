"""Importing a province's unit list from CSV or XLSX: all or nothing, row errors, re-import."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from app.models import AuditEvent, Unit

GOOD = """ma,ten,cap,ma_cap_tren
HG,Tỉnh Hà Giang Thử,tinh,
HG-SNV,Sở Nội vụ,so,HG
HG-X03,Xã Thuận Hòa,xa,HG-H01
HG-H01,Huyện Vị Xuyên,huyen,HG
HG-X01,Xã Tân Thành,xa,HG-H01
HG-P01,Phường Minh Khai,commune,HG
"""


def upload(admin_post, content: bytes | str, filename: str = "don-vi.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return admin_post(
        "/quan-tri/don-vi/nhap", {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )


def tree(db_session) -> dict[str, tuple[str, str | None, str]]:
    """code -> (level, parent code, name)"""
    db_session.expire_all()
    units = {u.id: u for u in db_session.scalars(select(Unit))}
    return {
        u.code: (u.level, units[u.parent_id].code if u.parent_id else None, u.name)
        for u in units.values()
        if u.code.startswith("HG")
    }


def test_a_good_file_builds_the_tree_parents_first(admin_client, admin_post, db_session):
    response = upload(admin_post, GOOD)
    assert response.status_code == 303
    assert tree(db_session) == {
        "HG": ("province", None, "Tỉnh Hà Giang Thử"),
        "HG-SNV": ("department", "HG", "Sở Nội vụ"),
        "HG-H01": ("district", "HG", "Huyện Vị Xuyên"),
        "HG-X01": ("commune", "HG-H01", "Xã Tân Thành"),
        "HG-X03": ("commune", "HG-H01", "Xã Thuận Hòa"),
        "HG-P01": ("commune", "HG", "Phường Minh Khai"),
    }
    units = {u.code: u for u in db_session.scalars(select(Unit).where(Unit.code.startswith("HG")))}
    assert units["HG-X03"].path == f"/{units['HG'].id}/{units['HG-H01'].id}/"
    (event,) = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "admin.unit.import")).all()
    assert sorted(event.detail["created"]) == sorted(tree(db_session))
    assert event.target == "file:don-vi.csv"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã nhập: 6 đơn vị mới, 0 đổi tên, 0 giữ nguyên." in page


def test_reimporting_the_same_file_adds_nothing(admin_post, db_session):
    assert upload(admin_post, GOOD).status_code == 303
    before = tree(db_session)
    again = upload(admin_post, GOOD)
    assert again.status_code == 303
    assert tree(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(Unit).where(Unit.code.startswith("HG"))) == 6
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "admin.unit.import")).all()
    assert [e.detail["created"] for e in events][1] == [] and events[1].detail["unchanged"] == 6


def test_a_new_name_in_the_file_renames_and_is_audited(admin_post, db_session):
    upload(admin_post, GOOD)
    assert upload(admin_post, GOOD.replace("Xã Tân Thành", "Phường Tân Thành")).status_code == 303
    assert tree(db_session)["HG-X01"][2] == "Phường Tân Thành"
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "admin.unit.import").order_by(AuditEvent.id.desc())
    ).first()
    assert event.detail["renamed"] == [{"code": "HG-X01", "before": "Xã Tân Thành", "after": "Phường Tân Thành"}]


def test_bad_rows_are_listed_by_number_and_nothing_is_stored(admin_post, db_session):
    bad = (
        GOOD
        + "HG-X04,Xã Không Cha,xa,HG-H99\n"  # row 8: unknown parent
        + "HG-X05,Xã Cấp Lạ,thon,HG-H01\n"  # row 9: bad level
        + "HG-X01,Xã Trùng Mã,xa,HG-H01\n"  # row 10: duplicate code
        + "HG-X06,Xã Dưới Sở,xa,HG-SNV\n"  # row 11: a commune under a department
        + "HG-X07,Xã Dưới Dòng Lỗi,xa,HG-X05\n"  # row 12: parent row is wrong
    )
    response = upload(admin_post, bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tệp có lỗi nên chưa đơn vị nào được nhập" in html
    assert "5 dòng có lỗi" in html
    for row, reason in (
        (8, "mã cấp trên không tồn tại: &#39;HG-H99&#39;"),
        (9, "cấp không hợp lệ: &#39;thon&#39;"),
        (10, "mã HG-X01 trùng với dòng 6"),
        (11, "cấp trên không hợp lệ: xã phải thuộc huyện hoặc tỉnh, HG-SNV là sở, ngành"),
        (12, "đơn vị cấp trên HG-X05 (dòng 9) có lỗi"),
    ):
        assert f'<td class="fig">{row}</td><td>{reason}' in html, (row, reason)
    assert tree(db_session) == {}
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.action == "admin.unit.import")).all() == []


def test_a_code_already_in_another_place_is_an_error_not_a_silent_move(admin_post, db_session, units):
    content = f"ma,ten,cap,ma_cap_tren\n{units['A1'].code},Đơn vị A1,xa,{units['B'].code}\n"
    response = upload(admin_post, content)
    assert response.status_code == 422
    assert "đã có trong hệ thống dưới U-A" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Unit, units["A1"].id).parent_id == units["A"].id


def test_xlsx_with_vietnamese_headers_and_existing_parents(admin_post, db_session, units):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã", "Tên", "Cấp", "Mã cấp trên"])
    sheet.append(["HG-X10", "Xã Mới", "Xã", units["B"].code])
    sheet.append(["HG-H10", "Huyện Mới", "huyện", units["P"].code])
    sheet.append([None, None, None, None])
    sheet.append(["HG-X11", "Thị trấn Mới", "thị trấn", "HG-H10"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(admin_post, buffer.getvalue(), "don-vi.xlsx")
    assert response.status_code == 303
    assert tree(db_session) == {
        "HG-X10": ("commune", "U-B", "Xã Mới"),
        "HG-H10": ("district", "U-P", "Huyện Mới"),
        "HG-X11": ("commune", "HG-H10", "Thị trấn Mới"),
    }


def test_unreadable_files_get_a_clear_message(admin_post, db_session):
    no_columns = upload(admin_post, "code_x,name_y\n1,2\n")
    assert no_columns.status_code == 422 and "Thiếu cột bắt buộc" in no_columns.get_data(as_text=True)
    wrong_type = upload(admin_post, "ma,ten,cap\n", "don-vi.pdf")
    assert wrong_type.status_code == 422 and "Chỉ nhận tệp .csv hoặc .xlsx" in wrong_type.get_data(as_text=True)
    latin1 = upload(admin_post, b"ma,ten,cap,ma_cap_tren\nHG,T\xecnh H\xe0 Giang,tinh,\n")
    assert latin1.status_code == 422 and "UTF-8" in latin1.get_data(as_text=True)
    broken = upload(admin_post, b"PK\x03\x04 not really a workbook", "don-vi.xlsx")
    assert broken.status_code == 422
    nothing = admin_post("/quan-tri/don-vi/nhap", {}, content_type="multipart/form-data")
    assert nothing.status_code == 422 and "Vui lòng chọn tệp" in nothing.get_data(as_text=True)
    assert tree(db_session) == {}

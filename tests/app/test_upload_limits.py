"""Uploaded and imported sheets cannot tie up the server or flood a page
(issue 15, item 11).

An XLSX may declare any size: ``A1:XFD1048576`` made the reader pad every
row to 16,384 columns (a 9-second request, an ``import-responses`` run of
more than five minutes). A sheet whose rows all repeat one 5,000-character
code gave a 98 MB error page. Now the declared size is ignored, only the
first columns are read, echoed values are cut short, the errors shown are
capped, and a packed file that unpacks to too much is refused.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.models import Unit
from app.services.imports import MAX_COLUMNS, ImportFileError, data_rows

HUGE = "A1:XFD1048576"


def xlsx(rows: list[list[object]], *, dimension: str | None = HUGE, far_cell: bool = False) -> bytes:
    """An XLSX of ``rows`` whose sheet declares ``dimension``; with
    ``far_cell`` the first row also has a value in column XFD."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if far_cell:
        sheet.cell(row=1, column=16384, value="xa lắm")
    buffer = io.BytesIO()
    book.save(buffer)
    if dimension is None:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension ref=")
                end = data.index(b"/>", start)
                data = data[:start] + f'<dimension ref="{dimension}"'.encode() + data[end:]
            dst.writestr(item, data)
    return out.getvalue()


def upload(admin_post, content: bytes, filename: str = "don-vi.xlsx"):
    return admin_post(
        "/quan-tri/don-vi/nhap", {"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


UNITS = [
    ["ma", "ten", "cap", "ma_cap_tren"],
    ["HG", "Tỉnh Hà Giang Thử", "tinh", ""],
    ["HG-H01", "Huyện Vị Xuyên", "huyen", "HG"],
    ["HG-X01", "Xã Tân Thành", "xa", "HG-H01"],
]


@pytest.mark.parametrize("far_cell", [False, True])
def test_a_declared_huge_sheet_is_read_as_the_rows_it_holds(admin_post, db_session, far_cell):
    response = upload(admin_post, xlsx(UNITS, far_cell=far_cell))
    assert response.status_code == 303
    assert {u for u in db_session.scalars(select(Unit.code).where(Unit.code.startswith("HG")))} == {
        "HG",
        "HG-H01",
        "HG-X01",
    }


def test_reading_a_declared_huge_sheet_costs_what_its_rows_cost(monkeypatch):
    """The cells openpyxl hands over, counted as they pass (not timed: the
    machine's load would decide): at most MAX_COLUMNS a row, where the sheet's
    declared A1:XFD1048576 once made every row 16,384 cells (5 s here)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    real = ReadOnlyWorksheet.iter_rows
    handed: list[int] = []

    def counted(self, *args, **kwargs):
        for values in real(self, *args, **kwargs):
            handed.append(len(values))
            yield values

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counted)
    rows = [["ma", "ten", "cap", "ma_cap_tren"]] + [[f"HG-X{i:04d}", "Xã", "xa", "HG"] for i in range(5000)]
    read = list(data_rows(xlsx(rows), "don-vi.xlsx"))
    assert len(read) == 5001 and {len(r) for r in read} == {4}
    assert len(handed) == 5001 and max(handed) <= MAX_COLUMNS


def test_only_the_first_columns_are_read():
    rows = list(data_rows(xlsx([["a"] * (MAX_COLUMNS + 50)], dimension=None), "x.xlsx"))
    assert len(rows[0]) == MAX_COLUMNS
    csv_rows = list(data_rows(("b," * (MAX_COLUMNS + 50)).encode(), "x.csv"))
    assert len(csv_rows[0]) == MAX_COLUMNS


def test_import_responses_ignores_a_declared_huge_sheet(runner, tmp_path: Path, point):
    sheet = tmp_path / "phieu.xlsx"
    sheet.write_bytes(xlsx([["ma_phieu", "don_vi", "ngay"], ["P1", "T01-X01", "01/06/2025"]]))
    result = runner.invoke(args=["import-responses", "--instrument", "sipas-counter", str(sheet)])
    assert result.exit_code == 3, result.output  # rows rejected (issue 17)
    assert "1 rejected" in result.output  # the row lacks required answers; nothing hangs


def test_a_file_that_unpacks_to_too_much_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<c/>" * (60 * 1024 * 1024 // 4))
    with pytest.raises(ImportFileError, match="quá lớn"):  # from the zip's directory, before unpacking
        list(data_rows(out.getvalue(), "bom.xlsx", max_unpacked=50 * 1024 * 1024))


def test_the_error_page_stays_small(admin_post):
    code = "X" * 1000  # repeated on every row: a small file, an 8 MB page before
    rows = [["ma", "ten", "cap", "ma_cap_tren"]] + [[code, "Tên", "xa", "HG"] for _ in range(8_000)]
    content = xlsx(rows, dimension=None)
    assert len(content) < 256 * 1024  # under the upload limit (MAX_CONTENT_LENGTH)
    response = upload(admin_post, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert len(page) < 200_000
    assert "8000 dòng có lỗi" in page and "100 lỗi đầu tiên" in page
    assert "X" * 100 not in page  # values are echoed cut short


def test_paper_import_messages_echo_values_cut_short(tmp_path, db_session, point):
    from app.services.imports import MAX_REPORTED_ERRORS, responses_import
    from app.services.instruments import instrument_active
    from surveys import load_all

    active = instrument_active(db_session, load_all(), "sipas-counter")
    sheet = tmp_path / "phieu.csv"
    lines = ["ma_phieu,don_vi,ngay"] + [f"P{i},{'Y' * 10_000},01/06/2025" for i in range(500)]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = responses_import(db_session, active, sheet)
    assert result.error_total == 500 and len(result.errors) == MAX_REPORTED_ERRORS
    assert all(len(e.message) < 200 for e in result.errors)


def test_the_command_reports_how_many_errors_it_did_not_print(runner, tmp_path, point):
    sheet = tmp_path / "phieu.csv"
    lines = ["ma_phieu,don_vi,ngay"] + [f"P{i},KHONG-CO,01/06/2025" for i in range(300)]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import-responses", "--instrument", "sipas-counter", str(sheet)])
    assert result.exit_code == 3  # rows rejected (issue 17)
    assert result.output.count("dòng ") <= 110
    assert "300 rejected" in result.output and "200" in result.output

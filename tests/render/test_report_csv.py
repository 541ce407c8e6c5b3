"""The CSV units table, parsed back with the csv module: the units' numbers,
the same columns and labels as the XLSX units sheet, and formula injection."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from app.render.csv.report import report_csv
from app.render.xlsx.report import report_xlsx
from app.services.aggregates import INDEX_KEY


def parsed(text: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    return header, rows


@pytest.fixture(scope="module")
def table(demo_report) -> tuple[list[str], list[list[str]]]:
    return parsed(report_csv(demo_report))


def test_csv_is_rfc4180_and_left_for_the_caller_to_mark_as_utf8(demo_report):
    text = report_csv(demo_report)
    assert not text.startswith("\ufeff")  # the caller encodes with utf-8-sig
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert text.encode("utf-8-sig").startswith(b"\xef\xbb\xbf")


def test_csv_holds_each_units_numbers(table, demo_report):
    header, rows = table
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["Mã đơn vị"]] for r in rows] == [u.code for u in demo_report.units]
    for row, unit in zip(rows, demo_report.units, strict=True):
        assert row[col["Tên đơn vị"]] == unit.name
        assert int(row[col["Số phiếu"]]) == unit.responses
        assert int(row[col["Số cụm (quầy × ngày)"]]) == unit.clusters
        figure = unit.figures[INDEX_KEY]
        assert int(row[col["Chỉ số chung – n"]]) == figure.n
        for name, value in (
            ("Chỉ số chung – ước lượng", figure.estimate),
            ("Chỉ số chung – cận dưới KTC 95%", figure.lower),
            ("Chỉ số chung – cận trên KTC 95%", figure.upper),
        ):
            if value is None:
                assert row[col[name]] == ("—" if figure.suppressed else "")
            else:
                assert row[col[name]] == f"{value:.4f}"
                assert float(row[col[name]]) == pytest.approx(value, abs=5e-5)


def test_csv_uses_the_xlsx_labels_and_marks(table, demo_report):
    header, rows = table
    col = {name: i for i, name in enumerate(header)}
    verdicts = {r[col["Chỉ số chung – kết luận so sánh"]] for r in rows}
    assert {"Kém hơn", "Không khác biệt"} <= verdicts <= {
        "Tốt hơn", "Không khác biệt", "Kém hơn", "Chưa kết luận (quá ít cụm)", ""
    }  # fmt: skip
    assert "—" in {cell for row in rows for cell in row}  # suppressed figures
    assert "Độ tin cậy thấp (n<30)" in {r[col["Độ tin cậy (chỉ số chung)"]] for r in rows}


def test_csv_has_the_columns_and_values_of_the_xlsx_units_sheet(table, demo_report):
    header, rows = table
    ws = load_workbook(io.BytesIO(report_xlsx(demo_report)))["Đơn vị"]
    assert header == [c.value for c in ws[1]]
    for r, row in enumerate(rows, start=2):
        for c, text in enumerate(row, start=1):
            cell = ws.cell(r, c)
            value = cell.value
            if value is None:
                assert text == ""
            elif cell.number_format in ("0.0%", "+0.0%;-0.0%;0.0%"):  # proportions, changes; 0.0 reads as 0
                assert text == f"{value:.4f}"
            else:
                assert text == str(value)


def test_english_csv(demo_report):
    header, rows = parsed(report_csv(demo_report, "en"))
    assert header[:3] == ["Unit code", "Unit name", "Level"]
    assert "Overall index – 95% CI upper" in header
    col = header.index("Overall index – verdict")
    assert "Worse" in {r[col] for r in rows}


def test_text_that_looks_like_a_formula_is_prefixed(hostile):
    _, rows = parsed(report_csv(hostile.report))
    names = [row[1] for row in rows]
    assert names[:4] == ["'" + name for name in hostile.names[:3]] + ["Xã Điều Khiển"]
    assert names[4:] == [u.name for u in hostile.report.units[4:]]


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)", "-1", "\t=1", "\r=1", "<script>alert(1)</script>"],
)
def test_each_dangerous_start_is_neutralised(demo_report, name):
    unit = replace(demo_report.units[0], name=name)
    _, rows = parsed(report_csv(replace(demo_report, units=[unit])))
    expected = name if name.startswith("<") else "'" + name
    assert rows[0][1] == expected


def test_negative_numbers_are_not_prefixed(demo_report):
    unit = demo_report.units[0]
    figures = {**unit.figures, INDEX_KEY: replace(unit.figures[INDEX_KEY], estimate=-0.01234, suppressed=False)}
    header, rows = parsed(report_csv(replace(demo_report, units=[replace(unit, figures=figures)])))
    assert rows[0][header.index("Chỉ số chung – ước lượng")] == "-0.0123"


def test_empty_report_is_just_the_header(empty_report):
    header, rows = parsed(report_csv(empty_report))
    assert header[0] == "Mã đơn vị" and rows == []

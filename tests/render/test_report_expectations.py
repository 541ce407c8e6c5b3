"""The expectations module in every file of the report, opened back: the
XLSX sheet "Mong đợi" (openpyxl), the CSV of ``table="expectations"`` (csv)
and the PDF section (pypdf), Vietnamese and English."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pypdf
import pytest
from openpyxl import load_workbook

from app import numbers
from app.render.csv.report import CSV_TABLES, TableUnknown, report_csv
from app.render.pdf.report import report_pdf
from app.render.xlsx.report import report_xlsx


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(content)).pages)


@pytest.fixture(scope="module")
def expectations(demo_report):
    e = demo_report.expectations
    assert e is not None and e.answered and e.answered > 100  # the demo answers it: the test has figures to read
    return e


def test_the_demo_shares_are_proportions_of_those_who_answered(expectations):
    published = [x for x in expectations.lines if x.figure.estimate is not None]
    assert len(published) == len(expectations.lines) == 12
    for x in published:
        assert x.figure.n == expectations.answered
        assert x.chosen == pytest.approx(x.figure.estimate * expectations.answered)
        assert 0 <= x.figure.lower <= x.figure.estimate <= x.figure.upper <= 1


def test_xlsx_sheet_holds_every_share(demo_report, expectations):
    book = load_workbook(io.BytesIO(report_xlsx(demo_report)))
    assert book.sheetnames.index("Mong đợi") == book.sheetnames.index("Tiêu chí") + 1
    ws = book["Mong đợi"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Câu hỏi", "Mã nội dung", "Nội dung", "Tỷ lệ chọn"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, max_row=1 + len(expectations.lines), values_only=True)}
    for x in expectations.lines:
        row = rows[x.code]
        assert row[0] == "expectations" and row[2] == x.label.vi
        assert row[3:6] == pytest.approx((x.figure.estimate, x.figure.lower, x.figure.upper))
        assert (row[6], row[7]) == (expectations.answered, x.chosen)
    assert ws.cell(2, 4).number_format == "0.0%"
    notes = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any("Korn–Graubard" in n for n in notes) and expectations.text.vi in notes


def test_xlsx_in_english_names_the_sheet_expectations(demo_report):
    book = load_workbook(io.BytesIO(report_xlsx(demo_report, "en")), read_only=True)
    assert "Expectations" in book.sheetnames


def test_csv_table_expectations(demo_report, expectations):
    header, *rows = csv.reader(io.StringIO(report_csv(demo_report, table="expectations"), newline=""))
    assert header == ["Câu hỏi", "Mã nội dung", "Nội dung", "Tỷ lệ chọn", "Tỷ lệ chọn – cận dưới KTC 95%",
                      "Tỷ lệ chọn – cận trên KTC 95%", "Số người trả lời câu hỏi", "Số người chọn",
                      "Độ tin cậy"]  # fmt: skip
    assert [int(r[1]) for r in rows] == [x.code for x in expectations.lines]
    for r, x in zip(rows, expectations.lines, strict=True):
        assert float(r[3]) == pytest.approx(x.figure.estimate, abs=5e-5)
        assert float(r[4]) == pytest.approx(x.figure.lower, abs=5e-5)
        assert (int(r[6]), int(r[7])) == (expectations.answered, x.chosen)
    english, *_ = csv.reader(io.StringIO(report_csv(demo_report, "en", table="expectations"), newline=""))
    assert english[2:4] == ["Item", "Share choosing it"]


def test_csv_tables_default_and_unknown(demo_report):
    assert CSV_TABLES == ("units", "breakdown", "expectations")
    assert report_csv(demo_report) == report_csv(demo_report, table="units")
    with pytest.raises(TableUnknown):
        report_csv(demo_report, table="nope")


def test_csv_of_a_report_without_expectations_has_the_header_only(demo_report):
    text = report_csv(replace(demo_report, expectations=None), table="expectations")
    assert len(list(csv.reader(io.StringIO(text, newline="")))) == 1


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_section_prints_every_share_and_interval(demo_report, expectations, lang):
    text = pdf_text(report_pdf(demo_report, lang))
    heading = {"vi": "Mong đợi của người dân", "en": "What citizens want improved first"}[lang]
    assert heading in text
    after = text[text.index(heading) :]
    for x in expectations.lines:
        f = x.figure
        share = " ".join(numbers.percent(f.estimate, lang).split())
        bounds = " ".join(numbers.percent_interval(f.lower, f.upper, lang).split())
        assert f"{share} {bounds}" in after, (x.code, share, bounds)
    assert "Korn–Graubard" in after


def test_pdf_without_expectations_has_no_section(demo_report):
    assert "Mong đợi của người dân" not in pdf_text(report_pdf(replace(demo_report, expectations=None)))


def test_empty_report_says_nobody_answered(empty_report):
    assert empty_report.expectations is not None and empty_report.expectations.answered == 0
    assert "Chưa có người trả lời câu hỏi về mong đợi" in pdf_text(report_pdf(empty_report))
    ws = load_workbook(io.BytesIO(report_xlsx(empty_report)))["Mong đợi"]
    # nothing to estimate (not hidden): empty share cells, 0 answered
    assert [c.value for c in ws["D"][1:13]] == [None] * 12
    assert [c.value for c in ws["G"][1:13]] == [0] * 12

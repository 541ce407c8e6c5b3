"""The few-cluster marks in the units table of every file, opened back, with the footnote."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pypdf
import pytest
from openpyxl import load_workbook

from app.render.csv.report import report_csv, units_table
from app.render.pdf.report import report_pdf
from app.render.xlsx.report import report_xlsx


@pytest.fixture
def marked(demo_report):
    """The demo report with its first three units given each rule and the fourth none."""
    units = list(demo_report.units)
    for i, marks in enumerate(("§", "‡", "°‡", "")):
        units[i] = replace(units[i], cluster_rules=marks)
    return replace(demo_report, units=units)


def test_the_units_csv_ends_with_the_marks(marked):
    header, *rows = csv.reader(io.StringIO(report_csv(marked), newline=""))
    assert header[-1] == "Quy tắc ít cụm"
    assert [r[-1] for r in rows[:4]] == ["§", "‡", "°‡", ""]
    assert units_table(marked, "en").headers[-1] == "Few-cluster rules"


def test_demo_report_marks_follow_the_figures(demo_reports):
    """In the demo, each unit's marks are those its published figures call for."""
    seen = set()
    for report in demo_reports.values():
        keys = [k for k, _ in report.unit_keys]
        k = report.thresholds.min_clusters
        for u in report.units:
            shown = [f for key in keys if (f := u.figures.get(key)) is not None and f.estimate is not None]
            assert ("§" in u.cluster_rules) == bool(shown and u.clusters < k), u.code
            assert ("°" in u.cluster_rules) == any(f.deff1_interval for f in shown), u.code
            seen.update(u.cluster_rules)
    assert seen  # the demo province has units where a rule applies


def test_the_units_sheet_ends_with_the_marks_and_explains_them(marked):
    ws = load_workbook(io.BytesIO(report_xlsx(marked)))["Đơn vị"]
    last = max(c.column for c in ws[1] if c.value is not None)
    assert ws.cell(1, last).value == "Quy tắc ít cụm"
    assert [ws.cell(r, last).value for r in range(2, 6)] == ["§", "‡", "°‡", None]
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("Ký hiệu ở cột số cụm")]
    assert len(notes) == 1 and "§" in notes[0] and "‡" in notes[0] and "°" in notes[0]


@pytest.mark.parametrize(("lang", "footnote"), [("vi", "Ký hiệu ở cột số cụm"), ("en", "Marks in the clusters column")])
def test_the_pdf_units_table_has_a_clusters_column_and_the_footnote(marked, lang, footnote):
    pages = pypdf.PdfReader(io.BytesIO(report_pdf(marked, lang))).pages
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert footnote in text
    for u in marked.units[:3]:
        starts = [i for i in range(len(text)) if text.startswith(u.code, i)]
        # the unit's row (wherever else its code is printed) holds its clusters and marks
        assert any(f"{u.clusters} {u.cluster_rules}" in text[i : i + 400] for i in starts), u.code


def test_the_method_notes_explain_the_marks_and_the_expectations(demo_report):
    notes = {term.vi: text.vi for term, text in demo_report.method_notes}
    clusters = notes["Đơn vị có ít cụm"]
    assert f"dưới {demo_report.thresholds.min_clusters} cụm" in clusters
    assert all(mark in clusters for mark in "§‡°")
    assert "đã trả lời câu hỏi" in notes["Mong đợi"]
    assert notes["Chỉ số yếu tố và chỉ số chung"].startswith("Theo phương pháp SIPAS")

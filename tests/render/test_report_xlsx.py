"""The XLSX report, read back with openpyxl: every sheet, the units' numbers
against the Report, the analysts' formatting, and hostile free text."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.render.xlsx.report import report_xlsx
from app.services.aggregates import INDEX_KEY

#: sipas-counter v2 asks the expectations question: its sheet follows the criteria
SHEETS_VI = ["Tóm tắt", "Đơn vị", "Tiêu chí", "Mong đợi", "Xu hướng", "Ý kiến", "Phương pháp"]
SHEETS_EN = ["Summary", "Units", "Criteria", "Expectations", "Trend", "Comments", "Method"]
#: the demo has dossier counts and verified responses: a response-rate sheet comes last
DEMO_SHEETS_VI = [*SHEETS_VI, "Tỷ lệ phản hồi"]
DEMO_SHEETS_EN = [*SHEETS_EN, "Response rate"]
RED = "FFC7CE"


def workbook(report, lang: str = "vi") -> Workbook:
    return load_workbook(io.BytesIO(report_xlsx(report, lang)))


def columns(ws: Worksheet, header_row: int = 1) -> dict[str, int]:
    return {cell.value: cell.column for cell in ws[header_row] if cell.value is not None}


def header_row_of(ws: Worksheet, first_header: str) -> int:
    return next(cell.row for cell in ws["A"] if cell.value == first_header)


def unit_rows(ws: Worksheet, report) -> dict[str, int]:
    """Row of each unit code in the units sheet (the table starts under the header)."""
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, len(report.units) + 2)}
    assert set(rows) == {u.code for u in report.units}
    return rows


@pytest.fixture(scope="module")
def book(demo_report) -> Workbook:
    return workbook(demo_report)


@pytest.fixture(scope="module")
def hostile_book(hostile) -> tuple[Workbook, bytes]:
    content = report_xlsx(hostile.report)
    return load_workbook(io.BytesIO(content)), content


def test_every_part_has_its_sheet_named_in_vietnamese(book):
    assert book.sheetnames == DEMO_SHEETS_VI


def test_header_rows_are_bold_and_frozen(book):
    summary_header = header_row_of(book["Tóm tắt"], "Chỉ số")
    expected = {"Tóm tắt": (summary_header, f"A{summary_header + 1}"), "Đơn vị": (1, "C2")}
    for ws in book:
        header, frozen = expected.get(ws.title, (1, "A2"))
        assert ws.freeze_panes == frozen, ws.title
        cells = [c for c in ws[header] if c.value is not None]
        assert cells and all(c.font.b for c in cells), ws.title


def test_headers_are_vietnamese_with_diacritics(book):
    units = columns(book["Đơn vị"])
    for header in (
        "Mã đơn vị",
        "Tên đơn vị",
        "Cấp",
        "Số phiếu",
        "Chỉ số chung – ước lượng",
        "Chỉ số chung – cận dưới KTC 95%",
        "Chỉ số chung – cận trên KTC 95%",
        "Chỉ số chung – n",
        "Phiền hà – kết luận so sánh",
        "Khoảng xếp hạng (tốt nhất–kém nhất)",
        "Độ tin cậy (chỉ số chung)",
    ):
        assert header in units
    assert "Tỷ lệ hài lòng" in columns(book["Tiêu chí"])
    assert "Quầy / điểm tiếp nhận" in columns(book["Ý kiến"])


def test_units_sheet_holds_each_units_index_exactly_as_a_percentage(book, demo_report):
    ws = book["Đơn vị"]
    cols = columns(ws)
    rows = unit_rows(ws, demo_report)
    checked = 0
    for unit in demo_report.units:
        figure = unit.figures[INDEX_KEY]
        row = rows[unit.code]
        assert ws.cell(row, cols["Số phiếu"]).value == unit.responses
        assert ws.cell(row, cols["Chỉ số chung – n"]).value == figure.n
        for header, value in (
            ("Chỉ số chung – ước lượng", figure.estimate),
            ("Chỉ số chung – cận dưới KTC 95%", figure.lower),
            ("Chỉ số chung – cận trên KTC 95%", figure.upper),
        ):
            cell = ws.cell(row, cols[header])
            if value is None:
                assert cell.value == ("—" if figure.suppressed else None)
                continue
            assert cell.value == pytest.approx(value, abs=1e-12)
            assert cell.number_format == "0.0%"
            checked += 1
    published = [u for u in demo_report.units if not u.figures[INDEX_KEY].suppressed]
    assert len(published) >= 5 and checked >= 2 * len(published)


def test_levels_verdicts_and_ranks_are_in_vietnamese(book, demo_report):
    ws = book["Đơn vị"]
    cols, rows = columns(ws), unit_rows(ws, demo_report)
    labels = {"better": "Tốt hơn", "not_distinguishable": "Không khác biệt", "worse": "Kém hơn", None: None}
    # no verdict from fewer than 5 clusters, and the sheet says why (issue 14)
    labels["too_few_clusters"] = "Chưa kết luận (quá ít cụm)"
    for unit in demo_report.units:
        row = rows[unit.code]
        assert ws.cell(row, cols["Cấp"]).value in {
            "Tỉnh",
            "Sở, ngành",
            "Huyện, thị xã, thành phố",
            "Xã, phường, thị trấn",
        }
        verdict = ws.cell(row, cols["Chỉ số chung – kết luận so sánh"]).value
        index = unit.figures[INDEX_KEY]
        expected = "too_few_clusters" if index.not_assessed == "too_few_clusters" and not index.suppressed else None
        assert verdict == labels[index.verdict or expected]
        if unit.rank is not None:
            assert ws.cell(row, cols["Khoảng xếp hạng (tốt nhất–kém nhất)"]).value == (
                f"{unit.rank_best}–{unit.rank_worst}"
            )


def test_significantly_worse_unit_is_filled_light_red(book, demo_report):
    ws = book["Đơn vị"]
    rows = unit_rows(ws, demo_report)
    worse = [u for u in demo_report.units if u.figures[INDEX_KEY].verdict == "worse"]
    fine = [u for u in demo_report.units if all(f.verdict != "worse" for f in u.figures.values())]
    assert worse and fine, "the demo seed has worse units and unremarkable ones"
    width = len(columns(ws))
    for unit in worse:
        fills = {ws.cell(rows[unit.code], c).fill.fgColor.rgb[-6:] for c in range(1, width + 1)}
        assert fills == {RED}, unit.code
    for unit in fine:
        assert ws.cell(rows[unit.code], 1).fill.fill_type is None, unit.code


def test_suppressed_figures_show_a_dash_explained_under_the_table(book, demo_report):
    ws = book["Đơn vị"]
    cols, rows = columns(ws), unit_rows(ws, demo_report)
    shown = 0
    for unit in demo_report.units:
        for key, label in demo_report.unit_keys:
            figure = unit.figures.get(key)
            if figure is not None and figure.suppressed:
                assert ws.cell(rows[unit.code], cols[f"{label.vi} – ước lượng"]).value == "—"
                assert ws.cell(rows[unit.code], cols[f"{label.vi} – n"]).value == figure.n
                shown += 1
    assert shown, "the demo seed has units with fewer than 5 answers on some element"
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("— :")]
    # one legend for "—", naming every reason a figure is hidden (issue 15.1)
    assert len(notes) == 1
    assert "ít hơn 5 câu trả lời" in notes[0] and "một tháng" in notes[0] and "suy ra" in notes[0]


def test_unreliable_figures_are_grey_italic_and_flagged(book, demo_report):
    ws = book["Đơn vị"]
    cols, rows = columns(ws), unit_rows(ws, demo_report)
    unreliable = [
        u for u in demo_report.units if not u.figures[INDEX_KEY].reliable and not u.figures[INDEX_KEY].suppressed
    ]
    reliable = [u for u in demo_report.units if u.figures[INDEX_KEY].reliable]
    assert unreliable and reliable
    for unit in unreliable:
        cell = ws.cell(rows[unit.code], cols["Chỉ số chung – ước lượng"])
        assert cell.font.i and cell.font.color.rgb.endswith("808080")
        assert ws.cell(rows[unit.code], cols["Độ tin cậy (chỉ số chung)"]).value == "Độ tin cậy thấp (n<30)"
    for unit in reliable:
        assert not ws.cell(rows[unit.code], cols["Chỉ số chung – ước lượng"]).font.i


def test_units_table_has_an_autofilter_and_fitted_columns(book, demo_report):
    ws = book["Đơn vị"]
    last_col = ws.cell(1, len(columns(ws))).column_letter
    assert ws.auto_filter.ref == f"A1:{last_col}{len(demo_report.units) + 1}"
    longest = max(len(u.name) for u in demo_report.units)
    assert longest <= ws.column_dimensions["B"].width <= 50
    assert ws.column_dimensions["A"].width < ws.column_dimensions["B"].width


def test_summary_sheet(book, demo_report):
    ws = book["Tóm tắt"]
    labels = {c.value: ws.cell(c.row, 2).value for c in ws["A"] if c.value}
    assert labels["Số phiếu (n)"] == demo_report.responses > 0
    assert labels["Kỳ báo cáo"].startswith(demo_report.period.label("vi"))
    assert labels["Kỳ trước (so sánh)"].startswith(demo_report.previous.label("vi"))
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", labels["Thời điểm lấy số liệu (giờ Việt Nam, UTC+7)"])
    header = header_row_of(ws, "Chỉ số")
    cols = columns(ws, header)
    for i, line in enumerate(demo_report.summary, start=header + 1):
        assert ws.cell(i, 1).value == line.label.vi
        estimate = ws.cell(i, cols["Ước lượng"])
        assert estimate.value == pytest.approx(line.current.estimate, abs=1e-12)
        assert estimate.number_format == "0.0%"
        assert ws.cell(i, cols["n"]).value == line.current.n
        if line.change is not None:
            assert ws.cell(i, cols["Thay đổi"]).value == pytest.approx(line.change.difference, abs=1e-12)
            assert ws.cell(i, cols["Giá trị p"]).value == pytest.approx(line.change.p_value, abs=1e-12)
            flag = ws.cell(i, cols["Thay đổi có ý nghĩa thống kê"]).value
            assert flag == ("Có ý nghĩa" if line.change.significant else "Không")


def test_snapshot_time_is_vietnam_time(demo_report):
    report = replace(demo_report, generated_at=datetime(2026, 3, 31, 17, 5, tzinfo=UTC))
    ws = workbook(report)["Tóm tắt"]
    values = [ws.cell(c.row, 2).value for c in ws["A"] if c.value and str(c.value).startswith("Thời điểm")]
    assert values == ["01/04/2026 00:05"]


def test_criteria_sheet_has_distribution_counts_and_shares(book, demo_report):
    ws = book["Tiêu chí"]
    cols = columns(ws)
    for row, line in enumerate(demo_report.criteria, start=2):
        f = line.figure
        assert ws.cell(row, cols["Mã"]).value == line.code
        assert ws.cell(row, cols["Tiêu chí"]).value == line.text.vi
        assert ws.cell(row, cols["Tỷ lệ hài lòng"]).value == pytest.approx(f.estimate, abs=1e-12)
        counts = [ws.cell(row, cols[h]).value for h in cols if str(h).startswith("Số phiếu: ")]
        shares = [ws.cell(row, cols[h]) for h in cols if str(h).startswith("Tỷ lệ: ")]
        assert counts == list(f.distribution[:5])
        assert [s.value for s in shares] == pytest.approx([c / sum(counts) for c in counts])
        assert {s.number_format for s in shares} == {"0.0%"}
        shown = "—" if f.not_applicable is None else f.not_applicable
        assert ws.cell(row, cols["Không áp dụng / Không biết"]).value in (shown, f.not_applicable)


def test_trend_and_comments_sheets(book, demo_report):
    trend = book["Xu hướng"]
    cols = columns(trend)
    for row, point in enumerate(demo_report.trend, start=2):
        assert trend.cell(row, 1).value == point.label
        assert trend.cell(row, cols["Số phiếu"]).value == point.responses
        index = point.figures.get(INDEX_KEY)
        if index is not None and index.estimate is not None:
            assert trend.cell(row, cols["Chỉ số chung"]).value == pytest.approx(index.estimate, abs=1e-12)
    comments = book["Ý kiến"]
    assert comments.max_row == len(demo_report.comments) + 1
    for row, comment in enumerate(demo_report.comments, start=2):
        assert comments.cell(row, 1).value.date() == comment.month
        assert comments.cell(row, 1).number_format == "MM/YYYY"
        assert comments.cell(row, 4).value == comment.text


@pytest.mark.parametrize(("correction", "shown"), [("holm", "Holm"), ("bh", "Benjamini–Hochberg")])
def test_method_sheet_states_how_the_figures_were_made(demo_report, correction, shown):
    ws = workbook(replace(demo_report, correction=correction))["Phương pháp"]
    rows = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, ws.max_row + 1)}
    for term, text in demo_report.method_notes:
        assert rows[term.vi] == text.vi
    assert rows["Hiệu chỉnh so sánh nhiều đơn vị"] == shown
    assert rows["Mức ý nghĩa (alpha)"] == demo_report.alpha
    assert rows["Ngưỡng độ tin cậy thấp"] == "n < 30"
    assert rows["Bộ câu hỏi"] == "sipas-counter.v2"
    assert rows["Phần mềm: numpy"] == demo_report.software["numpy"]


def test_english_headers_and_labels(demo_report):
    book = workbook(demo_report, "en")
    assert book.sheetnames == DEMO_SHEETS_EN
    ws = book["Units"]
    cols = columns(ws)
    assert {"Unit code", "Unit name", "Level", "Overall index – estimate", "Overall index – 95% CI lower"} <= set(cols)
    values = {ws.cell(r, cols["Overall index – verdict"]).value for r in range(2, len(demo_report.units) + 2)}
    assert "Worse" in values
    assert {ws.cell(r, cols["Level"]).value for r in range(2, len(demo_report.units) + 2)} <= {
        "Province",
        "Department",
        "District",
        "Commune",
    }
    assert "Estimate" in columns(book["Summary"], header_row_of(book["Summary"], "Indicator"))


def test_free_text_never_becomes_a_formula(hostile, hostile_book):
    book, content = hostile_book
    ws = book["Ý kiến"]
    by_text = {ws.cell(r, 4).value: ws.cell(r, 4) for r in range(2, ws.max_row + 1)}
    for text in hostile.formulas:
        cell = by_text[text.replace("\r", "\n")]  # XML stores a bare CR as a line feed
        assert cell.data_type == "s"
    for text in ('=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)"):
        assert by_text[text].value == text
        assert by_text[text].quotePrefix  # editing the cell in Excel keeps it text
    names = [book["Đơn vị"].cell(r, 2) for r in range(2, 5)]
    assert [c.value for c in names] == hostile.names[:3]
    assert {c.data_type for c in names} == {"s"}
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), name


def test_script_stays_verbatim_text(hostile, hostile_book):
    ws = hostile_book[0]["Ý kiến"]
    assert hostile.xss in [ws.cell(r, 4).value for r in range(2, ws.max_row + 1)]


def test_control_characters_are_stripped(hostile, hostile_book):
    book = hostile_book[0]
    texts = [book["Ý kiến"].cell(r, 4).value for r in range(2, book["Ý kiến"].max_row + 1)]
    assert hostile.control[1] in texts
    assert book["Đơn vị"].cell(5, 2).value == "Xã Điều Khiển"


def test_empty_report_renders_and_shows_no_responses(empty_report):
    book = workbook(empty_report)
    assert book.sheetnames == SHEETS_VI
    summary = book["Tóm tắt"]
    assert {c.value: summary.cell(c.row, 2).value for c in summary["A"] if c.value}["Số phiếu (n)"] == 0
    header = header_row_of(summary, "Chỉ số")
    assert summary.cell(header + 1, columns(summary, header)["n"]).value == 0
    assert book["Đơn vị"].cell(2, 1).value is None
    assert book["Tiêu chí"].max_row == 1
    assert book["Ý kiến"].max_row == 1

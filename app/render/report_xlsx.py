"""The report as an Excel workbook: the analysts' working file.

One sheet per part of the :class:`~app.services.reports.Report`: summary,
units, criteria, trend, comments and method. Every sheet is a table with a
bold header row frozen in place; proportions are numbers formatted
``0.0%`` with their interval bounds in their own columns; a unit
significantly worse than the total (on the overall index, harassment or
informal payments) is filled light red; figures from too few answers are
grey and italic; suppressed figures show ``—``. The units table is the one
of :func:`app.render.report_csv.units_table`, so the CSV matches it.

Text never becomes a formula: every string is stored as a string (and a
string that looks like a formula also carries Excel's "quote prefix", so
editing the cell keeps it text), characters XML cannot hold are dropped and
line breaks are stored as LF (XML reads a bare CR as LF anyway).
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection
from datetime import UTC, date

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.models.units import UNIT_LEVEL_NAMES
from app.render.report_csv import (
    FORMULA_START,
    SUPPRESSED,
    Cell,
    Table,
    confidence_label,
    figure_cells,
    reliability_label,
    text_clean,
    units_table,
)
from app.services.aggregates import INDEX_KEY
from app.services.reports import Period, Report
from app.services.submissions import VIETNAM
from surveys import Text

__all__ = ["SHEET_NAMES", "report_xlsx"]

SHEET_NAMES = {
    "summary": Text("Tóm tắt", "Summary"),
    "units": Text("Đơn vị", "Units"),
    "criteria": Text("Tiêu chí", "Criteria"),
    "trend": Text("Xu hướng", "Trend"),
    "comments": Text("Ý kiến", "Comments"),
    "method": Text("Phương pháp", "Method"),
}
NUMBER_FORMATS = {
    "rate": "0.0%",
    "change": "+0.0%;-0.0%;0.0%",
    "int": "#,##0",
    "float": "0.0",
    "p": "0.0000",
    "date": "DD/MM/YYYY",
}
#: The five levels of the satisfaction scale, as in the instruments.
LEVELS = [
    Text("Rất không hài lòng", "Very dissatisfied"),
    Text("Không hài lòng", "Dissatisfied"),
    Text("Bình thường", "Neutral"),
    Text("Hài lòng", "Satisfied"),
    Text("Rất hài lòng", "Very satisfied"),
]
CORRECTIONS = {
    "holm": Text("Holm", "Holm"),
    "bh": Text("Benjamini–Hochberg", "Benjamini–Hochberg"),
    "none": Text("Không hiệu chỉnh", "None"),
}
INTERVAL_METHODS = {
    "beta": Text("Korn–Graubard (beta) cho tỷ lệ; t cho chỉ số", "Korn–Graubard (beta) for rates; t for indices"),
    "logit": Text("Logit cho tỷ lệ; t cho chỉ số", "Logit for rates; t for indices"),
}
TREND_KEYS = (INDEX_KEY, "harassment", "informal_payment")

TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
WORSE_FILL = PatternFill("solid", fgColor="FFC7CE")
UNRELIABLE_FONT = Font(italic=True, color="808080")
NOTE_FONT = Font(italic=True)
WRAP = Alignment(wrap_text=True, vertical="top", horizontal="left")
TOP = Alignment(vertical="top")
#: Points per line of 11-point text, for the height of wrapped rows.
LINE_HEIGHT = 15
RIGHT = Alignment(horizontal="right")
LEFT = Alignment(horizontal="left")
#: Column widths in characters: at least, at most, at most for long free text.
WIDTH_MIN, WIDTH_MAX, WIDTH_TEXT_MAX = 6, 50, 80
#: A wrapped header needs no more than this much width of its own.
HEADER_WIDTH = 16


def _t(vi: str, en: str, lang: str) -> str:
    return en if lang == "en" else vi


def _put(ws: Worksheet, row: int, col: int, value: object, kind: str = "text") -> XlCell:
    """Write one value: text as text (never a formula), numbers with their format."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        # XML turns a bare CR into LF on reading anyway; Excel breaks lines on LF.
        value = text_clean(value).replace("\r\n", "\n").replace("\r", "\n")
        cell.value = value
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True  # editing the cell in Excel keeps it text
        if value == SUPPRESSED:
            cell.alignment = RIGHT
    elif isinstance(value, float) and not math.isfinite(value):
        cell.value = None
    else:
        cell.value = value
        if value is not None and kind in NUMBER_FORMATS:
            cell.number_format = NUMBER_FORMATS[kind]
    return cell


def _table_write(
    ws: Worksheet, table: Table, first_row: int = 1, wrap: tuple[int, ...] = (), pages_wide: int = 1
) -> int:
    """Write ``table`` with its header at ``first_row``; returns the last row written.

    Printed landscape, ``pages_wide`` pages across, with the header on every page.
    """
    for col, header in enumerate(table.headers, start=1):
        cell = _put(ws, first_row, col, header)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
    for i, cells in enumerate(table.rows):
        row = first_row + 1 + i
        worse = i < len(table.worse) and table.worse[i]
        for col, item in enumerate(cells, start=1):
            cell = _put(ws, row, col, item.value, item.kind)
            if item.unreliable:
                cell.font = UNRELIABLE_FONT
            if worse:
                cell.fill = WORSE_FILL
            if col in wrap:
                cell.alignment = WRAP
            elif wrap:  # rows may grow: keep the other cells level with the wrapped text
                cell.alignment = TOP
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    ws.print_title_rows = f"{first_row}:{first_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = pages_wide, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return first_row + len(table.rows)


def _shown_width(value: object, number_format: str) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return max(len(line) for line in value.split("\n"))
    if isinstance(value, date):
        return 11
    if "%" in number_format:
        return 7
    if isinstance(value, float):
        return len(f"{value:.4f}")
    return len(f"{value:,}")


def _widths_fit(
    ws: Worksheet, header_row: int, skip: Collection[tuple[int, int]] = (), wrap: tuple[int, ...] = ()
) -> None:
    """Fit each column to its longest value (capped); wrap the header and size its row."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if (cell.row, cell.column) in skip or cell.value is None:
                continue
            if cell.row == header_row:
                words = str(cell.value).split()
                shown = max(min(len(str(cell.value)), HEADER_WIDTH), *(len(w) for w in words))
            else:
                shown = _shown_width(cell.value, cell.number_format)
            widths[cell.column] = max(widths.get(cell.column, 0), shown)
    fitted = {
        col: min(WIDTH_TEXT_MAX if col in wrap else WIDTH_MAX, max(WIDTH_MIN, shown + 2))
        for col, shown in widths.items()
    }
    for col, width in fitted.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    # Neither Excel nor LibreOffice grows a row for wrapped text on opening a file: size them here.
    header_lines = max(
        (_lines(str(c.value), fitted[c.column]) for c in ws[header_row] if c.value is not None), default=1
    )
    ws.row_dimensions[header_row].height = LINE_HEIGHT * header_lines + 3
    for col in wrap:
        for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=col, max_col=col):
            if isinstance(cell.value, str) and (lines := _lines(cell.value, fitted.get(col, WIDTH_MIN))) > 1:
                height = ws.row_dimensions[cell.row].height or 0
                ws.row_dimensions[cell.row].height = max(height, LINE_HEIGHT * lines)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped in a column ``width`` characters wide."""
    return sum(max(1, math.ceil(len(part) / max(1, width - 2))) for part in text.split("\n"))


def _snapshot(report: Report) -> str:
    """When the figures were taken, Vietnam time (UTC+7), dd/mm/yyyy HH:MM."""
    moment = report.generated_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(VIETNAM):%d/%m/%Y %H:%M}"


def _period_text(period: Period, lang: str) -> str:
    label = period.label(lang)
    if period.kind == "custom":
        return label
    return f"{label} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})"


def _notes(ws: Worksheet, row: int, report: Report, lang: str, skip: set[tuple[int, int]]) -> None:
    """The legend under a table: what ``—``, grey italics and red rows mean."""
    th = report.thresholds
    for note in (
        _t(
            f"{SUPPRESSED} : không công bố vì ít hơn {th.disclosure_min} câu trả lời (bảo vệ người trả lời).",
            f"{SUPPRESSED} : not published, fewer than {th.disclosure_min} answers (protects respondents).",
            lang,
        ),
        _t(
            f"Chữ nghiêng màu xám: độ tin cậy thấp (dưới {th.reliable_min} câu trả lời hoặc quá ít cụm).",
            f"Grey italics: low reliability (fewer than {th.reliable_min} answers or too few clusters).",
            lang,
        ),
    ):
        _put(ws, row, 1, note).font = NOTE_FONT
        skip.add((row, 1))
        row += 1


def _summary(ws: Worksheet, report: Report, lang: str) -> None:
    skip: set[tuple[int, int]] = {(1, 1)}
    _put(ws, 1, 1, report.title.get(lang)).font = TITLE_FONT
    info: list[tuple[str, object, str]] = [
        (
            _t("Bộ câu hỏi", "Instrument", lang),
            f"{report.instrument_title.get(lang)} ({report.instrument_key})",
            "text",
        ),
        (_t("Kỳ báo cáo", "Period", lang), _period_text(report.period, lang), "text"),
        (_t("Kỳ trước (so sánh)", "Previous period (comparison)", lang), _period_text(report.previous, lang), "text"),
    ]
    info += [(label.get(lang), value, "text") for label, value in report.filter_lines] or [
        (_t("Bộ lọc", "Filter", lang), _t("Không (toàn bộ phiếu)", "None (all responses)", lang), "text")
    ]
    info += [
        (_t("Số phiếu (n)", "Responses (n)", lang), report.responses, "int"),
        (
            _t("Thời điểm lấy số liệu (giờ Việt Nam, UTC+7)", "Data as of (Vietnam time, UTC+7)", lang),
            _snapshot(report),
            "text",
        ),
    ]
    for row, (label, value, kind) in enumerate(info, start=2):
        _put(ws, row, 1, label).font = HEADER_FONT
        _put(ws, row, 2, value, kind).alignment = LEFT
        skip.add((row, 2))
    conf = confidence_label(report.alpha)
    previous = report.previous.label(lang)
    table = Table(
        [
            _t("Chỉ số", "Indicator", lang),
            _t("Ước lượng", "Estimate", lang),
            _t(f"Cận dưới KTC {conf}%", f"{conf}% CI lower", lang),
            _t(f"Cận trên KTC {conf}%", f"{conf}% CI upper", lang),
            "n",
            _t("Cỡ mẫu hiệu dụng", "Effective n", lang),
            _t("Độ tin cậy", "Reliability", lang),
            _t(f"Kỳ trước ({previous})", f"Previous ({previous})", lang),
            _t("Thay đổi", "Change", lang),
            _t(f"Thay đổi – cận dưới KTC {conf}%", f"Change – {conf}% CI lower", lang),
            _t(f"Thay đổi – cận trên KTC {conf}%", f"Change – {conf}% CI upper", lang),
            "p-value",
            _t("Thay đổi có ý nghĩa thống kê", "Change significant", lang),
        ]
    )
    for line in report.summary:
        cur, prev, change = line.current, line.previous, line.change
        row = [Cell(line.label.get(lang)), *figure_cells(cur, with_n=False)]
        row += [
            Cell(cur.n if cur else 0, "int", bool(cur) and not cur.reliable),
            Cell(cur.n_eff if cur else None, "float", bool(cur) and not cur.reliable),
            Cell(reliability_label(cur, report.thresholds, lang) or None),
            figure_cells(prev, with_n=False)[0],
        ]
        if change is None:
            row += [Cell(None)] * 5
        else:
            significant = _t("Có ý nghĩa", "Significant", lang) if change.significant else _t("Không", "No", lang)
            row += [
                Cell(change.difference, "change"),
                Cell(change.lower, "change"),
                Cell(change.upper, "change"),
                Cell(change.p_value, "p"),
                Cell(significant),
            ]
        table.rows.append(row)
    header_row = len(info) + 3
    last = _table_write(ws, table, header_row)
    _notes(ws, last + 2, report, lang, skip)
    _widths_fit(ws, header_row, skip)


def _units(ws: Worksheet, report: Report, lang: str) -> None:
    table = units_table(report, lang)
    last = _table_write(ws, table, pages_wide=4)  # some 45 columns: about 12 a page
    ws.freeze_panes = "C2"  # the header and the unit's code and name stay in view
    ws.print_title_cols = "A:B"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{max(last, 1)}"
    skip: set[tuple[int, int]] = set()
    _notes(ws, last + 2, report, lang, skip)
    worse_note = _t(
        "Nền đỏ nhạt: kém hơn có ý nghĩa thống kê so với chung (chỉ số chung, phiền hà hoặc chi ngoài quy định).",
        "Light red: significantly worse than the total (overall index, harassment or informal payment).",
        lang,
    )
    _put(ws, last + 4, 1, worse_note).font = NOTE_FONT
    skip.add((last + 4, 1))
    _widths_fit(ws, 1, skip)


def _criteria(ws: Worksheet, report: Report, lang: str) -> None:
    conf = confidence_label(report.alpha)
    headers = [
        _t("Mã", "Code", lang),
        _t("Yếu tố", "Element", lang),
        _t("Tiêu chí", "Criterion", lang),
        _t("Số trả lời hợp lệ", "Valid answers", lang),
        _t("Tỷ lệ hài lòng", "Satisfaction rate", lang),
        _t(f"Cận dưới KTC {conf}%", f"{conf}% CI lower", lang),
        _t(f"Cận trên KTC {conf}%", f"{conf}% CI upper", lang),
    ]
    headers += [_t(f"Số phiếu: {i} {lv.vi}", f"Count: {i} {lv.en}", lang) for i, lv in enumerate(LEVELS, 1)]
    headers += [_t(f"Tỷ lệ: {i} {lv.vi}", f"Share: {i} {lv.en}", lang) for i, lv in enumerate(LEVELS, 1)]
    headers.append(_t("Không áp dụng / Không biết", "Not applicable / Don't know", lang))
    table = Table(headers)
    for line in report.criteria:
        f = line.figure
        row = [Cell(line.code), Cell(line.element_title.get(lang)), Cell(line.text.get(lang))]
        row += [Cell(f.n, "int", not f.reliable), *figure_cells(f, with_n=False)]
        counts = list(f.distribution[:5])
        if len(counts) == 5:
            valid = sum(counts)
            row += [Cell(c, "int") for c in counts]
            row += [Cell(c / valid if valid else None, "rate") for c in counts]
        else:  # suppressed: no distribution either
            row += [Cell(SUPPRESSED if f.suppressed else None)] * 10
        row.append(Cell(f.not_applicable, "int"))
        table.rows.append(row)
    _table_write(ws, table, wrap=(3,), pages_wide=2)
    _widths_fit(ws, 1, wrap=(3,))


def _trend(ws: Worksheet, report: Report, lang: str) -> None:
    conf = confidence_label(report.alpha)
    labels = {key: label.get(lang) for key, label in report.unit_keys}
    headers = [
        _t("Kỳ", "Period", lang),
        _t("Từ ngày", "From", lang),
        _t("Đến ngày", "To", lang),
        _t("Số phiếu", "Responses", lang),
    ]
    for key in TREND_KEYS:
        name = labels.get(key, key)
        headers += [
            name,
            _t(f"{name} – cận dưới KTC {conf}%", f"{name} – {conf}% CI lower", lang),
            _t(f"{name} – cận trên KTC {conf}%", f"{name} – {conf}% CI upper", lang),
        ]
    table = Table(headers)
    for point in report.trend:
        label = point.label if lang != "en" else Period(point.start, point.end, report.trend_step).label(lang)
        row = [Cell(label), Cell(point.start, "date"), Cell(point.end, "date"), Cell(point.responses, "int")]
        for key in TREND_KEYS:
            row += figure_cells(point.figures.get(key), with_n=False)
        table.rows.append(row)
    last = _table_write(ws, table)
    skip: set[tuple[int, int]] = set()
    _notes(ws, last + 2, report, lang, skip)
    _widths_fit(ws, 1, skip)


def _comments(ws: Worksheet, report: Report, lang: str) -> None:
    table = Table(
        [
            _t("Ngày", "Date", lang),
            _t("Đơn vị", "Unit", lang),
            _t("Quầy / điểm tiếp nhận", "Service point", lang),
            _t("Ý kiến", "Comment", lang),
        ]
    )
    for c in report.comments:
        table.rows.append([Cell(c.day, "date"), Cell(c.unit), Cell(c.service_point), Cell(c.text)])
    _table_write(ws, table, wrap=(4,))
    _widths_fit(ws, 1, wrap=(4,))


def _method(ws: Worksheet, report: Report, lang: str) -> None:
    th = report.thresholds
    table = Table([_t("Thuật ngữ", "Term", lang), _t("Giải thích", "Definition", lang)])
    rows: list[tuple[str, object, str]] = [
        (term.get(lang), text.get(lang), "text") for term, text in report.method_notes
    ]
    method = INTERVAL_METHODS.get(report.method)
    correction = CORRECTIONS.get(report.correction)
    if report.grouping == "unit":
        grouping = _t("Từng đơn vị (phiếu của chính đơn vị)", "Each unit (its own responses)", lang)
    else:
        level = UNIT_LEVEL_NAMES.get(report.grouping, (report.grouping, report.grouping))
        grouping = _t(
            f"Theo cấp: {level[0]} (gồm đơn vị cấp dưới)", f"By level: {level[1]} (with the units below)", lang
        )
    rows += [
        (
            _t("Phương pháp tính khoảng tin cậy", "Interval method", lang),
            method.get(lang) if method else report.method,
            "text",
        ),
        (_t("Mức ý nghĩa (alpha)", "Significance level (alpha)", lang), report.alpha, "number"),
        (
            _t("Hiệu chỉnh so sánh nhiều đơn vị", "Multiple-comparison correction", lang),
            correction.get(lang) if correction else report.correction,
            "text",
        ),
        (_t("Ngưỡng độ tin cậy thấp", "Low-reliability threshold", lang), f"n < {th.reliable_min}", "text"),
        (_t("Ngưỡng không công bố", "Disclosure threshold", lang), f"n < {th.disclosure_min}", "text"),
        (_t("Cách nhóm đơn vị", "Grouping", lang), grouping, "text"),
        (_t("Bộ câu hỏi", "Instrument", lang), report.instrument_key, "text"),
        (
            _t("Thời điểm lấy số liệu (giờ Việt Nam, UTC+7)", "Data as of (Vietnam time, UTC+7)", lang),
            _snapshot(report),
            "text",
        ),
    ]
    rows += [
        (_t(f"Phần mềm: {name}", f"Software: {name}", lang), version, "text")
        for name, version in report.software.items()
    ]
    table.rows.extend([Cell(term), Cell(value, kind)] for term, value, kind in rows)
    _table_write(ws, table, wrap=(2,))
    _widths_fit(ws, 1, wrap=(2,))


def report_xlsx(report: Report, lang: str = "vi") -> bytes:
    """The report as an XLSX workbook (bytes), headers in ``lang`` ("vi" or "en")."""
    wb = Workbook()
    wb.remove(wb.active)
    for key, write in (
        ("summary", _summary),
        ("units", _units),
        ("criteria", _criteria),
        ("trend", _trend),
        ("comments", _comments),
        ("method", _method),
    ):
        write(wb.create_sheet(SHEET_NAMES[key].get(lang)), report, lang)
    wb.properties.title = text_clean(report.title.get(lang))
    wb.properties.creator = "khaosat"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

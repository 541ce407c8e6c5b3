"""The six sheets of the report workbook, one writer each: summary, units,
criteria, trend, comments and method.

Each writer lays one part of the :class:`~app.services.reports.model.Report` out as
a table with :func:`~app.render.xlsx.cells.table_write`, adds the
legend under it where a table shows ``—``, grey italics or red rows, and fits
the columns. The workbook is assembled in :mod:`app.render.xlsx.report`.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.render.csv.report import (
    SUPPRESSED,
    Cell,
    Table,
    confidence_label,
    figure_cells,
    reliability_label,
    units_table,
)
from app.render.xlsx.cells import (
    HEADER_FONT,
    LEFT,
    NOTE_FONT,
    TITLE_FONT,
    cell_write,
    table_write,
    widths_fit,
)
from app.services.reports.labels import LEVEL_NAMES
from app.services.reports.model import INDEX_KEY, Period, Report
from app.time import local_text
from surveys import Text

__all__ = [
    "comments_write",
    "criteria_write",
    "method_write",
    "summary_write",
    "trend_write",
    "units_write",
]

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


def _t(vi: str, en: str, lang: str) -> str:
    return en if lang == "en" else vi


def _snapshot(report: Report) -> str:
    """When the figures were taken, Vietnam time (UTC+7), dd/mm/yyyy HH:MM."""
    return local_text(report.generated_at)


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
        cell_write(ws, row, 1, note).font = NOTE_FONT
        skip.add((row, 1))
        row += 1


def summary_write(ws: Worksheet, report: Report, lang: str) -> None:
    """What the report covers, then the headline figures against the previous period."""
    skip: set[tuple[int, int]] = {(1, 1)}
    cell_write(ws, 1, 1, report.title.get(lang)).font = TITLE_FONT
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
        cell_write(ws, row, 1, label).font = HEADER_FONT
        cell_write(ws, row, 2, value, kind).alignment = LEFT
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
    last = table_write(ws, table, header_row)
    _notes(ws, last + 2, report, lang, skip)
    widths_fit(ws, header_row, skip)


def units_write(ws: Worksheet, report: Report, lang: str) -> None:
    """The units table of the CSV, filterable, with the unit's code and name kept in view."""
    table = units_table(report, lang)
    last = table_write(ws, table, pages_wide=4)  # some 45 columns: about 12 a page
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
    cell_write(ws, last + 4, 1, worse_note).font = NOTE_FONT
    skip.add((last + 4, 1))
    widths_fit(ws, 1, skip)


def criteria_write(ws: Worksheet, report: Report, lang: str) -> None:
    """Each criterion's satisfaction rate and its answers on the five-level scale."""
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
    table_write(ws, table, wrap=(3,), pages_wide=2)
    widths_fit(ws, 1, wrap=(3,))


def trend_write(ws: Worksheet, report: Report, lang: str) -> None:
    """The overall index, harassment and informal payments period by period."""
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
    last = table_write(ws, table)
    skip: set[tuple[int, int]] = set()
    _notes(ws, last + 2, report, lang, skip)
    widths_fit(ws, 1, skip)


def comments_write(ws: Worksheet, report: Report, lang: str) -> None:
    """The free-text comments as the report lists them (newest first), their text wrapped."""
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
    table_write(ws, table, wrap=(4,))
    widths_fit(ws, 1, wrap=(4,))


def method_write(ws: Worksheet, report: Report, lang: str) -> None:
    """How the figures were made: the report's notes, intervals, thresholds and software."""
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
        level = LEVEL_NAMES.get(report.grouping, Text(report.grouping, report.grouping))
        grouping = _t(
            f"Theo cấp: {level.vi} (gồm đơn vị cấp dưới)", f"By level: {level.en} (with the units below)", lang
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
    table_write(ws, table, wrap=(2,))
    widths_fit(ws, 1, wrap=(2,))

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
from app.services.reports.labels import LEVEL_NAMES, correction_label, method_label
from app.services.reports.model import INDEX_KEY, Period, Report
from app.texts import texts
from app.time import local_text

__all__ = [
    "comments_write",
    "criteria_write",
    "method_write",
    "summary_write",
    "trend_write",
    "units_write",
]

TREND_KEYS = (INDEX_KEY, "harassment", "informal_payment")


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
        texts("xlsx.note.suppressed", lang, dash=SUPPRESSED, n=th.disclosure_min),
        texts("xlsx.note.unreliable", lang, n=th.reliable_min),
        texts("xlsx.note.clusters", lang, k=th.min_clusters),
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
            texts("xlsx.instrument", lang),
            f"{report.instrument_title.get(lang)} ({report.instrument_key})",
            "text",
        ),
        (texts("xlsx.period", lang), _period_text(report.period, lang), "text"),
        (texts("xlsx.previous", lang), _period_text(report.previous, lang), "text"),
    ]
    info += [(label.get(lang), value.get(lang), "text") for label, value in report.filters] or [
        (texts("xlsx.filter", lang), texts("xlsx.no_filter", lang), "text")
    ]
    info += [
        (texts("xlsx.responses", lang), report.responses, "int"),
        (texts("xlsx.snapshot", lang), _snapshot(report), "text"),
    ]
    for row, (label, value, kind) in enumerate(info, start=2):
        cell_write(ws, row, 1, label).font = HEADER_FONT
        cell_write(ws, row, 2, value, kind).alignment = LEFT
        skip.add((row, 2))
    conf = confidence_label(report.alpha)
    previous = report.previous.label(lang)
    table = Table(
        [
            texts("xlsx.indicator", lang),
            texts("xlsx.estimate", lang),
            texts("xlsx.lower", lang, level=conf),
            texts("xlsx.upper", lang, level=conf),
            "n",
            texts("xlsx.n_eff", lang),
            texts("xlsx.reliability", lang),
            texts("xlsx.previous_value", lang, period=previous),
            texts("xlsx.previous_n", lang, period=previous),
            texts("xlsx.previous_note", lang),
            texts("xlsx.change", lang),
            texts("xlsx.change_lower", lang, level=conf),
            texts("xlsx.change_upper", lang, level=conf),
            texts("xlsx.p_value", lang),
            texts("xlsx.change_significant", lang),
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
            Cell(prev.n if prev else None, "int"),
            Cell(texts("table.thin", lang) if line.previous_thin and prev is not None else None),
        ]
        if change is None:
            row += [Cell(None)] * 5
        else:
            significant = texts("xlsx.significant" if change.significant else "xlsx.not_significant", lang)
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
    top = last + 6
    cell_write(ws, top, 1, texts("xlsx.findings", lang)).font = HEADER_FONT
    for row, finding in enumerate(report.findings, start=top + 1):
        cell_write(ws, row, 1, finding.get(lang))
        skip.add((row, 1))
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
    worse_note = texts("xlsx.note.worse", lang)
    cell_write(ws, last + 5, 1, worse_note).font = NOTE_FONT
    skip.add((last + 5, 1))
    rules_note = texts("rep.cluster_rules_note", lang, k=report.thresholds.min_clusters)
    cell_write(ws, last + 6, 1, rules_note).font = NOTE_FONT
    skip.add((last + 6, 1))
    if report.ungrouped:
        note = texts("xlsx.note.ungrouped", lang, units=", ".join(report.ungrouped))
        cell_write(ws, last + 7, 1, note).font = NOTE_FONT
        skip.add((last + 7, 1))
    widths_fit(ws, 1, skip)


def criteria_write(ws: Worksheet, report: Report, lang: str) -> None:
    """Each criterion's satisfaction rate and its answers on the five-level scale."""
    conf = confidence_label(report.alpha)
    headers = [texts(f"xlsx.{key}", lang) for key in ("code", "element", "criterion", "valid", "rate")]
    headers += [texts("xlsx.lower", lang, level=conf), texts("xlsx.upper", lang, level=conf)]
    names = dict(report.scale_labels)
    levels = [f"{code} {names[code].get(lang)}" if code in names else str(code) for code in range(1, 6)]
    headers += [texts("xlsx.level_count", lang, level=level) for level in levels]
    headers += [texts("xlsx.level_share", lang, level=level) for level in levels]
    headers.append(texts("xlsx.not_applicable", lang))
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
    headers = [texts(f"xlsx.{key}", lang) for key in ("trend_period", "from", "to", "responses_short")]
    for key in TREND_KEYS:
        name = labels.get(key, key)
        headers += [name, texts("table.lower", lang, name=name, level=conf)]
        headers.append(texts("table.upper", lang, name=name, level=conf))
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
    table = Table([texts(f"xlsx.{key}", lang) for key in ("month", "unit", "service_point", "comment")])
    for c in report.comments:
        table.rows.append([Cell(c.month, "month"), Cell(c.unit), Cell(c.service_point), Cell(c.text)])
    table_write(ws, table, wrap=(4,))
    widths_fit(ws, 1, wrap=(4,))


def method_write(ws: Worksheet, report: Report, lang: str) -> None:
    """How the figures were made: the report's notes, intervals, thresholds and software."""
    th = report.thresholds
    table = Table([texts("xlsx.term", lang), texts("xlsx.definition", lang)])
    rows: list[tuple[str, object, str]] = [
        (term.get(lang), text.get(lang), "text") for term, text in report.method_notes
    ]
    if report.grouping == "unit":
        grouping = texts("grouping.method_unit", lang)
    else:
        level = LEVEL_NAMES.get(report.grouping)
        grouping = texts("grouping.method_level", lang, level=level.get(lang) if level else report.grouping)
    rows += [
        (texts("report.interval_method", lang), method_label(report.method).get(lang), "text"),
        (texts("xlsx.alpha", lang), report.alpha, "number"),
        (texts("report.correction_label", lang), correction_label(report.correction).get(lang), "text"),
        (texts("xlsx.reliable_threshold", lang), f"n < {th.reliable_min}", "text"),
        (texts("xlsx.disclosure_threshold", lang), f"n < {th.disclosure_min}", "text"),
        (texts("xlsx.grouping", lang), grouping, "text"),
        (texts("xlsx.instrument", lang), report.instrument_key, "text"),
        (texts("xlsx.snapshot", lang), _snapshot(report), "text"),
    ]
    rows += [(texts("xlsx.software", lang, name=name), version, "text") for name, version in report.software.items()]
    table.rows.extend([Cell(term), Cell(value, kind)] for term, value, kind in rows)
    table_write(ws, table, wrap=(2,))
    widths_fit(ws, 1, wrap=(2,))

"""The "Theo nhóm" (breakdown) sheet: the table the CSV of a breakdown holds."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.render.csv.breakdown import categories_table
from app.render.csv.report import SUPPRESSED
from app.render.xlsx.cells import NOTE_FONT, cell_write, table_write, widths_fit
from app.services.reports.model import Report
from app.texts import texts

__all__ = ["breakdown_write", "items_write"]


def breakdown_write(ws: Worksheet, report: Report, lang: str) -> None:
    """Each category's figures, then the total, with the note on how they were estimated."""
    table = categories_table(report, lang)
    last = table_write(ws, table, pages_wide=3)
    ws.freeze_panes = "D2"  # the header and the category stay in view
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{max(last, 1)}"
    th = report.thresholds
    note = texts("rep.breakdown_note", lang, disclosure=th.disclosure_min, clusters=th.min_clusters)
    cell_write(ws, last + 2, 1, note).font = NOTE_FONT
    widths_fit(ws, 1, {(last + 2, 1)})


def items_write(ws: Worksheet, report: Report, lang: str) -> None:
    """The perception items (and number questions) over the whole filter (``report.items``)."""
    table = categories_table(report, lang, report.items)
    last = table_write(ws, table, pages_wide=2)
    ws.freeze_panes = "D2"
    note = texts("xlsx.note.suppressed", lang, dash=SUPPRESSED, n=report.thresholds.disclosure_min)
    cell_write(ws, last + 2, 1, note).font = NOTE_FONT
    widths_fit(ws, 1, {(last + 2, 1)})

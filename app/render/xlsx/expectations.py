"""The "Mong đợi" (expectations) sheet: the table the CSV of ``?table=expectations`` holds."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from app.render.csv.expectations import expectations_table
from app.render.xlsx.cells import NOTE_FONT, cell_write, table_write, widths_fit
from app.services.reports.model import Report
from app.texts import texts

__all__ = ["expectations_write"]


def expectations_write(ws: Worksheet, report: Report, lang: str) -> None:
    """Each option's share, then the question, how many answered it, and how the shares were estimated."""
    table = expectations_table(report, lang)
    last = table_write(ws, table, pages_wide=1)
    e = report.expectations
    notes = []
    if e is not None:
        notes.append(e.text.get(lang))
        if e.answered:
            notes.append(texts("rep.expectations_answered", lang, answered=e.answered, responses=e.responses))
        elif e.answered == 0:
            notes.append(texts("rep.expectations_none", lang))
    notes.append(texts("rep.expectations_note", lang, n=report.thresholds.disclosure_min))
    for i, note in enumerate(notes):
        cell_write(ws, last + 2 + i, 1, note).font = NOTE_FONT
    widths_fit(ws, 1, {(last + 2 + i, 1) for i in range(len(notes))})

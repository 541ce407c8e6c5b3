"""The report as an Excel workbook: the analysts' working file.

One sheet per part of the :class:`~app.services.reports.model.Report`: summary,
units, criteria, expectations (instruments that ask them), trend, comments and
method. Every sheet is a table with a
bold header row frozen in place; proportions are numbers formatted
``0.0%`` with their interval bounds in their own columns; a unit
significantly worse than the total (on the overall index, harassment or
informal payments) is filled light red; figures from too few answers are
grey and italic; suppressed figures show ``—``. The units table is the one
of :func:`app.render.csv.report.units_table`, so the CSV matches it.

This module names the sheets and assembles the workbook; each sheet is
written by :mod:`app.render.xlsx.sheets`, and how cells look and how
text is kept from becoming a formula is in :mod:`app.render.xlsx.cells`.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

from app.render.csv.report import text_clean
from app.render.xlsx.breakdown import breakdown_write, items_write
from app.render.xlsx.expectations import expectations_write
from app.render.xlsx.sheets import (
    comments_write,
    criteria_write,
    method_write,
    summary_write,
    trend_write,
    units_write,
)
from app.render.xlsx.verified import verified_write
from app.services.reports.model import Report
from app.texts import texts

__all__ = ["SHEET_NAMES", "report_xlsx"]

#: the sheets, in order; each is named by the catalogue key ``xlsx.sheet.<name>``
SHEET_NAMES = ("summary", "units", "criteria", "trend", "comments", "method")


def report_xlsx(report: Report, lang: str = "vi") -> bytes:
    """The report as an XLSX workbook (bytes), headers in ``lang`` ("vi" or "en")."""
    wb = Workbook()
    wb.remove(wb.active)
    for key, write in (
        ("summary", summary_write),
        ("units", units_write),
        ("criteria", criteria_write),
        ("trend", trend_write),
        ("comments", comments_write),
        ("method", method_write),
    ):
        write(wb.create_sheet(texts(f"xlsx.sheet.{key}", lang)), report, lang)
    if report.breakdown is not None:  # after the units: the other way of splitting the total
        breakdown_write(wb.create_sheet(texts("xlsx.sheet.breakdown", lang), 2), report, lang)
    if report.items is not None and report.items.keys:
        items_write(wb.create_sheet(texts("xlsx.sheet.items", lang), 2), report, lang)
    if report.expectations is not None:  # after the criteria: what citizens want improved
        at = wb.sheetnames.index(texts("xlsx.sheet.criteria", lang)) + 1
        expectations_write(wb.create_sheet(texts("xlsx.sheet.expectations", lang), at), report, lang)
    wb.properties.title = text_clean(report.title.get(lang))
    wb.properties.creator = "khaosat"
    if report.verified is not None:  # only where dossiers or verified responses exist; the last sheet
        verified_write(wb.create_sheet(texts("xlsx.sheet.verified", lang)), report, lang)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

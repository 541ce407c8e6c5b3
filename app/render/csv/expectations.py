"""The expectations module of a report as a table, for the CSV
(``?table=expectations``) and the "Mong đợi" sheet of the XLSX.

One row per option of the expectations question, in the order of its
scale: the share of the respondents who answered the question who chose
it, its interval, the respondents who answered (the share's n) and who
chose it, and why the share should not be read at face value. Nothing is
computed here.
"""

from __future__ import annotations

from app.render.csv.report import Cell, Table, confidence_label, figure_cells, reliability_label
from app.services.reports.model import Report
from app.texts import texts

__all__ = ["expectations_table"]


def expectations_table(report: Report, lang: str = "vi") -> Table:
    """The options and their shares; a table without rows when the report has no expectations."""
    conf = confidence_label(report.alpha)
    headers = [texts(f"table.{key}", lang) for key in ("question", "option_code", "option", "share")]
    headers += [texts(f"table.share_{key}", lang, level=conf) for key in ("lower", "upper")]
    headers += [texts(f"table.{key}", lang) for key in ("answered", "chosen", "share_reliability")]
    table = Table(headers)
    e = report.expectations
    if e is None:
        return table
    for line in e.lines:
        cells = figure_cells(line.figure)  # estimate, lower, upper, n (the respondents who answered)
        grey = not line.figure.reliable
        n = cells[3] if line.figure.n > 0 else Cell(0, "int")
        table.rows.append([
            Cell(e.question), Cell(line.code, "int"), Cell(line.label.get(lang)), *cells[:3], n,
            Cell(line.chosen, "int", grey), Cell(reliability_label(line.figure, report.thresholds, lang) or None),
        ])  # fmt: skip
        table.worse.append(False)
    return table

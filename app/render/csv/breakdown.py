"""The breakdown of a report (``?by=``) as a table, for the CSV and the XLSX sheet.

One row per category, then the total: the category's responses and
clusters, and for each figure its estimate, bounds, n, effective n, the
verdict against the total where the units table has one, and why it should
not be read at face value. Nothing is computed here.
"""

from __future__ import annotations

from app.render.csv.report import Cell, Table, confidence_label, figure_cells, reliability_label, verdict_label
from app.services.reports.model import VERDICT_KEYS, Breakdown, Report
from app.texts import texts

__all__ = ["categories_table"]


def categories_table(report: Report, lang: str = "vi", breakdown: Breakdown | None = None) -> Table:
    """The breakdown's categories and total (``report.breakdown``, or ``breakdown``, such
    as ``report.items``); an empty table when there is none."""
    b = breakdown or report.breakdown
    if b is None:
        return Table([])
    conf = confidence_label(report.alpha)
    headers = [texts(f"table.{key}", lang) for key in ("by", "category_code", "category", "responses", "clusters")]
    for key, label in b.keys:
        name = label.get(lang)
        headers += [texts(f"table.{part}", lang, name=name, level=conf) for part in ("estimate", "lower", "upper")]
        headers += [texts("table.n", lang, name=name), texts("table.n_eff", lang, name=name)]
        if key in VERDICT_KEYS:
            headers.append(texts("table.verdict", lang, name=name))
        headers.append(texts("table.reliability", lang, name=name))
    table = Table(headers)
    for line in [*b.lines, b.total]:
        row = [Cell(b.by), Cell(line.code), Cell(line.label.get(lang)), Cell(line.responses, "int"),
               Cell(line.clusters, "int")]  # fmt: skip
        for key, _ in b.keys:
            figure = line.figures.get(key)
            cells = figure_cells(figure)
            if key in b.means:  # a mean of a number, not a proportion
                cells = [Cell(c.value, "float" if c.kind == "rate" else c.kind, c.unreliable) for c in cells]
            row += cells
            published = figure is not None and not figure.suppressed and figure.n_eff is not None
            row.append(Cell(round(figure.n_eff, 1) if published else None, "float"))
            if key in VERDICT_KEYS:
                row.append(Cell(verdict_label(figure, lang)))
            row.append(Cell(reliability_label(figure, report.thresholds, lang) or None))
        table.rows.append(row)
        table.worse.append(any((f := line.figures.get(k)) is not None and f.verdict == "worse" for k in VERDICT_KEYS))
    return table

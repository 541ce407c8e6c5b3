"""The workbook's sheet of the response rate and verified against open QR
responses (issue 16.4), written only when the report has that section."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from app.render.csv.report import SUPPRESSED, Cell, Table, confidence_label, figure_cells
from app.render.xlsx.cells import NOTE_FONT, cell_write, table_write, widths_fit
from app.services.reports.model import RateLine, Report, VerifiedLine
from app.texts import texts

__all__ = ["verified_write"]

#: the per-dossier rating's levels, best first, as the form shows them
LEVELS = (3, 2, 1)


def _name(code: str, name: str, lang: str) -> str:
    return texts("verified.report.all_units", lang) if code == "*" else f"{name} ({code})"


def _rate_row(line: RateLine, lang: str) -> list[Cell]:
    rate = Cell(SUPPRESSED) if line.suppressed else Cell(line.rate, "rate")
    responses = Cell(SUPPRESSED) if line.suppressed else Cell(line.responses, "int")
    return [Cell(_name(line.code, line.name, lang)), responses, Cell(line.dossiers, "int"), rate]


def _comparison_row(line: VerifiedLine, lang: str) -> list[Cell]:
    gap = line.gap
    row = [Cell(_name(line.code, line.name, lang))]
    row += figure_cells(line.open) + figure_cells(line.verified)
    if gap is None:
        row += [Cell(None, "change")] * 3 + [Cell(None, "p")]
    else:
        row += [Cell(gap.difference, "change"), Cell(gap.lower, "change"), Cell(gap.upper, "change")]
        row.append(Cell(gap.p_value, "p"))
    row.append(Cell(texts("verified.report.flag", lang) if line.flagged else ""))
    row.append(Cell(line.ratings, "int"))
    shares = {s.level: s for s in line.shares}
    for level in LEVELS:
        share = shares.get(level)
        if share is None or share.estimate is None:
            row += [Cell(SUPPRESSED if share is not None else None)] * 3
        else:
            row += [Cell(share.estimate, "rate"), Cell(share.lower, "rate"), Cell(share.upper, "rate")]
    return row


def verified_write(ws: Worksheet, report: Report, lang: str) -> None:
    """Two tables: the response rate by unit, then open against verified by unit."""
    section = report.verified
    assert section is not None
    rates = Table([texts(f"verified.report.{k}", lang) for k in ("unit", "responses", "dossiers", "rate")])
    rates.rows.extend(_rate_row(line, lang) for line in [*section.rates, section.total_rate])
    last = table_write(ws, rates)
    conf = confidence_label(report.alpha)
    headers = [texts("verified.report.unit", lang)]
    for group in ("open", "verified"):
        name = texts(f"verified.report.{group}", lang)
        headers += [
            name,
            texts("table.lower", lang, name=name, level=conf),
            texts("table.upper", lang, name=name, level=conf),
        ]
        headers.append(texts("verified.report.n", lang))
    gap = texts("verified.report.gap", lang)
    headers += [gap, texts("table.lower", lang, name=gap, level=conf), texts("table.upper", lang, name=gap, level=conf)]
    headers += [
        texts("verified.report.p", lang),
        texts("verified.report.flagged", lang),
        texts("verified.report.ratings", lang),
    ]
    for level in LEVELS:
        name = texts(f"verified.rating.{level}", lang)
        headers += [
            name,
            texts("table.lower", lang, name=name, level=conf),
            texts("table.upper", lang, name=name, level=conf),
        ]
    lines = [*section.lines, section.total]
    comparison = Table(headers, [_comparison_row(line, lang) for line in lines], [line.flagged for line in lines])
    last = table_write(ws, comparison, first_row=last + 3)
    # two tables on one sheet: the first one's header stays the frozen one
    ws.freeze_panes, ws.print_title_rows = "A2", "1:1"
    note = cell_write(ws, last + 2, 1, texts("verified.report.note", lang, gap=round(section.gap_min * 100)))
    note.font = NOTE_FONT
    widths_fit(ws, 1, {(last + 2, 1)})

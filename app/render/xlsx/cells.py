"""How the report workbook's cells are written: styles, number formats,
safe text, whole tables, and column widths and row heights fitted to them.

The sheet writers (:mod:`app.render.xlsx.sheets`) only decide what goes
where; the look every sheet shares lives here, so it is defined once.

Text never becomes a formula: every string is stored as a string (and a
string that looks like a formula also carries Excel's "quote prefix", so
editing the cell keeps it text), characters XML cannot hold are dropped and
line breaks are stored as LF (XML reads a bare CR as LF anyway).

Numbers stay numbers, so analysts can compute with them. Their formats
(:data:`NUMBER_FORMATS`) are Excel's locale-neutral codes: in a format code
"." is the decimal separator and "," the thousands separator *of the
computer that opens the file*, so a Vietnamese Excel or LibreOffice shows
72,7% and 1.234 and an English one 72.7% and 1,234. A fixed Vietnamese
format (a literal "," as decimal) would turn the cells into text or show
wrong numbers elsewhere, so the locale is left to the spreadsheet.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import date

from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.render.csv.report import SUPPRESSED, Table, text_clean
from app.render.spreadsheet import looks_like_formula

__all__ = [
    "HEADER_FONT",
    "LEFT",
    "NOTE_FONT",
    "TITLE_FONT",
    "cell_write",
    "table_write",
    "widths_fit",
]

NUMBER_FORMATS = {
    "rate": "0.0%",
    "change": "+0.0%;-0.0%;0.0%",
    "int": "#,##0",
    "float": "0.0",
    "p": "0.0000",
    "date": "DD/MM/YYYY",
    "month": "MM/YYYY",
}

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


def cell_write(ws: Worksheet, row: int, col: int, value: object, kind: str = "text") -> XlCell:
    """Write one value: text as text (never a formula), numbers with their format."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        # XML turns a bare CR into LF on reading anyway; Excel breaks lines on LF.
        value = text_clean(value).replace("\r\n", "\n").replace("\r", "\n")
        cell.value = value
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if looks_like_formula(value):
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


def table_write(
    ws: Worksheet, table: Table, first_row: int = 1, wrap: tuple[int, ...] = (), pages_wide: int = 1
) -> int:
    """Write ``table`` with its header at ``first_row``; returns the last row written.

    Printed landscape, ``pages_wide`` pages across, with the header on every page.
    """
    for col, header in enumerate(table.headers, start=1):
        cell = cell_write(ws, first_row, col, header)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
    for i, cells in enumerate(table.rows):
        row = first_row + 1 + i
        worse = i < len(table.worse) and table.worse[i]
        for col, item in enumerate(cells, start=1):
            cell = cell_write(ws, row, col, item.value, item.kind)
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


def widths_fit(
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

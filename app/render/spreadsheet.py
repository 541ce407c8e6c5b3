"""Text that a spreadsheet must show, never run: one rule for every CSV
and XLSX cell the system writes (OWASP "CSV injection").

A unit name, a counter code, a citizen's comment or a username typed at the
sign-in page may start like a formula (``=``, ``+``, ``-``, ``@``, a tab or
a carriage return, or their full-width forms). Excel with Vietnamese
regional settings separates fields with ``;``, and ignores quotes that do
not open a field: read that way, ``1,"Xã A;=HYPERLINK(...)"`` has a cell
starting with ``=``. So:

- :func:`safe_cell` puts an apostrophe (which spreadsheets hide and read as
  "this is text") before such a character at the start of a text *and*
  after every ``;`` or ``,`` in it, spaces in between included;
- :func:`csv_field` quotes every text field (numbers stay bare, so they are
  numbers to R, pandas and Excel); :func:`csv_line` writes a row of them.

Every CSV goes through :func:`csv_field`: the response export (both of its
paths), the audit log, the report's units table and the codebook. XLSX
cells are typed strings, which never run; a text that :func:`looks_like_formula`
also gets Excel's quote prefix there, so editing the cell keeps it text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TextIO

#: a text cell starting with one of these is read as a formula (full-width forms too)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
#: where an apostrophe goes: at the start or after ``;`` or ``,``, when a formula
#: character follows (after spaces), or a tab or carriage return does
_RISKY = re.compile(r"(?:^|(?<=[;,]))(?=[\t\r]|\s*[=+\-@＝＋－＠])")
_MAYBE = re.compile(r"[=+\-@\t\r＝＋－＠]")


def safe_cell(value: object) -> object:
    """``value`` with every formula neutralised, if it is text; else as it is.

    Idempotent: a neutralised text is left as it is.
    """
    if not isinstance(value, str) or not _MAYBE.search(value):
        return value
    return _RISKY.sub("'", value)


def looks_like_formula(text: str) -> bool:
    """Whether :func:`safe_cell` would change ``text``."""
    return safe_cell(text) != text


def csv_field(value: object) -> str:
    """One CSV field: text made safe and always quoted, numbers bare, and
    nothing for None or an empty text."""
    if value is None:
        return ""
    if isinstance(value, str):
        if not value:
            return ""
        return '"' + str(safe_cell(value)).replace('"', '""') + '"'
    if isinstance(value, float):
        return repr(value)  # as the csv module writes floats
    if isinstance(value, (int, Decimal)):
        return str(value)
    return csv_field(str(value))  # dates and the like: text


def csv_line(values: Iterable[object]) -> str:
    """A CSV row (RFC 4180, CRLF) of :func:`csv_field` fields."""
    return ",".join([csv_field(v) for v in values]) + "\r\n"


class CsvWriter:
    """The two methods of ``csv.writer`` this system uses, with :func:`csv_line` rows."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def writerow(self, row: Iterable[object]) -> None:
        self.out.write(csv_line(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        self.out.write("".join([csv_line(row) for row in rows]))

"""The units table of a report as CSV, and the table layout the XLSX shares.

The units table is laid out once, here (:func:`units_table`): the CSV is
that table, and the "Đơn vị" sheet of :mod:`app.render.xlsx.report` writes
the same :class:`Table`, so both files show the same columns, labels and
numbers. Nothing here computes a statistic; every number comes from the
:class:`~app.services.reports.model.Report`.

Free text (unit names, codes) is cleaned of control characters and, in the
CSV, quoted with a formula in it neutralised by a ``'``
(:mod:`app.render.spreadsheet`, OWASP "CSV injection"). Numbers are
written by us, never prefixed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from app.render.spreadsheet import FORMULA_START, csv_line
from app.services.reports.labels import LEVEL_NAMES
from app.services.reports.model import INDEX_KEY, VERDICT_KEYS, Change, Figure, Report, Thresholds
from app.texts import texts

__all__ = [
    "CSV_TABLES",
    "FORMULA_START",
    "SUPPRESSED",
    "Cell",
    "Table",
    "TableUnknown",
    "reliability_label",
    "report_csv",
    "table_check",
    "text_clean",
    "units_table",
]

#: The tables a CSV may hold (``?table=``, ``flask report --table``): one tidy table per file.
CSV_TABLES = ("units", "breakdown", "expectations")


class TableUnknown(ValueError):
    """``table`` names none of :data:`CSV_TABLES`."""


def table_check(table: str | None) -> str | None:
    """``table`` if it is one of :data:`CSV_TABLES` (or None: the default).

    Raises
    ------
    TableUnknown
        For any other value.
    """
    if table is not None and table not in CSV_TABLES:
        raise TableUnknown(table)
    return table


#: What a suppressed figure (fewer answers than the disclosure threshold) shows.
SUPPRESSED = "—"
#: Excel's limit on the characters in one cell.
CELL_MAX_CHARS = 32767

# Characters XML 1.0 forbids (so openpyxl refuses them): C0 controls other
# than tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text_clean(value: str) -> str:
    """``value`` without the characters a spreadsheet cannot hold, cut to Excel's cell limit."""
    value = _ILLEGAL.sub("", value)
    return value if len(value) <= CELL_MAX_CHARS else value[: CELL_MAX_CHARS - 1] + "…"


@dataclass(frozen=True)
class Cell:
    """One cell of a table.

    ``kind`` says how to show ``value``: ``text``, ``int``, ``rate`` (a
    proportion, shown as a percentage), ``change`` (a difference of
    proportions), ``float``, ``p`` (a p-value) or ``date``.
    """

    value: object
    kind: str = "text"
    #: from fewer answers than the reliability threshold: shown grey and italic
    unreliable: bool = False


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    #: per row: significantly worse than the total on a verdict indicator
    worse: list[bool] = field(default_factory=list)


def _number(value: float | None) -> float | None:
    """Finite numbers only: a spreadsheet cannot hold NaN or infinity."""
    return None if value is None or not math.isfinite(value) else value


def figure_cells(figure: Figure | None, *, with_n: bool = True) -> list[Cell]:
    """Estimate, lower and upper bound (and n) of a figure; ``—`` where suppressed."""
    if figure is None:
        return [Cell(None, "rate")] * 3 + ([Cell(None, "int")] if with_n else [])
    grey = not figure.reliable
    if figure.suppressed:
        cells = [Cell(SUPPRESSED, "text", grey)] * 3
    else:
        cells = [Cell(_number(v), "rate", grey) for v in (figure.estimate, figure.lower, figure.upper)]
    return cells + ([Cell(figure.n, "int", grey)] if with_n else [])


def reliability_label(figure: Figure | None, thresholds: Thresholds, lang: str) -> str:
    """Why a figure should not be read at face value, or ``""`` when it can be."""
    if figure is None or figure.reliable:
        return ""
    if figure.suppressed:
        if figure.suppressed_reason in ("small_month", "complementary", "complement"):
            return texts(f"table.suppressed_{figure.suppressed_reason}", lang, n=thresholds.disclosure_min)
        return texts("table.suppressed", lang, n=thresholds.disclosure_min)
    if figure.n < thresholds.reliable_min:
        return texts("table.unreliable_n", lang, n=thresholds.reliable_min)
    return texts("table.unreliable_clusters", lang)


def verdict_label(figure: Figure | None, lang: str) -> str | None:
    """The verdict against the total, or why there is none ("too few clusters")."""
    if figure is None:
        return None
    if figure.verdict:
        return texts(f"verdict.{figure.verdict}", lang)
    if figure.not_assessed == "too_few_clusters" and not figure.suppressed:
        return texts("verdict.too_few_clusters", lang)
    return None


def change_cells(change: Change | None) -> list[Cell]:
    """The change since the previous period with its interval, in percentage points."""
    if change is None:
        return [Cell(None, "change")] * 3
    return [Cell(v, "change") for v in (change.difference, change.lower, change.upper)]


def confidence_label(alpha: float) -> str:
    """``95`` for alpha 0.05."""
    return f"{100 * (1 - alpha):g}"


def units_table(report: Report, lang: str = "vi") -> Table:
    """The units table: identity, then estimate, bounds and n of each key in
    ``report.unit_keys`` (and the verdict where there is one), then the rank,
    the previous period, the flag counts and, last, the marks of the
    few-cluster rules that applied (``UnitLine.cluster_rules``)."""
    conf = confidence_label(report.alpha)
    headers = [texts(f"table.{key}", lang) for key in ("unit_code", "unit_name", "level", "responses", "clusters")]
    for key, label in report.unit_keys:
        name = label.get(lang)
        headers += [texts(f"table.{part}", lang, name=name, level=conf) for part in ("estimate", "lower", "upper")]
        headers.append(texts("table.n", lang, name=name))
        if key in VERDICT_KEYS:
            headers.append(texts("table.verdict", lang, name=name))
    rank = "rank_composite" if report.ranking is not None else "rank"
    headers += [texts(f"table.{key}", lang) for key in (rank, "rank_range", "reliability_index")]
    previous = report.previous.label(lang)
    headers += [
        texts(f"table.{key}", lang, previous=previous, level=conf)
        for key in ("previous_index", "previous_n", "change", "change_lower", "change_upper", "rank_previous",
                    "rank_change", "previous_thin")
    ]  # fmt: skip
    headers += [texts(f"table.{key}", lang) for key in ("flagged", "excluded", "cluster_rules")]
    table = Table(headers)
    for unit in report.units:
        level = LEVEL_NAMES.get(unit.level)
        row = [
            Cell(unit.code),
            Cell(unit.name),
            Cell(level.get(lang) if level else unit.level),
            Cell(unit.responses, "int"),
            Cell(unit.clusters, "int"),
        ]
        for key, _ in report.unit_keys:
            figure = unit.figures.get(key)
            row += figure_cells(figure)
            if key in VERDICT_KEYS:
                row.append(Cell(verdict_label(figure, lang)))
        has_range = unit.rank_best is not None and unit.rank_worst is not None
        row += [
            Cell(unit.rank, "int"),
            Cell(f"{unit.rank_best}–{unit.rank_worst}" if has_range else None),
            Cell(reliability_label(unit.figures.get(INDEX_KEY), report.thresholds, lang) or None),
            *figure_cells(unit.previous, with_n=False)[:1],
            Cell(unit.previous.n if unit.previous is not None else None, "int"),
            *change_cells(unit.change),
            Cell(unit.previous_rank, "int"),
            Cell(unit.rank_change, "int"),
            Cell(texts("table.thin", lang) if unit.previous_thin and unit.previous is not None else None),
            Cell(unit.flagged, "int"),
            Cell(unit.excluded, "int"),
            Cell(unit.cluster_rules or None),
        ]
        table.rows.append(row)
        table.worse.append(
            any((f := unit.figures.get(key)) is not None and f.verdict == "worse" for key in VERDICT_KEYS)
        )
    return table


def _csv_value(cell: Cell) -> object:
    """A number (written bare), or text (quoted and formula-safe by ``csv_line``)."""
    if cell.value is None:
        return None
    if cell.kind in ("rate", "change"):
        return Decimal(f"{cell.value:.4f}")
    if cell.kind in ("int", "float"):
        return cell.value
    return text_clean(str(cell.value))


def report_csv(report: Report, lang: str = "vi", table: str | None = None) -> str:
    """One table of the report as RFC 4180 CSV (CRLF line ends, quoted where needed).

    ``table`` is one of :data:`CSV_TABLES`; by default the units table, or
    the breakdown's when the report has one (``?by=``). ``"expectations"``
    gives the expectations module (a header row only when the instrument
    has none).

    The caller encodes it with ``utf-8-sig``: the byte-order mark makes
    Excel read the Vietnamese text as UTF-8. Estimates and bounds are
    proportions with four decimals (``0.7266``), suppressed figures show
    ``—``, and the verdict and level labels are those of the XLSX.

    Raises
    ------
    TableUnknown
        ``table`` is none of :data:`CSV_TABLES`.
    """
    # Imported here because those modules build on this one's cells.
    from app.render.csv.breakdown import categories_table
    from app.render.csv.expectations import expectations_table

    table = table_check(table) or ("breakdown" if report.breakdown is not None else "units")
    layout = {"units": units_table, "breakdown": categories_table, "expectations": expectations_table}[table]
    out = layout(report, lang)
    lines = [csv_line(_csv_value(Cell(h)) for h in out.headers)]
    lines += [csv_line(_csv_value(cell) for cell in row) for row in out.rows]
    return "".join(lines)

"""The year-end classification of targets as a file: XLSX and CSV.

One row per target (unit × indicator) with the year's estimate and its
interval, the target, last year's estimate and the change for a rise, and
the classification (``docs/targets.md``). Column names are stable
(``EXPORT_COLUMNS``); the XLSX has them as its first row, then a sheet with
the rule in the reader's language. Text cells are formula-safe
(:mod:`app.render.spreadsheet`).
"""

from __future__ import annotations

import io
import math

from openpyxl import Workbook
from openpyxl.styles import Font

from app.render.spreadsheet import csv_line, safe_cell
from app.services.targets import TargetProgress
from app.texts import texts

__all__ = ["EXPORT_COLUMNS", "export_rows", "targets_csv", "targets_xlsx"]

EXPORT_COLUMNS = (
    "nam",
    "ma_don_vi",
    "ten_don_vi",
    "cap",
    "chi_so",
    "ten_chi_so",
    "loai_chi_tieu",
    "gia_tri_chi_tieu",
    "muc_can_dat",
    "so_cau_tra_loi",
    "so_cum",
    "uoc_luong",
    "can_duoi",
    "can_tren",
    "uoc_luong_nam_truoc",
    "thay_doi",
    "thay_doi_can_duoi",
    "thay_doi_can_tren",
    "xep_loai",
    "xep_loai_ten",
    "ly_do",
)
#: columns holding a proportion or a difference of proportions (shown as percentages in the XLSX)
RATE_COLUMNS = frozenset(
    {"muc_can_dat", "uoc_luong", "can_duoi", "can_tren", "uoc_luong_nam_truoc", "thay_doi", "thay_doi_can_duoi",
     "thay_doi_can_tren"}
)  # fmt: skip


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 6)


def export_rows(progress: list[TargetProgress], lang: str = "vi") -> list[dict[str, object]]:
    """The rows of the export, keyed by ``EXPORT_COLUMNS``."""
    rows = []
    for p in progress:
        c, cur, prev = p.classification, p.current, p.previous
        published = cur is not None and cur.estimate is not None and not cur.suppressed
        rows.append(
            {
                "nam": p.year,
                "ma_don_vi": p.unit_code,
                "ten_don_vi": p.unit_name,
                "cap": p.unit_level,
                "chi_so": p.indicator,
                "ten_chi_so": p.indicator_label.get(lang),
                "loai_chi_tieu": p.kind,
                "gia_tri_chi_tieu": p.value,
                "muc_can_dat": _number(c.goal),
                "so_cau_tra_loi": cur.n if cur is not None else 0,
                "so_cum": cur.n_psu if cur is not None else 0,
                "uoc_luong": _number(cur.estimate) if published else None,
                "can_duoi": _number(cur.lower) if published else None,
                "can_tren": _number(cur.upper) if published else None,
                "uoc_luong_nam_truoc": _number(prev.estimate) if prev is not None and not prev.suppressed else None,
                "thay_doi": _number(c.change),
                "thay_doi_can_duoi": _number(c.change_lower),
                "thay_doi_can_tren": _number(c.change_upper),
                "xep_loai": c.status,
                "xep_loai_ten": texts(f"tgt.status.{c.status}", lang),
                "ly_do": c.reason,
            }
        )
    return rows


def targets_csv(progress: list[TargetProgress], lang: str = "vi") -> bytes:
    """UTF-8 with a byte-order mark (Excel), comma separated, text quoted, numbers bare."""
    lines = [csv_line(EXPORT_COLUMNS)]
    lines += [csv_line(row[c] for c in EXPORT_COLUMNS) for row in export_rows(progress, lang)]
    return ("\ufeff" + "".join(lines)).encode("utf-8")


def targets_xlsx(progress: list[TargetProgress], lang: str = "vi") -> bytes:
    """A workbook: the targets sheet (stable column names in row 1), then the rule."""
    book = Workbook()
    sheet = book.active
    sheet.title = texts("tgt.sheet.targets", lang)
    sheet.append(list(EXPORT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in export_rows(progress, lang):
        sheet.append([safe_cell(row[c]) for c in EXPORT_COLUMNS])
    for j, name in enumerate(EXPORT_COLUMNS, start=1):
        if name in RATE_COLUMNS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = "0.0%"
    sheet.freeze_panes = "A2"
    rule = book.create_sheet(texts("tgt.sheet.rule", lang))
    for key in ("tgt.rule.met", "tgt.rule.likely_met", "tgt.rule.not_met", "tgt.rule.not_assessable"):
        rule.append([texts(key, lang)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

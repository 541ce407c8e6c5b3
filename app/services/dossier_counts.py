"""Dossier counts per counter and month: the denominator of the response
rate (issue 16.4), imported from the one-stop-shop software's statistics.

A file (CSV or XLSX) has a header row and one row per counter and month:

    don_vi,quay,thang,so_ho_so
    H-01.X-03,Q01,2026-11,412

(``unit,counter,month,dossiers`` in English is read too; the month as
``YYYY-MM`` or ``MM/YYYY``). A row replaces the count stored for its counter
and month, so a corrected file is simply imported again. Bad rows are
refused one by one with the reason, the good ones are kept, as
``import-responses`` does. No Flask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import DossierCount, ServicePoint, Unit
from app.services.imports import MAX_REPORTED_ERRORS, ImportFileError, data_rows
from app.texts import texts

#: header names, Vietnamese or English, to the column they name
HEADERS = {
    "don_vi": "unit",
    "unit": "unit",
    "quay": "counter",
    "counter": "counter",
    "thang": "month",
    "month": "month",
    "so_ho_so": "dossiers",
    "dossiers": "dossiers",
}
#: the most dossiers a counter can plausibly receive in a month (a typo guard)
MAX_MONTHLY = 1_000_000
MAX_ROWS = 100_000
_MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_VN = re.compile(r"^(\d{1,2})/(\d{4})$")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")


@dataclass(frozen=True)
class CountRowError:
    row: int
    message: str


@dataclass
class CountImport:
    """``stored``: rows written (new or replacing a count); ``errors`` the
    first :data:`MAX_REPORTED_ERRORS` refused rows, ``error_total`` all."""

    stored: int = 0
    errors: list[CountRowError] = field(default_factory=list)
    error_total: int = 0

    def refuse(self, row: int, key: str, **values: object) -> None:
        self.error_total += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            message = f"{texts(key, 'vi', **values)} / {texts(key, 'en', **values)}"
            self.errors.append(CountRowError(row, message))


def month_parse(text: str) -> date | None:
    """The first day of the month ``YYYY-MM`` or ``MM/YYYY`` names, or None."""
    text = text.strip()
    match = _MONTH_ISO.match(text)
    year, month = (match.group(1), match.group(2)) if match else (None, None)
    if match is None and (match := _MONTH_VN.match(text)):
        month, year = match.group(1), match.group(2)
    if year is None or month is None or not 1 <= int(month) <= 12 or not 2000 <= int(year) <= 2100:
        return None
    return date(int(year), int(month), 1)


def _count_parse(text: str) -> int | None:
    """A whole number of dossiers; "1.234" and "1,234" are thousands, "12.5" is refused."""
    text = text.strip()
    if _THOUSANDS.fullmatch(text):
        text = re.sub(r"[.,]", "", text)
    return int(text) if text.isascii() and text.isdigit() and int(text) <= MAX_MONTHLY else None


def dossier_counts_import(session: Session, path: Path) -> CountImport:
    """Store the counts of a file; the caller commits (:func:`dossier_counts_store`)."""
    return dossier_counts_store(session, path.read_bytes(), path.name)


def dossier_counts_store(session: Session, data: bytes, filename: str) -> CountImport:
    """Store the counts of an uploaded file (CSV or XLSX, by ``filename``); the caller commits.

    Raises
    ------
    ImportFileError
        The file cannot be read or its header lacks a column.
    """
    rows = iter(data_rows(data, filename))
    header = next(rows, None)
    if header is None:
        raise ImportFileError("Tệp trống / the file is empty")
    columns = {HEADERS[h.strip().lower()]: i for i, h in enumerate(header) if h.strip().lower() in HEADERS}
    missing = [name for name in ("unit", "counter", "month", "dossiers") if name not in columns]
    if missing:
        raise ImportFileError("Thiếu cột / missing columns: " + ", ".join(missing) + " (don_vi, quay, thang, so_ho_so)")
    points = {
        (unit_code, point_code): point_id
        for unit_code, point_code, point_id in session.execute(
            select(Unit.code, ServicePoint.code, ServicePoint.id).join(ServicePoint, ServicePoint.unit_id == Unit.id)
        )
    }
    result = CountImport()
    seen: dict[tuple[int, date], int] = {}
    upsert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(DossierCount.__table__)
    upsert = upsert.on_conflict_do_update(
        index_elements=["service_point_id", "month"],
        set_={"dossiers": upsert.excluded.dossiers, "source": "import", "updated_at": upsert.excluded.updated_at},
    )
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            result.refuse(number, "dossier_counts.too_many_rows", n=MAX_ROWS)
            break
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        if not any(cell.values()):
            continue
        point_id = points.get((cell["unit"], cell["counter"]))
        if point_id is None:
            result.refuse(
                number, "dossier_counts.unknown_counter", unit=cell["unit"][:40], counter=cell["counter"][:40]
            )
            continue
        month = month_parse(cell["month"])
        if month is None:
            result.refuse(number, "dossier_counts.bad_month", value=cell["month"][:20])
            continue
        dossiers = _count_parse(cell["dossiers"])
        if dossiers is None:
            result.refuse(number, "dossier_counts.bad_count", value=cell["dossiers"][:20], most=MAX_MONTHLY)
            continue
        if (point_id, month) in seen:
            result.refuse(number, "dossier_counts.repeated", first=seen[point_id, month])
            continue
        seen[point_id, month] = number
        session.execute(
            upsert.values(
                service_point_id=point_id,
                month=month,
                dossiers=dossiers,
                source="import",
                updated_at=datetime.now(UTC),
            )
        )
        result.stored += 1
    return result


def dossier_count_months(session: Session, limit: int = 12) -> list[tuple[date, int, int]]:
    """The latest months holding counts: (month, counters, dossiers), newest first."""
    return [
        (month, counters, dossiers)
        for month, counters, dossiers in session.execute(
            select(DossierCount.month, func.count(), func.sum(DossierCount.dossiers))
            .group_by(DossierCount.month)
            .order_by(DossierCount.month.desc())
            .limit(limit)
        )
    ]

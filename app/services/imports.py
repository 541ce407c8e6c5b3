"""Import paper-survey responses typed into CSV or XLSX.

Each row goes through the same validation as the web form. A bad row is
reported with its row number and reason and skipped; the others are
stored. Importing the same file again adds nothing: each row's client
UUID is derived from the form's serial number (column ``ma_phieu``), or,
without one, from the row's position and content.

Columns: ``ma_phieu`` (optional serial number), ``don_vi`` (unit code,
required), ``quay`` (service point code, optional), ``ngay`` (the visit's
date, dd/mm/yyyy or yyyy-mm-dd, required), then one column per question
code of the instrument. A multi-select question takes its codes in one
cell, split by semicolons, commas or spaces ("3;6"). Answers are checked as
the paper form asks the questions (``channel="paper"``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ServicePoint, Unit
from app.parsing import day_parse
from app.services.instruments import ActiveInstrument
from app.services.submissions import response_submit
from app.time import VIETNAM, vietnam_today
from surveys import answers_validate

META = ("ma_phieu", "don_vi", "quay", "ngay")
NAMESPACE = uuid.UUID("6f1c3f1e-0b7a-4c55-9a53-2a4f4d1c9e01")
MAX_ROWS = 200_000
#: columns read from a sheet; the rest of a row is ignored (an instrument has far fewer questions)
MAX_COLUMNS = 200
#: an XLSX file (a zip) may unpack to at most this many bytes
MAX_UNPACKED = 200 * 1024 * 1024
#: row errors kept to show; the others are only counted (``error_total``)
MAX_REPORTED_ERRORS = 100
#: characters of a value an error message repeats
SHOWN_CHARS = 40


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass
class ImportResult:
    """``errors`` holds the first :data:`MAX_REPORTED_ERRORS` refused rows,
    ``error_total`` counts them all."""

    created: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_total: int = 0

    def refuse(self, row: int, message: str) -> None:
        self.error_total += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, message))


def cut(value: str) -> str:
    """A value as an error message repeats it: cut short (a 32,767-character
    cell repeated on thousands of rows made a 98 MB page)."""
    return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"


def shown(value: str) -> str:
    """:func:`cut`, quoted."""
    return repr(cut(value))


def _rows_csv(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "Tệp CSV không ở mã UTF-8. Hãy lưu lại bằng “CSV UTF-8”. / The CSV file is not UTF-8."
        ) from exc
    dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            yield row[:MAX_COLUMNS]
    except csv.Error as exc:  # a NUL byte, a field longer than the csv module takes
        raise ImportFileError(f"Tệp CSV bị lỗi / the CSV file is broken: {str(exc)[:200]}") from exc


def _unpacked_size(data: bytes) -> int:
    """What an XLSX (a zip) says its parts unpack to; reading never gets
    more than that out of a part (zipfile stops there)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportFileError("Không đọc được tệp Excel / cannot read the XLSX file") from exc


def _rows_xlsx(data: bytes, max_unpacked: int) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    if _unpacked_size(data) > max_unpacked:
        raise ImportFileError(
            f"Tệp Excel quá lớn khi giải nén (tối đa {max_unpacked // (1024 * 1024)} MB) "
            f"/ the XLSX file unpacks to more than {max_unpacked // (1024 * 1024)} MB"
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ImportFileError(f"Không đọc được tệp Excel / cannot read the XLSX file: {str(exc)[:200]}") from exc
    try:
        sheet = workbook.worksheets[0]
        # The size a sheet declares may be anything (A1:XFD1048576): read the
        # cells it holds, and no more than MAX_COLUMNS of them per row.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            last = len(values)
            while last and values[last - 1] is None:
                last -= 1
            yield [_cell_text(v) for v in values[:last]]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def file_rows(path: Path) -> Iterator[list[str]]:
    return data_rows(path.read_bytes(), path.name)


def data_rows(data: bytes, filename: str, *, max_unpacked: int = MAX_UNPACKED) -> Iterator[list[str]]:
    """The rows of an uploaded CSV or XLSX file, as text cells (at most
    :data:`MAX_COLUMNS` of them; an XLSX row without its trailing empty
    cells); the name's extension says which.

    Raises
    ------
    ImportFileError
        The file cannot be read, or an XLSX unpacks to more than
        ``max_unpacked`` bytes (also while iterating, for a broken CSV).
    """
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _rows_xlsx(data, max_unpacked)
    if suffix in (".csv", ".txt"):
        return _rows_csv(data)
    raise ImportFileError(f"Chỉ nhận tệp .csv hoặc .xlsx / only .csv and .xlsx files are accepted: {filename}")


def _parse_day(text: str) -> date | None:
    """The visit's day as paper forms write it, within the accepted range."""
    return day_parse(text, ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"))


def responses_import(
    session: Session,
    active: ActiveInstrument,
    path: Path,
    *,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate and store every row; the caller commits.

    Raises
    ------
    ImportFileError
        When the file cannot be read or its header names unknown columns.
    """
    instrument = active.instrument
    if "paper" not in instrument.channels:
        raise ImportFileError(f"{instrument.key} không dùng phiếu giấy / is not an instrument for paper forms")
    rows = file_rows(path)
    try:
        header = [h.strip() for h in next(rows)]
    except StopIteration as exc:
        raise ImportFileError("Tệp rỗng / the file is empty") from exc
    codes = {q.code for q in instrument.questions}
    unknown = [h for h in header if h and h not in codes and h not in META]
    if unknown:
        raise ImportFileError(
            f"Cột không có trong bộ câu hỏi {instrument.key} / unknown columns: "
            f"{', '.join(cut(h) for h in unknown[:10])}"
        )
    missing = [m for m in ("don_vi", "ngay") if m not in header]
    if missing:
        raise ImportFileError(f"Thiếu cột bắt buộc / missing required columns: {', '.join(missing)}")
    units = {code: uid for code, uid in session.execute(select(Unit.code, Unit.id).where(Unit.retired_at.is_(None)))}
    points = {
        (uid, code): pid
        for pid, uid, code in session.execute(select(ServicePoint.id, ServicePoint.unit_id, ServicePoint.code))
    }
    result = ImportResult()
    for number, raw in enumerate(rows, start=2):
        if progress is not None:
            progress(1)
        if number - 1 > MAX_ROWS:
            result.refuse(number, f"quá {MAX_ROWS} dòng, phần còn lại không được nhập")
            break
        if not any(cell.strip() for cell in raw):
            continue
        record = {h: (raw[i].strip() if i < len(raw) else "") for i, h in enumerate(header) if h}
        unit_id = units.get(record.get("don_vi", ""))
        if unit_id is None:
            result.refuse(number, f"mã đơn vị không tồn tại: {shown(record.get('don_vi', ''))}")
            continue
        point_id = None
        if record.get("quay"):
            point_id = points.get((unit_id, record["quay"]))
            if point_id is None:
                result.refuse(number, f"mã quầy không thuộc đơn vị: {shown(record['quay'])}")
                continue
        day = _parse_day(record.get("ngay", ""))
        if day is None or day > vietnam_today():
            result.refuse(number, f"ngày không hợp lệ: {shown(record.get('ngay', ''))}")
            continue
        checked = answers_validate(instrument, {k: v for k, v in record.items() if k in codes}, channel="paper")
        if not checked.ok:
            reasons = "; ".join(f"{code}: {msg.vi}" for code, msg in checked.errors.items())
            result.refuse(number, reasons)
            continue
        serial = record.get("ma_phieu")
        key = f"{instrument.code}|{record['don_vi']}|{serial}" if serial else f"{instrument.code}|{number}|{raw}"
        outcome = response_submit(
            session,
            client_uuid=uuid.uuid5(NAMESPACE, key),
            instrument=active,
            unit_id=unit_id,
            service_point_id=point_id,
            channel="paper",
            answers=checked.answers,
            submitted_at=datetime.combine(day, time(12), tzinfo=VIETNAM).astimezone(UTC),
        )
        if outcome.status == "created":
            result.created += 1
        elif outcome.status == "duplicate":
            result.duplicates += 1
        else:
            result.refuse(number, f"mã phiếu {shown(serial or '')} đã được nhập với nội dung khác")
    return result

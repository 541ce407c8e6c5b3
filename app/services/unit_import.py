"""Import a province's list of units from CSV or XLSX.

Columns (first row; accents, case and spaces in the names do not matter):
``ma`` (the unit's code), ``ten`` (its name), ``cap`` (its level: ``tinh``,
``so``, ``huyen``, ``xa`` — or ``province``, ``department``, ``district``,
``commune``; ``phuong`` and ``thi tran`` count as communes) and
``ma_cap_tren`` (the code of the unit above, empty for the province). A
parent may be a unit already in the system or another row of the file, in
any order.

All or nothing: when any row is wrong, nothing is stored and every wrong
row is reported with its row number and the reason, in Vietnamese. A tree
imported half-way would leave communes without their district, and the
administrator fixes the file and imports it again anyway.

Importing the same file again adds nothing: a code already in the system
with the same level and parent is left as it is (renamed when the file
gives it a new name). A code that exists with another level or another
parent is an error: moving units is done on the unit's page, where it is
seen and audited as a move.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Unit, User
from app.services.accounts import clock
from app.services.admin_checks import CODE_PATTERN, NAME_MAX
from app.services.audit import audit_record
from app.services.imports import MAX_REPORTED_ERRORS, ImportFileError, RowError, cut, data_rows, shown
from app.services.unit_admin import LEVEL_RANK, PARENT_LEVELS
from app.services.units import child_path

MAX_ROWS = 20_000
#: an uploaded list unpacks to no more than this (20,000 units take a few MB)
MAX_UNPACKED = 20 * 1024 * 1024
#: characters of a cell kept (a longer code or name is refused anyway)
CELL_MAX = 4 * NAME_MAX
#: normalised header -> column
COLUMNS = {
    "ma": "ma",
    "ma_don_vi": "ma",
    "code": "ma",
    "ten": "ten",
    "ten_don_vi": "ten",
    "name": "ten",
    "cap": "cap",
    "level": "cap",
    "ma_cap_tren": "ma_cap_tren",
    "parent": "ma_cap_tren",
    "parent_code": "ma_cap_tren",
}
#: normalised level -> UNIT_LEVELS
LEVELS = {
    "tinh": "province",
    "province": "province",
    "so": "department",
    "so_nganh": "department",
    "nganh": "department",
    "department": "department",
    "huyen": "district",
    "district": "district",
    "xa": "commune",
    "phuong": "commune",
    "thi_tran": "commune",
    "commune": "commune",
}
LEVEL_VI = {"province": "tỉnh", "department": "sở, ngành", "district": "huyện", "commune": "xã"}
PARENT_RULE_VI = {
    "department": "sở, ngành phải thuộc tỉnh",
    "district": "huyện phải thuộc tỉnh",
    "commune": "xã phải thuộc huyện hoặc tỉnh",
}


@dataclass
class UnitImportResult:
    """What an import did (``applied``) or would have done.

    ``created`` and ``renamed`` list codes; ``errors`` the first
    :data:`~app.services.imports.MAX_REPORTED_ERRORS` refused rows in row
    order, ``error_total`` counts them all. When there are errors nothing
    was stored.
    """

    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_total: int = 0

    @property
    def applied(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    code: str
    name: str
    level: str
    parent_code: str
    existing: Unit | None = None
    ok: bool = True


def _key(text: str) -> str:
    """Lower case, no accents, words joined by ``_``: "Mã cấp trên" -> "ma_cap_tren"."""
    text = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return "_".join(text.replace("-", " ").replace("_", " ").split())


def _header(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = COLUMNS.get(_key(cell))
        if name is not None and name not in columns:
            columns[name] = i
    missing = [c for c in ("ma", "ten", "cap") if c not in columns]
    if missing:
        raise ImportFileError(
            f"Thiếu cột bắt buộc: {', '.join(missing)}. Dòng đầu phải có các cột ma, ten, cap, ma_cap_tren."
        )
    return columns


def _read(data: bytes, filename: str, result: UnitImportResult) -> list[_Row]:
    rows = data_rows(data, filename, max_unpacked=MAX_UNPACKED)
    try:
        columns = _header(next(rows))
    except StopIteration as exc:
        raise ImportFileError("Tệp rỗng.") from exc
    out: list[_Row] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise ImportFileError(f"Tệp có quá {MAX_ROWS} dòng.")
        # cut first: the rows are kept until the whole file is checked
        cell = {c: (raw[i][:CELL_MAX].strip() if i < len(raw) else "") for c, i in columns.items()}
        if not any(cell.values()):
            continue
        code, name = cell["ma"], " ".join(cell["ten"].split())
        level = LEVELS.get(_key(cell["cap"]))
        problem = None
        if not CODE_PATTERN.fullmatch(code):
            problem = (
                f"mã đơn vị không hợp lệ: {shown(code)} (chữ không dấu, số, dấu chấm, gạch ngang; tối đa 40 ký tự)"
            )
        elif code.lower() in seen:
            problem = f"mã {code} trùng với dòng {seen[code.lower()]}"
        elif not name or len(name) > NAME_MAX:
            problem = f"thiếu tên đơn vị hoặc tên dài quá {NAME_MAX} ký tự"
        elif level is None:
            problem = f"cấp không hợp lệ: {shown(cell['cap'])} (dùng tinh, so, huyen, xa)"
        if code and code.lower() not in seen:
            seen[code.lower()] = number
        if problem:
            result.errors.append(RowError(number, problem))
            out.append(_Row(number, code, name, level or "", cell.get("ma_cap_tren", ""), ok=False))
            continue
        out.append(_Row(number, code, name, level, cell.get("ma_cap_tren", "")))
    return out


def _check(rows: list[_Row], existing: dict[str, Unit], result: UnitImportResult) -> None:
    """Resolve parents and compare with the units already stored."""
    in_file: dict[str, _Row] = {}
    for r in rows:
        in_file.setdefault(r.code.lower(), r)  # a repeated code refers to its first row
    by_id = {u.id: u for u in existing.values()}
    for row in (r for r in rows if r.ok):
        row.existing = existing.get(row.code.lower())
        problem = None
        if row.level == "province":
            if row.parent_code:
                problem = "tỉnh không có đơn vị cấp trên: để trống cột ma_cap_tren"
        elif not row.parent_code:
            problem = f"thiếu mã cấp trên ({PARENT_RULE_VI[row.level]})"
        else:
            parent_row = in_file.get(row.parent_code.lower())
            parent_unit = existing.get(row.parent_code.lower())
            parent_level = parent_row.level if parent_row else (parent_unit.level if parent_unit else None)
            if parent_level is None:
                problem = f"mã cấp trên không tồn tại: {shown(row.parent_code)}"
            elif parent_row is not None and not parent_row.ok:
                problem = f"đơn vị cấp trên {cut(row.parent_code)} (dòng {parent_row.number}) có lỗi"
            elif parent_level not in PARENT_LEVELS[row.level]:
                problem = (
                    f"cấp trên không hợp lệ: {PARENT_RULE_VI[row.level]}, {row.parent_code} là {LEVEL_VI[parent_level]}"
                )
            elif parent_unit is not None and parent_unit.retired_at is not None:
                problem = f"đơn vị cấp trên {row.parent_code} đã ngừng hoạt động"
        if problem is None and row.existing is not None:
            unit = row.existing
            parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
            if unit.level != row.level:
                problem = f"mã {unit.code} đã có trong hệ thống ở cấp {LEVEL_VI[unit.level]}"
            elif (parent.code.lower() if parent else "") != row.parent_code.lower():
                problem = (
                    f"mã {unit.code} đã có trong hệ thống dưới {parent.code if parent else '(không có)'}; "
                    "muốn chuyển đơn vị hãy dùng chức năng “Chuyển” trên trang đơn vị"
                )
        if problem:
            row.ok = False
            result.errors.append(RowError(row.number, problem))
    result.errors.sort(key=lambda e: e.row)


def units_import(session: Session, actor: User | None, data: bytes, filename: str) -> UnitImportResult:
    """Check the whole file, then store it if every row is right.

    Raises
    ------
    ImportFileError
        The file cannot be read, or its first row lacks a required column.
    """
    result = UnitImportResult()
    rows = _read(data, filename, result)
    existing = {u.code.lower(): u for u in session.scalars(select(Unit))}
    _check(rows, existing, result)
    if result.errors:
        result.error_total = len(result.errors)
        del result.errors[MAX_REPORTED_ERRORS:]  # in row order (``_check`` sorted them)
        return result
    made = dict(existing)
    renames = []
    for row in sorted(rows, key=lambda r: (LEVEL_RANK[r.level], r.number)):
        if row.existing is not None:
            if row.existing.name != row.name:
                renames.append({"code": row.existing.code, "before": row.existing.name, "after": row.name})
                row.existing.name = row.name
                result.renamed.append(row.existing.code)
            else:
                result.unchanged += 1
            continue
        parent = made[row.parent_code.lower()] if row.parent_code else None
        unit = Unit(
            code=row.code, name=row.name, level=row.level, parent=parent, path=child_path(parent), created_at=clock()
        )
        session.add(unit)
        try:
            session.flush()  # the id goes into the children's path
        except IntegrityError as exc:  # another import or administrator added it meanwhile
            raise ImportFileError(f"Mã {row.code} vừa được thêm bởi một thao tác khác; vui lòng nhập lại tệp.") from exc
        made[row.code.lower()] = unit
        result.created.append(row.code)
    audit_record(
        session,
        actor,
        "admin.unit.import",
        f"file:{filename}",
        {"created": result.created, "renamed": renames, "unchanged": result.unchanged},
    )
    return result

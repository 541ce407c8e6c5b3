"""Registering dossiers and issuing their codes (issue 16.3).

Two ways to hand a citizen a one-time code for a dossier besides the unit's
own software signing it: ``POST /api/v1/dossiers``, for one-stop-shop
systems that prefer to ask (:func:`dossiers_register`), and printed sheets
of codes for counters without software (:func:`sheet_codes`). Registering
is idempotent: the same dossier at the same counter gets the same code
(the expiry of its first registration) while that code is good; once it
has expired, a fresh one with a new expiry. Registrations also count as the
counter's dossiers for the response rate when no count was imported for
the month (app/services/response_rate.py). No Flask here.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import RegisteredDossier, ServicePoint, Unit, User
from app.refusals import Refused
from app.render.dossier_sheet import DossierSlip, dossier_sheet_pdf
from app.services.dossier_codes import DOSSIER_RE, dossier_code_issue, dossier_key
from app.services.posters import form_link
from app.services.scope import unit_scope_clause, unit_visible
from app.services.verified import CODE_DAYS, CODE_FIELD, dossier_digest
from app.time import vietnam_today

#: dossiers in one request
MAX_DOSSIERS = 500
#: the latest expiry a caller may ask for, in days from today
MAX_DAYS = 366
#: codes on one printed sheet request
MAX_SHEET_CODES = 200

ItemStatus = Literal["created", "existing", "renewed", "invalid", "forbidden"]


@dataclass(frozen=True)
class RegisteredItem:
    """What became of one dossier of a request.

    Attributes
    ----------
    status : {"created", "existing", "renewed", "invalid", "forbidden"}
        ``existing``: registered before; the same code again. ``renewed``:
        registered before and its code has expired; a fresh code with a new
        expiry (a dossier answered already stays answered). ``forbidden``:
        the counter is unknown, retired or not the caller's.
    code, expires, token : the code, its last day and the counter's QR token (for the URL); None unless registered
    message_key : the reason of ``invalid`` or ``forbidden`` (a text key)
    """

    index: int
    status: ItemStatus
    service_point_id: int | None
    dossier: str | None
    code: str | None = None
    expires: date | None = None
    token: str | None = None
    message_key: str | None = None


def _expiry(given: object, today: date) -> date | None:
    """The requested last day, or None when it is not a day from today to a year on."""
    if given is None:
        return today + timedelta(days=CODE_DAYS)
    if not isinstance(given, str):
        return None
    try:
        day = date.fromisoformat(given)
    except ValueError:
        return None
    return day if today <= day <= today + timedelta(days=MAX_DAYS) else None


def _insert(dialect_name: str):
    module = postgresql if dialect_name == "postgresql" else sqlite
    return module.insert(RegisteredDossier.__table__).on_conflict_do_nothing(
        index_elements=["service_point_id", "dossier"]
    )


def dossiers_register(
    session: Session, secret_key: str, user: User, items: Sequence[object], today: date | None = None
) -> list[RegisteredItem]:
    """Register ``items`` (``{"service_point_id", "dossier", "expires"?}``
    each) for ``user``'s counters and return one result per item, in order.

    The caller owns the transaction (it commits). A counter outside the
    user's units is ``forbidden`` exactly like an unknown one, so a caller
    learns nothing about other units' counters.
    """
    today = today or vietnam_today()
    points: dict[int, ServicePoint | None] = {}
    results: list[RegisteredItem] = []
    insert = _insert(session.get_bind().dialect.name)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            results.append(RegisteredItem(index, "invalid", None, None, message_key="api.dossier.item_shape"))
            continue
        point_id, dossier = item.get("service_point_id"), item.get("dossier")
        if not isinstance(point_id, int) or isinstance(point_id, bool) or not 0 < point_id < 2**31:
            results.append(RegisteredItem(index, "invalid", None, None, message_key="api.dossier.point"))
            continue
        if point_id not in points:
            point = session.get(ServicePoint, point_id)
            mine = point is not None and point.retired_at is None and unit_visible(session, user, point.unit_id)
            points[point_id] = point if mine else None
        point = points[point_id]
        if point is None:
            results.append(RegisteredItem(index, "forbidden", point_id, None, message_key="api.dossier.not_yours"))
            continue
        if not isinstance(dossier, str) or not DOSSIER_RE.fullmatch(dossier):
            results.append(RegisteredItem(index, "invalid", point_id, None, message_key="verified.bad_dossier"))
            continue
        expires = _expiry(item.get("expires"), today)
        if expires is None:
            results.append(RegisteredItem(index, "invalid", point_id, dossier, message_key="api.dossier.expires"))
            continue
        digest = dossier_digest(secret_key, point_id, dossier)
        row = {"service_point_id": point_id, "dossier": digest, "expires": expires, "registered_on": today}
        created = session.execute(insert.values(**row).returning(RegisteredDossier.id)).scalar()
        status: ItemStatus = "created"
        if created is None:  # registered before: the first registration's expiry, so the same code ...
            mine = (RegisteredDossier.service_point_id == point_id, RegisteredDossier.dossier == digest)
            first = session.scalar(select(RegisteredDossier.expires).where(*mine))
            assert first is not None
            status = "existing"
            if first < today:  # ... unless it has expired: a fresh code (one response per dossier still holds)
                session.execute(update(RegisteredDossier).where(*mine).values(expires=expires))
                status = "renewed"
            else:
                expires = first
        code = dossier_code_issue(dossier_key(secret_key, point_id), point_id, dossier, expires)
        results.append(RegisteredItem(index, status, point_id, dossier, code, expires, point.qr_token))
    return results


@dataclass(frozen=True)
class SheetCode:
    """One code of a printed sheet: a made-up dossier number (the sheet's
    serial) signed like a receipt's."""

    dossier: str
    code: str


def sheet_codes(
    secret_key: str, point_id: int, count: int, expires: date, today: date | None = None
) -> list[SheetCode]:
    """``count`` fresh one-time codes for a counter without software.

    Each code's dossier is ``PHIEU-<yymmdd>-<random>``: random, so two
    sheets never repeat a code and a code cannot be guessed from another;
    a staff member hands one slip to each citizen whose dossier is done.
    """
    today = today or vietnam_today()
    if not 1 <= count <= MAX_SHEET_CODES:
        raise ValueError(f"between 1 and {MAX_SHEET_CODES} codes")
    key = dossier_key(secret_key, point_id)
    codes = []
    for _ in range(count):
        dossier = f"PHIEU-{today:%y%m%d}-{secrets.token_hex(4).upper()}"
        codes.append(SheetCode(dossier, dossier_code_issue(key, point_id, dossier, expires)))
    return codes


@dataclass(frozen=True)
class SheetPoint:
    """A counter someone may print slips for, with its unit's name."""

    id: int
    code: str
    name: str
    unit_code: str
    unit_name: str


def sheet_points(session: Session, user: User) -> list[SheetPoint]:
    """The active counters of the units ``user`` sees (a unit manager: their
    unit and those below it; an administrator: all), by unit and counter code."""
    rows = session.execute(
        select(ServicePoint.id, ServicePoint.code, ServicePoint.name, Unit.code, Unit.name)
        .join(Unit, Unit.id == ServicePoint.unit_id)
        .where(ServicePoint.retired_at.is_(None), Unit.retired_at.is_(None), unit_scope_clause(user))
        .order_by(Unit.code, ServicePoint.code)
    )
    return [SheetPoint(*row) for row in rows]


def dossier_sheet(
    session: Session,
    secret_key: str,
    public_url: str,
    point_id: int,
    count: int,
    days: int,
    today: date | None = None,
    user: User | None = None,
) -> tuple[str, bytes]:
    """A PDF of ``count`` slips with fresh one-time codes for the counter,
    good for ``days`` days, and its file name. With ``user``, only a counter
    of the units that person sees (a unit manager's own).

    Raises
    ------
    Refused
        ``sheet.bad_count`` / ``sheet.bad_days`` (422), ``sheet.retired`` (409)
        for a retired counter, ``adm.not_found`` (404) for an unknown one or,
        alike, one outside ``user``'s units.
    """
    today = today or vietnam_today()
    if not 1 <= count <= MAX_SHEET_CODES:
        raise Refused("sheet.bad_count", most=MAX_SHEET_CODES)
    if not 1 <= days <= MAX_DAYS:
        raise Refused("sheet.bad_days", most=MAX_DAYS)
    row = session.execute(
        select(ServicePoint, Unit.name, Unit.code).join(Unit).where(ServicePoint.id == point_id)
    ).one_or_none()
    if row is None or (user is not None and not unit_visible(session, user, row[0].unit_id)):
        raise Refused("adm.not_found", status=404)
    point, unit_name, unit_code = row
    if point.retired_at is not None:
        raise Refused("sheet.retired", status=409)
    expires = today + timedelta(days=days)
    link = form_link(public_url, point.qr_token)
    slips = [
        DossierSlip(unit_name, point.name, f"{link}?{CODE_FIELD}={c.code}", c.dossier, f"{expires:%d/%m/%Y}")
        for c in sheet_codes(secret_key, point_id, count, expires, today)
    ]
    return f"ma-ho-so-{unit_code}-{point.code}-{today:%Y%m%d}.pdf", dossier_sheet_pdf(slips)

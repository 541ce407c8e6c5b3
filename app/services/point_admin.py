"""Administration of service points (quầy): create, edit, retire, restore,
replace the QR token, and the QR codes and posters to print.

Every change writes one audit row (``admin.point.<what>``, target
``service_point:<unit code>/<point code>``); see :mod:`app.services.unit_admin`.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import RetiredQrToken, ServicePoint, User, new_qr_token
from app.refusals import Refused
from app.render.qr import qr_png, qr_svg
from app.services.accounts import clock
from app.services.admin_checks import PROCEDURE_MAX, clean_code, clean_name, flush_new, not_found
from app.services.audit import audit_record
from app.services.posters import PosterError, form_link, unit_posters
from app.services.unit_admin import unit_get


def _point_target(point: ServicePoint) -> str:
    return f"service_point:{point.unit.code}/{point.code}"


def points_of(session: Session, unit_id: int) -> list[ServicePoint]:
    """The unit's service points, active first, then by code."""
    return list(
        session.scalars(
            select(ServicePoint)
            .where(ServicePoint.unit_id == unit_id)
            .order_by(ServicePoint.retired_at.is_not(None), ServicePoint.code)
        )
    )


def point_get(session: Session, point_id: int) -> ServicePoint:
    point = session.get(ServicePoint, point_id)
    if point is None:
        raise not_found()
    return point


def _procedure(raw: str | None) -> str | None:
    text = " ".join((raw or "").split())
    if len(text) > PROCEDURE_MAX:
        raise Refused("adm.point.procedure_too_long", max=PROCEDURE_MAX)
    return text or None


def point_create(
    session: Session, actor: User, unit_id: int, *, code: str, name: str, procedure_field: str | None
) -> ServicePoint:
    unit = unit_get(session, unit_id)
    if unit.retired_at is not None:
        raise Refused("adm.unit.retired")
    code = clean_code(code)
    name = clean_name(name)
    procedure = _procedure(procedure_field)
    taken = session.scalar(
        select(ServicePoint.id).where(ServicePoint.unit_id == unit.id, func.lower(ServicePoint.code) == code.lower())
    )
    if taken is not None:
        raise Refused("adm.point.code_taken", code=code)
    point = ServicePoint(
        unit=unit, code=code, name=name, procedure_field=procedure, qr_token=new_qr_token(), created_at=clock()
    )
    session.add(point)
    flush_new(session, Refused("adm.point.code_taken", code=code))
    audit_record(
        session,
        actor,
        "admin.point.create",
        _point_target(point),
        {"after": {"code": code, "name": name, "procedure_field": procedure}},
    )
    return point


def point_update(
    session: Session, actor: User, point_id: int, *, name: str, procedure_field: str | None
) -> ServicePoint:
    """Rename a service point and set its procedure field (lĩnh vực)."""
    point = point_get(session, point_id)
    after = {"name": clean_name(name), "procedure_field": _procedure(procedure_field)}
    before = {"name": point.name, "procedure_field": point.procedure_field}
    if after != before:
        point.name, point.procedure_field = after["name"], after["procedure_field"]
        session.flush()
        changed = [k for k in after if after[k] != before[k]]
        audit_record(
            session,
            actor,
            "admin.point.update",
            _point_target(point),
            {"before": {k: before[k] for k in changed}, "after": {k: after[k] for k in changed}},
        )
    return point


def point_retire(session: Session, actor: User, point_id: int) -> ServicePoint:
    """Stop a counter: its QR code then answers "no longer in use"."""
    point = point_get(session, point_id)
    if point.retired_at is not None:
        raise Refused("adm.point.retired")
    point.retired_at = clock()
    session.flush()
    audit_record(
        session,
        actor,
        "admin.point.retire",
        _point_target(point),
        {"before": {"retired": False}, "after": {"retired": True}},
    )
    return point


def point_restore(session: Session, actor: User, point_id: int) -> ServicePoint:
    point = point_get(session, point_id)
    if point.retired_at is None:
        raise Refused("adm.point.not_retired")
    if point.unit.retired_at is not None:
        raise Refused("adm.unit.retired")
    point.retired_at = None
    session.flush()
    audit_record(
        session,
        actor,
        "admin.point.restore",
        _point_target(point),
        {"before": {"retired": True}, "after": {"retired": False}},
    )
    return point


def point_rotate(session: Session, actor: User, point_id: int) -> ServicePoint:
    """Give the counter a new QR token. The old one is kept as retired, so an
    old poster tells the citizen the code is no longer in use; new posters
    must be printed."""
    point = point_get(session, point_id)
    if point.retired_at is not None:
        raise Refused("adm.point.retired")
    old = point.qr_token
    session.add(RetiredQrToken(token=old, service_point_id=point.id, retired_at=clock()))
    point.qr_token = new_qr_token()
    session.flush()
    # Only the beginnings of the tokens: enough to match a poster, and the
    # log is no second place to read working links from.
    audit_record(
        session,
        actor,
        "admin.point.rotate",
        _point_target(point),
        {"before": {"token": old[:6] + "…"}, "after": {"token": point.qr_token[:6] + "…"}},
    )
    return point


QR_FORMATS = {"png": "image/png", "svg": "image/svg+xml"}


def point_qr(session: Session, public_url: str, point_id: int, fmt: str) -> tuple[str, bytes, str]:
    """(file name, content, media type) of the counter's QR code."""
    if fmt not in QR_FORMATS:
        raise not_found()
    point = point_get(session, point_id)
    if point.retired_at is not None:
        raise Refused("adm.point.retired")
    url = form_link(public_url, point.qr_token)
    content = qr_png(url) if fmt == "png" else qr_svg(url)
    return f"qr-{point.unit.code}-{point.code}.{fmt}", content, QR_FORMATS[fmt]


def posters_pdf(session: Session, public_url: str, unit_id: int, registry=None) -> tuple[str, bytes, int]:
    """(file name, PDF, pages): one A4 poster per active counter in the subtree."""
    unit = unit_get(session, unit_id)
    try:
        pdf, count = unit_posters(session, unit.code, public_url, registry)
    except PosterError as exc:
        raise Refused("adm.posters.none", status=404) from exc
    return f"ap-phich-qr-{unit.code}.pdf", pdf, count

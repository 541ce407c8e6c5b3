"""QR codes and posters for service points, from the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ServicePoint, Unit
from app.render.poster import PosterSpec, posters_pdf
from app.render.qr import qr_png, qr_svg
from app.services.instruments import instrument_active
from app.services.units import root_id, subtree_clause
from surveys import Instrument, load_all


class PosterError(LookupError):
    """The service point or unit asked for does not exist (or has no counters)."""


@dataclass(frozen=True)
class PointCodes:
    url: str
    #: file name to content: ``<unit>-<point>.png`` and ``.svg``
    files: dict[str, bytes]


def form_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/s/{token}"


def point_codes(
    session: Session, public_url: str, *, token: str | None = None, point_id: int | None = None
) -> PointCodes:
    query = select(ServicePoint, Unit.code).join(Unit)
    query = query.where(ServicePoint.qr_token == token) if token else query.where(ServicePoint.id == point_id)
    row = session.execute(query).first()
    if row is None:
        raise PosterError("No service point has that token or id.")
    point, unit_code = row
    url = form_link(public_url, point.qr_token)
    stem = f"{unit_code}-{point.code}"
    return PointCodes(url, {f"{stem}.png": qr_png(url), f"{stem}.svg": qr_svg(url)})


def form_minutes(session: Session, registry: Mapping[str, Instrument], code: str) -> int:
    """The minutes the QR form of instrument ``code`` takes, as its intro says (1 when it does not say)."""
    active = instrument_active(session, dict(registry), code)
    duration = active.instrument.duration if active else None
    return duration.minutes if duration is not None and duration.channel == "qr" else 1


def unit_posters(
    session: Session, unit_code: str, public_url: str, registry: Mapping[str, Instrument] | None = None
) -> tuple[bytes, int]:
    """One A4 poster per active service point in the subtree of ``unit_code``,
    each stating the time its form takes (``registry``: the loaded instruments)."""
    unit = session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise PosterError(f"No unit has code {unit_code!r}.")
    province = session.get(Unit, root_id(unit))
    rows = session.execute(
        select(ServicePoint, Unit.name)
        .join(Unit)
        .where(
            subtree_clause(unit),
            ServicePoint.retired_at.is_(None),
            Unit.retired_at.is_(None),
        )
        .order_by(Unit.path, Unit.code, ServicePoint.code)
    ).all()
    if not rows:
        raise PosterError(f"Unit {unit_code} and the units below it have no active service points.")
    registry = load_all() if registry is None else registry
    minutes = {code: form_minutes(session, registry, code) for code in {point.instrument_code for point, _ in rows}}
    specs = []
    for point, unit_name in rows:
        url = form_link(public_url, point.qr_token)
        specs.append(
            PosterSpec(
                unit_name=unit_name,
                counter_name=point.name,
                url=url,
                short_url=url.split("://", 1)[-1],
                province_name=province.name if province else "",
                minutes=minutes[point.instrument_code],
            )
        )
    return posters_pdf(specs), len(specs)

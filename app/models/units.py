"""Units (đơn vị) and their service points (quầy / điểm tiếp nhận)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.texts import texts

UNIT_LEVELS = ("province", "department", "district", "commune")

#: (Vietnamese, English) names of the levels; the catalogue's ``level.<level>`` in any language
UNIT_LEVEL_NAMES = {level: (texts(f"level.{level}", "vi"), texts(f"level.{level}", "en")) for level in UNIT_LEVELS}


def new_qr_token() -> str:
    """An unguessable token for a QR code: 128 random bits, URL-safe, 22 characters."""
    return secrets.token_urlsafe(16)


class Unit(Base):
    """An administrative unit in the province's tree."""

    repr_columns = ("code", "level")

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint(f"level IN {UNIT_LEVELS!r}", name="level_known"),
        CheckConstraint("(level = 'province') = (parent_id IS NULL)", name="only_province_is_root"),
        CheckConstraint("parent_id <> id", name="not_own_parent"),
        Index("ix_units_path", "path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable code used in imports, URLs and reports (e.g. the state unit code)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    #: Vietnamese name as printed on posters and reports
    name: Mapped[str] = mapped_column(String(200))
    #: province, department, district or commune
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    #: materialised path of ancestor ids, "/1/4/17/", so a subtree is one
    #: indexed prefix match instead of a recursive query
    path: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: set when the unit no longer exists (merged, dissolved); kept for history
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")
    service_points: Mapped[list[ServicePoint]] = relationship(back_populates="unit")


class ServicePoint(Base):
    """A counter or desk inside a unit; the thing a QR code points at."""

    repr_columns = ("unit_id", "code")

    __tablename__ = "service_points"
    __table_args__ = (
        UniqueConstraint("unit_id", "code", name="uq_service_points_unit_code"),
        CheckConstraint("length(qr_token) >= 16", name="token_long_enough"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: short code unique within the unit, e.g. "Q01"
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    #: procedure field (lĩnh vực) served at this counter, if it serves one
    procedure_field: Mapped[str | None] = mapped_column(String(100))
    #: the current QR token; rotating it moves the old one to retired_qr_tokens
    qr_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_qr_token)
    #: instrument code the QR form shows
    instrument_code: Mapped[str] = mapped_column(String(40), default="sipas-counter")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship(back_populates="service_points")


class RetiredQrToken(Base):
    """A QR token that was rotated away, so an old poster gets a clear message
    ("this code is no longer in use") instead of a generic not-found page."""

    __tablename__ = "retired_qr_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id", ondelete="CASCADE"), index=True)
    retired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

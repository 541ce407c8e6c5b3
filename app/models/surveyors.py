"""Surveyors' work: what each one is assigned to collect, and the API tokens
their tablets use.

A surveyor (điều tra viên) runs face-to-face interviews on a tablet. An
assignment names where (a unit, optionally one counter), with which
instrument, how many interviews and between which dates. The interviews
themselves are ordinary ``responses`` rows (channel ``tablet``) carrying
``surveyor_id`` and ``device_id``; see ``app/models/responses.py``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.units import ServicePoint, Unit


class SurveyorAssignment(Base):
    """Interviews a surveyor is to run: where, with which instrument, how many, when."""

    repr_columns = ("surveyor_id", "unit_id", "instrument_code")

    __tablename__ = "surveyor_assignments"
    __table_args__ = (
        CheckConstraint("target_count > 0", name="target_positive"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the surveyor account doing the interviews
    surveyor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: where: the unit the interviews are about (within the surveyor's unit subtree)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: the counter, for exit interviews at one service point; None for households
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id", ondelete="RESTRICT"))
    #: instrument code (e.g. ``papi-household``); the active version is used,
    #: and an interview keeps the version it was run with
    instrument_code: Mapped[str] = mapped_column(String(40))
    #: how many completed interviews are expected
    target_count: Mapped[int]
    #: first day interviews count (local Vietnamese date, inclusive)
    starts_on: Mapped[date] = mapped_column(Date)
    #: last day interviews count (inclusive); None: open-ended
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()


class ApiToken(Base):
    """A bearer token for the ``/api/v1`` JSON API, one per surveyor's tablet.

    Only a sha256 digest is stored: the token is 256 random bits, so a slow
    password hash adds nothing, and a leaked table yields no usable token.
    """

    repr_columns = ("user_id", "label")

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint("scope IN ('submit', 'read', 'dossiers')", name="scope_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: sha256 (hex) of the token as handed out
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: what the token is for, e.g. "Máy tính bảng số 3"
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: set when the token is withdrawn (lost tablet, surveyor leaves, the
    #: password changed or was reset)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the token stops working at this moment (``API_TOKEN_DAYS`` after it was made)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: the last Vietnamese day the token was used: a day, not a time, so the
    #: table tells an administrator whether a tablet is still in use without
    #: becoming a log of a surveyor's working hours
    last_used_on: Mapped[date | None] = mapped_column(Date)
    #: what the token may do: ``submit`` (a surveyor's tablet: assignments,
    #: instruments, interviews) or ``read`` (an analyst's or an integration's:
    #: published indicators only, nothing written)
    scope: Mapped[str] = mapped_column(String(10), default="submit", server_default="submit")

"""Dossiers (hồ sơ) behind verified responses, and the counts of dossiers a
unit received: what ties a QR response to a real visit (issue 16.3–16.4).

No table here links a dossier to a response. The one-response-per-dossier
rule needs only to know that a dossier *was* answered; keeping which
response answered it would let anyone holding the unit's dossier register
read a named citizen's answers. Dossier numbers are kept as a keyed hash
(``app/services/verified.py``), never as written on the receipt.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow

#: where a month's dossier count came from: a CSV import or an administrator
COUNT_SOURCES = ("import", "admin")


class UsedDossier(Base):
    """A dossier whose one-time code has been answered: at most one response
    per dossier and counter, enforced by the unique constraint (two
    concurrent submissions of one code: the second insert fails)."""

    repr_columns = ("service_point_id", "used_on")

    __tablename__ = "used_dossiers"
    __table_args__ = (UniqueConstraint("service_point_id", "dossier", name="uq_used_dossiers_point_dossier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id", ondelete="RESTRICT"))
    #: keyed hash of the dossier number (``verified.dossier_digest``), 32 hex digits
    dossier: Mapped[str] = mapped_column(String(32))
    #: the local day it was answered (the day only, as the response keeps the hour only)
    used_on: Mapped[date] = mapped_column(Date)


class RegisteredDossier(Base):
    """A dossier a unit's one-stop-shop software registered through
    ``POST /api/v1/dossiers``: registering again returns the same code, and
    the registrations of a month count as its dossiers when no count was
    imported for that counter and month."""

    repr_columns = ("service_point_id", "registered_on")

    __tablename__ = "registered_dossiers"
    __table_args__ = (UniqueConstraint("service_point_id", "dossier", name="uq_registered_dossiers_point_dossier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id", ondelete="RESTRICT"), index=True)
    #: keyed hash of the dossier number, as in ``used_dossiers``
    dossier: Mapped[str] = mapped_column(String(32))
    #: the last day the code is good (Vietnam time), fixed at the first registration
    expires: Mapped[date] = mapped_column(Date)
    #: the local day of the first registration: the month it counts in
    registered_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DossierCount(Base):
    """How many dossiers a counter received in a month (imported from the
    one-stop-shop software's statistics): the denominator of the response rate."""

    repr_columns = ("service_point_id", "month", "dossiers")

    __tablename__ = "dossier_counts"
    __table_args__ = (
        CheckConstraint("dossiers >= 0", name="dossiers_non_negative"),
        CheckConstraint(f"source IN {COUNT_SOURCES!r}", name="source_known"),
    )

    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT"), primary_key=True
    )
    #: the first day of the month
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    dossiers: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10), default="import")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""Targets (chỉ tiêu): what a unit is to reach on an indicator in a year.

A province sets, for a unit and a year, either a **level** ("the SIPAS index
at least 90 %") or a **rise** over the previous year ("up 5 points"), on the
SIPAS index, an element index or one criterion's satisfaction rate. The
year-end classification of every target (met, likely met, not met, not
assessable) is computed by ``app/services/targets.py`` from the report's
published figures; the rule is in ``docs/targets.md``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.units import Unit

#: ``level``: reach at least ``value`` %; ``rise``: gain at least ``value`` percentage points over the previous year
TARGET_KINDS = ("level", "rise")
#: the years a target may name
TARGET_YEAR_MIN, TARGET_YEAR_MAX = 2000, 2100


class Target(Base):
    """One unit's target on one indicator for one year."""

    repr_columns = ("unit_id", "indicator", "year", "kind")

    __tablename__ = "targets"
    __table_args__ = (
        CheckConstraint(f"kind IN {TARGET_KINDS!r}", name="kind_known"),
        # a level is a percentage above 0 and at most 100; a rise is 0.1 to 100 points
        CheckConstraint("value > 0 AND value <= 100", name="value_range"),
        CheckConstraint(f"year >= {TARGET_YEAR_MIN} AND year <= {TARGET_YEAR_MAX}", name="year_range"),
        UniqueConstraint("unit_id", "instrument_code", "indicator", "year", name="uq_targets_unit_indicator_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the unit the target is set for (its own responses, as in the report's units table)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: the instrument whose figures count (``sipas-counter``)
    instrument_code: Mapped[str] = mapped_column(String(40))
    #: ``INDEX`` (the SIPAS index), an element code (``E1``) or a criterion code (``E1_seats``)
    indicator: Mapped[str] = mapped_column(String(40))
    #: the calendar year the target is for
    year: Mapped[int]
    #: ``level`` or ``rise`` (TARGET_KINDS)
    kind: Mapped[str] = mapped_column(String(5))
    #: percent for a level (90 = 90 %), percentage points for a rise (5 = +5 points)
    value: Mapped[float] = mapped_column(Float)
    #: why, or the decision that set it (free text for the staff)
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()

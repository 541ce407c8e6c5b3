"""The per-cluster roll-up: what reports read instead of every response.

A cluster (primary sampling unit) is a service point × day, or a surveyor ×
day, within the unit that collected the responses. Every statistic of a
report is a function of per-cluster sums: answers per category of each
indicator question, and the respondent-level shares behind the second
index. ``cluster_rollup`` keeps those sums, one row per cluster, channel and
procedure field, so any period, unit, channel or procedure filter reads
cluster rows, not responses (``app/services/rollup.py``).

Database triggers (migration ``b7d41e9c3a55``) mark the instrument version and
service day of every inserted, deleted or changed response in ``rollup_dirty``, whatever path
wrote it; the next read rebuilds those days first. Nothing about a person
is here: counts per counter and day, as the reports show them anyway.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class RollupLayout(Base):
    """Which sums a roll-up row holds, in which order (from an instrument's active version)."""

    repr_columns = ("instrument_code", "signature")

    __tablename__ = "rollup_layouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the instrument whose responses the rows sum
    instrument_code: Mapped[str] = mapped_column(String(40))
    #: sha256 of ``layout``: a new active version with other items gets a new layout
    signature: Mapped[str] = mapped_column(String(64), unique=True)
    #: JSON: the items and their category codes, the elements (app/services/rollup.py)
    layout: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ClusterRollup(Base):
    """The sums of one cluster's responses with one channel and one procedure field."""

    repr_columns = ("instrument_code", "service_day", "unit_id", "owner")

    __tablename__ = "cluster_rollup"
    __table_args__ = (
        CheckConstraint("responses > 0", name="responses_positive"),
        CheckConstraint("length(counts) % 2 = 0", name="counts_whole"),
        CheckConstraint("length(shares) % 8 = 0", name="shares_whole"),
    )

    instrument_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    #: the cluster within the unit: the service point's id, minus the
    #: surveyor's id for a tablet interview, 0 for neither
    owner: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: the procedure-field answer, -1 when there is none
    procedure: Mapped[int] = mapped_column(Integer, primary_key=True)
    layout_id: Mapped[int] = mapped_column(ForeignKey("rollup_layouts.id"))
    responses: Mapped[int] = mapped_column(Integer)
    #: answers per (item, category), little-endian int16, in the layout's order
    counts: Mapped[bytes] = mapped_column(LargeBinary)
    #: per element and for the overall index: respondents with a share, the
    #: sum of shares and of squared shares; little-endian float64
    shares: Mapped[bytes] = mapped_column(LargeBinary)


class RollupDirty(Base):
    """A service day of an instrument version whose roll-up rows must be rebuilt before the next read."""

    repr_columns = ("instrument_version_id", "service_day")

    __tablename__ = "rollup_dirty"

    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)


class MonthMomentsRow(Base):
    """A unit's sums over one month of its roll-up rows (``app/services/month_moments.py``).

    ``channel`` -1 sums every channel; a channel's own row exists where the
    unit's month holds more than one channel (``channels``, a bit per
    channel of :data:`app.models.CHANNELS`, says which the all-channel row holds).
    """

    repr_columns = ("instrument_code", "unit_id", "month", "channel")

    __tablename__ = "month_moments"
    __table_args__ = (
        CheckConstraint("responses > 0", name="responses_positive"),
        CheckConstraint("length(sums) % 8 = 0", name="sums_whole"),
        CheckConstraint("channel >= -1", name="channel_known"),
    )

    instrument_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    channel: Mapped[int] = mapped_column(Integer, primary_key=True)
    layout_id: Mapped[int] = mapped_column(ForeignKey("rollup_layouts.id"))
    channels: Mapped[int] = mapped_column(Integer)
    responses: Mapped[int] = mapped_column(Integer)
    #: little-endian float64, in the order of app.services.month_moments.MomentsLayout
    sums: Mapped[bytes] = mapped_column(LargeBinary)


class CounterDayCount(Base):
    """A counter's responses of one day and unit (counter channels, any status), and those the
    flags mark: a flag bit, or answers identical to another response of the counter and day
    (``app/services/flag_counts.py``). ``units``: the units the counter-day holds responses of."""

    repr_columns = ("instrument_code", "service_day", "service_point_id", "unit_id")

    __tablename__ = "counter_day_counts"
    __table_args__ = (
        CheckConstraint("responses > 0", name="responses_positive"),
        CheckConstraint("marked >= 0 AND marked <= responses", name="marked_within"),
        CheckConstraint("units > 0", name="units_positive"),
    )

    instrument_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer)
    marked: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)

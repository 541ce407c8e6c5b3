"""Time as the provinces count it: Vietnam has one time zone, UTC+7, all year.

A response belongs to the local *service day* it was given on; reports,
audit logs and file names show local time. Moments are stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

#: Indochina Time, UTC+7 (no daylight saving)
VIETNAM = timezone(timedelta(hours=7), "ICT")


def vietnam_today() -> date:
    """Today's date in Vietnam."""
    return datetime.now(VIETNAM).date()


def service_day_of(moment: datetime) -> date:
    """The local Vietnamese date of a moment (naive values are taken as UTC)."""
    return _aware(moment).astimezone(VIETNAM).date()


def local_text(moment: datetime) -> str:
    """A moment as Vietnamese local time, ``dd/mm/yyyy HH:MM``."""
    return f"{_aware(moment).astimezone(VIETNAM):%d/%m/%Y %H:%M}"


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; the app stores UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment

"""Report periods for tests whose data lies in the last few weeks, whatever
day the suite runs (on 1 January the current year holds no day before today)."""

from __future__ import annotations

from datetime import timedelta

from app.time import vietnam_today

_TODAY = vietnam_today()
_LAST_MONTH = _TODAY.replace(day=1) - timedelta(days=1)

#: the previous and the current month, whole (a custom period runs over whole
#: months): it holds the last 28 days on any day of the year
RECENT = f"period=custom&date={_LAST_MONTH:%Y-%m}&end={_TODAY:%Y-%m}"

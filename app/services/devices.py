"""Salted, daily-rotating device tags against ballot-stuffing.

A browser that opens a counter's form gets a random device id in a cookie
(nothing else: no IP address, no user agent), until the end of the day;
the form's signed nonce names the same id, and a POST without that cookie
is refused (app/services/form_nonce.py), so every QR response has a tag. A response stores only
``HMAC(key of the day, device id | counter)``: it lets the app refuse the
same phone sending form after form for one counter on one day, yet two tags
of different days or counters cannot be linked to each other, and without
the cookie (which stays on the person's phone) a tag cannot be linked to
anyone. The key of a day is derived from the secret key and the date, so it
rotates at midnight (Vietnam time) with nothing to store or purge. The
day's limit per tag is checked as a response is stored
(:func:`app.services.submissions.response_submit`, on the index
``ix_responses_point_day_device``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import date, datetime, time, timedelta

from app.time import VIETNAM

#: The cookie that holds the random device id.
COOKIE = "thiet_bi"
DEVICE_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def device_id_new() -> str:
    """A fresh random device id (128 bits)."""
    return secrets.token_urlsafe(16)


def cookie_max_age(now: datetime) -> int:
    """Seconds from ``now`` to the end of its service day (midnight, Vietnam
    time): the device cookie ends with the day, as its tags do, so a phone
    carries nothing from one day's responses into the next (issue 15.6)."""
    local = now.astimezone(VIETNAM)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(), VIETNAM)
    return max(1, int((midnight - local).total_seconds()))


def device_id_valid(value: str | None) -> bool:
    return bool(value) and DEVICE_RE.match(value) is not None


def device_tag(secret_key: str | bytes, device_id: str, service_point_id: int, day: date) -> str:
    """The tag stored with a response: 32 hex digits, unlinkable across days and counters."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    day_key = hmac.new(secret, f"device-tag|{day.isoformat()}".encode(), hashlib.sha256).digest()
    return hmac.new(day_key, f"{device_id}|{service_point_id}".encode(), hashlib.sha256).hexdigest()[:32]


def device_tags_forget(session, today: date) -> int:
    """Set the device tag of every response of a service day before ``today``
    to NULL (issue 15.6): once its day is over a tag has done its work (the
    day's limit), and whoever held the secret key and a phone's cookie could
    otherwise find that phone's responses. Returns how many were cleared.
    Run daily by ``flask forget-device-tags`` and at every ``flask migrate``."""
    from sqlalchemy import update

    from app.models import Response

    result = session.execute(
        update(Response)
        .where(Response.device_tag.is_not(None), Response.service_day < today)
        .values(device_tag=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0

"""Kiosk mode: a tablet at the counter that citizens share (channel ``kiosk``).

One phone, one answer per visit: the QR form limits a device to
``DEVICE_DAILY_MAX`` forms a day at a counter. A shared tablet answers for
many people, so it must go without that limit, and therefore must not be
something anyone can claim to be. An administrator gives the tablet a kiosk
link (``flask kiosk-url --token T``) holding a key signed with the secret
key for that counter; opening it keeps the key in a cookie on the tablet
(path ``/s/<token>``), and the form's nonce then says "kiosk". A POST whose
nonce says kiosk without the tablet's key is refused like a missing cookie.
Kiosk responses get the same submission flags as QR ones (fill time,
opening hours, straight-lining) and are counted in the counter-day flags
(app/services/anomalies/). The page resets after each response and after
inactivity (static/js/kiosk.js). No Flask here.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

#: the tablet's cookie holding the counter's kiosk key
COOKIE = "quay_kiosk"
#: a kiosk stays one until an administrator changes the secret key; a year
COOKIE_MAX_AGE = 365 * 24 * 3600
#: seconds without a touch before the kiosk form starts again blank
IDLE_SECONDS = 90
#: seconds the thank-you page stays before the next person's form
THANKS_SECONDS = 8


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="counter-kiosk")


def kiosk_key_issue(secret_key: str, service_point_id: int) -> str:
    """The key that makes a browser the kiosk of a counter."""
    return _serializer(secret_key).dumps({"p": service_point_id})


def kiosk_key_valid(secret_key: str, key: str | None, service_point_id: int) -> bool:
    if not key:
        return False
    try:
        data = _serializer(secret_key).loads(key)
    except BadSignature:
        return False
    return isinstance(data, dict) and data.get("p") == service_point_id

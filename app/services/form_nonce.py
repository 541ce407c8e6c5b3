"""The citizen form's signed one-time nonce.

The form is public and anonymous, so instead of a session-bound CSRF token
it carries a signed nonce: it names the service point, holds the
response's client UUID, the time the form was opened and the device id
the server gave the browser in its cookie (app/services/devices.py).
Storing a response consumes the UUID (a unique constraint), so a double
tap, a back-and-resubmit or a replayed POST stores one response; a POST
whose device cookie is not the one the nonce names is refused
(:func:`app.services.citizen_submit.citizen_submit`), so a script cannot
shed its device tag, and with it the day's limit, by dropping the cookie.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

#: A citizen may leave the form open while waiting at the counter.
NONCE_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class Nonce:
    service_point_id: int
    client_uuid: uuid.UUID
    opened_at: datetime
    #: the device id issued with the form; None in a nonce issued before
    #: nonces carried one (refused like a missing cookie)
    device_id: str | None = None
    #: issued to a counter's kiosk (app/services/kiosk.py): channel ``kiosk``
    kiosk: bool = False


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="citizen-form-nonce")


def nonce_issue(secret_key: str, service_point_id: int, device_id: str, *, kiosk: bool = False) -> str:
    """A fresh nonce for a form of ``service_point_id`` opened by the browser
    whose device cookie holds ``device_id`` (the counter's kiosk: ``kiosk``)."""
    data = {"p": service_point_id, "u": uuid.uuid4().hex, "d": device_id}
    if kiosk:
        data["k"] = 1
    return _serializer(secret_key).dumps(data)


def nonce_read(secret_key: str, token: str, service_point_id: int) -> Nonce | None:
    """The nonce's content, or None if it is forged, for another counter or too old."""
    try:
        data, signed_at = _serializer(secret_key).loads(token, max_age=NONCE_MAX_AGE, return_timestamp=True)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or data.get("p") != service_point_id:
        return None
    try:
        client_uuid = uuid.UUID(hex=str(data.get("u")))
    except ValueError:
        return None
    device_id = data.get("d")
    return Nonce(
        service_point_id,
        client_uuid,
        signed_at.astimezone(UTC),
        device_id if isinstance(device_id, str) else None,
        data.get("k") == 1,
    )

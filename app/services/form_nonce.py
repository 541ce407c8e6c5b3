"""The citizen form's signed one-time nonce.

The form is public and anonymous, so instead of a session-bound CSRF token
it carries a signed nonce: it names the service point, holds the
response's client UUID and the time the form was opened. Storing a
response consumes the UUID (a unique constraint), so a double tap, a
back-and-resubmit or a replayed POST stores one response.
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


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="citizen-form-nonce")


def nonce_issue(secret_key: str, service_point_id: int) -> str:
    return _serializer(secret_key).dumps({"p": service_point_id, "u": uuid.uuid4().hex})


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
    return Nonce(service_point_id, client_uuid, signed_at.astimezone(UTC))

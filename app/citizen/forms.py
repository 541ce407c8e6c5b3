"""Parsing and protecting the citizen form.

The form is public and anonymous, so instead of a session-bound CSRF token
it carries a signed one-time nonce: it names the service point, holds the
response's client UUID and the time the form was opened. Storing a
response consumes the UUID (a unique constraint), so a double tap, a
back-and-resubmit or a replayed POST stores one response.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.refusals import Refused

#: A citizen may leave the form open while waiting at the counter.
NONCE_MAX_AGE = 24 * 3600
MAX_FIELDS = 200
FORM_TYPES = ("application/x-www-form-urlencoded",)


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


def form_fields(content_type: str | None, body: bytes) -> dict[str, str]:
    """Decode an urlencoded body strictly.

    Werkzeug would replace invalid UTF-8 with U+FFFD and store mangled
    Vietnamese silently; the person should instead be told.
    """
    mimetype = (content_type or "").split(";")[0].strip().lower()
    if mimetype not in FORM_TYPES:
        raise Refused("error.content_type", 415)
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError as exc:
        raise Refused("error.encoding", 400) from exc
    except ValueError as exc:  # too many fields
        raise Refused("error.bad_request", 400) from exc
    fields: dict[str, str] = {}
    for key, value in pairs:
        # A repeated field is ambiguous; keep the first so a crafted body
        # cannot smuggle a second answer past the validator.
        fields.setdefault(key, value)
    return fields

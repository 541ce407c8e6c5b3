"""Parsing the citizen form's body (its signed nonce: :mod:`app.services.form_nonce`)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from app.refusals import Refused

MAX_FIELDS = 200
FORM_TYPES = ("application/x-www-form-urlencoded",)


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

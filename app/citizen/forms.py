"""Parsing the citizen form's body (its signed nonce: :mod:`app.services.form_nonce`)."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import parse_qsl

from app.refusals import Refused

MAX_FIELDS = 200
FORM_TYPES = ("application/x-www-form-urlencoded",)


def form_fields(content_type: str | None, body: bytes, multi: Collection[str] = ()) -> dict[str, str | list[str]]:
    """Decode an urlencoded body strictly.

    Werkzeug would replace invalid UTF-8 with U+FFFD and store mangled
    Vietnamese silently; the person should instead be told.

    Parameters
    ----------
    multi : collection of str
        The multi-select questions' codes (:func:`surveys.packed_multi`):
        their check boxes send one field each, so every value is kept, as a
        list. Any other repeated field keeps its first value only, so a
        crafted body cannot smuggle a second answer past the validator.
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
    fields: dict[str, str | list[str]] = {}
    for key, value in pairs:
        if key in multi:
            chosen = fields.setdefault(key, [])
            assert isinstance(chosen, list)
            chosen.append(value)
        else:
            fields.setdefault(key, value)
    return fields

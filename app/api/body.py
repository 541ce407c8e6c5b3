"""Reading a JSON request body strictly.

Werkzeug's ``request.get_json`` would accept other encodings, decode
invalid UTF-8 with replacement characters, take the last of two equal keys
and let ``NaN`` through. The API instead refuses each of these with a
clear message and a 4xx, never a 5xx.
"""

from __future__ import annotations

import json
from typing import Any

JSON_TYPES = ("application/json",)


class BodyError(ValueError):
    """The body is refused: ``message_key`` names the i18n text, ``status``
    the HTTP status, ``values`` fill the text's placeholders."""

    def __init__(self, message_key: str, status: int, **values: object):
        super().__init__(message_key)
        self.message_key = message_key
        self.status = status
        self.values = values


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body(content_type: str | None, body: bytes) -> Any:
    """Decode a JSON body (RFC 8259: UTF-8, no duplicate keys, no NaN).

    Raises
    ------
    BodyError
        415 for another content type or charset, 400 for invalid UTF-8 or
        invalid JSON.
    """
    mimetype, _, params = (content_type or "").partition(";")
    if mimetype.strip().lower() not in JSON_TYPES:
        raise BodyError("api.content_type", 415)
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise BodyError("api.content_type", 415)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError("api.encoding", 400) from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise BodyError("api.json", 400, line=exc.lineno, column=exc.colno) from exc
    except (ValueError, RecursionError) as exc:  # duplicate key, NaN, huge number, absurd nesting
        raise BodyError("api.json_value", 400) from exc

"""Reading a JSON request body strictly.

Werkzeug's ``request.get_json`` would accept other encodings, decode
invalid UTF-8 with replacement characters, take the last of two equal keys
and let ``NaN`` through. The API instead refuses each of these with a
clear message and a 4xx, never a 5xx.
"""

from __future__ import annotations

import json
from typing import Any

from app.refusals import Refused

JSON_TYPES = ("application/json",)


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
    Refused
        415 for another content type or charset, 400 for invalid UTF-8 or
        invalid JSON.
    """
    mimetype, _, params = (content_type or "").partition(";")
    if mimetype.strip().lower() not in JSON_TYPES:
        raise Refused("api.content_type", 415)
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise Refused("api.content_type", 415)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused("api.encoding", 400) from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise Refused("api.json", 400, line=exc.lineno, column=exc.colno) from exc
    except (ValueError, RecursionError) as exc:  # duplicate key, NaN, huge number, absurd nesting
        raise Refused("api.json_value", 400) from exc

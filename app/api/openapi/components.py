"""What every part of the API description shares: references to schemas,
the error body and the answers to a caller who may not be there."""

from __future__ import annotations

from typing import Any


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


TEXTS = {
    "type": "object",
    "description": "The same message in Vietnamese and English.",
    "properties": {"vi": {"type": "string"}, "en": {"type": "string"}},
    "required": ["vi", "en"],
}

#: the schemas every path refers to
COMMON_SCHEMAS: dict[str, Any] = {
    "Texts": TEXTS,
    "Error": {
        "type": "object",
        "description": "Every refusal of a whole request has this body (never an HTML page).",
        "properties": {
            "error": {"type": "string", "description": "A stable code, e.g. unsupported_media_type, invalid_json."},
            "message": {"type": "string", "description": "In the caller's language (?lang=, cookie, default vi)."},
            "messages": ref("Texts"),
        },
        "required": ["error", "message"],
    },
}

AUTH = [{"session": []}, {"bearer": []}]
UNAUTHORIZED = error("Not signed in and no valid bearer token.")
FORBIDDEN = error("Signed in, but the role may not use this (surveyors only).")

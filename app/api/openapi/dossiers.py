"""``POST /api/v1/dossiers``: a one-stop-shop's software registers
dossiers and gets each one's one-time code."""

from __future__ import annotations

from typing import Any

from app.api.openapi.components import UNAUTHORIZED, error, ref
from app.services.dossier_codes import DOSSIER_RE
from app.services.dossier_register import MAX_DAYS, MAX_DOSSIERS
from app.services.verified import CODE_DAYS

DOSSIER_SCHEMAS: dict[str, Any] = {
    "Dossier": {
        "type": "object",
        "description": (
            "A dossier received at a counter. Only the number as printed on the receipt: nothing about the "
            "citizen. The number is kept as a keyed hash, never as sent."
        ),
        "properties": {
            "service_point_id": {
                "type": "integer",
                "minimum": 1,
                "description": "The counter's id (from the administrator).",
            },
            "dossier": {"type": "string", "pattern": DOSSIER_RE.pattern, "description": "The receipt number."},
            "expires": {
                "type": "string",
                "format": "date",
                "description": f"Last day the code is good, today to {MAX_DAYS} days on; default today + {CODE_DAYS}.",
            },
        },
        "required": ["service_point_id", "dossier"],
    },
    "DossierResult": {
        "type": "object",
        "properties": {
            "index": {"type": "integer"},
            "service_point_id": {"type": ["integer", "null"]},
            "dossier": {"type": ["string", "null"]},
            "status": {
                "enum": ["created", "existing", "renewed", "invalid", "forbidden"],
                "description": (
                    "existing: registered before, the same code again (the first registration's expiry). "
                    "renewed: registered before and that code has expired: a fresh code with a new expiry. "
                    "forbidden: the counter is unknown, retired or not in the caller's units."
                ),
            },
            "http_status": {
                "type": "integer",
                "description": "201 (created, renewed), 200, 422 or 403: the status the item would have alone.",
            },
            "code": {"type": "string", "description": "The one-time code (docs/integrity.md, section 3)."},
            "expires": {"type": "string", "format": "date"},
            "url": {"type": "string", "description": "The form the code opens: print it as the receipt's QR code."},
            "message": {"type": "string"},
            "messages": ref("Texts"),
        },
        "required": ["index", "status", "http_status"],
    },
}


DOSSIERS: dict[str, Any] = {
    "post": {
        "summary": "Register dossiers of the caller's counters; get each one's one-time code and form URL",
        "description": (
            "For a unit's one-stop-shop software that prefers asking to signing codes itself. Needs a bearer "
            "token of scope `dossiers` (`flask --app wsgi api-token --username U --scope dossiers`, for an "
            "active unit manager: the token registers dossiers of counters in that manager's unit and the "
            "units below it, and can do nothing else), or a signed-in unit manager or administrator. "
            "Idempotent: the same dossier at the same counter gives the same code again (status existing) "
            "while it is good, a fresh one once it has expired (status renewed). "
            "Each code opens the counter's form once: one response per dossier. Registered dossiers count "
            "as the counter's dossiers in the response rate for months with no imported count. Items are "
            "independent: HTTP 200 with one result per item, in order."
        ),
        "security": [{"bearer": []}, {"session": []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "dossiers": {"type": "array", "maxItems": MAX_DOSSIERS, "items": ref("Dossier")}
                        },
                        "required": ["dossiers"],
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "One result per dossier.",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "results": {"type": "array", "items": ref("DossierResult")},
                                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                            },
                        }
                    }
                },
            },
            "400": error("Invalid UTF-8 or JSON, or no dossiers array (error invalid_batch)."),
            "401": UNAUTHORIZED,
            "403": error("The token's scope is not dossiers, or the role may not register dossiers."),
            "413": error(f"More than {MAX_DOSSIERS} dossiers, or the body over the limit."),
            "415": error("Content-Type is not application/json (UTF-8)."),
            "429": error("Too many requests for this account (RATELIMIT_API_DOSSIERS); retry later."),
            "503": error("Database unavailable: nothing was stored; retry later (Retry-After)."),
        },
    }
}

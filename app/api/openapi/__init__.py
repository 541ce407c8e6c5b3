"""The OpenAPI 3.1 description of ``/api/v1``, built from the constants the
code enforces so the document cannot drift from the behaviour.

The description is assembled here from one module per group of paths.
"""

from __future__ import annotations

from typing import Any

from app.api.openapi.components import COMMON_SCHEMAS
from app.api.openapi.dossiers import DOSSIER_SCHEMAS, DOSSIERS
from app.api.openapi.indicators import INDICATORS
from app.api.openapi.interviews import INTERVIEW_PATHS, INTERVIEW_SCHEMAS


def openapi_document(server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``/api/v1`` at ``server_url``."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Khảo sát sự hài lòng – API v1",
            "version": "1.0.0",
            "description": (
                "For surveyors' tablets and integrations. Authenticate with the signed-in session "
                "(every POST must send the page's CSRF token in the X-CSRFToken header; GET "
                "/api/v1/session returns a fresh one) or with a bearer token made by "
                "`flask --app wsgi api-token --username U` (no CSRF token needed). Messages are in "
                "Vietnamese by default; ?lang=en for English; `messages` always holds both."
            ),
        },
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {**COMMON_SCHEMAS, **INTERVIEW_SCHEMAS, **DOSSIER_SCHEMAS},
        },
        "paths": {
            "/api/v1/indicators": INDICATORS,
            "/api/v1/dossiers": DOSSIERS,
            **INTERVIEW_PATHS,
        },
    }

"""The JSON API ``/api/v1`` for surveyors' tablets and integrations,
described by the OpenAPI document at ``/api/v1/openapi.json``."""

from app.api import cli as _cli  # noqa: F401  (registers `flask api-token` on the blueprint)
from app.api.routes import bp

__all__ = ["bp"]

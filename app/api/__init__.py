"""The JSON API ``/api/v1`` for surveyors' tablets and integrations,
described by the OpenAPI document at ``/api/v1/openapi.json``."""

from app.api.routes import bp

__all__ = ["bp"]

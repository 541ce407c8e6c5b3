"""The citizen's QR form: ``/s/<token>``."""

from app.citizen.routes import bp

__all__ = ["bp"]

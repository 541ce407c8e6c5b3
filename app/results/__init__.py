"""The public results page ``/ket-qua`` and its open data: no sign-in."""

from app.results.routes import bp

__all__ = ["bp"]

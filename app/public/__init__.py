"""Public pages that belong to no audience in particular (home, health)."""

from app.public.routes import bp

__all__ = ["bp"]

"""Staff sign-in, sign-out, password change and the account page."""

from app.auth.routes import bp

__all__ = ["bp"]

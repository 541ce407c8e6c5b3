"""The surveyor's tablet app: assignments, the interview, the queue of
interviews waiting to be sent. Works offline once loaded (``static/sw.js``)."""

from app.surveyor.routes import bp

__all__ = ["bp"]

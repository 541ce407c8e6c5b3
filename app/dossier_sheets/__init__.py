"""Printed slips of one-time dossier codes under ``/ma-ho-so`` (issue 16.3)
for counters without one-stop-shop software: a unit manager prints them for
the counters of their own units, an administrator for any counter."""

from app.dossier_sheets.routes import bp

__all__ = ["bp"]

"""Administration: units, service points and QR posters, accounts,
instrument versions, response review and the audit log (``/quan-tri``)."""

from app.admin import assignments, dossiers, people, points, records, units  # noqa: F401  (their views register on bp)
from app.admin.routes import bp

__all__ = ["bp"]

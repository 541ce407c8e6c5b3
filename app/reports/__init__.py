"""Reports for the Sở Nội vụ: the dashboard, downloads and report commands."""

from app.reports.routes import bp

__all__ = ["bp"]

"""Targets (chỉ tiêu) under ``/chi-tieu``: administrators set them, analysts
and administrators read the progress and download the year-end classification."""

from app.targets.routes import bp

__all__ = ["bp"]

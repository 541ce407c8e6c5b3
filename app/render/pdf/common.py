"""Small helpers shared by the PDF report's sections: the opening pages
(:mod:`app.render.pdf.summary`), the tables
(:mod:`app.render.pdf.tables`) and the charts
(:mod:`app.render.pdf.charts`).

In a module of their own so that each imports them from one place and none
has to import another's internals.
"""

from __future__ import annotations

from app.render.pdf.document import Document
from app.render.pdf.text import CORRECTIONS, DASH, L
from app.services.reports.model import Report, SummaryLine

__all__ = ["UNRELIABLE", "confidence_level", "legend_values", "summary_line", "tr"]

UNRELIABLE = (140, 140, 140)


def tr(pdf: Document, key: str, **values: object) -> str:
    text = L[key].get(pdf.lang)
    return text.format(**values) if values else text


def confidence_level(report: Report) -> str:
    return f"{(1 - report.alpha) * 100:g}"


def legend_values(report: Report) -> dict[str, object]:
    return {
        "level": confidence_level(report),
        "reliable": report.thresholds.reliable_min,
        "disclosure": report.thresholds.disclosure_min,
        "correction": CORRECTIONS.get(report.correction, report.correction),
        "dash": DASH,
    }


def summary_line(report: Report, key: str) -> SummaryLine | None:
    return next((s for s in report.summary if s.key == key), None)

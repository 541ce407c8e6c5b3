"""Small helpers shared by the PDF report's sections: the opening pages
(:mod:`app.render.pdf.summary`), the tables
(:mod:`app.render.pdf.tables`) and the charts
(:mod:`app.render.pdf.charts`).

In a module of their own so that each imports them from one place and none
has to import another's internals.
"""

from __future__ import annotations

from app import numbers
from app.render.pdf.document import Document
from app.render.pdf.text import DASH
from app.services.reports.labels import correction_label
from app.services.reports.model import Report, SummaryLine
from app.texts import texts

__all__ = ["UNRELIABLE", "confidence_level", "legend_values", "summary_line", "tr"]

UNRELIABLE = (140, 140, 140)


def tr(pdf: Document, key: str, **values: object) -> str:
    """The text of ``key`` in the document's language."""
    return texts(key, pdf.lang, **values)


def confidence_level(report: Report, lang: str) -> str:
    """The confidence level in percent, "95" (or "99,8" in Vietnamese)."""
    return numbers.decimal((1 - report.alpha) * 100, lang, None)


def legend_values(report: Report, lang: str) -> dict[str, object]:
    return {
        "level": confidence_level(report, lang),
        "reliable": report.thresholds.reliable_min,
        "disclosure": report.thresholds.disclosure_min,
        "correction": correction_label(report.correction).get(lang),
        "dash": DASH,
    }


def summary_line(report: Report, key: str) -> SummaryLine | None:
    return next((s for s in report.summary if s.key == key), None)

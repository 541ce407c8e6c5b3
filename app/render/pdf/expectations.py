"""The expectations section of the PDF: which improvements citizens want
most, each option's share among the respondents who answered, with its interval."""

from __future__ import annotations

from app.render.charts.style import INK
from app.render.pdf.common import UNRELIABLE, confidence_level, tr
from app.render.pdf.document import Document, fast_table
from app.render.pdf.text import DASH, count, figure_text, interval
from app.services.reports.model import Report

__all__ = ["expectations_write"]


def expectations_write(pdf: Document, report: Report) -> None:
    """The options, most chosen first, then how the shares were estimated;
    nothing when the instrument has no expectations question."""
    e = report.expectations
    if e is None:
        return
    pdf.heading(tr(pdf, "rep.expectations"), need=50)
    pdf.note(e.text.get(pdf.lang), size=8.5, color=INK)
    if e.answered == 0:
        pdf.note(tr(pdf, "rep.expectations_none"))
    elif e.answered is not None:  # None: fewer than the disclosure threshold, not told
        pdf.note(tr(pdf, "rep.expectations_answered", answered=count(e.answered, pdf.lang),
                    responses=count(e.responses, pdf.lang)))  # fmt: skip
    level = confidence_level(report, pdf.lang)
    headings = [tr(pdf, "rep.option"), tr(pdf, "rep.share"), tr(pdf, "pdf.interval", level=level),
                tr(pdf, "rep.chosen"), "n"]  # fmt: skip
    widths = (pdf.content_w - 22 - 30 - 24 - 16, 22, 30, 24, 16)
    # most chosen first (the scale's order among equals); hidden shares keep the scale's order
    lines = sorted(e.lines, key=lambda x: -(x.figure.estimate or 0.0))
    rows = []
    for line in lines:
        f = line.figure
        color = UNRELIABLE if not f.reliable else INK
        bounds = interval(f.lower, f.upper, pdf.lang) if f.estimate is not None else ""
        rows.append([
            (pdf.clean(line.label.get(pdf.lang)), "", INK),
            (figure_text(f, pdf.lang), "", color),
            (bounds, "", color),
            (DASH if line.chosen is None else count(line.chosen, pdf.lang), "", color),
            (count(f.n, pdf.lang) if f.n else DASH, "", color),
        ])  # fmt: skip
    fast_table(pdf, widths, ("L", "R", "C", "R", "R"), headings, rows, size=7.5)
    pdf.ln(1.5)
    pdf.note(tr(pdf, "rep.expectations_note", n=report.thresholds.disclosure_min))

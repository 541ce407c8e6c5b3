"""The breakdown section of the PDF (``?by=``): each category's headline index,
overall satisfaction, harassment and informal-payment rates with their intervals.

The perception items are left to the XLSX and CSV, where a column each fits.
"""

from __future__ import annotations

from app.render.charts.style import INK
from app.render.pdf.common import UNRELIABLE, confidence_level, tr
from app.render.pdf.document import Document, fast_table
from app.render.pdf.text import DASH, count, figure_text, interval, verdict_color
from app.services.reports.model import Report

__all__ = ["breakdown_write"]

#: the figures the PDF shows, in this order, where the breakdown has them
PDF_KEYS = ("INDEX", "overall", "harassment", "informal_payment")


def breakdown_write(pdf: Document, report: Report) -> None:
    """The breakdown table, then how it was estimated; nothing when the report has no breakdown."""
    b = report.breakdown
    if b is None:
        return
    pdf.heading(f"{tr(pdf, 'rep.breakdown')}: {pdf.clean(b.title.get(pdf.lang))}", need=40)
    level = confidence_level(report, pdf.lang)
    keys = [(k, label) for k, label in b.keys if k in PDF_KEYS]
    headings = [tr(pdf, "rep.category"), tr(pdf, "pdf.n"), tr(pdf, "rep.clusters")]
    for _, label in keys:
        headings += [pdf.clean(label.get(pdf.lang)), tr(pdf, "pdf.interval", level=level)]
    fixed = 14 + 14 + len(keys) * (16 + 22)
    widths = (pdf.content_w - fixed, 14, 14, *[w for _ in keys for w in (16, 22)])
    aligns = ("L", "R", "R", *["R", "C"] * len(keys))
    rows = []
    for line in [*b.lines, b.total]:
        row = [
            (pdf.clean(line.label.get(pdf.lang)), "B" if line.code == "*" else "", INK),
            (DASH if line.responses is None else count(line.responses, pdf.lang), "", INK),
            (count(line.clusters, pdf.lang), "", INK),
        ]
        for key, _ in keys:
            f = line.figures.get(key)
            grey = UNRELIABLE if f is not None and not f.reliable else verdict_color(f)
            bounds = interval(f.lower, f.upper, pdf.lang) if f is not None and f.estimate is not None else ""
            row += [(figure_text(f, pdf.lang), "", grey), (bounds, "", grey)]
        rows.append(row)
    fast_table(pdf, widths, aligns, headings, rows, size=7.0)
    pdf.ln(1.5)
    th = report.thresholds
    pdf.note(tr(pdf, "rep.breakdown_note", disclosure=th.disclosure_min, clusters=th.min_clusters))

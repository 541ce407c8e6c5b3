"""The PDF's section on the response rate and open against verified QR
responses (issue 16.4), printed only when the report has it."""

from __future__ import annotations

from app.render.charts.style import INK, RED
from app.render.pdf.common import tr
from app.render.pdf.document import Document, fast_table
from app.render.pdf.text import DASH, count, figure_text, interval, pct, points
from app.services.reports.model import RateLine, Report, VerifiedLine

__all__ = ["verified_write"]


def _name(pdf: Document, code: str, name: str) -> str:
    return tr(pdf, "verified.report.all_units") if code == "*" else pdf.clean(f"{name} ({code})")


def _rate_row(pdf: Document, line: RateLine) -> list[tuple[str, str, tuple[int, int, int]]]:
    shown = DASH if line.suppressed else count(line.responses, pdf.lang)
    rate = DASH if line.rate is None else pct(line.rate, pdf.lang)
    bold = "B" if line.code == "*" else ""
    return [(_name(pdf, line.code, line.name), bold, INK), (shown, "", INK),
            (count(line.dossiers, pdf.lang), "", INK), (rate, "B", INK)]  # fmt: skip


def _line_row(pdf: Document, line: VerifiedLine) -> list[tuple[str, str, tuple[int, int, int]]]:
    color = RED if line.flagged else INK
    gap = line.gap
    gap_text = (
        DASH
        if gap is None
        else f"{points(gap.difference, pdf.lang)} ({points(gap.lower, pdf.lang)}; {points(gap.upper, pdf.lang)})"
    )
    shares = {s.level: s for s in line.shares}
    row = [
        (_name(pdf, line.code, line.name), "B" if line.flagged else "", color),
        (figure_text(line.open, pdf.lang), "", INK),
        (interval(line.open.lower, line.open.upper, pdf.lang) if line.open else "", "", INK),
        (figure_text(line.verified, pdf.lang), "", INK),
        (interval(line.verified.lower, line.verified.upper, pdf.lang) if line.verified else "", "", INK),
        (gap_text, "B" if line.flagged else "", color),
        (tr(pdf, "verified.report.flag") if line.flagged else "", "B", color),
        (count(line.ratings, pdf.lang), "", INK),
    ]
    for level in (3, 2, 1):
        share = shares.get(level)
        row.append((DASH if share is None or share.estimate is None else pct(share.estimate, pdf.lang), "", INK))
    return row


def verified_write(pdf: Document, report: Report) -> None:
    """The response rate by unit, then open against verified by unit, with the note."""
    section = report.verified
    assert section is not None
    pdf.heading(tr(pdf, "verified.report.title"))
    rate_heads = [tr(pdf, f"verified.report.{k}") for k in ("unit", "responses", "dossiers", "rate")]
    rates = [_rate_row(pdf, line) for line in [*section.rates, section.total_rate]]
    fast_table(pdf, (110, 30, 30, 30), ("L", "R", "R", "R"), rate_heads, rates, size=7.5)
    pdf.ln(4)
    heads = [
        tr(pdf, "verified.report.unit"),
        tr(pdf, "verified.report.open"),
        "",
        tr(pdf, "verified.report.verified"),
        "",
        tr(pdf, "verified.report.gap"),
        tr(pdf, "verified.report.flagged"),
        tr(pdf, "verified.report.ratings"),
        *(tr(pdf, f"verified.rating.{level}") for level in (3, 2, 1)),
    ]
    fixed = (16, 22, 16, 22, 34, 20, 16, 16, 16, 16)
    widths = (pdf.content_w - sum(fixed), *fixed)
    aligns = ("L", "R", "C", "R", "C", "R", "L", "R", "R", "R", "R")
    rows = [_line_row(pdf, line) for line in [*section.lines, section.total]]
    fast_table(pdf, widths, aligns, heads, rows, size=6.5)
    pdf.ln(1.5)
    pdf.note(tr(pdf, "verified.report.note", gap=round(section.gap_min * 100)))

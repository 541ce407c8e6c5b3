"""The PDF's section on the year's targets: each unit's target, the figure it
is judged on and how it stands, printed only in a year report that has them."""

from __future__ import annotations

from app.render.charts.style import INK, RED
from app.render.pdf.common import tr
from app.render.pdf.document import Document, fast_table
from app.render.pdf.text import DASH, interval, pct, points
from app.services.reports.model import Report, TargetProgress

__all__ = ["targets_write"]


def _goal(pdf: Document, p: TargetProgress) -> str:
    if p.kind == "level":
        return tr(pdf, "tgt.kind_value.level", value=pct(p.value / 100, pdf.lang))
    return tr(pdf, "tgt.kind_value.rise", value=points(p.value / 100, pdf.lang))


def _figure(pdf: Document, p: TargetProgress) -> tuple[str, str]:
    """The figure judged and its interval: the year's estimate (level) or the change (rise)."""
    c = p.classification
    if p.kind == "rise":
        if c.change is None:
            return DASH, ""
        bounds = (
            ""
            if c.change_lower is None
            else f"({points(c.change_lower, pdf.lang)}; {points(c.change_upper, pdf.lang)})"
        )
        return points(c.change, pdf.lang), bounds
    f = p.current
    if f is None or f.estimate is None or f.suppressed:
        return DASH, ""
    return pct(f.estimate, pdf.lang), interval(f.lower, f.upper, pdf.lang)


def _row(pdf: Document, p: TargetProgress) -> list[tuple[str, str, tuple[int, int, int]]]:
    c = p.classification
    color = RED if c.status == "not_met" else INK
    status = tr(pdf, f"tgt.status.{c.status}")
    if c.reason:
        status += f" ({tr(pdf, f'tgt.reason.{c.reason}')})"
    figure, bounds = _figure(pdf, p)
    return [
        (pdf.clean(f"{p.unit_name} ({p.unit_code})"), "", INK),
        (pdf.clean(p.indicator_label.get(pdf.lang)), "", INK),
        (_goal(pdf, p), "", INK),
        (figure, "", INK),
        (bounds, "", INK),
        (status, "B" if c.status in ("met", "not_met") else "", color),
    ]


def targets_write(pdf: Document, report: Report) -> None:
    """The targets of the report's year, as the dashboard's card lists them, with the rule."""
    pdf.heading(f"{tr(pdf, 'tgt.title')} {report.period.start.year}")
    heads = [tr(pdf, "rep.unit"), tr(pdf, "tgt.indicator"), tr(pdf, "tgt.target"), tr(pdf, "tgt.judged"), "",
             tr(pdf, "tgt.classification")]  # fmt: skip
    fixed = (50, 28, 16, 26, 44)
    widths = (pdf.content_w - sum(fixed), *fixed)
    rows = [_row(pdf, p) for p in report.targets]
    fast_table(pdf, widths, ("L", "L", "L", "R", "C", "L"), heads, rows, size=6.5)
    pdf.ln(1.5)
    pdf.note(tr(pdf, "tgt.rule.short"))

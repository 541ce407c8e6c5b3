"""The report's opening pages: the cover, with the headline figures as
tiles, and the summary table of every indicator with its change since the
previous period.

Both show the report's summary lines (:attr:`~app.services.reports.model.Report.summary`)
and colour a significant change green or red by whether higher is better;
the rest of the document is assembled in :mod:`app.render.pdf.report`.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from app.render.charts.style import FONT, GREEN, GREY, INK, NAVY, RED
from app.render.pdf.common import confidence_level, legend_values, summary_line, tr
from app.render.pdf.document import LIGHT, Document, table_style
from app.render.pdf.text import DASH, count, figure_text, interval, points, snapshot
from app.services.reports.model import Report, SummaryLine

__all__ = ["cover_write", "findings_write", "summary_write"]


def cover_write(pdf: Document, report: Report) -> None:
    """The cover page: what the report covers, when the data were taken and the
    headline figures as tiles."""
    lang = pdf.lang
    pdf.portrait()
    pdf.set_y(30)
    pdf.set_font(FONT, "B", 13)
    pdf.set_text_color(*NAVY)
    pdf.multi_cell(0, 6, tr(pdf, "pdf.department"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(0.4)
    pdf.line(pdf.w / 2 - 20, pdf.get_y() + 2, pdf.w / 2 + 20, pdf.get_y() + 2)
    pdf.set_y(62)
    pdf.set_font(FONT, "B", 24)
    pdf.multi_cell(0, 11, pdf.clean(report.title.get(lang)), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FONT, "", 13)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 6.5, pdf.clean(report.instrument_title.get(lang)), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*NAVY)
    pdf.multi_cell(0, 8, report.period.label(lang), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    rows = [
        (tr(pdf, "pdf.period"), report.period.label(lang)),
        (tr(pdf, "pdf.previous"), report.previous.label(lang)),
        *[(label.get(lang), value.get(lang)) for label, value in report.filters],
        (tr(pdf, "pdf.responses"), count(report.responses, lang)),
        (tr(pdf, "pdf.snapshot"), f"{snapshot(report.generated_at)} (UTC+7)"),
        (tr(pdf, "pdf.instrument"), report.instrument_key),
    ]
    pdf.set_y(max(pdf.get_y() + 10, 118))
    pdf.set_font(FONT, "", 9.5)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=(55, 95),
        width=150,
        first_row_as_headings=False,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        text_align=("LEFT", "LEFT"),
        line_height=5,
        padding=(1.2, 2),
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(pdf.clean(label), style=FontFace(color=GREY))
            row.cell(pdf.clean(value), style=FontFace(emphasis="BOLD", color=INK))

    pdf.set_y(max(pdf.get_y() + 10, 200))
    headline = [s for s in (summary_line(report, k) for k in ("INDEX", "harassment", "informal_payment")) if s]
    if headline:
        _tiles(pdf, report, headline)
    pdf.set_y(pdf.h - 32)
    pdf.note(tr(pdf, "pdf.cover_note", level=confidence_level(report, pdf.lang)), size=8)


def _tiles(pdf: Document, report: Report, lines: Sequence[SummaryLine]) -> None:
    gap, top = 5.0, pdf.get_y()
    width = (pdf.content_w - gap * (len(lines) - 1)) / len(lines)
    for i, line in enumerate(lines):
        x = pdf.l_margin + i * (width + gap)
        pdf.set_fill_color(*LIGHT)
        pdf.rect(x, top, width, 40, style="F")
        pdf.set_xy(x + 3, top + 3)
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(width - 6, 4, pdf.clean(line.label.get(pdf.lang)), align="C")
        figure = line.current
        pdf.set_xy(x, top + 14)
        pdf.set_font(FONT, "B", 20)
        pdf.set_text_color(*NAVY)
        pdf.cell(width, 10, figure_text(figure, pdf.lang), align="C")
        pdf.set_xy(x, top + 25)
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(*GREY)
        pdf.cell(width, 4, interval(figure.lower, figure.upper, pdf.lang) if figure else "", align="C")
        change = line.change
        if change is not None:
            pdf.set_xy(x, top + 31)
            good = (change.difference > 0) == line.higher_is_better
            pdf.set_text_color(*((GREEN if good else RED) if change.significant else GREY))
            marker = ("▲ " if change.difference > 0 else "▼ ") if change.significant else ""
            pdf.cell(
                width,
                4,
                marker + tr(pdf, "pdf.change_vs_previous", change=points(change.difference, pdf.lang)),
                align="C",
            )
    pdf.set_y(top + 44)


def findings_write(pdf: Document, report: Report) -> None:
    """The plain-language findings, one bullet each, before any table."""
    pdf.heading(tr(pdf, "pdf.s_findings"))
    pdf.set_font(FONT, "", 9.5)
    pdf.set_text_color(*INK)
    for finding in report.findings:
        pdf.multi_cell(0, 5, "•  " + pdf.clean(finding.get(pdf.lang)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    pdf.ln(3)


def summary_write(pdf: Document, report: Report) -> None:
    """Every indicator with its interval, previous value and change, then the legend."""
    pdf.heading(tr(pdf, "pdf.s_summary"))
    level = confidence_level(report, pdf.lang)
    headings = [
        tr(pdf, "pdf.indicator"),
        tr(pdf, "pdf.estimate"),
        tr(pdf, "pdf.interval", level=level),
        tr(pdf, "pdf.n"),
        tr(pdf, "pdf.prev_value"),
        tr(pdf, "pdf.change"),
    ]
    with pdf.table(
        col_widths=(68, 16, 24, 14, 16, 42),
        width=pdf.content_w,
        text_align=("LEFT", "RIGHT", "CENTER", "RIGHT", "RIGHT", "CENTER"),
        **table_style(pdf, 8.5),
    ) as table:
        table.row(headings)
        elements_started = False
        for i, line in enumerate(report.summary):
            if i >= 4 and not elements_started:
                elements_started = True
                table.row().cell(
                    tr(pdf, "pdf.elements"), colspan=6, style=FontFace(emphasis="BOLD", color=NAVY, fill_color=LIGHT)
                )
            cur, prev, change = line.current, line.previous, line.change
            row = table.row()
            bold = FontFace(emphasis="BOLD") if line.key == "INDEX" else None
            row.cell(pdf.clean(line.label.get(pdf.lang)), style=bold)
            row.cell(figure_text(cur, pdf.lang), style=bold)
            row.cell(interval(cur.lower, cur.upper, pdf.lang) if cur else "")
            row.cell(count(cur.n, pdf.lang) if cur else DASH)
            row.cell(figure_text(prev, pdf.lang))
            if change is None:
                row.cell(DASH)
                continue
            good = (change.difference > 0) == line.higher_is_better
            marker = ("▲ " if change.difference > 0 else "▼ ") if change.significant else ""
            color = (GREEN if good else RED) if change.significant else INK
            row.cell(
                f"{marker}{points(change.difference, pdf.lang)} [{points(change.lower, pdf.lang)}; "
                f"{points(change.upper, pdf.lang)}]",
                style=FontFace(color=color, emphasis="BOLD" if change.significant else None),
            )
    pdf.ln(1.5)
    pdf.note(tr(pdf, "pdf.legend_summary", **legend_values(report, pdf.lang)))

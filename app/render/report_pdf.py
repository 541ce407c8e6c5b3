"""The report as a print-ready A4 PDF for the steering committee.

Pure layout: a :class:`~app.services.reports.Report` goes in, PDF bytes come
out; nothing here computes a statistic. Vietnamese by default, English with
``lang="en"``. The document, in order:

1. cover: department, title, questionnaire, period and the period compared
   with, the filter, the number of responses, the data snapshot time (UTC+7)
   and the three headline figures;
2. summary table with intervals and the change since the previous period,
   then the units ranked by the overall index (dot and whisker chart);
3. funnel plot and the trend (index; harassment and informal payments);
4. the units table (landscape pages);
5. the criteria with their answer distributions;
6. citizens' comments, newest first, printed as plain text;
7. the method: definitions, parameters, software versions.

Every page carries the period in the header and "Trang x/y" in the footer.
Text is set in DejaVu Sans, embedded, so Vietnamese prints the same anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from app.render.chart_rows import stacked_bars
from app.render.chart_style import FONT, GREEN, GREY, INK, NAVY, RED
from app.services.reports import Period, Report, SummaryLine, UnitLine

__all__ = ["COMMENTS_MAX", "report_pdf"]

from app.render.pdf_document import (
    LIGHT,
    Document,
    fast_table,
    header_widths,
    table_style,
)
from app.render.pdf_text import (
    CORRECTIONS,
    DASH,
    GROUPINGS,
    METHODS,
    L,
    count,
    figure_text,
    interval,
    points,
    snapshot,
    verdict_color,
)
from app.render.report_pdf_charts import funnel_chart, trend_chart, units_chart
from app.render.report_pdf_common import UNRELIABLE, confidence_level, legend_values, summary_line, tr

#: Comments printed at most; the report says how many more there are.
COMMENTS_MAX = 200
#: A comment longer than this is cut (with an ellipsis) so a row fits a page.
COMMENT_CHARS = 1500

LEVEL_COLORS = [(190, 30, 45), (236, 140, 120), (205, 205, 205), (130, 190, 140), (20, 120, 55)]


def report_pdf(report: Report, lang: str = "vi") -> bytes:
    """Render ``report`` as an A4 PDF in ``lang`` ("vi" or "en") and return its bytes."""
    lang = "en" if lang == "en" else "vi"
    pdf = Document(report, lang)
    try:
        pdf.fonts_load()
        _cover(pdf, report)
        pdf.portrait()
        _summary(pdf, report)
        units_chart(pdf, report)
        funnel_chart(pdf, report)
        trend_chart(pdf, report)
        # A section without data is a one-line note: no page of its own.
        if report.units:
            pdf.landscape()
        _units_table(pdf, report)
        pdf.portrait(new_page=bool(report.criteria))
        _criteria(pdf, report)
        pdf.portrait(new_page=bool(report.comments))
        _comments(pdf, report)
        pdf.portrait()
        _method(pdf, report)
        return bytes(pdf.output())
    finally:
        # fpdf2 closes only the fonts it embedded, and only when output()
        # runs; close them all so no file handle leaks on an error.
        for font in pdf.fonts.values():
            font.close()


# --------------------------------------------------------------------------- cover


def _cover(pdf: Document, report: Report) -> None:
    lang = pdf.lang
    pdf.portrait()
    pdf.set_y(30)
    pdf.set_font(FONT, "B", 13)
    pdf.set_text_color(*NAVY)
    pdf.multi_cell(0, 6, tr(pdf, "department"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
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
        (tr(pdf, "period"), report.period.label(lang)),
        (tr(pdf, "previous"), report.previous.label(lang)),
        *[(label.get(lang), value) for label, value in report.filter_lines],
        (tr(pdf, "responses"), count(report.responses)),
        (tr(pdf, "snapshot"), f"{snapshot(report.generated_at)} (UTC+7)"),
        (tr(pdf, "instrument"), report.instrument_key),
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
    pdf.note(tr(pdf, "cover_note", level=confidence_level(report)), size=8)


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
        pdf.cell(width, 10, figure_text(figure), align="C")
        pdf.set_xy(x, top + 25)
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(*GREY)
        pdf.cell(width, 4, interval(figure.lower, figure.upper) if figure else "", align="C")
        change = line.change
        if change is not None:
            pdf.set_xy(x, top + 31)
            good = (change.difference > 0) == line.higher_is_better
            pdf.set_text_color(*((GREEN if good else RED) if change.significant else GREY))
            marker = ("▲ " if change.difference > 0 else "▼ ") if change.significant else ""
            pdf.cell(
                width,
                4,
                f"{marker}{points(change.difference)} {tr(pdf, 'pp')} {tr(pdf, 'vs_previous')}",
                align="C",
            )
    pdf.set_y(top + 44)


# --------------------------------------------------------------------------- summary


def _summary(pdf: Document, report: Report) -> None:
    pdf.heading(tr(pdf, "s_summary"))
    level = confidence_level(report)
    headings = [
        tr(pdf, "indicator"),
        tr(pdf, "estimate"),
        tr(pdf, "interval", level=level),
        tr(pdf, "n"),
        tr(pdf, "prev_value"),
        tr(pdf, "change"),
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
                    tr(pdf, "elements"), colspan=6, style=FontFace(emphasis="BOLD", color=NAVY, fill_color=LIGHT)
                )
            cur, prev, change = line.current, line.previous, line.change
            row = table.row()
            bold = FontFace(emphasis="BOLD") if line.key == "INDEX" else None
            row.cell(pdf.clean(line.label.get(pdf.lang)), style=bold)
            row.cell(figure_text(cur), style=bold)
            row.cell(interval(cur.lower, cur.upper) if cur else "")
            row.cell(count(cur.n) if cur else DASH)
            row.cell(figure_text(prev))
            if change is None:
                row.cell(DASH)
                continue
            good = (change.difference > 0) == line.higher_is_better
            marker = ("▲ " if change.difference > 0 else "▼ ") if change.significant else ""
            color = (GREEN if good else RED) if change.significant else INK
            row.cell(
                f"{marker}{points(change.difference)} [{points(change.lower)}; {points(change.upper)}]",
                style=FontFace(color=color, emphasis="BOLD" if change.significant else None),
            )
    pdf.ln(1.5)
    pdf.note(tr(pdf, "legend_summary", **legend_values(report)))


# --------------------------------------------------------------------------- tables


def _rank(unit: UnitLine) -> str:
    if unit.rank is None:
        return DASH
    if unit.rank_best is None or unit.rank_worst is None:
        return str(unit.rank)
    return f"{unit.rank} ({unit.rank_best}–{unit.rank_worst})"


def _units_table(pdf: Document, report: Report) -> None:
    pdf.heading(tr(pdf, "s_units"), need=40 if report.units else 25)
    if not report.units:
        pdf.no_data()
        return
    level = confidence_level(report)
    other = [(k, label) for k, label in report.unit_keys if k != "INDEX"]
    # Headers wrap at spaces only; where a long word would not fit, an
    # element's column is headed by its code, explained under the table.
    labels = [pdf.clean(label.get(pdf.lang)) for _, label in other]
    figure_ws = header_widths(pdf, labels, size=6.5, least=13)
    fixed = 23 + 13 + 14 + 21 + 24 + 19
    budget = pdf.content_w - fixed - 34
    elements = {line.element for line in report.criteria}
    coded = []
    for i in sorted((i for i in range(len(other)) if other[i][0] in elements), key=lambda i: -figure_ws[i]):
        if sum(figure_ws) <= budget:
            break
        coded.append(f"{other[i][0]}: {labels[i]}")
        labels[i] = pdf.clean(other[i][0])
        figure_ws[i] = header_widths(pdf, [labels[i]], size=6.5, least=13)[0]
    if sum(figure_ws) > budget:  # still too wide: narrower headers, never narrower names
        figure_ws = [w * budget / sum(figure_ws) for w in figure_ws]
    name_w = pdf.content_w - fixed - sum(figure_ws)
    headings = [
        tr(pdf, "code"),
        tr(pdf, "unit"),
        tr(pdf, "n"),
        tr(pdf, "trend_index"),
        tr(pdf, "interval", level=level),
        *labels,
        tr(pdf, "verdict"),
        tr(pdf, "rank"),
    ]
    verdicts = {"better": "better", "worse": "worse", "not_distinguishable": "same"}
    units = sorted(report.units, key=lambda u: (u.rank is None, u.rank or 0, u.code))
    widths = (23, name_w, 13, 14, 21, *figure_ws, 24, 19)
    aligns = ("L", "L", "R", "R", "C", *["R"] * len(other), "L", "C")
    rows = []
    for unit in units:
        index = unit.figures.get("INDEX")
        grey = UNRELIABLE if index and not index.reliable else INK
        verdict = verdicts.get(index.verdict or "") if index else None
        rows.append(
            [
                (pdf.clean(unit.code), "", INK),
                (pdf.clean(unit.name), "", INK),
                (count(unit.responses), "", INK),
                (figure_text(index), "B", grey),
                (interval(index.lower, index.upper) if index else "", "", grey),
                *[(figure_text(unit.figures.get(k)), "", verdict_color(unit.figures.get(k))) for k, _ in other],
                (
                    tr(pdf, verdict) if verdict else DASH,
                    "B" if verdict not in (None, "same") else "",
                    verdict_color(index),
                ),
                (_rank(unit), "", INK),
            ]
        )
    fast_table(pdf, widths, aligns, headings, rows, size=7.0)
    pdf.ln(1.5)
    if coded:
        pdf.note(" · ".join(sorted(coded)), color=INK)
    pdf.note(tr(pdf, "legend_table", **legend_values(report)))


def _criteria(pdf: Document, report: Report) -> None:
    pdf.heading(tr(pdf, "s_criteria"), need=40 if report.criteria else 25)
    if not report.criteria:
        pdf.no_data()
        return
    level = confidence_level(report)
    with pdf.table(
        col_widths=(12, 62, 12, 15, 24, 9, 9, 9, 9, 9, 10),
        width=pdf.content_w,
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "CENTER", *["RIGHT"] * 6),
        **table_style(pdf, 7.5),
    ) as table:
        table.row(
            [
                tr(pdf, "code"),
                tr(pdf, "criterion"),
                tr(pdf, "n"),
                tr(pdf, "satisfied"),
                tr(pdf, "interval", level=level),
                "1 (%)",
                "2 (%)",
                "3 (%)",
                "4 (%)",
                "5 (%)",
                tr(pdf, "na"),
            ]
        )
        element = None
        for line in report.criteria:
            if line.element != element:
                element = line.element
                table.row().cell(
                    pdf.clean(f"{line.element} · {line.element_title.get(pdf.lang)}"),
                    colspan=11,
                    style=FontFace(emphasis="BOLD", color=NAVY, fill_color=LIGHT),
                )
            f = line.figure
            row = table.row()
            row.cell(pdf.clean(line.code))
            row.cell(pdf.clean(line.text.get(pdf.lang)))
            row.cell(count(f.n))
            row.cell(figure_text(f), style=FontFace(emphasis="BOLD"))
            row.cell(interval(f.lower, f.upper))
            levels = list(f.distribution[:5])
            total = sum(levels)
            for c in levels + [None] * (5 - len(levels)):
                row.cell(DASH if not total or c is None or f.suppressed else f"{c / total * 100:.1f}")
            row.cell(count(f.not_applicable))
    pdf.ln(1.5)
    pdf.note(tr(pdf, "legend_criteria"))

    rows = [(line.code, line.figure.distribution[:5]) for line in report.criteria if not line.figure.suppressed]
    rows = [(code, counts) for code, counts in rows if len(counts) == 5 and sum(counts) > 0]
    if not rows:
        return
    height = 14 + 6 * len(rows)
    pdf.heading(tr(pdf, "s_distribution"), need=min(height, 200))
    used = stacked_bars(
        pdf,
        pdf.l_margin,
        pdf.get_y(),
        pdf.content_w,
        rows,
        colors=LEVEL_COLORS,
        legend_labels=tr(pdf, "levels").split("|"),
        label_w=16,
    )
    pdf.set_y(pdf.get_y() + used)


def _comments(pdf: Document, report: Report) -> None:
    pdf.heading(tr(pdf, "s_comments"), need=40 if report.comments else 25)
    if not report.comments:
        pdf.no_data()
        return
    newest = sorted(report.comments, key=lambda c: c.day, reverse=True)
    shown = newest[:COMMENTS_MAX]
    pdf.note(tr(pdf, "comments_note"))
    if len(newest) > len(shown):
        pdf.note(tr(pdf, "comments_more", shown=len(shown), total=len(newest)), color=INK)
    pdf.ln(1)
    with pdf.table(
        col_widths=(20, 52, pdf.content_w - 72),
        width=pdf.content_w,
        text_align=("LEFT", "LEFT", "LEFT"),
        **table_style(pdf, 8.0),
    ) as table:
        table.row([tr(pdf, "date"), tr(pdf, "unit_point"), tr(pdf, "comment")])
        for comment in shown:
            text = pdf.clean(comment.text).strip()
            if len(text) > COMMENT_CHARS:
                text = text[:COMMENT_CHARS].rstrip() + "…"
            where = pdf.clean(comment.unit) + (f"\n{pdf.clean(comment.service_point)}" if comment.service_point else "")
            row = table.row()
            row.cell(f"{comment.day:%d/%m/%Y}")
            row.cell(where, style=FontFace(color=GREY))
            row.cell(text)


def _period_range(period: Period, lang: str) -> str:
    return f"{period.label(lang)} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})"


def _method(pdf: Document, report: Report) -> None:
    lang = pdf.lang
    pdf.heading(tr(pdf, "s_method"))
    for term, definition in report.method_notes:
        if pdf.room() < 20:
            pdf.add_page(same=True)
        pdf.set_font(FONT, "B", 9)
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, 4.5, pdf.clean(term.get(lang)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 8.5)
        pdf.multi_cell(0, 4.2, pdf.clean(definition.get(lang)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    th = report.thresholds
    software = ", ".join(f"{name} {version}" for name, version in sorted(report.software.items()))
    grouping = GROUPINGS.get(report.grouping)
    rows = [
        (tr(pdf, "instrument"), f"{report.instrument_key} – {report.instrument_title.get(lang)}"),
        (tr(pdf, "period"), _period_range(report.period, lang)),
        (tr(pdf, "previous"), _period_range(report.previous, lang)),
        (tr(pdf, "p_method"), METHODS.get(report.method, report.method)),
        (tr(pdf, "p_alpha"), tr(pdf, "alpha_value", alpha=report.alpha, level=confidence_level(report))),
        (tr(pdf, "p_correction"), CORRECTIONS.get(report.correction, report.correction)),
        (tr(pdf, "p_reliable"), tr(pdf, "below_flag", n=th.reliable_min)),
        (tr(pdf, "p_disclosure"), tr(pdf, "below_hide", n=th.disclosure_min, dash=DASH)),
        (tr(pdf, "p_grouping"), grouping.get(lang) if grouping else report.grouping),
        (tr(pdf, "p_trend"), tr(pdf, report.trend_step) if report.trend_step in L else report.trend_step),
        (tr(pdf, "snapshot"), f"{snapshot(report.generated_at)} (UTC+7)"),
        (tr(pdf, "p_software"), software or DASH),
    ]
    pdf.heading(tr(pdf, "parameters"), need=len(rows) * 6)
    with pdf.table(
        col_widths=(60, pdf.content_w - 60),
        width=pdf.content_w,
        first_row_as_headings=False,
        text_align=("LEFT", "LEFT"),
        **{**table_style(pdf, 8.5), "repeat_headings": 0},
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=FontFace(color=GREY))
            row.cell(pdf.clean(value))

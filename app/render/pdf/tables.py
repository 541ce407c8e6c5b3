"""The report's table sections, after the charts: the units table (on
landscape pages), the criteria with their answer distributions, the
citizens' comments and the method with its parameters.

Each writer starts its section with a heading; the units, criteria and
comments sections print a one-line note instead of an empty table when the
report has none. The order of the sections and the page orientation each
starts on are set in :mod:`app.render.pdf.report`.
"""

from __future__ import annotations

from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from app import numbers
from app.render.charts.rows import stacked_bars
from app.render.charts.style import FONT, GREEN, GREY, INK, NAVY, RED
from app.render.pdf.common import UNRELIABLE, confidence_level, legend_values, tr
from app.render.pdf.document import LIGHT, Document, fast_table, header_widths, table_style
from app.render.pdf.text import (
    DASH,
    count,
    figure_text,
    interval,
    points,
    snapshot,
    verdict_color,
)
from app.services.reports.labels import correction_label, method_label
from app.services.reports.model import CommentLine, Period, Report, UnitLine

__all__ = ["COMMENTS_MAX", "comments_write", "criteria_write", "method_write", "units_table_write"]

#: Comments printed at most, so they fill no more than one page (issue 17);
#: the report says how many more there are, and the XLSX holds them all.
COMMENTS_MAX = 12
#: A comment longer than this is cut (with an ellipsis); the XLSX has it whole.
COMMENT_CHARS = 320

LEVEL_COLORS = [(190, 30, 45), (236, 140, 120), (205, 205, 205), (130, 190, 140), (20, 120, 55)]


def _rank(unit: UnitLine) -> str:
    if unit.rank is None:
        return DASH
    text = str(unit.rank)
    if unit.rank_best is not None and unit.rank_worst is not None:
        text += f" ({unit.rank_best}–{unit.rank_worst})"
    if unit.rank_change:
        text += f" {'▲' if unit.rank_change > 0 else '▼'}{abs(unit.rank_change)}"
    return text


def _flags(unit: UnitLine, lang: str) -> str:
    """Flagged / excluded responses, blank where there are none or they are not shown."""
    if not unit.flagged and not unit.excluded:
        return ""
    return f"{count(unit.flagged or 0, lang)} / {count(unit.excluded or 0, lang)}"


def _change(pdf: Document, unit: UnitLine) -> tuple[str, str, tuple[int, int, int]]:
    """The change of the index since the previous period, marked when significant."""
    change = unit.change
    if change is None:
        return DASH, "", INK
    text = points(change.difference, pdf.lang)
    if unit.previous_thin:
        text += "†"
    if not change.significant:
        return text, "", INK
    return ("▲ " if change.difference > 0 else "▼ ") + text, "B", GREEN if change.difference > 0 else RED


def _verdict(pdf: Document, figure) -> str:
    if figure is not None and figure.verdict:
        return tr(pdf, f"verdict.{figure.verdict}")
    if figure is not None and figure.not_assessed == "too_few_clusters" and not figure.suppressed:
        return tr(pdf, "pdf.too_few_clusters")
    return DASH


def units_table_write(pdf: Document, report: Report) -> None:
    """Every unit's figures and verdict, best ranked first; where the element
    columns would be too wide, some are headed by their code, explained below."""
    pdf.heading(tr(pdf, "pdf.s_units"), need=40 if report.units else 25)
    if not report.units:
        pdf.no_data()
        return
    level = confidence_level(report, pdf.lang)
    other = [(k, label) for k, label in report.unit_keys if k != "INDEX"]
    # Headers wrap at spaces only; where a long word would not fit, an
    # element's column is headed by its code, explained under the table.
    labels = [pdf.clean(label.get(pdf.lang)) for _, label in other]
    figure_ws = header_widths(pdf, labels, size=6.5, least=13)
    fixed = 23 + 13 + 14 + 21 + 14 + 16 + 24 + 24 + 13 + 13
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
        tr(pdf, "pdf.code"),
        tr(pdf, "pdf.unit"),
        tr(pdf, "pdf.n"),
        tr(pdf, "pdf.trend_index"),
        tr(pdf, "pdf.interval", level=level),
        tr(pdf, "pdf.prev_value"),
        tr(pdf, "pdf.change"),
        *labels,
        tr(pdf, "pdf.verdict"),
        tr(pdf, "pdf.rank"),
        tr(pdf, "pdf.flags"),
        tr(pdf, "rep.cluster_rules"),
    ]
    units = report.units  # by level, then rank within the level
    widths = (23, name_w, 13, 14, 21, 14, 16, *figure_ws, 24, 24, 13, 13)
    aligns = ("L", "L", "R", "R", "C", "R", "R", *["R"] * len(other), "L", "C", "R", "R")
    rows = []
    for unit in units:
        index = unit.figures.get("INDEX")
        grey = UNRELIABLE if index and not index.reliable else INK
        verdict = index.verdict if index else None
        rows.append(
            [
                (pdf.clean(unit.code), "", INK),
                (pdf.clean(unit.name), "", INK),
                (count(unit.responses, pdf.lang), "", INK),
                (figure_text(index, pdf.lang), "B", grey),
                (interval(index.lower, index.upper, pdf.lang) if index else "", "", grey),
                (figure_text(unit.previous, pdf.lang), "", INK),
                _change(pdf, unit),
                *[(figure_text(f, pdf.lang), "", verdict_color(f)) for f in (unit.figures.get(k) for k, _ in other)],
                (_verdict(pdf, index), "B" if verdict in ("better", "worse") else "", verdict_color(index)),
                (_rank(unit), "", INK),
                (_flags(unit, pdf.lang), "", INK),
                (f"{count(unit.clusters, pdf.lang)} {unit.cluster_rules}".strip(), "", INK),
            ]
        )
    fast_table(pdf, widths, aligns, headings, rows, size=7.0)
    pdf.ln(1.5)
    if coded:
        pdf.note(" · ".join(sorted(coded)), color=INK)
    pdf.note(tr(pdf, "pdf.legend_table", **legend_values(report, pdf.lang)))
    pdf.note(tr(pdf, "pdf.legend_change", previous=report.previous.label(pdf.lang), k=report.thresholds.min_clusters))
    pdf.note(tr(pdf, "rep.cluster_rules_note", k=report.thresholds.min_clusters))
    if report.ungrouped:
        pdf.note(tr(pdf, "pdf.ungrouped", units=", ".join(pdf.clean(u) for u in report.ungrouped)))


def criteria_write(pdf: Document, report: Report) -> None:
    """Each criterion's satisfaction rate and answer shares, grouped by element,
    then the answer distributions as stacked bars."""
    pdf.heading(tr(pdf, "pdf.s_criteria"), need=40 if report.criteria else 25)
    if not report.criteria:
        pdf.no_data()
        return
    level = confidence_level(report, pdf.lang)
    with pdf.table(
        col_widths=(12, 62, 12, 15, 24, 9, 9, 9, 9, 9, 10),
        width=pdf.content_w,
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "CENTER", *["RIGHT"] * 6),
        **table_style(pdf, 7.5),
    ) as table:
        table.row(
            [
                tr(pdf, "pdf.code"),
                tr(pdf, "pdf.criterion"),
                tr(pdf, "pdf.n"),
                tr(pdf, "pdf.satisfied"),
                tr(pdf, "pdf.interval", level=level),
                "1 (%)",
                "2 (%)",
                "3 (%)",
                "4 (%)",
                "5 (%)",
                tr(pdf, "pdf.na"),
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
            row.cell(count(f.n, pdf.lang))
            row.cell(figure_text(f, pdf.lang), style=FontFace(emphasis="BOLD"))
            row.cell(interval(f.lower, f.upper, pdf.lang))
            levels = list(f.distribution[:5])
            total = sum(levels)
            for c in levels + [None] * (5 - len(levels)):
                row.cell(DASH if not total or c is None or f.suppressed else numbers.decimal(c / total * 100, pdf.lang))
            row.cell(count(f.not_applicable, pdf.lang))
    pdf.ln(1.5)
    pdf.note(tr(pdf, "pdf.legend_criteria"))

    rows = [(line.code, line.figure.distribution[:5]) for line in report.criteria if not line.figure.suppressed]
    rows = [(code, counts) for code, counts in rows if len(counts) == 5 and sum(counts) > 0]
    if not rows:
        return
    names = dict(report.scale_labels)
    legend = [f"{code} {names[code].get(pdf.lang)}" if code in names else str(code) for code in range(1, 6)]
    height = 14 + 6 * len(rows)
    pdf.heading(tr(pdf, "pdf.s_distribution"), need=min(height, 200))
    used = stacked_bars(
        pdf,
        pdf.l_margin,
        pdf.get_y(),
        pdf.content_w,
        rows,
        colors=LEVEL_COLORS,
        legend_labels=legend,
        label_w=16,
        fmt=lambda share: numbers.percent(share, pdf.lang, 0),
    )
    pdf.set_y(pdf.get_y() + used)


def _comment_cells(pdf: Document, comment: CommentLine) -> tuple[str, str]:
    """The comment (cut at :data:`COMMENT_CHARS`) and where it was given."""
    text = pdf.clean(comment.text).strip()
    if len(text) > COMMENT_CHARS:
        text = text[:COMMENT_CHARS].rstrip() + "…"
    where = pdf.clean(comment.unit) + (f"\n{pdf.clean(comment.service_point)}" if comment.service_point else "")
    return text, where


def _fitting(pdf: Document, comments: list[CommentLine], widths: tuple[float, ...]) -> list[CommentLine]:
    """The first comments whose rows fit in what is left of this page, below
    the notes and the header row: the comments take at most one page."""
    pdf.set_font(FONT, "", 8.0)
    line_h = 8.0 * 0.45
    budget = pdf.room() - 3 * 4.5 - 2 * line_h - 4
    out = []
    for comment in comments:
        text, where = _comment_cells(pdf, comment)
        lines = max(
            len(pdf.multi_cell(widths[2] - 2.4, line_h, text, dry_run=True, output="LINES")),
            len(pdf.multi_cell(widths[1] - 2.4, line_h, where, dry_run=True, output="LINES")),
        )
        budget -= lines * line_h + 1.8
        if budget < 0:
            break
        out.append(comment)
    return out


def comments_write(pdf: Document, report: Report) -> None:
    """The comments as plain text, newest first: at most :data:`COMMENTS_MAX`
    and one page, each cut at :data:`COMMENT_CHARS` characters."""
    pdf.heading(tr(pdf, "pdf.s_comments"), need=40 if report.comments else 25)
    if not report.comments:
        pdf.no_data()
        return
    newest = sorted(report.comments, key=lambda c: c.month, reverse=True)
    widths = (20, 52, pdf.content_w - 72)
    shown = _fitting(pdf, newest[:COMMENTS_MAX], widths)
    pdf.note(tr(pdf, "pdf.comments_note"))
    if len(newest) > len(shown):
        pdf.note(tr(pdf, "pdf.comments_more", shown=len(shown), total=len(newest)), color=INK)
        pdf.note(tr(pdf, "pdf.comments_xlsx"), color=INK)
    pdf.ln(1)
    with pdf.table(
        col_widths=widths,
        width=pdf.content_w,
        text_align=("LEFT", "LEFT", "LEFT"),
        **table_style(pdf, 8.0),
    ) as table:
        table.row([tr(pdf, "pdf.date"), tr(pdf, "pdf.unit_point"), tr(pdf, "pdf.comment")])
        for comment in shown:
            text, where = _comment_cells(pdf, comment)
            row = table.row()
            row.cell(f"{comment.month:%m/%Y}")
            row.cell(where, style=FontFace(color=GREY))
            row.cell(text)


def _period_range(period: Period, lang: str) -> str:
    return f"{period.label(lang)} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})"


def method_write(pdf: Document, report: Report) -> None:
    """The method notes, then the parameters and software the figures were made with."""
    lang = pdf.lang
    pdf.heading(tr(pdf, "pdf.s_method"))
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
    if report.grouping == "unit":
        grouping = tr(pdf, "grouping.method_unit")
    else:
        grouping = tr(pdf, "grouping.method_level", level=tr(pdf, f"level.{report.grouping}"))
    alpha = numbers.decimal(report.alpha, lang, None)
    step = {"month": "period.month", "quarter": "period.quarter"}.get(report.trend_step)
    rows = [
        (tr(pdf, "pdf.instrument"), f"{report.instrument_key} – {report.instrument_title.get(lang)}"),
        (tr(pdf, "pdf.period"), _period_range(report.period, lang)),
        (tr(pdf, "pdf.previous"), _period_range(report.previous, lang)),
        (tr(pdf, "report.interval_method"), method_label(report.method).get(lang)),
        (
            tr(pdf, "pdf.p_alpha"),
            tr(pdf, "pdf.alpha_value", alpha=alpha, level=confidence_level(report, pdf.lang)),
        ),
        (tr(pdf, "report.correction_label"), correction_label(report.correction).get(lang)),
        (tr(pdf, "pdf.p_reliable"), tr(pdf, "pdf.below_flag", n=th.reliable_min)),
        (tr(pdf, "pdf.p_disclosure"), tr(pdf, "pdf.below_hide", n=th.disclosure_min, dash=DASH)),
        (tr(pdf, "pdf.p_grouping"), grouping),
        (tr(pdf, "pdf.p_trend"), tr(pdf, step) if step else report.trend_step),
        (tr(pdf, "pdf.snapshot"), f"{snapshot(report.generated_at)} (UTC+7)"),
        (tr(pdf, "pdf.p_software"), software or DASH),
    ]
    pdf.heading(tr(pdf, "pdf.parameters"), need=len(rows) * 6)
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

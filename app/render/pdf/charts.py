"""The three charts of the PDF report: units ranked by the overall index, the
funnel plot and the trend.

Drawn as vectors with :mod:`app.render.charts.rows`, :mod:`app.render.charts.funnel`
and :mod:`app.render.charts.lines`, straight onto the report's pages; kept
apart from the document assembly (:mod:`app.render.pdf.report`) so each
module stays readable on its own.
"""

from __future__ import annotations

from app import numbers
from app.render.charts import funnel as chart_funnel
from app.render.charts import lines as chart_lines
from app.render.charts import marks as chart_marks
from app.render.charts import rows as chart_rows
from app.render.charts.lines import Series
from app.render.charts.rows import IntervalRow
from app.render.charts.scales import finite, nice_domain, period_short
from app.render.charts.style import GREEN, NAVY, RED
from app.render.pdf.common import UNRELIABLE, confidence_level, legend_values, summary_line, tr
from app.render.pdf.document import Document
from app.render.pdf.text import count, figure_text, pct, pct_tick
from app.services.reports.model import Figure, Report

__all__ = ["funnel_chart", "trend_chart", "units_chart"]


def _unit_color(figure: Figure) -> tuple[int, int, int]:
    if not figure.reliable:
        return UNRELIABLE
    return {"better": GREEN, "worse": RED}.get(figure.verdict or "", NAVY)


def units_chart(pdf: Document, report: Report) -> None:
    pdf.heading(tr(pdf, "pdf.s_units_chart"), need=60)
    shown = [u for u in report.units if (f := u.figures.get("INDEX")) is not None and finite(f.estimate) is not None]
    hidden = len(report.units) - len(shown)
    if not shown:
        pdf.no_data()
        return
    shown.sort(key=lambda u: (-u.figures["INDEX"].estimate, u.code))
    rows = [
        IntervalRow(
            pdf.clean(u.name),
            u.figures["INDEX"].estimate,
            u.figures["INDEX"].lower,
            u.figures["INDEX"].upper,
            _unit_color(u.figures["INDEX"]),
            figure_text(u.figures["INDEX"], pdf.lang),
        )
        for u in shown
    ]
    index = summary_line(report, "INDEX")
    reference = index.current.estimate if index and index.current else None
    domain = nice_domain([v for r in rows for v in (r.estimate, r.lower, r.upper)] + [reference], pad=0.01)
    row_h = 5.0
    start = 0
    while start < len(rows):
        fits = int((pdf.room() - 18) // row_h)
        if fits < min(5, len(rows) - start):
            pdf.add_page(same=True)
            pdf.heading(f"{tr(pdf, 'pdf.s_units_chart')} {tr(pdf, 'pdf.continued')}")
            continue
        chunk = rows[start : start + fits]
        used = chart_rows.interval_chart(
            pdf,
            pdf.l_margin,
            pdf.get_y(),
            pdf.content_w,
            chunk,
            domain=domain,
            fmt=lambda v: pct_tick(v, pdf.lang),
            axis_title=tr(pdf, "pdf.axis_index", level=confidence_level(report, pdf.lang)),
            reference=reference,
            reference_label=tr(pdf, "pdf.overall_ref", value=pct(reference, pdf.lang)),
            row_h=row_h,
        )
        pdf.set_y(pdf.get_y() + used)
        start += len(chunk)
    if pdf.room() < 14:
        pdf.add_page(same=True)
    height = chart_marks.legend(
        pdf,
        pdf.l_margin,
        pdf.get_y() + 3,
        [
            (tr(pdf, "verdict.better"), GREEN, "dot"),
            (tr(pdf, "verdict.not_distinguishable"), NAVY, "dot"),
            (tr(pdf, "verdict.worse"), RED, "dot"),
            (tr(pdf, "pdf.unreliable"), UNRELIABLE, "dot"),
        ],
        pdf.w - pdf.r_margin,
    )
    pdf.set_y(pdf.get_y() + height + 1)
    legend = tr(pdf, "pdf.legend_units", **legend_values(report, pdf.lang))
    if hidden:
        legend += " " + tr(pdf, "pdf.hidden_units", hidden=hidden)
    pdf.note(legend)


def funnel_chart(pdf: Document, report: Report) -> None:
    height = 105.0
    has_data = report.funnel is not None and bool(report.funnel.points)
    pdf.heading(tr(pdf, "pdf.s_funnel"), need=height if has_data else 25)
    if report.funnel is None or not has_data:
        pdf.no_data()
        return
    texts = chart_funnel.FunnelTexts(
        *(
            tr(pdf, f"pdf.{key}")
            for key in (
                "funnel_x",
                "funnel_y",
                "target",
                "limit_95",
                "limit_998",
                "inside",
                "outside_95",
                "above_998",
                "below_998",
            )
        )
    )
    chart_funnel.funnel_chart(
        pdf,
        pdf.l_margin,
        pdf.get_y(),
        pdf.content_w,
        height,
        report.funnel,
        fmt=lambda v: pct_tick(v, pdf.lang),
        texts=texts,
        n_fmt=lambda v: numbers.decimal(v, pdf.lang, None),
    )
    pdf.set_y(pdf.get_y() + height + 2)


def trend_chart(pdf: Document, report: Report) -> None:
    def values(key: str, attr: str = "estimate") -> list[float | None]:
        return [finite(getattr(p.figures.get(key), attr, None)) for p in report.trend]

    index = values("INDEX")
    has_data = any(v is not None for v in index)
    pdf.heading(tr(pdf, "pdf.s_trend"), need=120 if has_data else 25)
    if not has_data:
        pdf.no_data()
        return
    categories = [period_short(p.start, p.end, pdf.lang) for p in report.trend]
    notes = [tr(pdf, "pdf.trend_n", n=count(p.responses, pdf.lang)) if p.responses else "" for p in report.trend]
    lower, upper = values("INDEX", "lower"), values("INDEX", "upper")
    y = pdf.get_y()
    chart_lines.line_chart(
        pdf,
        pdf.l_margin,
        y,
        pdf.content_w,
        68,
        categories=categories,
        series=[Series(tr(pdf, "pdf.trend_index"), index, NAVY, lower, upper)],
        domain=nice_domain(index + lower + upper, pad=0.02),
        fmt=lambda v: pct_tick(v, pdf.lang),
        y_title=tr(pdf, "pdf.trend_index"),
        value_fmt=lambda v: pct(v, pdf.lang),
        band_label=tr(pdf, "pdf.trend_band", level=confidence_level(report, pdf.lang)),
        notes=notes,
    )
    harassment, informal = values("harassment"), values("informal_payment")
    rates = [v for v in harassment + informal if v is not None]
    pdf.set_y(y + 71)
    if pdf.room() < 50:
        pdf.add_page(same=True)
    y = pdf.get_y()
    if rates:
        top = nice_domain([0.0, max(rates) * 1.15, 0.05], pad=0.0)
        chart_lines.line_chart(
            pdf,
            pdf.l_margin,
            y,
            pdf.content_w,
            48,
            categories=categories,
            series=[
                Series(tr(pdf, "pdf.harassment"), harassment, RED),
                Series(tr(pdf, "pdf.informal"), informal, (215, 130, 0)),
            ],
            domain=top,
            fmt=lambda v: pct_tick(v, pdf.lang),
            y_title=tr(pdf, "pdf.rate"),
            value_fmt=lambda v: pct(v, pdf.lang),
        )
        pdf.set_y(y + 50)
    else:
        pdf.no_data()
    pdf.note(tr(pdf, "pdf.trend_note"))

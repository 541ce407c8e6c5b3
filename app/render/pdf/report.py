"""The report as a print-ready A4 PDF for the steering committee.

Pure layout: a :class:`~app.services.reports.model.Report` goes in, PDF bytes come
out; nothing here computes a statistic. Vietnamese by default, English with
``lang="en"``. The document, in order:

1. cover: department, title, questionnaire, period and the period compared
   with, the filter, the number of responses, the data snapshot time (UTC+7)
   and the three headline figures;
2. the plain-language findings, then the summary table with intervals and
   the change since the previous period,
   then the units ranked by the overall index (dot and whisker chart);
3. funnel plot and the trend (index; harassment and informal payments);
4. the units table (landscape pages);
5. the criteria with their answer distributions, then what citizens want
   improved (the expectations module);
6. citizens' comments, newest first, printed as plain text;
   then, in a year report by unit, the year's targets and how each stands,
   and the response rate and verified QR responses when there are any;
7. the method: definitions, parameters, software versions.

Every page carries the period in the header and "Trang x/y" in the footer.
Text is set in DejaVu Sans, embedded, so Vietnamese prints the same anywhere.

This module puts the sections in order and turns pages between them; the
cover and summary are written by :mod:`app.render.pdf.summary`, the
charts by :mod:`app.render.pdf.charts` and the table sections by
:mod:`app.render.pdf.tables`.
"""

from __future__ import annotations

from app.render.pdf.breakdown import breakdown_write
from app.render.pdf.charts import funnel_chart, trend_chart, units_chart
from app.render.pdf.document import Document
from app.render.pdf.expectations import expectations_write
from app.render.pdf.summary import cover_write, findings_write, summary_write
from app.render.pdf.tables import (
    COMMENTS_MAX,
    comments_write,
    criteria_write,
    method_write,
    units_table_write,
)
from app.render.pdf.targets import targets_write
from app.render.pdf.verified import verified_write
from app.services.reports.model import Report
from app.texts import DEFAULT_LANG, languages

__all__ = ["COMMENTS_MAX", "report_pdf"]


def report_pdf(report: Report, lang: str = "vi") -> bytes:
    """Render ``report`` as an A4 PDF in ``lang`` (a catalogue language; Vietnamese otherwise)."""
    lang = lang if lang in languages() else DEFAULT_LANG
    pdf = Document(report, lang)
    try:
        pdf.fonts_load()
        cover_write(pdf, report)
        pdf.portrait()
        findings_write(pdf, report)
        summary_write(pdf, report)
        units_chart(pdf, report)
        funnel_chart(pdf, report)
        trend_chart(pdf, report)
        # A section without data is a one-line note: no page of its own.
        if report.units:
            pdf.landscape()
        units_table_write(pdf, report)
        if report.breakdown is not None:  # after the units, landscape as they are
            pdf.landscape(new_page=False)
            breakdown_write(pdf, report)
        pdf.portrait(new_page=bool(report.criteria))
        criteria_write(pdf, report)
        expectations_write(pdf, report)  # after the criteria, on their pages
        pdf.portrait(new_page=bool(report.comments))
        comments_write(pdf, report)
        if report.targets:  # a year report by unit: how each unit's targets stand
            pdf.landscape()
            targets_write(pdf, report)
        if report.verified is not None:  # response rate and open against verified QR (issue 16.4)
            pdf.landscape()
            verified_write(pdf, report)
        pdf.portrait()
        method_write(pdf, report)
        return bytes(pdf.output())
    finally:
        # fpdf2 closes only the fonts it embedded, and only when output()
        # runs; close them all so no file handle leaks on an error.
        for font in pdf.fonts.values():
            font.close()

"""Render a report to a downloadable file in any supported format."""

from __future__ import annotations

from dataclasses import dataclass

from app.services.reports.model import Report

MIMETYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class RenderedReport:
    content: bytes
    mimetype: str
    filename: str


def report_file(report: Report, fmt: str, lang: str = "vi", table: str | None = None) -> RenderedReport:
    """The report as ``fmt`` (json, xlsx, csv or pdf); ``table`` picks the CSV's
    table (:data:`app.render.csv.report.CSV_TABLES`), the other formats hold them all."""
    if fmt == "json":
        from app.render.report_json import report_json

        content = report_json(report).encode("utf-8")
    elif fmt == "xlsx":
        from app.render.xlsx.report import report_xlsx

        content = report_xlsx(report, lang)
    elif fmt == "csv":
        from app.render.csv.report import report_csv

        # utf-8-sig: Excel opens a CSV as the local code page unless it starts with a BOM.
        content = report_csv(report, lang, table).encode("utf-8-sig")
    elif fmt == "pdf":
        from app.render.pdf.report import report_pdf

        content = report_pdf(report, lang)
    else:
        raise ValueError(f"unknown report format {fmt!r}")
    stem = f"bao-cao-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"
    if fmt == "csv" and table not in (None, "units", "breakdown"):
        stem += f"-{table}"
    return RenderedReport(content, MIMETYPES[fmt], f"{stem}.{fmt}")

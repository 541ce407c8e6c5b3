"""Report commands: ``report``, ``export-responses``, ``import-responses``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.imports import REJECTED_ROWS_EXIT, file_refused_whole, rejected_rows_echo
from app.extensions import db
from app.render.csv.report import CSV_TABLES
from app.reports.forms import FORMATS, FilterError, report_request
from app.services.instruments import instrument_active, instrument_version, versions_before
from app.texts import DEFAULT_LANG, languages, texts

FILTER_OPTIONS = [
    click.option("--period", type=click.Choice(["month", "quarter", "year", "custom"]), default="quarter",
                 show_default=True, help="Kỳ báo cáo / reporting period"),
    click.option("--date", "on", help="A day in the period, or a custom start (YYYY-MM-DD); default today."),
    click.option("--end", help="Last day of a custom period (YYYY-MM-DD)."),
    click.option("--unit", help="Unit code: only this unit and the units below it."),
    click.option("--level", type=click.Choice(["province", "department", "district", "commune"])),
    click.option("--procedure", help="Procedure-field code."),
    click.option("--channel", type=click.Choice(["qr", "tablet", "paper", "kiosk", "qr-verified"])),
    click.option("--instrument", default="sipas-counter", show_default=True),
]  # fmt: skip


def filter_options(func):
    for option in reversed(FILTER_OPTIONS):
        func = option(func)
    return func


def _request(instrument: str, **values):
    args = {k: v for k, v in values.items() if v is not None}
    if "on" in args:
        args["date"] = args.pop("on")
    try:
        return report_request(args, instrument)
    except FilterError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.field}") from exc


def _active(code: str):
    active = instrument_active(db.session, current_app.extensions["instruments"], code)
    if active is None:
        raise click.ClickException(f"Instrument {code!r} is not registered; run `flask --app wsgi migrate`.")
    return active


@click.command("report")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--grouping", type=click.Choice(["unit", "department", "district", "commune"]), default="unit",
              show_default=True)  # fmt: skip
@click.option("--lang", type=click.Choice(languages()), default=DEFAULT_LANG, show_default=True)
@click.option("--by", help="Break the main indicators down by a categorical question (sex, age_group...) or channel.")
@click.option("--table", type=click.Choice(CSV_TABLES),
              help="CSV only: which table (default: units, or the breakdown with --by).")  # fmt: skip
@filter_options
@with_appcontext
def report_command(
    fmt: str, out: Path, grouping: str, lang: str, table: str | None, instrument: str, **filters
) -> None:
    """Write the report for a period and filter as JSON, XLSX, CSV or PDF."""
    from app.render.report_files import report_file
    from app.services.reports.breakdown import BreakdownUnknown
    from app.services.reports.build import report_for

    request = _request(instrument, grouping=grouping, **filters)
    _active(instrument)
    try:
        report = report_for(
            db.session,
            current_app.extensions["instruments"],
            request,
            comment_limit=500,
            ranking=current_app.config["RANKING_WEIGHTS"],
        )
    except BreakdownUnknown as exc:
        raise click.BadParameter(texts("filter.by", DEFAULT_LANG, value=str(exc)), param_hint="--by") from exc
    rendered = report_file(report, fmt, lang, table)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(rendered.content)
    click.echo(f"{report.period.label()}: {report.responses} phiếu, {len(report.units)} đơn vị → {out}")


@click.command("export-responses")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--codebook", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the codebook; default OUT with .codebook.csv.")  # fmt: skip
@click.option("--with-comments", is_flag=True, help="Include free-text comments (they may identify people).")
@click.option("--all-time", is_flag=True, help="Ignore the period: every response.")
@filter_options
@with_appcontext
def export_responses_command(out: Path, codebook: Path | None, with_comments: bool, all_time: bool,
                             instrument: str, **filters) -> None:  # fmt: skip
    """Write the anonymised responses, one row per response, and their codebook."""
    from dataclasses import replace

    from app.render.spreadsheet import CsvWriter
    from app.services.exports import codebook_rows, responses_csv

    request = _request(instrument, **filters)
    active = _active(instrument)
    flt = request.filter if all_time else replace(request.filter, date_from=request.period.start,
                                                   date_to=request.period.end)  # fmt: skip
    # questions only older versions asked keep their columns (their responses are exported too)
    older = versions_before(current_app.extensions["instruments"], active.instrument)
    rows = 0
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        for chunk in responses_csv(db.session, active.instrument, flt, with_comments=with_comments, older=older):
            fh.write(chunk)
            rows += chunk.count("\r\n")
    book = codebook or out.with_suffix(".codebook.csv")
    with book.open("w", encoding="utf-8-sig", newline="") as fh:
        CsvWriter(fh).writerows(codebook_rows(active.instrument, with_comments=with_comments, older=older))
    click.echo(f"{max(rows - 1, 0)} responses → {out}; codebook → {book}")


@click.command("import-responses")
@click.option("--instrument", required=True, help="Instrument code the paper forms used, e.g. sipas-counter.")
@click.option("--version", type=click.IntRange(min=1),
              help="The version printed on the forms, when it is not the active one (forms printed before a "
                   "new version came in); default the active version.")  # fmt: skip
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_responses_command(instrument: str, version: int | None, file: Path) -> None:
    """Import paper-survey responses typed into CSV or XLSX (same checks as the web form).

    Exits 0 when every row was imported or already present, 3 when some rows
    were rejected (the others are imported), 1 when the file was refused whole.
    """
    from app.services.imports import file_rows, responses_import

    active = _active(instrument)
    if version is not None and version != active.instrument.version:
        older = instrument_version(db.session, current_app.extensions["instruments"], instrument, version)
        if older is None:
            raise click.ClickException(f"{instrument} version {version} is not registered.")
        active = older
    with file_refused_whole():
        total = sum(1 for _ in file_rows(file)) - 1
        with click.progressbar(length=max(total, 0), label="Đang nhập / importing", file=None) as bar:
            result = responses_import(db.session, active, file, progress=bar.update)
    rejected_rows_echo(result.errors, result.error_total)
    click.echo(
        f"Đã nhập {result.created} phiếu mới, bỏ qua {result.duplicates} phiếu đã có, "
        f"{result.error_total} dòng lỗi. / {result.created} new, {result.duplicates} already present, "
        f"{result.error_total} rejected."
    )
    if result.error_total:
        # The good rows are kept; the run still fails so that a script or an
        # operator notices the rows to correct and import again.
        click.echo(
            f"{result.error_total} dòng bị từ chối: sửa các dòng trên rồi nhập lại tệp. / "
            f"{result.error_total} rows rejected: correct the rows above and import the file again.",
            err=True,
        )
        raise SystemExit(REJECTED_ROWS_EXIT)


COMMANDS = (report_command, export_responses_command, import_responses_command)

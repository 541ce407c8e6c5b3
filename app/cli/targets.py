"""``targets-export``: the year-end classification of the targets as XLSX or CSV."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.refusals import Refused
from app.services.reports.build import InstrumentMissing
from app.services.targets import targets_progress, year_parse
from app.services.targets_export import targets_csv, targets_xlsx
from app.texts import DEFAULT_LANG, languages, texts


@click.command("targets-export")
@click.option("--year", required=True, help="The calendar year of the targets, e.g. 2026.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(languages()), default=DEFAULT_LANG, show_default=True)
@with_appcontext
def targets_export_command(year: str, fmt: str, out: Path, lang: str) -> None:
    """Write every target of a year with the unit's estimate, interval and classification."""
    try:
        year_value = year_parse(year)
    except Refused as exc:
        raise click.BadParameter(texts(exc.message_key, lang, **exc.values), param_hint="--year") from exc
    try:
        progress = targets_progress(db.session, current_app.extensions["instruments"], year_value)
    except InstrumentMissing as exc:
        raise click.ClickException("The instrument is not registered; run `flask --app wsgi migrate`.") from exc
    content = targets_xlsx(progress, lang) if fmt == "xlsx" else targets_csv(progress, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    counts = {status: sum(p.classification.status == status for p in progress) for status in
              ("met", "likely_met", "not_met", "not_assessable")}  # fmt: skip
    click.echo(f"{year_value}: {len(progress)} targets {counts} → {out}")

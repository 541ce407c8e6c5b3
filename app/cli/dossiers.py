"""Dossier commands: ``import-dossier-counts`` and ``dossier-key`` (issue 16.3–16.4)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.counters import counter_by_token
from app.cli.imports import REJECTED_ROWS_EXIT, file_refused_whole, rejected_rows_echo
from app.extensions import db


@click.command("import-dossier-counts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_dossier_counts_command(file: Path) -> None:
    """Import dossiers received per counter and month (CSV or XLSX: don_vi, quay, thang, so_ho_so).

    The denominator of the response rate. A row replaces the count stored for
    its counter and month. Exits 0 when every row was stored, 3 when some rows
    were refused (the others are stored), 1 when the file was refused whole.
    """
    from app.services.dossier_counts import dossier_counts_import

    with file_refused_whole():
        result = dossier_counts_import(db.session, file)
    rejected_rows_echo(result.errors, result.error_total)
    click.echo(
        f"Đã lưu số hồ sơ của {result.stored} quầy-tháng, {result.error_total} dòng lỗi. / "
        f"{result.stored} counter-months stored, {result.error_total} rejected."
    )
    if result.error_total:
        raise SystemExit(REJECTED_ROWS_EXIT)


@click.command("dossier-key")
@click.option("--token", required=True, help="The counter's QR token (see `flask urls`).")
@with_appcontext
def dossier_key_command(token: str) -> None:
    """The counter's id and dossier key, for the unit's one-stop-shop software to sign codes (docs/integrity.md §3)."""
    from app.services.dossier_codes import dossier_key

    point = counter_by_token(token)
    click.echo(f"counter_id={point.id}")
    click.echo(f"key={dossier_key(current_app.secret_key, point.id)}")


@click.command("dossier-sheet")
@click.option("--token", required=True, help="The counter's QR token (see `flask urls`).")
@click.option("--count", "count", type=int, default=16, show_default=True, help="Codes to print (1-200).")
@click.option("--days", type=int, default=60, show_default=True, help="Days each code stays good (1-366).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="PDF file; default the suggested name.")
@with_appcontext
def dossier_sheet_command(token: str, count: int, days: int, out: Path | None) -> None:
    """Slips of one-time dossier codes for a counter without software (eight to an A4 page)."""
    from app.refusals import Refused
    from app.services.dossier_register import dossier_sheet
    from app.texts import texts

    point = counter_by_token(token)
    try:
        name, pdf = dossier_sheet(
            db.session, current_app.secret_key, current_app.config["PUBLIC_URL"], point.id, count, days
        )
    except Refused as exc:
        raise click.ClickException(texts(exc.message_key, **exc.values)) from exc
    target = out or Path(name)
    target.write_bytes(pdf)
    click.echo(f"{target} ({count} mã / codes)")

"""Setting up: ``migrate``, ``seed-demo``, ``urls``, and ``qr`` for QR codes and posters."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.cli.accounts import login_url
from app.cli.counters import counter_by_token
from app.extensions import db
from app.migrations import schema_upgrade
from app.models import Response, RollupDirty, ServicePoint, Unit
from app.services.accounts import demo_logins
from app.services.instruments import instruments_sync
from app.services.rollup import active_instruments, rollup_rebuild, rollup_refresh


def form_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_URL']}/s/{token}"


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Upgrade the database schema to the newest version and register instruments."""
    schema_upgrade(db.engine)
    added = instruments_sync(db.session)
    db.session.commit()
    click.echo(f"Database at the newest schema; instruments registered: {', '.join(added) or 'none new'}")
    _device_tags_forget()
    days = _rollup_refresh()
    if days:
        click.echo(f"Roll-up brought up to date ({days} service days rebuilt).")


@click.command("kiosk-url")
@click.option("--token", required=True, help="The counter's QR token (see `flask urls`).")
@with_appcontext
def kiosk_url_command(token: str) -> None:
    """The link that makes a tablet the counter's shared rating kiosk (open it once on the tablet)."""
    from app.services.kiosk import kiosk_key_issue

    point = counter_by_token(token)
    click.echo(f"{form_url(token)}/kiosk?k={kiosk_key_issue(current_app.secret_key, point.id)}")


@click.command("forget-device-tags")
@with_appcontext
def forget_device_tags_command() -> None:
    """Clear the device tags of past service days (run daily, e.g. from cron at 00:05)."""
    _device_tags_forget()


def _device_tags_forget() -> None:
    from app.services.devices import device_tags_forget
    from app.time import vietnam_today

    cleared = device_tags_forget(db.session, vietnam_today())
    db.session.commit()
    click.echo(f"Device tags of past days cleared: {cleared}.")


def _rollup_refresh() -> int:
    """Bring every active instrument's roll-up up to date; the days rebuilt."""
    before = db.session.scalar(select(func.count()).select_from(RollupDirty)) or 0
    for instrument in active_instruments(db.session, current_app.extensions["instruments"]):
        rollup_refresh(db.session, instrument)
    return before


@click.command("rollup")
@with_appcontext
@click.option("--rebuild", is_flag=True, help="Drop the roll-up and build it again from every response.")
def rollup_command(rebuild: bool) -> None:
    """Bring the per-cluster roll-up that reports read up to date (cron it nightly, or after a bulk change)."""
    if rebuild:
        days = rollup_rebuild(db.session, active_instruments(db.session, current_app.extensions["instruments"]))
    else:
        days = _rollup_refresh()
    click.echo(f"Roll-up up to date: {days} service days rebuilt.")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) if the database holds units.")
@click.option("--responses", default=6000, show_default=True, help="How many synthetic responses.")
@click.option("--seed", default=2026, show_default=True, help="Random seed, for reproducible data.")
@click.option("--force", is_flag=True, help="Seed even if a demo province exists (adds a second one).")
def seed_demo_command(if_empty: bool, responses: int, seed: int, force: bool) -> None:
    """Create a demo province with units, counters and synthetic responses."""
    from app.services.demo import STUFFED, DemoExists, demo_seed

    if if_empty and db.session.scalar(select(func.count()).select_from(Unit)):
        click.echo("The database already holds units; demo not seeded.")
        return
    try:
        # one counter's staff stuff its ballot box, so the anomaly review has something to show
        summary = demo_seed(
            db.session, responses=responses, seed=seed, force=force, stuffed=min(STUFFED, responses // 10)
        )
    except DemoExists as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    _rollup_refresh()
    click.echo(
        f"Demo province {summary.province_code}: {summary.units} units, "
        f"{summary.service_points} service points, {summary.responses} responses."
    )


@click.command("urls")
@with_appcontext
def urls_command() -> None:
    """Print the URLs to open: a citizen form for a few counters."""
    rows = db.session.execute(
        select(ServicePoint.qr_token, ServicePoint.name, Unit.name)
        .join(Unit)
        .where(ServicePoint.retired_at.is_(None))
        .order_by(ServicePoint.id)
        .limit(3)
    ).all()
    count = db.session.scalar(select(func.count()).select_from(Response))
    click.echo(f"\n  Responses stored: {count}")
    if not rows:
        click.echo("  No service points yet: run `flask --app wsgi seed-demo`.")
    for token, point, unit in rows:
        click.echo(f"  Citizen form – {unit} / {point}:\n    {form_url(token)}")
    dashboard = f"{current_app.config['PUBLIC_URL']}/bao-cao"
    click.echo(f"  Dashboard for analysts and unit managers (sign in first):\n    {dashboard}")
    click.echo(f"  Staff sign-in:\n    {login_url()}")
    for username, password, role in demo_logins(db.session):
        click.echo(f"    {username} / {password}  ({role}; demo data only)")
    click.echo("")


@click.command("qr")
@with_appcontext
@click.option("--token", help="QR token of one service point (PNG and SVG of its code).")
@click.option("--point", "point_id", type=int, help="Id of one service point (PNG and SVG of its code).")
@click.option("--unit", "unit_code", help="Unit code: one A4 poster per service point of its subtree (PDF).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Output folder or PDF file.")
def qr_command(token: str | None, point_id: int | None, unit_code: str | None, out: Path) -> None:
    """Write QR codes (PNG, SVG) for a service point, or A4 posters (PDF) for a unit subtree."""
    from app.services.posters import PosterError, point_codes, unit_posters

    if sum(x is not None for x in (token, point_id, unit_code)) != 1:
        raise click.UsageError("Give exactly one of --token, --point or --unit.")
    try:
        if unit_code is not None:
            public_url, registry = current_app.config["PUBLIC_URL"], current_app.extensions["instruments"]
            pdf, count = unit_posters(db.session, unit_code, public_url, registry)
            target = out if out.suffix.lower() == ".pdf" else out / f"posters-{unit_code}.pdf"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pdf)
            click.echo(f"{count} posters written to {target}")
            return
        codes = point_codes(db.session, current_app.config["PUBLIC_URL"], token=token, point_id=point_id)
    except PosterError as exc:
        raise click.ClickException(str(exc)) from exc
    out.mkdir(parents=True, exist_ok=True)
    for name, data in codes.files.items():
        (out / name).write_bytes(data)
    click.echo(f"QR code for {codes.url} written to {out}: {', '.join(codes.files)}")

"""``flask --app wsgi assign``: give a surveyor interviews to run."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.cli.output import refused_message
from app.extensions import db
from app.models import ServicePoint, Unit, User
from app.parsing import DAY_MAX, DAY_MIN, day_parse
from app.refusals import Refused
from app.services.accounts import username_normalise
from app.services.assignments import assignment_create


def _day(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """A day of the range every date in the system keeps to (``app.parsing``)."""
    if value is None:
        return None
    day = day_parse(value)
    if day is None:
        raise click.BadParameter(f"use YYYY-MM-DD, from {DAY_MIN} to {DAY_MAX}; not {value[:20]!r}", param=param)
    return day


@click.command("assign")
@with_appcontext
@click.option("--username", required=True, help="The surveyor.")
@click.option("--unit", "unit_code", required=True, help="Code of the unit the interviews are about.")
@click.option("--point", "point_code", help="Code of a counter in that unit (exit interviews).")
@click.option("--instrument", default="papi-household", show_default=True, help="Instrument code.")
@click.option("--target", type=click.IntRange(1, 1_000_000), required=True, help="Number of interviews expected.")
@click.option("--from", "starts_on", callback=_day, required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "ends_on", callback=_day, help="Last day, YYYY-MM-DD (open if omitted).")
def assign_command(
    username: str,
    unit_code: str,
    point_code: str | None,
    instrument: str,
    target: int,
    starts_on: date,
    ends_on: date | None,
) -> None:
    """Assign a surveyor to run interviews in a unit."""
    surveyor = db.session.scalar(select(User).where(User.username == username_normalise(username)))
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if surveyor is None or unit is None:
        raise click.ClickException(f"No account {username!r}." if surveyor is None else f"No unit {unit_code!r}.")
    point = None
    if point_code:
        point = db.session.scalar(
            select(ServicePoint).where(ServicePoint.unit_id == unit.id, ServicePoint.code == point_code)
        )
        if point is None:
            raise click.ClickException(f"No counter {point_code!r} in {unit_code}.")
    try:
        made = assignment_create(
            db.session,
            current_app.extensions["instruments"],
            surveyor=surveyor,
            unit=unit,
            instrument_code=instrument,
            target=target,
            starts_on=starts_on,
            ends_on=ends_on,
            service_point=point,
        )
    except Refused as exc:
        db.session.rollback()
        raise click.ClickException(refused_message(exc)) from exc
    db.session.commit()
    until = made.ends_on.isoformat() if made.ends_on else "open-ended"
    click.echo(
        f"Assignment {made.id}: {surveyor.username}, {unit.code}, {instrument} × {target}, {made.starts_on} – {until}."
    )

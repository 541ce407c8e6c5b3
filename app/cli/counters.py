"""A counter named on the command line by its QR token."""

from __future__ import annotations

import click
from sqlalchemy import select

from app.extensions import db
from app.models import ServicePoint


def counter_by_token(token: str) -> ServicePoint:
    """The counter whose QR token is ``token``; the command's error if none."""
    point = db.session.scalar(select(ServicePoint).where(ServicePoint.qr_token == token))
    if point is None:
        raise click.ClickException(f"No counter has the token {token!r}.")
    return point

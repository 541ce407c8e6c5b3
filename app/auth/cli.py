"""``flask --app wsgi create-admin``: the first administrator of a new installation."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.i18n import MESSAGES
from app.refusals import Refused
from app.services.accounts import user_create


def login_url() -> str:
    """The staff sign-in page, on the public address the posters print."""
    path = current_app.url_map.bind("localhost").build("auth.login")
    return f"{current_app.config['PUBLIC_URL']}{path}"


def _english(exc: Refused) -> str:
    return MESSAGES[exc.message_key][1].format(**exc.values)


@click.command("create-admin")
@with_appcontext
@click.option("--username", required=True, help="Login name (lower-case letters, digits, . - _).")
@click.option("--name", "display_name", help="The person's name, shown on screens and in the audit log.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_admin_command(username: str, display_name: str | None, password_stdin: bool) -> None:
    """Create an administrator account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    try:
        user = user_create(
            db.session,
            username=username,
            password=password,
            role="admin",
            display_name=display_name,
            via="cli",
        )
    except Refused as exc:
        db.session.rollback()
        raise click.ClickException(_english(exc)) from exc
    db.session.commit()
    click.echo(f"Administrator {user.username!r} created. Sign in at {login_url()}")

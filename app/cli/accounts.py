"""Account commands: ``create-admin`` (the first administrator of a new
installation) and ``api-token`` (a bearer token for a tablet)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.cli.output import refused_message
from app.extensions import db
from app.models import User
from app.refusals import Refused
from app.services.accounts import user_create, username_normalise
from app.services.api_tokens import SCOPES, api_token_issue, api_tokens_revoke


def login_url() -> str:
    """The staff sign-in page, on the public address the posters print."""
    path = current_app.url_map.bind("localhost").build("auth.login")
    return f"{current_app.config['PUBLIC_URL']}{path}"


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
        raise click.ClickException(refused_message(exc)) from exc
    db.session.commit()
    click.echo(f"Administrator {user.username!r} created. Sign in at {login_url()}")


@click.command("api-token")
@with_appcontext
@click.option("--username", required=True, help="The account the token acts for.")
@click.option("--scope", type=click.Choice(SCOPES), default="submit", show_default=True,
              help="submit: a surveyor's tablet (assignments, interviews); read: an analyst's or unit manager's "
                   "integration (GET /api/v1/indicators only).")  # fmt: skip
@click.option("--label", default="tablet", show_default=True, help="What the token is for, e.g. 'Máy tính bảng 3'.")
@click.option("--revoke", is_flag=True, help="Withdraw every token of the account instead (lost tablet).")
def api_token_command(username: str, scope: str, label: str, revoke: bool) -> None:
    """Make an API token (printed once; only its hash is kept; it works for
    API_TOKEN_DAYS days, or until the password changes): scope submit for a
    surveyor's tablet, read for an analyst's or unit manager's integration."""
    user = db.session.scalar(select(User).where(User.username == username_normalise(username)))
    if user is None:
        raise click.ClickException(f"No account {username!r}.")
    if revoke:
        count = api_tokens_revoke(db.session, user, actor=None)
        db.session.commit()
        click.echo(f"{count} token(s) of {user.username!r} withdrawn.")
        return
    try:
        token = api_token_issue(db.session, user, label, days=current_app.config["API_TOKEN_DAYS"], scope=scope)
    except Refused as exc:
        db.session.rollback()
        raise click.ClickException(refused_message(exc)) from exc
    db.session.commit()
    days = current_app.config["API_TOKEN_DAYS"]
    click.echo(token)
    click.echo(
        f"Mã có hiệu lực {days} ngày, chỉ hiện một lần. / Token for {user.username!r} ({label}), valid for "
        f"{days} days. It is shown only now: send it as 'Authorization: Bearer <token>'.",
        err=True,
    )

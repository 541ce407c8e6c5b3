"""``flask --app wsgi api-token``: a bearer token for a surveyor's tablet."""

from __future__ import annotations

import click
from sqlalchemy import select

from app.api.routes import bp
from app.extensions import db
from app.i18n import MESSAGES
from app.models import User
from app.refusals import Refused
from app.services.accounts import username_normalise
from app.services.api_tokens import api_token_issue, api_tokens_revoke


def _english(exc: Refused) -> str:
    return MESSAGES[exc.message_key][1].format(**exc.values)


@bp.cli.command("api-token")
@click.option("--username", required=True, help="The surveyor account the token acts for.")
@click.option("--label", default="tablet", show_default=True, help="What the token is for, e.g. 'Máy tính bảng 3'.")
@click.option("--revoke", is_flag=True, help="Withdraw every token of the account instead (lost tablet).")
def api_token_command(username: str, label: str, revoke: bool) -> None:
    """Make an API token for a surveyor (printed once; only its hash is kept)."""
    user = db.session.scalar(select(User).where(User.username == username_normalise(username)))
    if user is None:
        raise click.ClickException(f"No account {username!r}.")
    if revoke:
        count = api_tokens_revoke(db.session, user, actor=None)
        db.session.commit()
        click.echo(f"{count} token(s) of {user.username!r} withdrawn.")
        return
    try:
        token = api_token_issue(db.session, user, label)
    except Refused as exc:
        db.session.rollback()
        raise click.ClickException(_english(exc)) from exc
    db.session.commit()
    click.echo(token)
    click.echo(
        f"Token for {user.username!r} ({label}). It is shown only now: send it as 'Authorization: Bearer <token>'.",
        err=True,
    )

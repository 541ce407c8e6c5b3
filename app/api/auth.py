"""Who is calling the API: a signed-in session, or a tablet's bearer token.

- A bearer token (``Authorization: Bearer ksat_...``, made with
  ``flask --app wsgi api-token``) authenticates one request; it carries no
  cookie a hostile page could ride, so such requests need no CSRF token.
- A session (the surveyor signed in on the tablet's browser) must send the
  page's CSRF token in the ``X-CSRFToken`` header on every POST.

The blueprint is exempt from the application-wide CSRF check
(``create_app``) and :func:`api_guard` applies it to session requests.
"""

from __future__ import annotations

import contextlib

from flask import Request, g, request
from flask_login import current_user

from app.extensions import csrf, db
from app.i18n import translate
from app.models import User
from app.services.api_tokens import api_token_note_use, api_token_use
from app.services.transactions import DatabaseUnavailable, write_transaction

#: largest request body the API reads (a batch of interviews)
MAX_BODY_BYTES = 2 * 1024 * 1024


def bearer_user(req: Request) -> User | None:
    """Flask-Login's request loader: the account of a valid bearer token on
    an ``/api/`` request (the rest of the site knows only sessions)."""
    if not req.path.startswith("/api/"):
        return None
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    use = api_token_use(db.session, token.strip())
    if use is None:
        return None
    g.api_bearer = True
    g.api_token_id = use.token_id  # the per-token rate limit (app/ratelimit.py)
    g.api_scope = use.scope
    if not use.noted_today:
        # Once a day per token, in a write transaction of its own (SQLite
        # cannot turn this request's read into a write while tablets race);
        # noting the day is never worth failing a tablet's request.
        with contextlib.suppress(DatabaseUnavailable), write_transaction(db.session, "token use"):
            api_token_note_use(db.session, use.token_id)
    return use.user


def by_bearer_token() -> bool:
    """Whether this request was authenticated by a bearer token."""
    return bool(g.get("api_bearer"))


#: the token scopes each endpoint takes (``submit`` when not listed): a read
#: token cannot send interviews, a tablet's token cannot read indicators
ENDPOINT_SCOPES = {
    "api.indicators": frozenset({"read"}),
    "api.instrument": frozenset({"read", "submit"}),
    "api.openapi": frozenset({"read", "submit", "dossiers"}),
    # a unit's one-stop-shop software registers dossiers and does nothing else
    "api.dossiers": frozenset({"dossiers"}),
}


def scope_allowed(endpoint: str | None, scope: str) -> bool:
    """Whether a bearer token of ``scope`` may call ``endpoint``."""
    return scope in ENDPOINT_SCOPES.get(endpoint or "", frozenset({"submit"}))


def api_guard():
    """The blueprint's ``before_request``: the body limit of the API, then
    the token's scope for bearer requests, CSRF for requests that rely on
    the session cookie."""
    request.max_content_length = MAX_BODY_BYTES
    _ = current_user.is_authenticated  # loads the account (session or bearer token) now
    if by_bearer_token():
        if not scope_allowed(request.endpoint, g.get("api_scope", "submit")):
            return {"error": "token_scope", "message": translate("api.token_scope")}, 403
    else:
        csrf.protect()
    return None

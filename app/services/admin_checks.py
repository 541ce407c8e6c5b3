"""Checks and helpers the administration services share: codes, names,
"not found", and flushing a new row whose code another administrator may
have just taken."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.refusals import Refused

#: unit and service-point codes: letters, digits, dot, hyphen, underscore
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
NAME_MAX = 200
PROCEDURE_MAX = 100


def not_found() -> Refused:
    return Refused("adm.not_found", status=404)


def clean_name(raw: str | None, key: str = "adm.name_invalid") -> str:
    name = " ".join((raw or "").split())
    if not name or len(name) > NAME_MAX:
        raise Refused(key, max=NAME_MAX)
    return name


def expire_loaded(session: Session, model: type) -> None:
    """Forget loaded rows of ``model`` after a bulk UPDATE changed them."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model):
            session.expire(obj)


def flush_new(session: Session, taken: Refused) -> None:
    """Flush a new row; another administrator adding the same code at the
    same moment is told the code is taken, not shown a server error (the
    request then rolls back)."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise taken from exc


def clean_code(raw: str | None) -> str:
    code = (raw or "").strip()
    if not CODE_PATTERN.fullmatch(code):
        raise Refused("adm.code_invalid")
    return code

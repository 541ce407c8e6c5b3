"""Verified responses: a form opened by a dossier's one-time code (issue 16.3).

The code (app/services/dossier_codes.py) names the counter, the dossier and
the last day it is good. The form asks the per-dossier rating first (rất hài
lòng / hài lòng / không hài lòng, as the national public service portal
does) and the questionnaire after it, all of it optional. The response is
stored with channel ``qr-verified`` and its rating in
``responses.dossier_rating``; in the same transaction a row of
``used_dossiers`` (unique on counter and dossier) marks the code used, so
of two submissions of one code racing each other one is stored and the
other is refused (409) with nothing half-written.

Anonymity: the dossier number is kept only as a keyed hash, no row links it
to the response, the response keeps the hour only and carries no device
tag (the code itself is the one-per-visit limit). No Flask here.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import DOSSIER_RATINGS, UsedDossier
from app.parsing import digits_parse
from app.refusals import Refused
from app.services.anomalies import OpeningHours
from app.services.citizen_submit import counter_response_submit
from app.services.dossier_codes import DossierCode, dossier_code_read
from app.services.form_nonce import nonce_read
from app.services.instruments import ActiveInstrument
from app.services.service_points import PointInfo
from app.services.transactions import DatabaseUnavailable, write_transaction
from app.texts import label
from app.time import service_day_of, vietnam_today
from surveys import Validation, answers_validate
from surveys.answers import MSG_REQUIRED

#: the channel of a response opened by a dossier's code
CHANNEL = "qr-verified"
#: the form field of the code and of the rating
CODE_FIELD = "ma"
RATING_FIELD = "danh_gia_ho_so"
#: the levels in the order the form shows them (the portal's order), best first
RATING_ORDER = (3, 2, 1)
#: days a code issued without an expiry stays good
CODE_DAYS = 30

Status = Literal["expired", "invalid", "created", "duplicate", "conflict", "used", "unavailable"]


def dossier_digest(secret_key: str, service_point_id: int, dossier: str) -> str:
    """The keyed hash a dossier number is kept as (32 hex digits): enough to
    tell a dossier seen before, useless to someone without the secret key."""
    message = f"dossier-used|{service_point_id}|{dossier}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def verified_code_check(session: Session, secret_key: str, point_id: int, code: str | None) -> DossierCode:
    """The code's content if it may open the counter's verified form now.

    Raises
    ------
    Refused
        ``verified.forged`` (400) when the code is malformed, its signature
        is wrong or it names another counter; ``verified.expired`` (410)
        after its last day; ``verified.used`` (409) when its dossier was
        answered already.
    """
    read = _code_read(secret_key, point_id, code)
    digest = dossier_digest(secret_key, point_id, read.dossier)
    used = session.scalar(
        select(UsedDossier.id).where(UsedDossier.service_point_id == point_id, UsedDossier.dossier == digest)
    )
    if used is not None:
        raise Refused("verified.used", status=409)
    return read


def _code_read(secret_key: str, point_id: int, code: str | None) -> DossierCode:
    read = dossier_code_read(secret_key, code or "", vietnam_today())
    if read.service_point_id != point_id:
        raise Refused("verified.forged", status=400)
    return read


@dataclass(frozen=True)
class VerifiedSubmission:
    """What became of a verified form: ``status`` as
    :class:`app.services.citizen_submit.CitizenSubmission`'s, plus ``used``
    (the dossier was answered by another submission; nothing stored)."""

    status: Status
    validation: Validation = field(default_factory=Validation)
    #: the rating as posted (kept to show the form again), or None
    rating: int | None = None


def _rating_of(given: object) -> int | None:
    """The rating as the form's radio buttons send it: one ASCII digit of
    :data:`DOSSIER_RATINGS` ("³".isdigit() is true and int("³") raises)."""
    rating = digits_parse(given, 1)
    return rating if rating in DOSSIER_RATINGS else None


def verified_validate(active: ActiveInstrument, fields: Mapping[str, str | list[str]]) -> tuple[Validation, int | None]:
    """The questionnaire's answers, every question optional, and the rating
    (required: an error under the rating field's name when it is missing)."""
    validation = answers_validate(active.instrument, fields, channel=CHANNEL)
    errors = {code: message for code, message in validation.errors.items() if message != MSG_REQUIRED}
    rating = _rating_of(fields.get(RATING_FIELD))
    if rating is None:
        errors = {RATING_FIELD: label("verified.rating_required"), **errors}
    return Validation(validation.answers, errors), rating


def verified_submit(
    session: Session,
    *,
    secret_key: str,
    point: PointInfo,
    active: ActiveInstrument,
    fields: Mapping[str, str | list[str]],
    seconds_per_answer: float = 0.0,
    origin_unknown: bool = False,
    opening: OpeningHours | None = None,
) -> VerifiedSubmission:
    """Check the code, the nonce and the answers, then store the response
    and mark the dossier used, in one transaction.

    Raises
    ------
    Refused
        ``verified.forged`` (400) or ``verified.expired`` (410), as
        :func:`verified_code_check`; a dossier answered already is the
        status ``used`` (409 for the view).
    """
    code = fields.get(CODE_FIELD)
    # Whether the dossier was answered is left to the insert below: a resend
    # of the stored form is then a duplicate (thanks), any other form a 409.
    read = _code_read(secret_key, point.id, code if isinstance(code, str) else None)
    given = fields.get("nonce")
    nonce = nonce_read(secret_key, given if isinstance(given, str) else "", point.id)
    validation, rating = verified_validate(active, fields)
    if nonce is None:
        return VerifiedSubmission("expired", validation, rating)
    if not validation.ok or rating is None:
        return VerifiedSubmission("invalid", validation, rating)
    submitted_at = datetime.now(UTC)
    try:
        with write_transaction(session, "a verified response"):
            outcome = counter_response_submit(
                session,
                active=active,
                point=point,
                nonce=nonce,
                answers=validation.answers,
                channel=CHANNEL,
                submitted_at=submitted_at,
                seconds_per_answer=seconds_per_answer,
                opening=opening,
                origin_unknown=origin_unknown,
                dossier_rating=rating,
            )
            if outcome.status == "created":
                # The unique constraint decides a race between two submissions of one code.
                session.connection().execute(
                    insert(UsedDossier.__table__).values(
                        service_point_id=point.id,
                        dossier=dossier_digest(secret_key, point.id, read.dossier),
                        used_on=service_day_of(submitted_at),
                    )
                )
    except IntegrityError:
        session.rollback()
        digest = dossier_digest(secret_key, point.id, read.dossier)
        taken = select(UsedDossier.id).where(UsedDossier.service_point_id == point.id, UsedDossier.dossier == digest)
        if session.scalar(taken) is None:
            raise  # another constraint: a bug to see, not a message to show
        return VerifiedSubmission("used", validation, rating)
    except DatabaseUnavailable:
        return VerifiedSubmission("unavailable", validation, rating)
    if outcome.status in ("duplicate", "conflict"):
        return VerifiedSubmission(outcome.status, validation, rating)
    return VerifiedSubmission("created", validation, rating)


def code_expiry_default(today: date | None = None) -> date:
    """The last day of a code issued today when the caller names none:
    time to be asked after the result is handed over."""
    return (today or vietnam_today()) + timedelta(days=CODE_DAYS)

"""A citizen's form, from the posted fields to the stored response."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.services import devices
from app.services.anomalies import OpeningHours, submit_flags
from app.services.form_nonce import Nonce, nonce_read
from app.services.instruments import ActiveInstrument
from app.services.service_points import PointInfo
from app.services.submissions import SubmitOutcome, response_submit
from app.services.transactions import DatabaseUnavailable, write_transaction
from app.time import service_day_of
from surveys import Validation, Value, answers_validate

Status = Literal["expired", "cookie", "invalid", "created", "duplicate", "conflict", "device_limit", "unavailable"]


@dataclass(frozen=True)
class CitizenSubmission:
    """What became of a citizen's form.

    Attributes
    ----------
    status : str
        ``expired``: the nonce is forged, for another counter or over a day
        old; ``cookie``: the browser's device cookie is missing or not
        the one the nonce was issued with; ``invalid``: some answers need another look (``validation``
        says which); ``unavailable``: the database failed and nothing was
        stored; otherwise the outcome of
        :func:`app.services.submissions.response_submit` (``created``,
        ``duplicate``, ``conflict``, ``device_limit``).
    validation : Validation
        The answers as validated (kept to show the form again).
    submitted_at : datetime or None
        When the response was accepted, for ``created`` and ``duplicate``
        (exact, for the caller; the stored times are :func:`hour_of` it).
    """

    status: Status
    validation: Validation = field(default_factory=Validation)
    submitted_at: datetime | None = None
    #: the response came from the counter's kiosk
    kiosk: bool = False


def hour_of(moment: datetime) -> datetime:
    """The start of the hour of ``moment``: what is stored of a QR response's
    times. Vietnam is a whole number of hours from UTC, so the local service
    day and the local hour are unchanged."""
    return moment.replace(minute=0, second=0, microsecond=0)


def counter_response_submit(
    session: Session,
    *,
    active: ActiveInstrument,
    point: PointInfo,
    nonce: Nonce,
    answers: dict[str, Value],
    channel: str,
    submitted_at: datetime,
    seconds_per_answer: float,
    opening: OpeningHours | None,
    origin_unknown: bool,
    **stored: Any,
) -> SubmitOutcome:
    """Store validated ``answers`` sent from a form at ``point`` (the QR
    form, the kiosk, the verified form), in the caller's transaction.

    The quality flags and the fill time are those of
    :func:`app.services.anomalies.submit_flags` at ``submitted_at``; of the
    times only the hour is kept, and no start (issue 15.5): the flags and the
    fill time already took what the exact times tell. ``stored`` goes on to
    :func:`app.services.submissions.response_submit` (device tag and limit,
    dossier rating).
    """
    flags, fill = submit_flags(
        instrument=active.instrument,
        answers=answers,
        opened_at=nonce.opened_at,
        submitted_at=submitted_at,
        seconds_per_answer=seconds_per_answer,
        opening=opening,
        origin_unknown=origin_unknown,
    )
    return response_submit(
        session,
        client_uuid=nonce.client_uuid,
        instrument=active,
        unit_id=point.unit_id,
        service_point_id=point.id,
        channel=channel,
        answers=answers,
        started_at=None,
        submitted_at=hour_of(submitted_at),
        received_at=hour_of(submitted_at),
        quality_flags=flags,
        fill_seconds=fill,
        **stored,
    )


def citizen_submit(
    session: Session,
    *,
    secret_key: str,
    point: PointInfo,
    active: ActiveInstrument,
    fields: Mapping[str, str | list[str]],
    device_id: str | None,
    device_limit: int | None,
    seconds_per_answer: float = 0.0,
    origin_unknown: bool = False,
    opening: OpeningHours | None = None,
    kiosk: bool = False,
) -> CitizenSubmission:
    """Check the nonce and the answers, then store the response exactly once.

    ``fields`` are the form's fields (:func:`app.citizen.forms.form_fields`):
    a string each, a list of strings for a multi-select question. Answers
    are checked as the QR form asks them (``channel="qr"``).

    ``device_id`` is the browser's device cookie (:mod:`app.services.devices`);
    it must be the device id the nonce was issued with (status ``cookie``
    otherwise), so every stored QR response carries a device tag and counts
    against ``device_limit``, the day's limit of responses per device and
    counter (None for none).

    A nonce issued to the counter's kiosk stores a ``kiosk`` response, with
    no device tag and no device limit, when ``kiosk`` says the request
    carries the kiosk's key (app/services/kiosk.py); without it the status
    is ``cookie``.

    The response is stored with the flags of
    :func:`app.services.anomalies.submit_flags`: sent less than
    ``seconds_per_answer`` times its number of answers after the form was
    opened, a POST naming no origin (``origin_unknown``), outside
    ``opening`` hours, every rating at the top.
    """
    given = fields.get("nonce")
    nonce = nonce_read(secret_key, given if isinstance(given, str) else "", point.id)
    validation = answers_validate(active.instrument, fields, channel="qr")
    if nonce is None:
        return CitizenSubmission("expired", validation)
    if nonce.device_id is None or device_id != nonce.device_id or not devices.device_id_valid(device_id):
        return CitizenSubmission("cookie", validation)
    if nonce.kiosk and not kiosk:
        return CitizenSubmission("cookie", validation)
    if not validation.ok:
        return CitizenSubmission("invalid", validation)
    submitted_at = datetime.now(UTC)
    tag = None
    if not nonce.kiosk:
        tag = devices.device_tag(secret_key, device_id, point.id, service_day_of(submitted_at))
    try:
        with write_transaction(session, "a citizen response"):
            outcome = counter_response_submit(
                session,
                active=active,
                point=point,
                nonce=nonce,
                answers=validation.answers,
                channel="kiosk" if nonce.kiosk else "qr",
                submitted_at=submitted_at,
                seconds_per_answer=seconds_per_answer,
                opening=opening,
                origin_unknown=origin_unknown,
                device_tag=tag,
                device_limit=None if nonce.kiosk else device_limit,
            )
    except DatabaseUnavailable:
        return CitizenSubmission("unavailable", validation)
    return CitizenSubmission(outcome.status, validation, submitted_at, nonce.kiosk)

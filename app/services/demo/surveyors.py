"""The demo surveyor: assignments with targets and household interviews
already sent from a tablet."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ServicePoint, Unit, User
from app.services.assignments import assignment_create
from app.services.demo.citizens import COMMENTS, working_days
from app.services.instruments import instrument_active
from app.services.submissions import response_submit
from app.time import VIETNAM, vietnam_today
from surveys import Instrument, QuestionKind, Role, answers_validate, is_visible, load_all

DEMO_DEVICE = "demo-tablet-0001"


def interview_answers(rng: np.random.Generator, instrument: Instrument) -> dict[str, int | str]:
    """Plausible answers to any instrument, following its skip logic."""
    answers: dict[str, int | str] = {}
    for q in instrument.questions:
        if not is_visible(q, answers, "tablet"):
            continue
        if q.kind is QuestionKind.SINGLE and q.scale is not None:
            codes = sorted(q.scale.codes)
            # lean towards "yes" gates, satisfied ratings and "no" to payments
            weights = np.array(
                [3.0 if c in q.scale.satisfied or (q.role is Role.OTHER and c in q.scale.yes) else 1.0 for c in codes]
            )
            if q.role in (Role.HARASSMENT, Role.INFORMAL_PAYMENT, Role.PERCEPTION):
                weights = np.array([4.0 if c in q.scale.no else 1.0 for c in codes])
            answers[q.code] = int(rng.choice(codes, p=weights / weights.sum()))
        elif q.kind is QuestionKind.NUMBER and q.minimum is not None:
            answers[q.code] = int(rng.integers(q.minimum, q.minimum + 3))
        elif q.kind is QuestionKind.TEXT and rng.random() < 0.1:
            answers[q.code] = str(rng.choice(COMMENTS))
    return answers


def demo_assignments(session: Session, commune: Unit, *, interviews: int = 24, seed: int = 2026) -> int:
    """Give the demo surveyor (of ``commune``) two assignments with targets
    and some household interviews already sent from a tablet, so the
    surveyor's pages show progress. Returns the interviews stored (0 if
    the demo surveyor works elsewhere, e.g. a second demo province).
    """
    surveyor = session.scalar(select(User).where(User.username == "demo-surveyor"))
    if surveyor is None or surveyor.unit_id != commune.id:
        return 0
    registry = load_all()
    today = vietnam_today()
    point = session.scalar(select(ServicePoint).where(ServicePoint.unit_id == commune.id).order_by(ServicePoint.id))
    start, end = today - timedelta(days=30), today + timedelta(days=60)
    common = {"surveyor": surveyor, "unit": commune, "starts_on": start, "ends_on": end}
    assignment_create(session, registry, instrument_code="papi-household", target=60, **common)
    if point is not None:
        assignment_create(session, registry, instrument_code="sipas-counter", target=40, service_point=point, **common)
    active = instrument_active(session, registry, "papi-household")
    assert active is not None, "papi-household is shipped and registered by instruments_sync"
    rng = np.random.default_rng(seed + 1)
    days = sorted(working_days(today - timedelta(days=1), 28)[:6])
    for k in range(interviews):
        day = days[k % len(days)]
        started = datetime.combine(day, time(8, 0), tzinfo=VIETNAM) + timedelta(minutes=35 * (k // len(days)))
        checked = answers_validate(active.instrument, interview_answers(rng, active.instrument), channel="tablet")
        if not checked.ok:  # the generator and the instrument disagree: a bug here
            raise AssertionError(f"demo interview invalid: {checked.errors}")
        response_submit(
            session,
            client_uuid=uuid.UUID(bytes=rng.bytes(16), version=4),
            instrument=active,
            unit_id=commune.id,
            service_point_id=None,
            channel="tablet",
            answers=checked.answers,
            started_at=started.astimezone(UTC),
            submitted_at=(started + timedelta(minutes=int(rng.integers(12, 30)))).astimezone(UTC),
            surveyor_id=surveyor.id,
            device_id=DEMO_DEVICE,
        )
    session.flush()
    return interviews

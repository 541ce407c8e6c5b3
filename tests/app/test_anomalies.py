"""Anomaly flags (issue 16.2): computed on seeded anomalies, never a silent change."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.models import Response
from app.models.responses import FLAG_FAST_FILL, FLAG_NO_ORIGIN, FLAG_OFF_HOURS, FLAG_STRAIGHT_LINE
from app.services.anomalies import (
    FlagCounts,
    OpeningHours,
    counter_days,
    flags_by_unit,
    straight_lined,
    submit_flags,
    surveyor_days,
)
from app.services.instruments import instrument_active
from app.services.submissions import response_submit
from app.time import vietnam_today
from surveys import answers_validate, load_all
from tests.app.test_citizen_form import VALID

REGISTRY = load_all()
SIPAS = REGISTRY["sipas-counter.v2"]
DAY = date(2026, 3, 2)  # a Monday
ANSWERS = answers_validate(SIPAS, VALID, channel="qr").answers
TOP = {k: (5 if isinstance(v, int) and v in (3, 4) else v) for k, v in ANSWERS.items()}


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour)).replace(tzinfo=UTC) - timedelta(hours=7)  # local hour


@pytest.fixture
def store(db_session, point):
    active = instrument_active(db_session, REGISTRY, "sipas-counter")

    def add(day=DAY, *, answers=None, flags=0, fill=120, comment=None, n=1, target=None, **extra):
        answers = dict(answers or ANSWERS)
        for i in range(n):
            given = {**answers, "comment": comment or f"phiếu {uuid.uuid4().hex[:6]} {i}"} if comment != "" else answers
            response_submit(
                db_session,
                client_uuid=uuid.uuid4(),
                instrument=active,
                unit_id=(target or point).unit_id,
                service_point_id=(target or point).id,
                channel="qr",
                answers=given,
                submitted_at=at(day),
                quality_flags=flags,
                fill_seconds=fill,
                **extra,
            )
        db_session.commit()

    return add


def test_submit_flags_mark_what_only_the_moment_knows():
    opening = OpeningHours()
    opened = at(DAY, 9)
    flags = {"instrument": SIPAS, "seconds_per_answer": 2, "opening": opening}
    quick, fill = submit_flags(**flags, answers=ANSWERS, opened_at=opened, submitted_at=opened + timedelta(seconds=5))
    assert quick == FLAG_FAST_FILL and fill == 5
    calm, fill = submit_flags(**flags, answers=ANSWERS, opened_at=opened, submitted_at=opened + timedelta(minutes=3))
    assert calm == 0 and fill == 180
    night, _ = submit_flags(**flags, answers=TOP, opened_at=None, submitted_at=at(DAY, 22), origin_unknown=True)
    assert night == FLAG_OFF_HOURS | FLAG_STRAIGHT_LINE | FLAG_NO_ORIGIN
    sunday, _ = submit_flags(**flags, answers=ANSWERS, opened_at=None, submitted_at=at(DAY - timedelta(days=1)))
    assert sunday == FLAG_OFF_HOURS


def test_straight_lining_needs_enough_rated_criteria():
    assert straight_lined(SIPAS, TOP)
    assert not straight_lined(SIPAS, ANSWERS)
    assert not straight_lined(SIPAS, {"overall": 5, "E1_seats": 5})


def test_a_quiet_counter_has_no_flags(db_session, point, store):
    for offset in range(10):
        store(DAY - timedelta(days=offset), n=3)
    days = counter_days(db_session, [point.unit_id], DAY - timedelta(days=9), DAY)
    assert len(days) == 10
    assert all(d.kinds == () and d.flagged == 0 for d in days)
    assert flags_by_unit(db_session, [point.unit_id], DAY - timedelta(days=9), DAY) == {point.unit_id: FlagCounts(0, 0)}


def test_staff_stuffing_a_counter_is_flagged(db_session, point, store):
    """The usual three a day, then one afternoon of 30 identical top-rated
    forms sent in seconds each: a burst, duplicates, straight-lining, fast fills."""
    for offset in range(1, 15):
        store(DAY - timedelta(days=offset), n=3)
    store(DAY, n=3)
    store(DAY, answers=TOP, comment="", n=30, fill=4, flags=FLAG_FAST_FILL | FLAG_STRAIGHT_LINE)
    (day,) = counter_days(db_session, [point.unit_id], DAY, DAY)
    assert day.responses == 33 and day.baseline == 3.0 and day.burst
    assert day.duplicates == 30 and day.straight_line == 30 and day.fast_fill == 30
    assert day.fill_far_below_median == 30  # the counter's median is 120 s
    assert day.kinds == ("burst", "duplicates", "fast_fill", "fill_far_below_median", "straight_line")
    assert day.flagged == 33
    counts = flags_by_unit(db_session, [point.unit_id], DAY - timedelta(days=14), DAY)
    assert counts[point.unit_id] == FlagCounts(flagged=33, excluded=0)


def test_flags_count_excluded_responses_and_change_nothing(db_session, point, store):
    store(DAY, n=2, flags=FLAG_NO_ORIGIN)
    first = db_session.query(Response).order_by(Response.id).first()
    first.status, first.excluded_reason = "excluded", "nhân viên tự điền"
    db_session.commit()
    before = [(r.id, r.status, r.quality_flags) for r in db_session.query(Response).order_by(Response.id)]
    counts = flags_by_unit(db_session, [point.unit_id], DAY, DAY)
    assert counts[point.unit_id] == FlagCounts(flagged=2, excluded=1)
    assert [(r.id, r.status, r.quality_flags) for r in db_session.query(Response).order_by(Response.id)] == before


def test_a_surveyor_over_target_with_zero_duration_interviews_is_flagged(db_session, users, surveyor_assignment):
    active = instrument_active(db_session, REGISTRY, "papi-household")
    papi = active.instrument
    import numpy as np

    from app.services.demo.surveyors import interview_answers

    answers = answers_validate(papi, interview_answers(np.random.default_rng(1), papi), channel="tablet").answers
    surveyor = users["surveyor"]
    today = date.today()
    moment = datetime.combine(today, time(3)).replace(tzinfo=UTC)
    for _ in range(12):  # target 10; identical, and started = submitted
        response_submit(db_session, client_uuid=uuid.uuid4(), instrument=active, unit_id=surveyor.unit_id,
                        service_point_id=None, channel="tablet", answers=answers, started_at=moment,
                        submitted_at=moment, surveyor_id=surveyor.id)  # fmt: skip
    db_session.commit()
    (day,) = surveyor_days(db_session, [surveyor.unit_id], today, today)
    assert day.interviews == 12 and day.target == 10 and day.cumulative == 12 and day.over_target
    assert day.zero_duration == 12 and day.duplicates == 12
    assert day.kinds == ("over_target", "zero_duration", "duplicates")
    assert flags_by_unit(db_session, [surveyor.unit_id], today, today)[surveyor.unit_id].flagged == 12


def test_the_review_screen_lists_a_stuffed_counter_day_and_excludes_it_with_a_reason(
    admin_client, admin_post, db_session, point, store, csrf_of
):
    today = date.today()
    for offset in range(1, 8):
        store(today - timedelta(days=offset), n=2)
    store(today, answers=TOP, comment="", n=12, fill=3, flags=FLAG_FAST_FILL | FLAG_STRAIGHT_LINE)
    page = admin_client.get("/quan-tri/bat-thuong")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Dồn dập" in html and "Phiếu trùng nhau" in html and "Toàn mức cao nhất" in html
    assert point.name in html
    refused = admin_post("/quan-tri/bat-thuong/loai", {"point": str(point.id), "day": today.isoformat(), "reason": ""})
    assert refused.status_code == 422
    done = admin_post(
        "/quan-tri/bat-thuong/loai",
        {"point": str(point.id), "day": today.isoformat(), "reason": "Nhân viên tự điền", "scope": "marked"},
    )
    assert done.status_code == 303
    db_session.expire_all()
    statuses = db_session.query(Response.status, Response.excluded_reason).filter(Response.service_day == today).all()
    assert statuses == [("excluded", "Nhân viên tự điền")] * 12
    from app.models import AuditEvent

    assert db_session.query(AuditEvent).filter(AuditEvent.action == "response.exclude").count() == 12
    # kept, counted as excluded, and a second attempt is refused clearly
    assert flags_by_unit(db_session, [point.unit_id], today, today)[point.unit_id] == FlagCounts(12, 12)
    again = admin_post(
        "/quan-tri/bat-thuong/loai", {"point": str(point.id), "day": today.isoformat(), "reason": "lần nữa"}
    )
    assert again.status_code == 409
    bad = admin_post("/quan-tri/bat-thuong/loai", {"point": "x", "day": "9999-99-99", "reason": "x"})
    assert bad.status_code == 400


def test_the_demo_has_a_stuffed_counter_and_only_that_one_bursts(db_session):
    from app.services.demo import demo_seed

    summary = demo_seed(db_session, responses=600, seed=11, stuffed=24)
    db_session.commit()
    assert summary.responses == 600
    today = vietnam_today()
    days = counter_days(db_session, None, today - timedelta(days=60), today)
    bursts = [d for d in days if d.burst]
    assert len(bursts) == 1
    (stuffed,) = bursts
    assert stuffed.responses >= 24 and stuffed.duplicates >= 24 and stuffed.fast_fill == 24
    assert {"burst", "duplicates", "fast_fill"} <= set(stuffed.kinds)

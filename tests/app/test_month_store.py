"""Stored unit x month sums (app/services/month_store.py): always those of the responses.

A report reads the stored sums only when they are exactly what summing the
responses gives; these tests compare the two for every filter the store
answers (every channel, a channel some units mix with others, a district,
a level), after a refresh, after an exclusion and a moved day, and check
that what the store cannot answer (a procedure, a day marked for a rebuild,
another layout) is refused rather than answered wrongly.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select, update

from app.models import CHANNELS, MonthMomentsRow, Response, Unit
from app.services.cluster_rows import layout_of
from app.services.demo import demo_seed
from app.services.month_moments import MonthMoments, moments_layout, month_moments_of_rows
from app.services.month_store import ALL_CHANNELS, month_moments_read
from app.services.response_filter import ResponseFilter, version_ids
from app.services.rollup import rollup_layout_current, rollup_refresh, rows_direct
from surveys import load_all

SIPAS = load_all()["sipas-counter.v1"]
LAYOUT = layout_of(SIPAS)
MOMENTS = moments_layout(SIPAS, LAYOUT)


@pytest.fixture
def demo(db_session):
    demo_seed(db_session, responses=700, seed=11)
    db_session.commit()
    return db_session


def span(session) -> tuple:
    first, last = session.execute(select(func.min(Response.service_day), func.max(Response.service_day))).one()
    return first.replace(day=1), last


def stored(session, flt: ResponseFilter) -> MonthMoments | None:
    return month_moments_read(session, SIPAS, MOMENTS, rollup_layout_current(session, LAYOUT), flt)


def summed(session, flt: ResponseFilter) -> MonthMoments:
    return month_moments_of_rows(SIPAS, MOMENTS, rows_direct(session, SIPAS, flt).grouped(by_procedure=False))


def assert_same(a: MonthMoments, b: MonthMoments) -> None:
    order_a, order_b = np.lexsort((a.month, a.unit)), np.lexsort((b.month, b.unit))
    assert a.unit[order_a].tolist() == b.unit[order_b].tolist()
    assert a.month[order_a].tolist() == b.month[order_b].tolist()
    np.testing.assert_allclose(a.values[order_a], b.values[order_b], rtol=1e-12, atol=1e-9)


def test_stored_sums_equal_the_sums_of_the_responses_for_every_filter(demo):
    rollup_refresh(demo, SIPAS)
    start, end = span(demo)
    district = demo.scalar(select(Unit.code).where(Unit.level == "district").order_by(Unit.code))
    channels = demo.scalars(
        select(Response.channel).where(Response.instrument_version_id.in_(version_ids(demo, SIPAS.code))).distinct()
    ).all()
    filters = [ResponseFilter(SIPAS.code, start, end)]
    filters += [ResponseFilter(SIPAS.code, start, end, channel=c) for c in channels]
    filters += [ResponseFilter(SIPAS.code, start, end, unit_code=district),
                ResponseFilter(SIPAS.code, start, end, level="commune", channel="qr")]  # fmt: skip
    for flt in filters:
        got = stored(demo, flt)
        assert got is not None and len(got) > 0, flt
        assert_same(got, summed(demo, flt))
    # some unit's month mixes channels (its channels' own rows are kept) and some holds one
    bits = demo.scalars(select(MonthMomentsRow.channels).where(MonthMomentsRow.channel == ALL_CHANNELS)).all()
    assert any(b & (b - 1) for b in bits) and any(b and not b & (b - 1) for b in bits)
    assert len(channels) > 1 and set(channels) <= set(CHANNELS)


def test_a_changed_day_is_refused_until_the_refresh_rebuilds_its_month(demo):
    rollup_refresh(demo, SIPAS)
    start, end = span(demo)
    flt = ResponseFilter(SIPAS.code, start, end)
    before = stored(demo, flt).values[:, 0].sum()
    first, second = demo.scalars(select(Response.id).where(Response.status == "submitted").limit(2)).all()
    demo.execute(update(Response).where(Response.id == first).values(status="excluded", excluded_reason="test"))
    moved = demo.scalar(select(Response.service_day).where(Response.id == second)) - timedelta(days=35)
    demo.execute(update(Response).where(Response.id == second).values(service_day=max(moved, start)))
    assert stored(demo, flt) is None  # the marked days: the report sums the rows itself
    demo.commit()
    rollup_refresh(demo, SIPAS)
    after = stored(demo, flt)
    assert after is not None and after.values[:, 0].sum() == before - 1
    assert_same(after, summed(demo, flt))


def test_what_the_store_cannot_answer_is_refused(demo):
    rollup_refresh(demo, SIPAS)
    start, end = span(demo)
    assert stored(demo, ResponseFilter(SIPAS.code, start, end, procedure=3)) is None
    assert stored(demo, ResponseFilter(SIPAS.code, start + timedelta(days=3), end)) is None  # not whole months
    assert stored(demo, ResponseFilter(SIPAS.code)) is None  # no period
    assert month_moments_read(demo, SIPAS, MOMENTS, None, ResponseFilter(SIPAS.code, start, end)) is None
    narrower = moments_layout(SIPAS, LAYOUT)
    narrower = type(narrower)(narrower.keys[:3], narrower.criteria, narrower.elements, None, ())
    assert month_moments_read(demo, SIPAS, narrower, rollup_layout_current(demo, LAYOUT),
                              ResponseFilter(SIPAS.code, start, end)) is None  # fmt: skip


def test_empty_database(db_session):
    rollup_refresh(db_session, SIPAS)
    got = stored(db_session, ResponseFilter(SIPAS.code, date(2026, 1, 1), date(2026, 3, 31)))
    assert got is not None and len(got) == 0

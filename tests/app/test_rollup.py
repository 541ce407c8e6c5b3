"""The per-cluster roll-up (app/services/rollup.py): always equal to the responses.

Every figure of a report comes from cluster rows; the roll-up keeps them.
These tests compare what the roll-up gives with rows built from the
responses themselves, for every kind of filter, after every kind of
change (a new response, an exclusion, a moved service day, a new layout).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select, update

from app.models import ClusterRollup, Response, RollupDirty, RollupLayout, Unit
from app.services.cluster_rows import ClusterRows, layout_of
from app.services.demo import demo_seed
from app.services.indicators import indicator_table
from app.services.response_filter import ResponseFilter, version_ids
from app.services.rollup import cluster_rows_for, rollup_rebuild, rollup_refresh, rows_direct
from surveys import load_all

SIPAS = load_all()["sipas-counter.v1"]


@pytest.fixture
def demo(db_session):
    demo_seed(db_session, responses=700, seed=11)
    db_session.commit()
    return db_session


def marked(session) -> int:
    """Days of the SIPAS instrument marked for a rebuild."""
    return session.scalar(
        select(func.count())
        .select_from(RollupDirty)
        .where(RollupDirty.instrument_version_id.in_(version_ids(session, SIPAS.code)))
    )


def canonical(rows: ClusterRows) -> dict[tuple, tuple]:
    """Rows as {key: sums}, one entry per (unit, owner, day, channel, procedure)."""
    g = rows.grouped()
    out = {}
    for i, key in enumerate(zip(g.unit.tolist(), g.owner.tolist(), g.day.tolist(), g.channel.tolist(),
                                g.procedure.tolist(), strict=True)):  # fmt: skip
        out[key] = (int(g.responses[i]), tuple(g.counts[i].tolist()), tuple(np.round(g.floats[i], 9).tolist()))
    return out


def filters(session) -> list[ResponseFilter]:
    day = session.scalar(select(func.max(Response.service_day)))
    district = session.scalar(select(Unit.code).where(Unit.level == "district").order_by(Unit.code).limit(1))
    base = ResponseFilter(instrument=SIPAS.code)
    return [
        base,
        ResponseFilter(instrument=SIPAS.code, date_from=day - timedelta(days=90), date_to=day),
        ResponseFilter(instrument=SIPAS.code, unit_code=district),
        ResponseFilter(instrument=SIPAS.code, level="commune"),
        ResponseFilter(instrument=SIPAS.code, procedure=3),
        ResponseFilter(instrument=SIPAS.code, channel="qr"),
        ResponseFilter(instrument=SIPAS.code, channel="tablet", date_from=date(2000, 1, 1)),
    ]


def test_refreshed_rollup_equals_the_responses_for_every_filter(demo):
    rollup_refresh(demo, SIPAS)
    assert demo.scalar(select(func.count()).select_from(ClusterRollup)) > 0
    assert marked(demo) == 0
    for flt in filters(demo):
        direct = canonical(rows_direct(demo, SIPAS, flt))
        assert canonical(cluster_rows_for(demo, SIPAS, flt)) == direct, flt
    assert sum(v[0] for v in canonical(rows_direct(demo, SIPAS, filters(demo)[0])).values()) == demo.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.status == "submitted", Response.instrument_version_id.in_(version_ids(demo, SIPAS.code)))
    )


def test_a_new_response_an_exclusion_and_a_moved_day_are_seen_before_and_after_a_refresh(demo):
    rollup_refresh(demo, SIPAS)
    flt = ResponseFilter(instrument=SIPAS.code)
    first, second = demo.scalars(select(Response.id).where(Response.status == "submitted").limit(2)).all()
    demo.execute(update(Response).where(Response.id == first).values(status="excluded", excluded_reason="test"))
    moved_to = demo.scalar(select(Response.service_day).where(Response.id == second)) - timedelta(days=400)
    demo.execute(update(Response).where(Response.id == second).values(service_day=moved_to))
    # marked in the same transaction, so the read (no refresh yet) already sees both changes
    assert marked(demo) >= 2
    assert canonical(cluster_rows_for(demo, SIPAS, flt)) == canonical(rows_direct(demo, SIPAS, flt))
    demo.commit()
    rollup_refresh(demo, SIPAS)
    assert marked(demo) == 0
    assert canonical(cluster_rows_for(demo, SIPAS, flt)) == canonical(rows_direct(demo, SIPAS, flt))
    table = indicator_table(demo, SIPAS, flt)
    assert table.total.responses == demo.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.status == "submitted", Response.instrument_version_id.in_(version_ids(demo, SIPAS.code)))
    )


def test_indicator_table_is_the_same_from_the_rollup_and_from_the_responses(demo):
    flt = ResponseFilter(instrument=SIPAS.code, level="commune")
    direct = indicator_table(demo, SIPAS, flt)  # no layout registered yet: built from the responses
    rollup_refresh(demo, SIPAS)
    assert demo.scalar(select(func.count()).select_from(RollupLayout)) == 1
    kept = indicator_table(demo, SIPAS, flt)
    assert [d.key for d in kept.domains] == [d.key for d in direct.domains]
    for a, b in zip([direct.total, *direct.domains], [kept.total, *kept.domains], strict=True):
        assert a.responses == b.responses and a.clusters == b.clusters
        assert a.figures.keys() == b.figures.keys()
        for key, fa in a.figures.items():
            fb = b.figures[key]
            assert fa.n == fb.n and fa.distribution == fb.distribution, key
            for name in ("estimate", "lower", "upper", "se"):
                va, vb = getattr(fa, name), getattr(fb, name)
                assert (va is None and vb is None) or va == pytest.approx(vb, abs=1e-12), (key, name)


def test_a_new_layout_drops_the_old_rows_and_rebuilds(demo):
    rollup_refresh(demo, SIPAS)
    other = load_all()["sipas-counter.v1"]
    # an instrument whose items differ has another layout signature
    fewer = type(other)(**{**other.__dict__, "sections": other.sections[:3]})
    assert layout_of(fewer).signature != layout_of(other).signature
    rollup_refresh(demo, fewer)
    assert demo.scalars(select(RollupLayout.signature)).all() == [layout_of(fewer).signature]
    flt = ResponseFilter(instrument=SIPAS.code)
    assert canonical(cluster_rows_for(demo, fewer, flt)) == canonical(rows_direct(demo, fewer, flt))
    # the old layout's rows are gone, so reading with it builds from the responses
    assert canonical(cluster_rows_for(demo, SIPAS, flt)) == canonical(rows_direct(demo, SIPAS, flt))
    assert rollup_rebuild(demo, [SIPAS]) > 0
    assert canonical(cluster_rows_for(demo, SIPAS, flt)) == canonical(rows_direct(demo, SIPAS, flt))


def test_empty_database(db_session):
    rollup_refresh(db_session, SIPAS)
    flt = ResponseFilter(instrument=SIPAS.code)
    assert len(cluster_rows_for(db_session, SIPAS, flt)) == 0
    assert indicator_table(db_session, SIPAS, flt).total.responses == 0

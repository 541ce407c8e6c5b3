"""The raw-responses CSV says exactly what the answers table says, row for row."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from app.models import Answer, InstrumentVersion, Response, ServicePoint, Unit
from app.services.aggregates import ResponseFilter
from app.services.demo import demo_seed
from app.services.exports import META_COLUMNS, export_columns, export_fields, responses_csv
from surveys import load_all

SIPAS = load_all()["sipas-counter.v1"]


@pytest.fixture
def demo(db_session):
    demo_seed(db_session, responses=400, seed=5)
    db_session.commit()
    return db_session


def exported(session, flt=None, **kwargs) -> list[dict[str, str]]:
    text = "".join(responses_csv(session, SIPAS, flt or ResponseFilter(), batch=97, **kwargs))
    return list(csv.DictReader(io.StringIO(text)))


def expected(session, codes, flt_channel=None) -> Counter:
    """(unit code, point code, day, channel, answers...) of every submitted response, from the answers table."""
    query = (
        select(
            Response.id,
            Unit.code,
            ServicePoint.code,
            Response.service_day,
            Response.channel,
            Answer.question_code,
            Answer.value_int,
            Answer.value_text,
        )
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.status == "submitted", InstrumentVersion.code == SIPAS.code)
    )
    if flt_channel:
        query = query.where(Response.channel == flt_channel)
    rows: dict[int, dict] = {}
    for rid, unit, point, day, channel, code, value_int, value_text in session.execute(query):
        r = rows.setdefault(rid, {"meta": (unit, point or "", day.isoformat(), channel), "answers": {}})
        if code is not None:
            r["answers"][code] = value_int if value_int is not None else value_text
    return Counter(
        (*r["meta"], *("" if r["answers"].get(c) is None else str(r["answers"][c]) for c in codes))
        for r in rows.values()
    )


def as_counter(rows, codes) -> Counter:
    return Counter(
        (r["unit_code"], r["service_point"], r["service_day"], r["channel"], *(r[c] for c in codes)) for r in rows
    )


def test_every_row_matches_the_answers_table(demo):
    rows = exported(demo)
    codes = export_columns(SIPAS)[len(META_COLUMNS) :]
    assert "comment" not in codes
    stored = demo.scalar(
        select(func.count())
        .select_from(Response)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(Response.status == "submitted", InstrumentVersion.code == SIPAS.code)
    )
    assert len(rows) == stored > 0
    assert as_counter(rows, codes) == expected(demo, codes)
    assert [r["row"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]


def test_comments_on_request_and_filters(demo):
    codes = export_columns(SIPAS, with_comments=True)[len(META_COLUMNS) :]
    assert "comment" in codes
    rows = exported(demo, ResponseFilter(channel="qr"), with_comments=True)
    assert as_counter(rows, codes) == expected(demo, codes, flt_channel="qr")
    assert any(r["comment"] for r in rows)


def test_excluded_responses_are_not_exported(demo):
    before = len(exported(demo))
    rid = demo.scalar(
        select(Response.id)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(InstrumentVersion.code == SIPAS.code, Response.status == "submitted")
        .limit(1)
    )
    demo.execute(update(Response).where(Response.id == rid).values(status="excluded", excluded_reason="thử"))
    assert len(exported(demo)) == before - 1


def test_no_responses_gives_the_header_only(db_session):
    text = "".join(responses_csv(db_session, SIPAS, ResponseFilter()))
    assert text == ",".join(export_columns(SIPAS)) + "\r\n"


def test_postgresql_fast_path_writes_what_csv_writer_writes(demo):
    """On PostgreSQL the export without comments is assembled column by
    column; it must be byte for byte the generic path's output."""
    from app.services.exports import _aggregated_lines, _fetched_lines
    from app.services.packed_rows import instrument_layouts

    if demo.get_bind().dialect.name != "postgresql":
        pytest.skip("the fast path is PostgreSQL's")
    demo.execute(update(Unit).where(Unit.level == "commune").values(name='=Xã "Mới", phường'))
    fields = export_fields(SIPAS)
    layouts = dict(instrument_layouts(demo, SIPAS.code))
    generic = "".join(_fetched_lines(demo, ResponseFilter(), fields, layouts, 53))
    fast = "".join(_aggregated_lines(demo, ResponseFilter(), fields, layouts))
    assert generic.split("\r\n", 1)[1] == fast
    assert '"\'=Xã ""Mới"", phường"' in fast  # formula neutralised, quotes doubled

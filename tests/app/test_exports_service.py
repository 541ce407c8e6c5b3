"""The raw-responses CSV says exactly what the answers table says, row for row,
through every version's layout (the demo holds v1 and v2 responses)."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from app.models import Answer, InstrumentVersion, Response, ServicePoint, Unit
from app.services.demo import demo_seed
from app.services.exports import META_COLUMNS, codebook_rows, export_columns, export_fields, responses_csv
from app.services.response_filter import ResponseFilter
from surveys import load_all

SIPAS = load_all()["sipas-counter.v2"]
OLDER = [load_all()["sipas-counter.v1"]]


@pytest.fixture
def demo(db_session):
    demo_seed(db_session, responses=400, seed=5)
    db_session.commit()
    return db_session


def exported(session, flt=None, **kwargs) -> list[dict[str, str]]:
    text = "".join(responses_csv(session, SIPAS, flt or ResponseFilter(), batch=97, older=OLDER, **kwargs))
    return list(csv.DictReader(io.StringIO(text)))


def expected(session, codes, flt_channel=None, with_comments=False) -> Counter:
    """(unit code, point code, day, channel, answers...) of every submitted response, from the answers table;
    a multi-select choice's column is its bit of the stored mask."""
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
    fields = {f.column: f for f in export_fields(SIPAS, with_comments=with_comments, older=OLDER)}
    assert list(fields) == codes

    def cell(answers, column):
        field = fields[column]
        value = answers.get(field.question.code)
        if value is None:
            return ""
        return str(value >> field.choice.code & 1) if field.choice is not None else str(value)

    return Counter((*r["meta"], *(cell(r["answers"], c) for c in codes)) for r in rows.values())


def as_counter(rows, codes) -> Counter:
    return Counter(
        (r["unit_code"], r["service_point"], r["service_day"], r["channel"], *(r[c] for c in codes)) for r in rows
    )


def test_every_row_matches_the_answers_table(demo):
    rows = exported(demo)
    codes = export_columns(SIPAS, older=OLDER)[len(META_COLUMNS) :]
    assert "comment" not in codes
    # v2's questions, a 0/1 column per expectation, then what only v1 asked
    assert codes[:4] == ["visit_stage", "procedure", "visits", "E1_seats"]
    assert codes[codes.index("expectations_1") - 1 : codes.index("expectations_0") + 2] == [
        "overall", *(f"expectations_{c}" for c in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0)), "sex",
    ]  # fmt: skip
    v1_only = ["E1_1", "E1_2", "E2_1", "E2_2", "E2_3", "E3_1", "E3_2", "E3_3", "E4_1", "E4_2", "E5_1", "E5_2"]
    assert codes[-12:] == v1_only
    assert "expectations_other" not in codes and "expectations" not in codes
    stored = demo.scalar(
        select(func.count())
        .select_from(Response)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(Response.status == "submitted", InstrumentVersion.code == SIPAS.code)
    )
    assert len(rows) == stored > 0
    assert as_counter(rows, codes) == expected(demo, codes)
    assert [r["row"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    v1 = [r for r in rows if r["instrument_version"] == "1"]
    v2 = [r for r in rows if r["instrument_version"] == "2"]
    assert v1 and v2
    assert all(r["E1_1"] and not r["E1_seats"] and r["expectations_6"] == "" for r in v1)
    assert all(not r["E1_1"] and r["E1_seats"] and r["expectations_6"] in ("0", "1") for r in v2)
    # each v2 response chose one to three improvements, or "none" alone
    for r in v2:
        chosen = [c for c in range(12) if r[f"expectations_{c}"] == "1"]
        assert chosen == [0] or (1 <= len(chosen) <= 3 and 0 not in chosen)


def test_the_codebook_names_every_column_and_each_choice(demo):
    book = codebook_rows(SIPAS, older=OLDER)
    columns = [row[0] for row in book[1:]]
    assert set(columns) == set(export_columns(SIPAS, older=OLDER))
    text = SIPAS.question("expectations").text
    vi, en = f"{text.vi} — Rút ngắn thời gian giải quyết thủ tục hành chính", f"{text.en} — Shorter processing times"
    assert [row for row in book if row[0] == "expectations_6"] == [
        ["expectations_6", vi, en, "1", "Có chọn", "Chosen"],
        ["expectations_6", vi, en, "0", "Không chọn", "Not chosen"],
    ]
    assert ["E1_1", OLDER[0].question("E1_1").text.vi] == next(r for r in book if r[0] == "E1_1")[:2]


def test_comments_on_request_and_filters(demo):
    codes = export_columns(SIPAS, with_comments=True, older=OLDER)[len(META_COLUMNS) :]
    assert "comment" in codes
    rows = exported(demo, ResponseFilter(channel="qr"), with_comments=True)
    assert as_counter(rows, codes) == expected(demo, codes, flt_channel="qr", with_comments=True)
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
    text = "".join(responses_csv(db_session, SIPAS, ResponseFilter(), older=OLDER))
    assert text == ",".join(f'"{c}"' for c in export_columns(SIPAS, older=OLDER)) + "\r\n"


def test_postgresql_fast_path_writes_what_csv_writer_writes(demo):
    """On PostgreSQL the export without comments is assembled column by
    column; it must be byte for byte the generic path's output, with the
    shorter v1 records padded and the check boxes' columns as 0/1."""
    from app.services.exports import _aggregated_lines, _fetched_lines
    from app.services.packed_rows import instrument_layouts

    if demo.get_bind().dialect.name != "postgresql":
        pytest.skip("the fast path is PostgreSQL's")
    demo.execute(update(Unit).where(Unit.level == "commune").values(name='=Xã "Mới", phường'))
    fields = export_fields(SIPAS, older=OLDER)
    layouts = dict(instrument_layouts(demo, SIPAS.code))
    assert len({len(layout) for layout in layouts.values()}) == 2  # v1's and v2's
    generic = "".join(_fetched_lines(demo, ResponseFilter(), fields, layouts, 53))
    fast = "".join(_aggregated_lines(demo, ResponseFilter(), fields, layouts))
    assert generic.split("\r\n", 1)[1] == fast
    assert ",1,0," in fast and ",1," in fast.split("\r\n")[-2]  # check-box columns are there
    # and the whole export takes the fast path
    assert "".join(responses_csv(demo, SIPAS, ResponseFilter(), older=OLDER)) == generic
    assert '"\'=Xã ""Mới"", phường"' in fast  # formula neutralised, quotes doubled


def test_verified_responses_carry_their_dossier_rating(demo):
    """The per-dossier three-level rating (3 rất hài lòng, 2 hài lòng,
    1 không hài lòng) of a verified response is a column of the export and
    of the codebook; other channels leave it empty (issue 16.3)."""
    rows = exported(demo)
    assert "dossier_rating" in rows[0]
    stored = Counter(
        (channel, "" if rating is None else str(rating))
        for channel, rating in demo.execute(
            select(Response.channel, Response.dossier_rating)
            .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
            .where(Response.status == "submitted", InstrumentVersion.code == SIPAS.code)
        )
    )
    assert Counter((r["channel"], r["dossier_rating"]) for r in rows) == stored
    assert {r["dossier_rating"] for r in rows if r["channel"] == "qr-verified"} <= {"1", "2", "3"}
    assert any(r["channel"] == "qr-verified" for r in rows)
    assert all(r["dossier_rating"] == "" for r in rows if r["channel"] != "qr-verified")
    book = [row for row in codebook_rows(SIPAS, older=OLDER) if row[0] == "dossier_rating"]
    assert [row[3:] for row in book] == [
        ["3", "Rất hài lòng", "Very satisfied"],
        ["2", "Hài lòng", "Satisfied"],
        ["1", "Không hài lòng", "Not satisfied"],
    ]

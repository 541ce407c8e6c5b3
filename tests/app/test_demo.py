"""The demo province's responses answer the way the forms ask: by version,
channel, visit stage and feedback gate, with plausible check-box answers."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Answer, InstrumentVersion, Response
from app.services.demo import demo_seed
from app.services.demo.citizens import SWITCH_MONTHS_AGO, switch_day
from app.time import vietnam_today
from surveys import QuestionKind, Role, answers_validate, is_visible, load_all, multi_codes

REGISTRY = load_all()


@pytest.fixture(scope="module")
def seeded(engine):
    """Every stored demo response to sipas-counter with its answers, read plainly (seeded once, rolled back)."""
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        demo_seed(session, responses=800, seed=4, force=True)
        rows = session.execute(
            select(Response.id, InstrumentVersion.version, Response.channel, Response.service_day,
                   Response.started_at, Answer.question_code, Answer.value_int, Answer.value_text)
            .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
            .join(Answer, Answer.response_id == Response.id)
            .where(InstrumentVersion.code == "sipas-counter")
        ).all()  # fmt: skip
        session.close()
        outer.rollback()
    out: dict[int, dict] = {}
    for rid, version, channel, day, started, code, number, text in rows:
        r = out.setdefault(rid, {"version": version, "channel": channel, "day": day, "started": started, "a": {}})
        r["a"][code] = text if text is not None else number
    return list(out.values())


def _clean(r) -> dict:
    instrument = REGISTRY[f"sipas-counter.v{r['version']}"]
    return {
        code: multi_codes(v) if instrument.question(code).kind is QuestionKind.MULTI else v
        for code, v in r["a"].items()
    }


def test_older_responses_answer_v1_and_newer_ones_v2(seeded):
    switch = switch_day(vietnam_today())
    assert date(2000, 1, 1) < switch < vietnam_today()
    assert (vietnam_today().year * 12 + vietnam_today().month) - (switch.year * 12 + switch.month) == SWITCH_MONTHS_AGO
    versions = Counter(r["version"] for r in seeded)
    assert versions[1] > 200 and versions[2] > 200
    assert all((r["day"] >= switch) == (r["version"] == 2) for r in seeded)


def test_every_response_is_what_its_form_would_store(seeded):
    for r in seeded:
        instrument = REGISTRY[f"sipas-counter.v{r['version']}"]
        answers = _clean(r)
        checked = answers_validate(instrument, answers, channel=r["channel"], strict=True)
        assert checked.ok and checked.answers == answers
        for q in instrument.questions:
            if q.code in answers:
                assert is_visible(q, answers, r["channel"])


def test_channels_stages_and_gates(seeded):
    v2 = [(r, _clean(r)) for r in seeded if r["version"] == 2]
    paper = [a for r, a in v2 if r["channel"] == "paper"]
    qr = [a for r, a in v2 if r["channel"] == "qr"]
    assert 0 < len(paper) < len(qr) and all(r["channel"] == "qr" for r in seeded if r["version"] == 1)
    # the element satisfaction questions come from paper forms only
    overall = {q.code for q in REGISTRY["sipas-counter.v2"].with_role(Role.ELEMENT_OVERALL)}
    assert not any(overall & set(a) for a in qr) and any("E1_overall" in a for a in paper)
    assert all(r["started"] is None for r, _ in v2 if r["channel"] == "paper")
    # the result is rated once it was received, the feedback items by those who gave feedback
    stages = Counter(a["visit_stage"] for a in qr)
    assert set(stages) == {1, 2, 3, 4}
    assert all(("E4_lawful" in a) == (a["visit_stage"] in (3, 4)) for a in qr)
    assert all(("E5_easy" in a) == (a["E5_gate"] == 1) for a in qr)
    assert 0.05 < sum(a["E5_gate"] == 1 for a in qr) / len(qr) < 0.3


def test_expectations_and_demographics_are_plausible(seeded):
    v2 = [_clean(r) for r in seeded if r["version"] == 2]
    chosen = [a["expectations"] for a in v2]
    assert all(1 <= len(c) <= 3 and list(c) == sorted(c) for c in chosen)
    assert all(c == (0,) or 0 not in c for c in chosen)
    sizes = Counter(len(c) for c in chosen if c != (0,))
    assert sizes[1] and sizes[2] and sizes[3]
    assert 0.03 < sum(c == (0,) for c in chosen) / len(chosen) < 0.4
    assert any("expectations_other" in a for a in v2)
    assert all(11 in a["expectations"] for a in v2 if "expectations_other" in a)
    for code in ("sex", "age_group", "occupation"):
        share = sum(code in a for a in v2) / len(v2)
        assert 0.6 < share < 0.9  # optional: some leave it blank

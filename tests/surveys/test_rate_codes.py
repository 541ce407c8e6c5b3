"""surveys.rate_codes: the one definition of a rate's valid and event codes,
on every question of every shipped instrument."""

from __future__ import annotations

import pytest

from surveys import RATE_ROLES, Question, QuestionKind, RateCodes, Role, Scale, load_all, rate_codes
from surveys.schema import Choice, Text

INSTRUMENTS = load_all()
#: every question of every shipped instrument, by id "instrument:code"
QUESTIONS = {f"{key}:{q.code}": q for key, inst in sorted(INSTRUMENTS.items()) for q in inst.questions}

#: what each (role, scale) pair of the shipped files must give
SATISFACTION = RateCodes(frozenset({1, 2, 3, 4, 5}), frozenset({4, 5}))  # 9 "không áp dụng / không biết" out
YES_NO = RateCodes(frozenset({1, 2}), frozenset({1}))  # 8 "không muốn trả lời" / 9 "không biết" out
EXPECTED = {
    (Role.CRITERION, "satisfaction5"): SATISFACTION,
    (Role.OVERALL, "satisfaction5"): SATISFACTION,
    (Role.ELEMENT_OVERALL, "satisfaction5"): SATISFACTION,
    (Role.HARASSMENT, "yes_no_refuse"): YES_NO,
    (Role.INFORMAL_PAYMENT, "yes_no_refuse"): YES_NO,
    (Role.PERCEPTION, "yes_no_dontknow"): YES_NO,
}


def _is_rate(q: Question) -> bool:
    return q.kind is QuestionKind.SINGLE and q.scale is not None and q.role in RATE_ROLES


@pytest.mark.parametrize("qid", [k for k, q in QUESTIONS.items() if _is_rate(q)])
def test_rate_questions_of_the_shipped_instruments(qid):
    q = QUESTIONS[qid]
    got = rate_codes(q)
    assert isinstance(got, RateCodes)
    assert got == EXPECTED[(q.role, q.scale.code)]
    assert got.event <= got.valid
    assert not got.valid & (q.scale.not_applicable | q.scale.refused)


@pytest.mark.parametrize("qid", [k for k, q in QUESTIONS.items() if not _is_rate(q)])
def test_other_questions_are_no_rate(qid):
    with pytest.raises(ValueError, match="is no rate"):
        rate_codes(QUESTIONS[qid])


def test_the_shipped_instruments_hold_every_kind_and_rate_role():
    kinds = {q.kind for q in QUESTIONS.values()}
    assert kinds == set(QuestionKind)
    roles = {q.role for q in QUESTIONS.values() if _is_rate(q)}
    assert roles == set(RATE_ROLES)
    # the refusal and not-applicable codes the denominators drop are all present
    assert {8, 9} <= {c for q in QUESTIONS.values() if q.scale for c in q.scale.refused | q.scale.not_applicable}


def _question(role: Role, scale: Scale, kind: QuestionKind = QuestionKind.SINGLE) -> Question:
    return Question("q", kind, Text("q", "q"), role=role, scale=scale)


def _scale(codes, **sets) -> Scale:
    return Scale("s", tuple(Choice(c, Text(str(c), str(c))) for c in codes), **sets)


def test_refused_codes_leave_a_satisfaction_denominator():
    scale = _scale([1, 2, 3, 4, 5, 8, 9], satisfied=frozenset({4, 5}), not_applicable=frozenset({9}),
                   refused=frozenset({8}))  # fmt: skip
    assert rate_codes(_question(Role.CRITERION, scale)) == RateCodes(frozenset({1, 2, 3, 4, 5}), frozenset({4, 5}))


def test_event_codes_are_restricted_to_valid_ones():
    # a file that (wrongly) marks "not applicable" satisfied still does not count it
    scale = _scale([1, 2, 9], satisfied=frozenset({2, 9}), not_applicable=frozenset({9}))
    assert rate_codes(_question(Role.OVERALL, scale)) == RateCodes(frozenset({1, 2}), frozenset({2}))


def test_yes_no_ignores_codes_that_are_neither():
    scale = _scale([1, 2, 7, 8], yes=frozenset({1}), no=frozenset({2, 7}), refused=frozenset({8}))
    assert rate_codes(_question(Role.HARASSMENT, scale)) == RateCodes(frozenset({1, 2, 7}), frozenset({1}))


def test_a_multi_select_question_with_a_rate_role_is_no_rate():
    scale = _scale([1, 2], yes=frozenset({1}), no=frozenset({2}))
    with pytest.raises(ValueError, match="is no rate"):
        rate_codes(_question(Role.PERCEPTION, scale, QuestionKind.MULTI))

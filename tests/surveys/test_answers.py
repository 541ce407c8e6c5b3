"""Answer validation: one set of rules for every channel."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import answers_validate, load_all, text_clean

SIPAS = load_all()["sipas-counter.v1"]

VALID = {
    "procedure": "3", "visits": "2",
    "E1_1": "4", "E1_2": "5", "E2_1": "4", "E2_2": "3", "E2_3": "9",
    "E3_1": "5", "E3_2": "4", "E3_3": "4", "E4_1": "4", "E4_2": "2",
    "E5_gate": "2", "harassment": "2", "informal_payment": "8", "overall": "4",
    "comment": "Cán bộ nhiệt tình",
}  # fmt: skip


def test_valid_answers_are_cleaned_to_ints_and_text():
    result = answers_validate(SIPAS, VALID)
    assert result.ok, result.errors
    assert result.answers["E1_1"] == 4 and result.answers["E2_3"] == 9
    assert result.answers["visits"] == 2
    assert result.answers["comment"] == "Cán bộ nhiệt tình"


def test_every_required_question_missing_is_named():
    result = answers_validate(SIPAS, {})
    required = {q.code for q in SIPAS.questions if q.required and q.show_if is None}
    assert set(result.errors) == required
    assert result.errors["E1_1"].vi == "Vui lòng trả lời câu này."
    assert result.errors["E1_1"].en == "Please answer this question."


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("E1_1", "6", "Câu trả lời không hợp lệ"),
        ("E1_1", "abc", "Câu trả lời không hợp lệ"),
        ("E1_1", "4.0", "Câu trả lời không hợp lệ"),
        ("harassment", "3", "Câu trả lời không hợp lệ"),
        ("visits", "0", "từ 1 đến 30"),
        ("visits", "31", "từ 1 đến 30"),
        ("visits", "hai", "số nguyên"),
        ("comment", "x" * 1001, "tối đa 1000 ký tự"),
    ],
)
def test_invalid_values_get_a_message_in_vietnamese(code, value, message):
    result = answers_validate(SIPAS, {**VALID, code: value})
    assert set(result.errors) == {code}
    assert message in result.errors[code].vi


def test_skip_logic_requires_shown_questions_and_drops_hidden_answers():
    shown = answers_validate(SIPAS, {**VALID, "E5_gate": "1"})
    assert set(shown.errors) == {"E5_1", "E5_2"}
    hidden = answers_validate(SIPAS, {**VALID, "E5_gate": "2", "E5_1": "1", "E5_2": "5"})
    assert hidden.ok
    assert "E5_1" not in hidden.answers and "E5_2" not in hidden.answers
    both = answers_validate(SIPAS, {**VALID, "E5_gate": "1", "E5_1": "1", "E5_2": "5"})
    assert both.ok and both.answers["E5_1"] == 1


def test_json_values_are_accepted_but_not_booleans():
    result = answers_validate(SIPAS, {**{k: int(v) for k, v in VALID.items() if v.isdigit()}, "E1_1": True})
    assert set(result.errors) == {"E1_1"}


def test_strict_mode_rejects_unknown_questions():
    assert answers_validate(SIPAS, {**VALID, "nonce": "x"}).ok
    strict = answers_validate(SIPAS, {**VALID, "bogus": "1"}, strict=True)
    assert set(strict.errors) == {"bogus"}


def test_text_is_normalised_and_personal_contacts_removed():
    decomposed = "Tha\u0301i đô\u0323"  # "Thái độ" typed with combining accents
    assert text_clean(decomposed) == "Thái độ"
    assert text_clean("gọi tôi 0912 345 678 nhé") == "gọi tôi […] nhé"
    assert text_clean("+84 912.345.678") == "[…]"
    assert text_clean("mail a.b@example.vn") == "mail […]"
    assert text_clean("chờ 45 phút, 3 lần") == "chờ 45 phút, 3 lần"
    assert text_clean("a\x00b\x07c") == "abc"


def test_comment_of_only_whitespace_is_not_stored():
    result = answers_validate(SIPAS, {**VALID, "comment": "   \n "})
    assert result.ok and "comment" not in result.answers


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([q.code for q in SIPAS.questions] + ["x"]),
        st.one_of(st.text(max_size=30), st.integers(), st.none(), st.booleans()),
    )
)
def test_validation_never_raises_and_answers_are_valid_codes(raw):
    result = answers_validate(SIPAS, raw)
    for code, value in result.answers.items():
        q = SIPAS.question(code)
        if q.scale is not None:
            assert value in q.scale.codes
        assert code not in result.errors

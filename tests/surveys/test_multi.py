"""Multi-select questions (kind: multi): the file format, answer checks,
skip logic on them, their packed bit mask and their JSON for clients."""

from __future__ import annotations

import json
import struct
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import (
    MISSING,
    InstrumentInvalid,
    QuestionKind,
    answers_pack,
    answers_unpack,
    answers_validate,
    codes_matrix,
    is_visible,
    load_instrument,
    multi_chosen,
    multi_codes,
    multi_mask,
    packed_layout,
    packed_multi,
)
from surveys.answers import MSG_BAD_CHOICE, MSG_DUPLICATE, MSG_REQUIRED
from surveys.serialize import instrument_as_json

WANTS = """\
code: wants
version: 1
title: {vi: Mong đợi, en: Expectations}
intro: {vi: Giới thiệu, en: Intro}
channels: [qr]
scales:
  wants:
    choices:
      - [0, Không có đề xuất, No suggestion]
      - [1, Rút ngắn thời gian giải quyết, Shorter processing time]
      - [2, Giảm phí và lệ phí, Lower fees]
      - [3, Cải thiện thái độ của công chức, Better attitude of civil servants]
      - [4, Khác, Other]
  yn:
    choices: [[1, Có, "Yes"], [2, Không, "No"]]
sections:
  - code: s
    title: {vi: Phần, en: Part}
    questions:
      - code: wants
        kind: multi
        scale: wants
        max_choices: 2
        exclusive: [0]
        required: true
        text: {vi: "Cơ quan cần cải thiện điều gì?", en: "What should the office improve?"}
      - code: wants_other
        kind: text
        max_length: 200
        show_if: {question: wants, in: [4]}
        text: {vi: Điều khác, en: Something else}
      - code: again
        scale: yn
        show_if: {question: wants, in: [1, 2]}
        text: {vi: "Ông/bà có quay lại không?", en: "Would you come back?"}
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "wants.v1.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


with tempfile.TemporaryDirectory() as _tmp:
    #: for property tests, which cannot take function-scoped fixtures
    WANTS_INSTRUMENT = load_instrument(write(Path(_tmp), WANTS))


@pytest.fixture
def wants(tmp_path):
    return load_instrument(write(tmp_path, WANTS))


def test_multi_question_loads_with_its_limits(wants):
    q = wants.question("wants")
    assert q.kind is QuestionKind.MULTI
    assert (q.min_choices, q.max_choices, q.exclusive) == (1, 2, frozenset({0}))
    assert wants.question("again").min_choices is None


def test_limits_default_to_one_and_every_choice(tmp_path):
    body = WANTS.replace("        max_choices: 2\n", "").replace("        exclusive: [0]\n", "")
    q = load_instrument(write(tmp_path, body)).question("wants")
    assert (q.min_choices, q.max_choices, q.exclusive) == (1, 5, frozenset())


BROKEN = [
    ("[4, Khác, Other]", "[31, Khác, Other]", "wants", "must lie between 0 and 30"),
    ("[0, Không có đề xuất, No suggestion]", "[-1, Không có, None]", "wants", "scale wants has [-1]"),
    ("max_choices: 2", "max_choices: 0", "wants", "max_choices must be a whole number from 1 to 5"),
    ("max_choices: 2", "max_choices: 6", "wants", "max_choices must be a whole number from 1 to 5"),
    ("max_choices: 2", "max_choices: two", "wants", "max_choices must be a whole number"),
    ("max_choices: 2", "max_choices: 2\n        min_choices: 3", "wants", "min_choices must be a whole number from 1"),
    ("exclusive: [0]", "exclusive: [7]", "wants", "'exclusive' names codes that are not choices: [7]"),
    ("exclusive: [0]", "exclusive: [0, 1, 2, 3, 4]", "wants", "exclusive names every choice"),
    ("exclusive: [0]", "exclusive: none", "wants", "'exclusive' must be a list of answer codes"),
    ("kind: multi\n        scale: wants", "kind: multi\n        scale: nope", "wants", "unknown scale 'nope'"),
    ("kind: multi", "kind: multi\n        role: harassment", "wants", "cannot have role harassment"),
    ("        show_if: {question: wants, in: [1, 2]}",
     "        max_choices: 1\n        show_if: {question: wants, in: [1, 2]}",
     "again", "only a multi-select question (kind: multi) takes max_choices"),
    ("show_if: {question: wants, in: [4]}", "show_if: {question: wants, in: [9]}", "wants_other", "codes [9]"),
    ("show_if: {question: wants, in: [1, 2]}", "show_if: {question: wants_other, in: [1]}", "again",
     "must refer to a single-choice or multi-select question"),
    ("show_if: {question: wants, in: [4]}", "show_if: {question: wants, in: [4], or: [1]}", "wants_other",
     "show_if must be"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "where", "message"), BROKEN)
def test_broken_multi_question_is_refused_with_its_error(tmp_path, old, new, where, message):
    assert old in WANTS
    with pytest.raises(InstrumentInvalid) as info:
        load_instrument(write(tmp_path, WANTS.replace(old, new, 1)))
    matching = [e for e in info.value.errors if message in e.message]
    assert matching, [str(e) for e in info.value.errors]
    assert (matching[0].file, matching[0].where) == ("wants.v1.yaml", where)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ([3, 1], (1, 3)),
        (["2", " 1 "], (1, 2)),
        ("1,3", (1, 3)),
        ("3; 1", (1, 3)),
        ("2 4", (2, 4)),
        (2, (2,)),
        ("2", (2,)),
        ([0], (0,)),
        ((1, 2), (1, 2)),
        ([1, "", None], (1,)),
    ],
)
def test_multi_answers_are_cleaned_to_ascending_codes(wants, raw, clean):
    result = answers_validate(wants, {"wants": raw})
    assert result.ok, result.errors
    assert result.answers["wants"] == clean


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([1, 1], "Mỗi lựa chọn chỉ được chọn một lần."),
        ("2,2", "Mỗi lựa chọn chỉ được chọn một lần."),
        ([1, 7], MSG_BAD_CHOICE.vi),
        ("1,x", MSG_BAD_CHOICE.vi),
        ([1, 2, 3], "Vui lòng chọn tối đa 2 ý."),
        ([0, 1], "Không thể chọn “Không có đề xuất” cùng với các ý khác."),
        ({"a": 1}, MSG_BAD_CHOICE.vi),
        (1.0, MSG_BAD_CHOICE.vi),
        (True, MSG_BAD_CHOICE.vi),
        ([True], MSG_BAD_CHOICE.vi),
        ([[1]], MSG_BAD_CHOICE.vi),
        ([1.5], MSG_BAD_CHOICE.vi),
        ([], MSG_REQUIRED.vi),
        ("", MSG_REQUIRED.vi),
        (" ,; ", MSG_REQUIRED.vi),
        (None, MSG_REQUIRED.vi),
    ],
)
def test_bad_multi_answers_get_a_message(wants, raw, message):
    result = answers_validate(wants, {"wants": raw})
    assert set(result.errors) == {"wants"}
    assert result.errors["wants"].vi == message
    assert result.errors["wants"].en


def test_messages_exist_in_english(wants):
    assert answers_validate(wants, {"wants": [0, 1]}).errors["wants"].en == (
        "“No suggestion” cannot be combined with other choices."
    )
    assert answers_validate(wants, {"wants": [1, 1]}).errors["wants"] == MSG_DUPLICATE
    assert answers_validate(wants, {"wants": [1, 2, 3]}).errors["wants"].en == "Please choose at most 2."


def test_minimum_choices_but_exclusive_alone_is_enough(tmp_path):
    wants = load_instrument(write(tmp_path, WANTS.replace("max_choices: 2", "max_choices: 3\n        min_choices: 2")))
    assert answers_validate(wants, {"wants": [1]}).errors["wants"].vi == "Vui lòng chọn từ 2 đến 3 ý."
    assert answers_validate(wants, {"wants": [1, 2]}).ok
    assert answers_validate(wants, {"wants": [0]}).answers["wants"] == (0,)
    exact = load_instrument(write(tmp_path, WANTS.replace("max_choices: 2", "max_choices: 2\n        min_choices: 2")))
    assert answers_validate(exact, {"wants": [3]}).errors["wants"].en == "Please choose exactly 2."


def test_optional_multi_left_empty_is_not_stored(tmp_path):
    wants = load_instrument(write(tmp_path, WANTS.replace("required: true", "required: false")))
    for empty in ([], "", None):
        result = answers_validate(wants, {"wants": empty})
        assert result.ok and "wants" not in result.answers


def test_show_if_on_a_multi_answer_holds_when_any_value_was_chosen(wants):
    shown = answers_validate(wants, {"wants": [2, 4], "wants_other": "Wifi", "again": "1"})
    assert shown.ok and shown.answers == {"wants": (2, 4), "wants_other": "Wifi", "again": 1}
    hidden = answers_validate(wants, {"wants": [3], "wants_other": "Wifi", "again": "1"})
    assert hidden.ok and hidden.answers == {"wants": (3,)}
    assert is_visible(wants.question("again"), {"wants": (1,)})
    assert not is_visible(wants.question("again"), {"wants": (0,)})
    assert not is_visible(wants.question("again"), {})


def test_a_wrong_multi_answer_hides_what_depends_on_it(wants):
    result = answers_validate(wants, {"wants": [1, 1], "again": "1"})
    assert set(result.errors) == {"wants"} and result.answers == {}


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.lists(st.one_of(st.integers(-3, 40), st.text(max_size=3), st.none(), st.booleans()), max_size=7),
        st.text(max_size=12),
        st.integers(),
        st.none(),
        st.floats(allow_nan=False),
    )
)
def test_validation_never_raises_and_keeps_only_valid_sets(raw):
    wants = WANTS_INSTRUMENT
    result = answers_validate(wants, {"wants": raw})
    if "wants" in result.answers:
        chosen = result.answers["wants"]
        assert isinstance(chosen, tuple) and list(chosen) == sorted(set(chosen))
        assert 1 <= len(chosen) <= 2 and set(chosen) <= {0, 1, 2, 3, 4}
        assert 0 not in chosen or chosen == (0,)
    else:
        assert "wants" in result.errors


# packing


def test_a_multi_answer_is_one_slot_holding_a_bit_per_code(wants):
    layout = packed_layout(wants)
    assert layout == ("wants", "again")  # one slot, text not packed
    packed = answers_pack(layout, {"wants": (1, 4), "again": 2})
    assert packed == struct.pack(">2i", 0b10010, 2)
    assert answers_unpack(layout, packed) == {"wants": 0b10010, "again": 2}
    assert answers_unpack(layout, packed, multi=packed_multi(wants)) == {"wants": (1, 4), "again": 2}
    assert packed_multi(wants) == {"wants"}


def test_the_none_code_zero_is_bit_zero():
    assert multi_mask([0]) == 1 and multi_codes(1) == (0,)
    assert multi_mask([30]) == 2**30 and multi_codes(2**30) == (30,)
    assert multi_mask(range(31)) == 2**31 - 1  # every code: still positive, never MISSING


@pytest.mark.parametrize("codes", [[], [31], [-1], ["1"], [True]])
def test_mask_refuses_what_a_multi_answer_cannot_hold(codes):
    with pytest.raises(ValueError, match="multi-select"):
        multi_mask(codes)


@pytest.mark.parametrize("mask", [0, -1, MISSING, 2**31])
def test_codes_refuse_what_is_not_a_mask(mask):
    with pytest.raises(ValueError, match="not a packed multi-select answer"):
        multi_codes(mask)


@given(st.sets(st.integers(0, 30), min_size=1))
def test_mask_round_trip(codes):
    assert multi_codes(multi_mask(codes)) == tuple(sorted(codes))


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "a": st.integers(MISSING + 1, 2**31 - 1),
            "m": st.sets(st.integers(0, 30), min_size=1).map(lambda s: tuple(sorted(s))),
            "b": st.integers(MISSING + 1, 2**31 - 1),
            "n": st.sets(st.integers(0, 30), min_size=1).map(lambda s: tuple(sorted(s))),
        },
    )
)
def test_pack_and_unpack_round_trip_with_multi_answers(answers):
    layout = ("a", "m", "b", "n")
    assert answers_unpack(layout, answers_pack(layout, answers), multi={"m", "n"}) == answers


def test_chosen_matrix_counts_choosers_and_skips_missing():
    layout = ("wants",)
    rows = [{"wants": (1, 3)}, {"wants": (0,)}, {}, {"wants": (3,)}]
    column = codes_matrix(b"".join(answers_pack(layout, r) for r in rows), 1)[:, 0]
    chosen = multi_chosen(column, [0, 1, 2, 3])
    assert chosen.dtype == np.bool_
    assert chosen.tolist() == [
        [False, True, False, True],
        [True, False, False, False],
        [False, False, False, False],
        [False, False, False, True],
    ]
    assert chosen.sum(axis=0).tolist() == [1, 1, 0, 2]


# JSON for clients


def test_json_carries_the_multi_limits(wants):
    data = json.loads(json.dumps(instrument_as_json(wants)))
    q = data["sections"][0]["questions"][0]
    assert (q["kind"], q["min_choices"], q["max_choices"], q["exclusive"]) == ("multi", 1, 2, [0])
    assert data["sections"][0]["questions"][2]["show_if"] == {"question": "wants", "values": [1, 2]}
    assert data["sections"][0]["questions"][2]["exclusive"] == []

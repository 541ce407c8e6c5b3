"""Questions asked in some channels only (``channels`` on a section or a
question): the QR form stays short while the tablet interview asks more."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from surveys import InstrumentInvalid, Role, answers_validate, is_visible, load_all, load_instrument
from surveys.serialize import instrument_as_json

FORM = """\
code: chan
version: 1
title: {vi: Phiếu, en: Form}
intro: {vi: Giới thiệu, en: Intro}
channels: [qr, tablet, paper]
scales:
  sat:
    choices: [[1, Không hài lòng, Dissatisfied], [4, Hài lòng, Satisfied]]
    satisfied: [4]
  yn:
    choices: [[1, Có, "Yes"], [2, Không, "No"]]
    yes_codes: [1]
    no_codes: [2]
sections:
  - code: E1
    element: true
    title: {vi: Yếu tố, en: Element}
    questions:
      - code: E1_a
        scale: sat
        required: true
        text: {vi: Tiêu chí, en: Criterion}
      - code: E1_all
        role: other
        scale: sat
        required: true
        channels: [tablet, paper]
        text: {vi: Nói chung, en: On the whole}
  - code: about
    title: {vi: Về ông/bà, en: About you}
    channels: [tablet]
    questions:
      - code: household
        scale: yn
        required: true
        text: {vi: Hộ gia đình, en: Household}
      - code: household_more
        scale: yn
        required: true
        show_if: {question: household, in: [1]}
        text: {vi: Thêm, en: More}
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "chan.v1.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.fixture
def form(tmp_path):
    return load_instrument(write(tmp_path, FORM))


def test_channels_are_inherited_from_section_and_instrument(form):
    assert form.question("E1_a").channels == {"qr", "tablet", "paper"}
    assert form.question("E1_all").channels == {"tablet", "paper"}
    assert form.question("household").channels == {"tablet"}
    assert [q.code for q in form.questions_in("qr")] == ["E1_a"]
    assert [q.code for q in form.questions_in("tablet")] == ["E1_a", "E1_all", "household", "household_more"]
    assert [q.code for q in form.questions_in(None)] == [q.code for q in form.questions]
    assert [q.code for q in form.sections[1].questions_in("paper")] == []


def test_each_channel_requires_only_what_it_asks(form):
    assert set(answers_validate(form, {}, channel="qr").errors) == {"E1_a"}
    assert set(answers_validate(form, {}, channel="paper").errors) == {"E1_a", "E1_all"}
    assert set(answers_validate(form, {}, channel="tablet").errors) == {"E1_a", "E1_all", "household"}
    assert set(answers_validate(form, {}).errors) == {"E1_a", "E1_all", "household"}


def test_answers_to_questions_a_channel_does_not_ask_are_dropped(form):
    raw = {"E1_a": "4", "E1_all": "1", "household": "2"}
    qr = answers_validate(form, raw, channel="qr", strict=True)
    assert qr.ok and qr.answers == {"E1_a": 4}
    tablet = answers_validate(form, raw, channel="tablet", strict=True)
    assert tablet.ok and tablet.answers == {"E1_a": 4, "E1_all": 1, "household": 2}
    assert not is_visible(form.question("household"), {}, "qr")
    assert is_visible(form.question("household"), {}, "tablet")


def test_a_channel_the_instrument_is_not_for_is_a_programming_error(form):
    with pytest.raises(ValueError, match="not meant for channel 'kiosk'"):
        answers_validate(form, {}, channel="kiosk")
    with pytest.raises(ValueError, match="not meant for channel 'kiosk'"):
        instrument_as_json(form, "kiosk")


def test_json_for_a_channel_holds_only_its_questions(form):
    qr = instrument_as_json(form, "qr")
    assert qr["channel"] == "qr"
    assert [s["code"] for s in qr["sections"]] == ["E1"]
    assert [q["code"] for q in qr["sections"][0]["questions"]] == ["E1_a"]
    everything = instrument_as_json(form)
    assert everything["channel"] is None
    assert everything["sections"][0]["questions"][1]["channels"] == ["paper", "tablet"]


def test_shipped_instruments_leave_out_only_element_satisfaction_on_the_citizen_forms():
    """Only sipas-counter v2 limits questions to channels: the satisfaction
    with each element as a whole is asked in interviews and on paper."""
    for instrument in load_all().values():
        for channel in instrument.channels:
            left_out = set(instrument.questions) - set(instrument.questions_in(channel))
            if instrument.key == "sipas-counter.v2" and channel in ("qr", "kiosk"):
                assert {q.role for q in left_out} == {Role.ELEMENT_OVERALL} and len(left_out) == 5
            else:
                assert not left_out, (instrument.key, channel)


BROKEN = [
    ("        channels: [tablet, paper]\n", "        channels: [tablet, kiosk]\n", "E1_all",
     "channels ['kiosk'] are not channels of the section"),
    ("    channels: [tablet]\n", "    channels: [kiosk]\n", "section about",
     "channels ['kiosk'] are not channels of the instrument"),
    ("    channels: [tablet]\n", "    channels: tablet\n", "section about", "channels must be a non-empty list"),
    ("    channels: [tablet]\n", "    channels: []\n", "section about", "channels must be a non-empty list"),
    ("        required: true\n        text: {vi: Tiêu chí",
     "        required: true\n        channels: [tablet]\n        text: {vi: Tiêu chí",
     "E1_a", "a criterion question must be asked in every channel of the instrument"),
    ("      - code: household_more\n", "      - code: household_more\n        channels: [tablet, qr]\n",
     "household_more", "not channels of the section"),
    ("    channels: [tablet]\n", "    chanels: [tablet]\n", "section about", "unknown keys: chanels"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "where", "message"), BROKEN)
def test_broken_channels_are_refused(tmp_path, old, new, where, message):
    assert old in FORM
    with pytest.raises(InstrumentInvalid) as info:
        load_instrument(write(tmp_path, FORM.replace(old, new, 1)))
    matching = [e for e in info.value.errors if message in e.message]
    assert matching, [str(e) for e in info.value.errors]
    assert matching[0].where == where


def test_a_condition_on_a_question_some_channel_does_not_ask_is_refused(tmp_path):
    body = FORM.replace(
        "        text: {vi: Nói chung, en: On the whole}\n",
        "        text: {vi: Nói chung, en: On the whole}\n"
        "      - code: E1_why\n        kind: text\n        max_length: 100\n"
        "        show_if: {question: E1_all, in: [1]}\n        text: {vi: Vì sao, en: Why}\n",
    )
    with pytest.raises(InstrumentInvalid, match=r"E1_all, which channels \['qr'\] do not ask"):
        load_instrument(write(tmp_path, body))


def test_a_verified_response_is_asked_what_the_qr_form_asks():
    for instrument in load_all().values():
        if "qr" in instrument.channels:
            assert instrument.questions_in("qr-verified") == instrument.questions_in("qr")
        else:
            with pytest.raises(ValueError):
                instrument.questions_in("qr-verified")

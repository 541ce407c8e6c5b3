"""sipas-counter v2, the active version: the 22 SIPAS criteria one
per question, stage gating, expectations, demographics, channels."""

from __future__ import annotations

import re
import unicodedata
from importlib import util
from pathlib import Path

import pytest

from surveys import (
    QuestionKind,
    Role,
    answers_pack,
    answers_unpack,
    answers_validate,
    load_all,
    load_instrument,
    packed_layout,
    packed_multi,
)
from surveys.duration import duration_estimate, path_longest
from surveys.serialize import instrument_as_json

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "surveys" / "instruments" / "sipas-counter.v2.yaml"
V2 = load_instrument(PUBLISHED)
V1 = load_all()["sipas-counter.v1"]
PAPI = load_all()["papi-household.v1"]

CRITERIA = {
    "E1": ["E1_seats", "E1_equipment_enough", "E1_equipment_modern", "E1_equipment_easy"],
    "E2": ["E2_posted_complete", "E2_posted_accurate", "E2_documents", "E2_fees", "E2_time"],
    "E3": ["E3_polite", "E3_listening", "E3_answers", "E3_guidance_helpful", "E3_guidance_clear", "E3_rules"],
    "E4": ["E4_lawful", "E4_complete", "E4_accurate"],
    "E5": ["E5_channels", "E5_easy", "E5_handled", "E5_reported"],
}
#: only once a result was received
RESULT_ONLY = {"E2_time", "E4_lawful", "E4_complete", "E4_accurate", "E4_overall"}
FEEDBACK_ONLY = {"E5_easy", "E5_handled", "E5_reported", "E5_overall"}

#: a citizen handing in an application by QR, who gave no feedback
SUBMITTING = {
    "visit_stage": "1", "procedure": "1", "visits": "1",
    "E1_seats": "4", "E1_equipment_enough": "4", "E1_equipment_modern": "3", "E1_equipment_easy": "4",
    "E2_posted_complete": "5", "E2_posted_accurate": "4", "E2_documents": "4", "E2_fees": "9",
    "E3_polite": "5", "E3_listening": "5", "E3_answers": "4", "E3_guidance_helpful": "4",
    "E3_guidance_clear": "3", "E3_rules": "4",
    "E5_channels": "4", "E5_gate": "2",
    "harassment": "2", "informal_payment": "2", "overall": "4", "expectations": ["6", "3"],
}  # fmt: skip
COLLECTING = {
    **SUBMITTING,
    "visit_stage": "3",
    "E2_time": "2",
    "E4_lawful": "4",
    "E4_complete": "4",
    "E4_accurate": "5",
}


def test_it_is_published_beside_v1():
    assert V2.key == "sipas-counter.v2"
    assert load_all()["sipas-counter.v2"] == V2
    assert max(i.version for i in load_all().values() if i.code == "sipas-counter") == 2
    assert V2.headline_index == "sipas"
    assert V2.channels == V1.channels


def test_22_criteria_one_per_question_in_the_five_elements():
    assert [e.code for e in V2.elements] == ["E1", "E2", "E3", "E4", "E5"]
    assert {e.code: list(e.criteria) for e in V2.elements} == CRITERIA
    assert sum(len(e.criteria) for e in V2.elements) == 22
    satisfaction = V1.question("E1_1").scale
    for code in (c for e in V2.elements for c in e.criteria):
        q = V2.question(code)
        assert q.role is Role.CRITERION and q.required and q.scale == satisfaction
        assert q.channels == V2.channels  # every channel rates every criterion
    assert [e.title.vi for e in V2.elements] == [
        "Tiếp cận dịch vụ",
        "Thủ tục hành chính",
        "Công chức trực tiếp giải quyết công việc",
        "Kết quả giải quyết thủ tục hành chính",
        "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị",
    ]


#: Fixed terms of the official criteria, each one notion: the kinds of
#: citizen input (góp ý, phản ánh, kiến nghị), regulated payments (phí, lệ
#: phí), and two official phrasings of one quality ("tận tình, chu đáo";
#: "trả lời, giải thích").
TERMS = (
    "góp ý, phản ánh, kiến nghị",
    "Phí, lệ phí",
    "tận tình, chu đáo",
    "trả lời, giải thích",
    "feedback or complaint",
    "feedback and complaints",
    "fees and charges",
)


def test_items_are_single_barrelled():
    """No criterion joins two judgements ("và", "and", a list with commas),
    as v1's "đủ chỗ ngồi, sạch sẽ, thoáng mát" did."""
    for code in (c for e in V2.elements for c in e.criteria):
        text = V2.question(code).text
        vi, en = (re.sub(r"\(.*?\)", "", t) for t in (text.vi, text.en))
        for term in TERMS:
            vi, en = vi.replace(term, "TERM"), en.replace(term, "TERM")
        assert "," not in vi and " và " not in vi and " hoặc " not in vi, code
        assert " and " not in en and "," not in en, code


def _texts(instrument):
    yield instrument.title
    yield instrument.intro
    for section in instrument.sections:
        yield section.title
        for q in section.questions:
            yield q.text
            if q.help is not None:
                yield q.help
    for scale in instrument.scales.values():
        for choice in scale.choices:
            yield choice.label


def test_every_text_is_in_vietnamese_and_english_with_composed_diacritics():
    for text in _texts(V2):
        assert text.vi.strip() and text.en.strip()
        assert unicodedata.is_normalized("NFC", text.vi), text.vi
    for q in V2.questions:
        assert q.text.vi != q.text.en, q.code
    assert "ông/bà" in V2.question("E3_listening").text.vi


@pytest.mark.parametrize(
    "code", ["procedure", "visits", "E5_gate", "harassment", "informal_payment", "overall", "comment"]
)
def test_codes_kept_from_v1_ask_the_same_question(code):
    new, old = V2.question(code), V1.question(code)
    assert (new.text, new.kind, new.role, new.scale, new.minimum, new.maximum, new.max_length) == (
        old.text, old.kind, old.role, old.scale, old.minimum, old.maximum, old.max_length,
    )  # fmt: skip


def test_no_v1_code_comes_back_with_another_meaning():
    kept = {"procedure", "visits", "E5_gate", "harassment", "informal_payment", "overall", "comment"}
    assert {q.code for q in V1.questions} & {q.code for q in V2.questions} == kept


@pytest.mark.parametrize("code", ["sex", "age_group", "ethnicity"])
def test_demographics_share_codes_with_the_household_interview(code):
    new, old = V2.question(code), PAPI.question(code)
    assert new.role is old.role is Role.DEMOGRAPHIC
    assert new.scale.codes == old.scale.codes
    assert not new.required


def test_demographics_are_optional_everywhere():
    demographics = V2.with_role(Role.DEMOGRAPHIC)
    assert [q.code for q in demographics] == ["sex", "age_group", "ethnicity", "occupation"]
    assert not any(q.required for q in demographics)
    assert all(q.channels == V2.channels for q in demographics)


def test_element_satisfaction_is_asked_in_interviews_and_on_paper_only():
    overall = V2.with_role(Role.ELEMENT_OVERALL)
    assert [q.element for q in overall] == ["E1", "E2", "E3", "E4", "E5"]
    for q in overall:
        assert q.channels == {"tablet", "paper"} and not q.required
        assert q.code not in {c for e in V2.elements for c in e.criteria}
        assert q.text.vi.startswith("Ông/bà hài lòng thế nào về") and q.text.vi.endswith("nói chung?")


def test_a_submitting_citizen_is_not_asked_about_the_result():
    result = answers_validate(V2, SUBMITTING, channel="qr")
    assert result.ok, result.errors
    assert not RESULT_ONLY & set(result.answers)
    assert result.answers["expectations"] == (3, 6)


@pytest.mark.parametrize("stage", ["1", "2"])
def test_result_answers_before_a_result_are_dropped_not_stored(stage):
    """The rule of every hidden question: a form without JavaScript shows
    them all, and a person may answer one that does not apply."""
    raw = {**COLLECTING, "visit_stage": stage}
    result = answers_validate(V2, raw, channel="qr", strict=True)
    assert result.ok, result.errors
    assert not RESULT_ONLY & set(result.answers)


@pytest.mark.parametrize("stage", ["3", "4"])
def test_a_citizen_with_the_result_must_rate_it(stage):
    missing = answers_validate(V2, {**SUBMITTING, "visit_stage": stage}, channel="qr")
    assert set(missing.errors) == {"E2_time", "E4_lawful", "E4_complete", "E4_accurate"}
    complete = answers_validate(V2, {**COLLECTING, "visit_stage": stage}, channel="qr")
    assert complete.ok and complete.answers["E4_accurate"] == 5


def test_the_feedback_criteria_follow_the_gate():
    gave = answers_validate(V2, {**SUBMITTING, "E5_gate": "1"}, channel="qr")
    assert set(gave.errors) == {"E5_easy", "E5_handled", "E5_reported"}
    answered = {**SUBMITTING, "E5_gate": "1", "E5_easy": "4", "E5_handled": "2", "E5_reported": "1"}
    assert answers_validate(V2, answered, channel="qr").ok
    assert "E5_channels" in answers_validate(V2, SUBMITTING, channel="qr").answers


def test_qr_drops_what_only_interviews_ask_and_the_tablet_keeps_it():
    raw = {**COLLECTING, "E1_overall": "4", "E4_overall": "5"}
    qr = answers_validate(V2, raw, channel="qr", strict=True)
    assert qr.ok and "E1_overall" not in qr.answers
    tablet = answers_validate(V2, raw, channel="tablet", strict=True)
    assert tablet.ok and tablet.answers["E1_overall"] == 4 and tablet.answers["E4_overall"] == 5
    qr_json = instrument_as_json(V2, "qr")
    codes = [q["code"] for s in qr_json["sections"] for q in s["questions"]]
    assert "E1_overall" not in codes and "E1_seats" in codes


@pytest.mark.parametrize(
    ("chosen", "error"),
    [
        (["1", "2", "3", "4"], "Vui lòng chọn tối đa 3 ý."),
        (["0", "6"], "Không thể chọn “Không có đề xuất / Không biết” cùng với các ý khác."),
        (["6", "6"], "Mỗi lựa chọn chỉ được chọn một lần."),
        (["12"], "Câu trả lời không hợp lệ, vui lòng chọn lại."),
        ([], "Vui lòng trả lời câu này."),
    ],
)
def test_expectations_take_at_most_three_and_none_alone(chosen, error):
    result = answers_validate(V2, {**SUBMITTING, "expectations": chosen}, channel="qr")
    assert set(result.errors) == {"expectations"}
    assert result.errors["expectations"].vi == error


def test_expectations_list_and_its_other_field():
    q = V2.question("expectations")
    assert q.kind is QuestionKind.MULTI and q.role is Role.EXPECTATION
    assert (q.max_choices, q.exclusive) == (3, frozenset({0}))
    assert len(q.scale.choices) == 12  # ten SIPAS improvements, "something else", "none"
    assert answers_validate(V2, {**SUBMITTING, "expectations": ["0"]}, channel="qr").answers["expectations"] == (0,)
    other = answers_validate(V2, {**SUBMITTING, "expectations": "11", "expectations_other": "Wifi"}, channel="qr")
    assert other.ok and other.answers["expectations_other"] == "Wifi"
    no_other = answers_validate(V2, {**SUBMITTING, "expectations_other": "Wifi"}, channel="qr")
    assert "expectations_other" not in no_other.answers


def test_a_response_packs_and_unpacks_with_expectations_in_one_slot():
    layout = packed_layout(V2)
    assert len(layout) == len([q for q in V2.questions if q.kind is not QuestionKind.TEXT])
    assert "comment" not in layout and "expectations_other" not in layout
    answers = answers_validate(V2, {**COLLECTING, "sex": "2"}, channel="qr").answers
    packed = answers_pack(layout, answers)
    assert len(packed) == 4 * len(layout)
    coded = {k: v for k, v in answers.items() if k in layout}
    assert answers_unpack(layout, packed, multi=packed_multi(V2)) == coded


def test_the_migration_layout_reader_agrees_for_v2():
    """Revision 5f3b9d2e7a41 derives layouts on its own (one slot per
    question that is not text): it still agrees once v2 is published."""
    path = ROOT / "migrations" / "versions" / "20261122_5f3b9d2e7a41_packed_answers.py"
    spec = util.spec_from_file_location("packed_answers_migration_v2", path)
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module._layout(PUBLISHED.read_text(encoding="utf-8")) == list(packed_layout(V2))


def test_the_stated_four_minutes_hold_for_qr_and_not_for_interviews():
    assert V2.duration is not None and (V2.duration.channel, V2.duration.minutes) == ("qr", 4)
    assert "4 phút" in V2.intro.vi and "4 minutes" in V2.intro.en
    qr = duration_estimate(V2, path_longest(V2, "qr"), "qr")
    assert 180 <= qr <= 300
    typical = answers_validate(V2, SUBMITTING, channel="qr").answers
    assert duration_estimate(V2, typical, "qr") < qr
    assert duration_estimate(V2, path_longest(V2, "tablet"), "tablet") > 360

"""Instrument files: the shipped ones load, broken ones are refused with every error named."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from surveys import INSTRUMENTS_DIR, InstrumentInvalid, QuestionKind, Role, load_all, load_instrument

MINIMAL = """\
code: mini
version: 1
title: {vi: Phiếu nhỏ, en: Small form}
intro: {vi: Giới thiệu, en: Intro}
channels: [qr]
scales:
  sat:
    choices:
      - [1, Không hài lòng, Dissatisfied]
      - [4, Hài lòng, Satisfied]
      - [9, Không áp dụng, Not applicable]
    satisfied: [4]
    not_applicable: [9]
  yn:
    choices: [[1, Có, "Yes"], [2, Không, "No"], [8, Không muốn trả lời, Refuse]]
    yes_codes: [1]
    no_codes: [2]
    refused_codes: [8]
sections:
  - code: E1
    element: true
    title: {vi: Yếu tố một, en: Element one}
    questions:
      - code: E1_1
        scale: sat
        required: true
        text: {vi: Câu một, en: Question one}
  - code: other
    title: {vi: Khác, en: Other}
    questions:
      - code: harassment
        role: harassment
        scale: yn
        text: {vi: "Phiền hà?", en: "Harassed?"}
      - code: note
        kind: text
        max_length: 100
        show_if: {question: harassment, in: [1]}
        text: {vi: Ghi chú, en: Note}
"""


def write(tmp_path: Path, body: str, name: str = "mini.v1.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_every_shipped_instrument_loads():
    found = load_all()
    assert set(found) >= {"sipas-counter.v1", "papi-household.v1"}
    for instrument in found.values():
        assert [e.code for e in instrument.elements] == ["E1", "E2", "E3", "E4", "E5"]
        for role in (Role.OVERALL, Role.HARASSMENT, Role.INFORMAL_PAYMENT, Role.PROCEDURE, Role.COMMENT):
            assert len(instrument.with_role(role)) == 1, (instrument.key, role)
        for q in instrument.questions:
            assert q.text.vi != q.text.en, q.code


def test_sipas_counter_matches_the_design():
    sipas = load_all()["sipas-counter.v1"]
    scale = sipas.question("E1_1").scale
    assert scale is not None
    assert [c.code for c in scale.choices] == [1, 2, 3, 4, 5, 9]
    assert scale.label(3).vi == "Bình thường"
    assert scale.satisfied == {4, 5} and scale.not_applicable == {9}
    yn = sipas.question("harassment").scale
    assert yn is not None and (yn.yes, yn.no, yn.refused) == ({1}, {2}, {8})
    assert sipas.question("E5_1").show_if is not None
    assert sipas.channels >= {"qr", "tablet", "paper", "kiosk"}


def test_papi_household_has_demographics_and_perceptions():
    papi = load_all()["papi-household.v1"]
    demo = {q.code for q in papi.with_role(Role.DEMOGRAPHIC)}
    assert demo == {"sex", "age_group", "ethnicity", "education"}
    assert len(papi.with_role(Role.PERCEPTION)) >= 3
    assert "qr" not in papi.channels


def test_minimal_file_loads(tmp_path):
    instrument = load_instrument(write(tmp_path, MINIMAL))
    assert instrument.key == "mini.v1"
    assert instrument.headline_index == "sipas"  # the default
    assert instrument.question("note").kind is QuestionKind.TEXT
    assert instrument.elements[0].criteria == ("E1_1",)
    assert len(instrument.checksum) == 64


@pytest.mark.parametrize("formula", ["sipas", "respondent"])
def test_headline_index_is_read(tmp_path, formula):
    body = MINIMAL.replace("version: 1", f"version: 1\nheadline_index: {formula}")
    assert load_instrument(write(tmp_path, body)).headline_index == formula


def test_shipped_instruments_lead_with_the_sipas_index():
    assert {i.headline_index for i in load_all().values()} == {"sipas"}


BROKEN = [
    ("version: 1", "version: 0", "", "version must be a positive integer"),
    ("version: 1", "version: 1\nheadline_index: median", "", "headline_index must be one of sipas, respondent"),
    ("version: 1", "version: 1\nheadline: sipas", "", "unknown keys: headline"),
    ("title: {vi: Phiếu nhỏ, en: Small form}", "title: {vi: Phiếu nhỏ}", "", "title lacks a text in: en"),
    ("channels: [qr]", "channels: [fax]", "", "channels must be a non-empty list"),
    (
        "        scale: sat\n        required: true",
        "        scale: nope\n        required: true",
        "E1_1",
        "unknown scale 'nope'",
    ),
    (
        "    satisfied: [4]",
        "    satisfied: [7]",
        "scale sat",
        "'satisfied' names codes that are not choices: [7]",
    ),
    (
        "      - [4, Hài lòng, Satisfied]",
        "      - [1, Hài lòng, Satisfied]",
        "scale sat",
        "duplicate answer codes [1]",
    ),
    (
        "show_if: {question: harassment, in: [1]}",
        "show_if: {question: later, in: [1]}",
        "note",
        "not an earlier question",
    ),
    (
        "show_if: {question: harassment, in: [1]}",
        "show_if: {question: harassment, in: [5]}",
        "note",
        "codes [5]",
    ),
    ("        max_length: 100\n", "", "note", "max_length between 1 and 5000"),
    ("    yes_codes: [1]\n", "", "harassment", "needs a scale with yes_codes and no_codes"),
    ("      - code: note", "      - code: E1_1", "E1_1", "duplicate question code"),
    ("        role: harassment", "        role: gossip", "harassment", "unknown role 'gossip'"),
    ("        kind: text", "        kind: essay", "note", "kind must be one of"),
    ("        required: true", "        required: maybe", "E1_1", "required must be true or false"),
    ("    satisfied: [4]\n", "", "E1_1", "which says no code is 'satisfied'"),
    # answers are packed as 4-byte integers (surveys/packing.py)
    ("[4, Hài lòng, Satisfied]", "[4294967296, Hài lòng, Satisfied]", "scale sat", "must lie between"),
    (
        "[1, Không hài lòng, Dissatisfied]",
        "[-2147483648, Không hài lòng, Dissatisfied]",
        "scale sat",
        "must lie between",
    ),
]


@pytest.mark.parametrize(("old", "new", "where", "message"), BROKEN)
def test_broken_file_is_refused_with_its_error(tmp_path, old, new, where, message):
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(InstrumentInvalid) as info:
        load_instrument(path)
    matching = [e for e in info.value.errors if message in e.message]
    assert matching, [str(e) for e in info.value.errors]
    assert matching[0].file == "mini.v1.yaml"
    assert matching[0].where == where
    assert "mini.v1.yaml" in str(info.value)


ELEMENT_OVERALL = """\
      - code: E1_all
        role: element_overall
        scale: sat
        text: {vi: Nói chung, en: On the whole}
"""


def test_element_overall_sits_in_its_element_and_feeds_no_index(tmp_path):
    body = MINIMAL.replace("  - code: other\n", ELEMENT_OVERALL + "  - code: other\n")
    instrument = load_instrument(write(tmp_path, body))
    assert instrument.question("E1_all").role is Role.ELEMENT_OVERALL
    assert instrument.question("E1_all").element == "E1"
    assert instrument.elements[0].criteria == ("E1_1",)


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (lambda b: b.replace("  - code: other\n", ELEMENT_OVERALL * 2 + "  - code: other\n"), "section E1",
         "at most one element_overall"),
        (lambda b: b + ELEMENT_OVERALL, "E1_all", "must sit in an element section"),
        (lambda b: b.replace("  - code: other\n", ELEMENT_OVERALL.replace("sat", "yn") + "  - code: other\n"),
         "E1_all", "element_overall uses scale yn which says no code is 'satisfied'"),
        (lambda b: b.replace("  - code: other\n", ELEMENT_OVERALL.replace("role:", "kind: multi\n        role:")
                             + "  - code: other\n"), "E1_all", "cannot have role element_overall"),
    ],
)  # fmt: skip
def test_misplaced_element_overall_is_refused(tmp_path, change, where, message):
    with pytest.raises(InstrumentInvalid) as info:
        load_instrument(write(tmp_path, change(MINIMAL)))
    matching = [e for e in info.value.errors if message in e.message]
    assert matching, [str(e) for e in info.value.errors]
    assert matching[0].where == where


def test_every_error_is_reported_not_just_the_first(tmp_path):
    body = MINIMAL.replace("version: 1", "version: -1").replace("scale: sat", "scale: nope", 1)
    body = body.replace("role: harassment", "role: gossip")
    with pytest.raises(InstrumentInvalid) as info:
        load_instrument(write(tmp_path, body))
    wheres = {e.where for e in info.value.errors}
    assert {"", "E1_1", "harassment"} <= wheres


def test_file_name_must_match_contents(tmp_path):
    with pytest.raises(InstrumentInvalid, match="file name says mini v2"):
        load_instrument(write(tmp_path, MINIMAL, name="mini.v2.yaml"))


@pytest.mark.parametrize(
    "content",
    [b"", b"- just\n- a list\n", b"code: [unclosed", "code: mini\n".encode("utf-16")],
    ids=["empty", "list", "bad-yaml", "not-utf8"],
)
def test_unreadable_files_are_refused(tmp_path, content):
    path = tmp_path / "mini.v1.yaml"
    path.write_bytes(content)
    with pytest.raises(InstrumentInvalid) as info:
        load_instrument(path)
    assert info.value.errors[0].file == "mini.v1.yaml"


def test_load_all_reports_every_broken_file(tmp_path):
    write(tmp_path, MINIMAL)
    write(
        tmp_path,
        MINIMAL.replace("version: 1", "version: 2").replace("channels: [qr]", "channels: []"),
        "mini.v2.yaml",
    )
    write(tmp_path, "code: other\n", "other.v1.yaml")
    with pytest.raises(InstrumentInvalid) as info:
        load_all(tmp_path)
    assert {e.file for e in info.value.errors} == {"mini.v2.yaml", "other.v1.yaml"}


def test_shipped_directory_is_inside_the_package():
    assert INSTRUMENTS_DIR.is_dir() and any(INSTRUMENTS_DIR.glob("*.yaml"))

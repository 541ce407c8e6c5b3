"""Packed answers: one fixed-width value per response, read back exactly."""

from __future__ import annotations

import struct
import textwrap
from importlib import util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys import MISSING, answers_pack, answers_unpack, codes_matrix, load_all, load_instrument, packed_layout


def test_layout_holds_every_coded_question_in_file_order():
    sipas = load_all()["sipas-counter.v1"]
    layout = packed_layout(sipas)
    assert layout[:3] == ("procedure", "visits", "E1_1")
    assert "comment" not in layout  # free text stays in the answers table
    assert list(layout) == [q.code for q in sipas.questions if q.code != "comment"]


def test_published_layouts_never_change():
    """Stored responses are read through these layouts: a published
    instrument's packed layout is fixed for ever."""
    found = load_all()
    assert packed_layout(found["sipas-counter.v1"]) == (
        "procedure", "visits", "E1_1", "E1_2", "E2_1", "E2_2", "E2_3", "E3_1", "E3_2", "E3_3",
        "E4_1", "E4_2", "E5_gate", "E5_1", "E5_2", "harassment", "informal_payment", "overall",
    )  # fmt: skip
    assert packed_layout(found["papi-household.v1"]) == (
        "sex", "age_group", "ethnicity", "education", "used_service", "procedure",
        "E1_1", "E1_2", "E2_1", "E2_2", "E2_3", "E3_1", "E3_2", "E3_3", "E4_1", "E4_2",
        "E5_gate", "E5_1", "E5_2", "harassment", "informal_payment", "overall",
        "P_land", "P_construction", "P_hospital", "P_school", "P_job",
    )  # fmt: skip


def test_pack_is_big_endian_with_missing_answers_marked():
    layout = ("a", "b", "c")
    packed = answers_pack(layout, {"a": 5, "c": -3, "note": "text is not packed"})
    assert packed == struct.pack(">3i", 5, MISSING, -3)
    assert packed[:4] == b"\x00\x00\x00\x05"  # network order, as PostgreSQL's int4send
    assert answers_unpack(layout, packed) == {"a": 5, "c": -3}


def test_a_text_value_for_a_coded_question_is_not_packed_as_a_number():
    assert answers_unpack(("a",), answers_pack(("a",), {"a": "5"})) == {}


def test_unpack_refuses_a_value_of_another_layout():
    with pytest.raises(ValueError, match="do not hold 3"):
        answers_unpack(("a", "b", "c"), b"\x00" * 8)


def test_matrix_of_many_values():
    layout = ("x", "y")
    rows = [{"x": 1, "y": 2}, {"y": 9}, {}]
    matrix = codes_matrix(b"".join(answers_pack(layout, r) for r in rows), 2)
    assert matrix.dtype == np.int32
    assert matrix.tolist() == [[1, 2], [MISSING, 9], [MISSING, MISSING]]
    with pytest.raises(ValueError, match="not rows of 2"):
        codes_matrix(b"\x00" * 12, 2)


@given(st.dictionaries(st.sampled_from("abcdef"), st.integers(MISSING + 1, 2**31 - 1)))
def test_pack_and_unpack_round_trip(answers):
    layout = tuple("abcdef")
    assert answers_unpack(layout, answers_pack(layout, answers)) == answers


def test_migration_layout_agrees_with_the_loader(tmp_path):
    """Revision 5f3b9d2e7a41 derives layouts from stored sources on its own;
    it must give what new submissions use."""
    root = Path(__file__).resolve().parents[2]
    path = root / "migrations" / "versions" / "20261122_5f3b9d2e7a41_packed_answers.py"
    spec = util.spec_from_file_location("packed_answers_migration", path)
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for instrument in load_all().values():
        source = root / "surveys" / "instruments" / f"{instrument.key}.yaml"
        assert module._layout(source.read_text(encoding="utf-8")) == list(packed_layout(instrument))
    assert module._layout("not: [an instrument") == []
    text_last = tmp_path / "t.v1.yaml"
    text_last.write_text(
        textwrap.dedent(
            """\
            code: t
            version: 1
            title: {vi: Phiếu, en: Form}
            intro: {vi: Giới thiệu, en: Intro}
            channels: [qr]
            scales:
              n: {choices: [[1, Một, One], [2, Hai, Two]]}
            sections:
              - code: s
                title: {vi: Phần, en: Part}
                questions:
                  - {code: note, kind: text, max_length: 10, text: {vi: Ghi chú, en: Note}}
                  - {code: q, scale: n, text: {vi: Câu, en: Question}}
                  - {code: k, kind: number, min: 0, max: 9, text: {vi: Số, en: Number}}
            """
        ),
        encoding="utf-8",
    )
    assert module._layout(text_last.read_text(encoding="utf-8")) == list(packed_layout(load_instrument(text_last)))

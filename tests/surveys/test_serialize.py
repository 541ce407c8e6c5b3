"""Instruments as JSON for clients that render them (the offline tablet app)."""

from __future__ import annotations

import json

import pytest

from surveys import load_all
from surveys.serialize import instrument_as_json


@pytest.mark.parametrize("key", sorted(load_all()))
def test_every_question_scale_and_condition_survives(key):
    instrument = load_all()[key]
    data = json.loads(json.dumps(instrument_as_json(instrument), ensure_ascii=False))
    assert data["key"] == key and data["checksum"] == instrument.checksum
    questions = [q for s in data["sections"] for q in s["questions"]]
    assert [q["code"] for q in questions] == [q.code for q in instrument.questions]
    for q, original in zip(questions, instrument.questions, strict=True):
        assert q["text"] == {"vi": original.text.vi, "en": original.text.en}
        assert q["required"] == original.required and q["kind"] == original.kind.value
        if original.show_if:
            assert q["show_if"] == {"question": original.show_if.question, "values": sorted(original.show_if.values)}
        if original.scale:
            scale = data["scales"][q["scale"]]
            assert [c["code"] for c in scale["choices"]] == [c.code for c in original.scale.choices]
            assert scale["satisfied"] == sorted(original.scale.satisfied)

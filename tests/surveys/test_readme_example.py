"""The worked example of surveys/instruments/README.md loads and does what
the README says, so the people who write questionnaires can trust it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from surveys import INSTRUMENTS_DIR, answers_pack, answers_validate, load_instrument, packed_layout
from surveys.duration import duration_estimate, path_longest
from surveys.loader import FILE_KEYS, SECTION_KEYS

README = INSTRUMENTS_DIR / "README.md"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    text = README.read_text(encoding="utf-8")
    worked = text[text.index("## A worked example") :]
    body = re.search(r"```yaml\n(.*?)```", worked, re.DOTALL).group(1)
    path = Path(tmp_path_factory.mktemp("readme")) / "quay-mau.v1.yaml"
    path.write_text(body, encoding="utf-8")
    return load_instrument(path)


def test_the_example_loads(example):
    assert example.key == "quay-mau.v1"
    assert example.elements[0].criteria == ("E3_polite",)


@pytest.mark.parametrize(
    ("raw", "answers", "error"),
    [
        ({"E3_polite": "4", "wishes": ["7", "6"]}, {"E3_polite": 4, "wishes": (6, 7)}, None),
        ({"E3_polite": "4", "wishes": [0, 6]}, None, "Không thể chọn “Không có đề xuất” cùng với các ý khác."),
        ({"E3_polite": "4", "wishes": [6, 7, 11]}, None, "Vui lòng chọn tối đa 2 ý."),
        ({"E3_polite": "4", "wishes": [6], "wishes_other": "Wifi"}, {"E3_polite": 4, "wishes": (6,)}, None),
        ({"E3_polite": "4", "E3_overall": "5"}, {"E3_polite": 4}, None),
    ],
)
def test_the_example_table(example, raw, answers, error):
    result = answers_validate(example, raw, channel="qr")
    if error is None:
        assert result.ok and result.answers == answers
    else:
        assert result.errors["wishes"].vi == error


def test_the_example_packs_and_times_as_stated(example):
    layout = packed_layout(example)
    packed = answers_pack(layout, {"E3_polite": 4, "wishes": (6, 7)})
    assert int.from_bytes(packed[8:12], "big", signed=True) == 192
    assert answers_validate(example, {"E3_polite": "4", "E3_overall": "5"}, channel="tablet").answers["E3_overall"] == 5
    assert duration_estimate(example, path_longest(example, "qr"), "qr") == 27


def test_every_key_the_loader_knows_is_documented():
    text = README.read_text(encoding="utf-8")
    question_keys = {"code", "kind", "text", "help", "role", "required", "show_if", "channels", "scale", "min",
                     "max", "max_length", "min_choices", "max_choices", "exclusive"}  # fmt: skip
    scale_keys = {"choices", "satisfied", "not_applicable", "yes_codes", "no_codes", "refused_codes"}
    for key in FILE_KEYS | SECTION_KEYS | question_keys | scale_keys:
        assert f"`{key}`" in text or f"{key}:" in text, key
    for role in ("criterion", "element_overall", "overall", "harassment", "informal_payment", "procedure",
                 "expectation", "demographic", "perception", "comment", "other"):  # fmt: skip
        assert f"| `{role}` |" in text, role

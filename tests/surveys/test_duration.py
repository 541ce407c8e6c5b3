"""How long a form takes, and whether the time its intro states is true."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from surveys import InstrumentInvalid, load_all, load_instrument
from surveys import duration as duration_module
from surveys.duration import (
    INTERVIEW,
    SELF_COMPLETED,
    duration_estimate,
    duration_problems,
    intro_minutes,
    path_longest,
)

FORM = """\
code: timed
version: 1
title: {vi: Phiếu, en: Form}
intro: {vi: Mất khoảng 1 phút., en: Takes about 1 minute.}
channels: [qr, tablet]
duration: {channel: qr, minutes: 1}
scales:
  sat:
    choices: [[1, Không hài lòng, Dissatisfied], [4, Hài lòng, Satisfied]]
    satisfied: [4]
  yn:
    choices: [[1, Có, "Yes"], [2, Không, "No"]]
  wants:
    choices: [[0, Không có, None], [1, Một, One], [2, Hai, Two], [3, Ba, Three]]
sections:
  - code: E1
    element: true
    title: {vi: Yếu tố, en: Element}
    questions:
      - {code: a, scale: sat, text: {vi: A, en: A1}}
      - {code: b, scale: sat, text: {vi: B, en: B1}}
      - {code: gate, role: other, scale: yn, text: {vi: Cổng, en: Gate}}
      - {code: c, scale: sat, show_if: {question: gate, in: [1]}, text: {vi: C, en: C1}}
  - code: more
    title: {vi: Thêm, en: More}
    questions:
      - {code: n, kind: number, min: 1, max: 9, text: {vi: Số, en: Number}}
      - {code: w, kind: multi, scale: wants, exclusive: [0], max_choices: 2, text: {vi: Chọn, en: Choose}}
      - {code: d, scale: yn, show_if: {question: w, in: [2, 3]}, text: {vi: D, en: D1}}
      - {code: note, kind: text, max_length: 50, text: {vi: Ghi chú, en: Note}}
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "timed.v1.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.fixture
def form(tmp_path):
    return load_instrument(write(tmp_path, FORM))


def test_each_kind_costs_its_pace(form):
    p = SELF_COMPLETED
    answers = {"a": 4, "b": 4, "gate": 2, "n": 3, "w": (1,), "note": "tốt"}
    expected = (
        p.single  # a: first on its scale
        + p.battery  # b: same scale right after
        + p.single  # gate: another scale
        + p.number
        + p.multi
        + 4 * p.per_choice  # w reads its four options
        + p.text
    )
    assert duration_estimate(form, answers, "qr") == expected


def test_a_shown_question_left_blank_costs_a_glance_and_hidden_ones_nothing(form):
    p = SELF_COMPLETED
    # without answers c and d stay hidden; a, b, gate, n, w and note are shown and left blank
    assert duration_estimate(form, {}, "qr") == 6 * p.skipped
    # gate answered "yes" shows c, left blank too
    assert duration_estimate(form, {"gate": 1}, "qr") == p.single + 6 * p.skipped


def test_opening_a_gate_lengthens_the_path(form):
    closed = duration_estimate(form, {"a": 4, "b": 4, "gate": 2}, "qr")
    opened = duration_estimate(form, {"a": 4, "b": 4, "gate": 1, "c": 4}, "qr")
    assert opened == closed + SELF_COMPLETED.single  # c follows gate's other scale


def test_interviews_take_longer_than_self_completion(form):
    answers = path_longest(form, "qr")
    assert duration_estimate(form, answers, "tablet") > duration_estimate(form, answers, "qr")
    assert INTERVIEW.single > SELF_COMPLETED.single


def test_longest_path_opens_every_gate_and_leaves_text_blank(form):
    answers = path_longest(form, "qr")
    assert {"c", "d"} <= set(answers)
    assert answers["gate"] == 1
    assert set(answers["w"]) & {2, 3} and 0 not in answers["w"]
    assert "note" not in answers
    assert set(answers) == {q.code for q in form.questions} - {"note"}


def test_longest_path_falls_back_to_one_gate_at_a_time(form, monkeypatch):
    best = duration_estimate(form, path_longest(form, "qr"), "qr")
    monkeypatch.setattr(duration_module, "MAX_PATHS", 1)
    greedy = path_longest(form, "qr")
    assert {"c", "d"} <= set(greedy)
    assert duration_estimate(form, greedy, "qr") == best


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("Phiếu mất khoảng 3 phút.", {3}),
        ("takes about 3 minutes", {3}),
        ("takes about 1 min", {1}),
        ("This survey is anonymous and takes about a minute.", {1}),
        ("Phiếu ẩn danh, mất khoảng 1 phút.", {1}),
        ("từ 2 phút đến 5 phút", {2, 5}),
        ("Không ghi tên.", set()),
    ],
)
def test_minutes_stated_in_an_intro(text, minutes):
    assert intro_minutes(text) == minutes


def test_a_true_duration_loads(form):
    assert form.duration is not None and (form.duration.channel, form.duration.minutes) == ("qr", 1)
    assert duration_problems(form) == []


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("minutes: 1}", "minutes: 5}", "the vi intro must state 5 minutes"),
        ("Mất khoảng 1 phút.", "Mất khoảng 5 phút.", "the vi intro must state 1 minutes, as duration says"),
        ("Takes about 1 minute.", "Takes a while.", "the en intro must state 1 minutes"),
        ("channel: qr", "channel: kiosk", "duration must be {channel: one of ['qr', 'tablet']"),
        ("minutes: 1}", "minutes: 0}", "duration must be"),
        ("minutes: 1}", "minutes: 1, why: x}", "duration must be"),
    ],
)
def test_a_wrong_duration_is_refused(tmp_path, old, new, message):
    assert old in FORM
    with pytest.raises(InstrumentInvalid) as info:
        load_instrument(write(tmp_path, FORM.replace(old, new, 1)))
    assert any(message in e.message for e in info.value.errors), [str(e) for e in info.value.errors]


def test_a_time_the_form_does_not_keep_is_refused(tmp_path):
    """The tablet reads every question aloud: the same form is not one minute there."""
    body = FORM.replace("channel: qr", "channel: tablet")
    with pytest.raises(InstrumentInvalid) as info:
        load_instrument(write(tmp_path, body))
    (error,) = info.value.errors
    assert error.where == "duration"
    assert "the intro says about 1 min for tablet, but its longest path takes about" in error.message


def test_a_stated_time_far_above_the_estimate_is_refused(tmp_path):
    """64 s is not "about 3 minutes"; a form under 30 s is still "about 1
    minute" (the README's worked example, tests/surveys/test_readme_example.py)."""
    longer = FORM.replace("1 phút", "3 phút").replace("1 minute", "3 minutes").replace("minutes: 1}", "minutes: 3}")
    with pytest.raises(InstrumentInvalid, match=r"the intro says about 3 min for qr, but its longest path takes"):
        load_instrument(write(tmp_path, longer))


def test_shipped_instruments_that_state_a_time_declare_it():
    """sipas-counter.v1 predates the ``duration`` key and cannot change:
    it says "about a minute", and by the rules of surveys/duration.py its
    longest QR path takes nearly two. Its successor states a checked time."""
    grandfathered = {"sipas-counter.v1"}
    for key, instrument in load_all().items():
        if intro_minutes(instrument.intro.vi) and key not in grandfathered:
            assert instrument.duration is not None, key
    v1 = load_all()["sipas-counter.v1"]
    assert v1.duration is None and intro_minutes(v1.intro.vi) == {1}
    assert 90 <= duration_estimate(v1, path_longest(v1, "qr"), "qr") <= 150

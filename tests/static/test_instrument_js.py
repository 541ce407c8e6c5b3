"""The tablet's answer checks (static/js/surveyor/instrument.js) agree with
the server's (surveys.answers_validate): same skip logic, same clean answers,
same questions refused for the same reason. Runs the module in Node."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from surveys import QuestionKind, answers_validate, load_all
from surveys.answers import MSG_BAD_CHOICE, MSG_DUPLICATE, MSG_NOT_NUMBER, MSG_REQUIRED
from surveys.serialize import instrument_as_json

MODULE = Path(__file__).resolve().parents[2] / "static" / "js" / "surveyor" / "instrument.js"
NODE = shutil.which("node")
RUNNER = """
import { validate } from './instrument.mjs';
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { instrument, cases } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const out = cases.map((raw) => {
  const { answers, errors } = validate(instrument, raw);
  const named = (v) => (v.values && v.values.label ? `${v.key}:${v.values.label.vi}` : v.key);
  return { answers, errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, named(v)])) };
});
process.stdout.write(JSON.stringify(out));
"""


def _kind(message, question) -> str:
    """The browser's message key for a server message (with the choice named
    by an "exclusive" one)."""
    if message == MSG_REQUIRED:
        return "required"
    if message == MSG_BAD_CHOICE:
        return "choice"
    if message == MSG_NOT_NUMBER:
        return "number"
    if message == MSG_DUPLICATE:
        return "duplicate"
    if question.kind is QuestionKind.MULTI:
        if message.vi.startswith("Không thể chọn"):
            return f"exclusive:{message.vi.split('“')[1].split('”')[0]}"
        return "choices_max" if "tối đa" in message.vi else "choices_range" if "từ" in message.vi else "choices_exact"
    return "range" if "từ" in message.vi else "too_long"


def _raw_answers(rng: random.Random, instrument) -> dict[str, object]:
    """Answers a tablet might hold: mostly valid, some empty, wrong or odd."""
    raw: dict[str, object] = {}
    for q in instrument.questions:
        roll = rng.random()
        if roll < 0.12:
            continue
        if q.kind is QuestionKind.SINGLE:
            codes = sorted(q.scale.codes)
            odd = [str(rng.choice(codes)), f" {rng.choice(codes)} ", 7, 0, "", None, True, 4.5]
            options = [rng.choice(codes)] * 6 + odd
        elif q.kind is QuestionKind.MULTI:
            codes = sorted(q.scale.codes)
            free = sorted(q.scale.codes - q.exclusive)
            good = [rng.sample(free, rng.randint(1, q.max_choices)) for _ in range(5)]
            odd = [
                [min(q.exclusive)], [min(q.exclusive), free[0]], rng.sample(free, q.max_choices + 1),
                [free[0], free[0]], [99], [], [" 3 ", "", None], "3;6", "3, 6 ,", " ", 6, "6", True, [True], 4.5,
                [4.5], [[3]], {"a": 1}, [str(c) for c in good[0]], [codes[-1], codes[0]],
            ]  # fmt: skip
            options = good + odd
        elif q.kind is QuestionKind.NUMBER:
            odd = [str(q.maximum), q.maximum + 1, q.minimum - 1, "abc", "", "١٢"]
            options = [rng.randint(q.minimum, q.maximum)] * 4 + odd
        else:
            options = ["Cán bộ nhiệt tình", "  ", "", "x" * (q.max_length + 1), "Tốt\x07 lắm", 5]
        raw[q.code] = rng.choice(options)
    return raw


def _as_json(answers: dict) -> dict:
    """Clean answers as JSON holds them (a multi-select answer is a list)."""
    return {code: list(value) if isinstance(value, tuple) else value for code, value in answers.items()}


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
@pytest.mark.parametrize("key", ["papi-household.v1", "sipas-counter.v1", "sipas-counter.v2"])
def test_browser_and_server_checks_agree(key, tmp_path):
    """The tablet gets the instrument cut to its channel and checks answers
    as the server does with ``channel="tablet"``."""
    instrument = load_all()[key]
    rng = random.Random(2026)
    cases = [_raw_answers(rng, instrument) for _ in range(400)]
    shutil.copy(MODULE, tmp_path / "instrument.mjs")
    (tmp_path / "run.mjs").write_text(RUNNER, encoding="utf-8")
    payload = json.dumps({"instrument": instrument_as_json(instrument, "tablet"), "cases": cases})
    done = subprocess.run(
        [NODE, "run.mjs"], input=payload, capture_output=True, text=True, cwd=tmp_path, timeout=60, check=True
    )
    browser = json.loads(done.stdout)
    hidden_somewhere = 0
    for raw, seen in zip(cases, browser, strict=True):
        server = answers_validate(instrument, raw, channel="tablet")
        assert seen["answers"] == _as_json(server.answers), raw
        errors = {code: _kind(msg, instrument.question(code)) for code, msg in server.errors.items()}
        assert seen["errors"] == errors, raw
        hidden_somewhere += any(code not in server.answers and code not in server.errors for code in raw)
    assert hidden_somewhere > 50  # the cases exercise skip logic


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_multi_select_visibility_and_labels(tmp_path):
    """Skip logic on a multi-select answer holds when any chosen code is
    listed; a review shows the labels of the chosen codes."""
    instrument = instrument_as_json(load_all()["sipas-counter.v2"], "tablet")
    shutil.copy(MODULE, tmp_path / "instrument.mjs")
    script = """
import { answerLabel, isVisible, questions } from './instrument.mjs';
const instrument = JSON.parse(process.argv[2]);
const q = (code) => questions(instrument).find((x) => x.code === code);
process.stdout.write(JSON.stringify([
  isVisible(q('expectations_other'), { expectations: [3, 11] }),
  isVisible(q('expectations_other'), { expectations: [3, 6] }),
  isVisible(q('expectations_other'), {}),
  answerLabel(instrument, q('expectations'), [3, 6], 'vi'),
  answerLabel(instrument, q('expectations'), [0], 'en'),
  answerLabel(instrument, q('E1_overall'), 4, 'vi'),
]));
"""
    (tmp_path / "run.mjs").write_text(script, encoding="utf-8")
    done = subprocess.run(
        [NODE, "run.mjs", json.dumps(instrument)], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=True
    )
    assert json.loads(done.stdout) == [
        True,
        False,
        False,
        "Tăng cường ứng dụng công nghệ thông tin; Rút ngắn thời gian giải quyết thủ tục hành chính",
        "No suggestion / Don't know",
        "Hài lòng",
    ]

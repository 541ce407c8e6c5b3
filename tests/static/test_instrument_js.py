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
from surveys.answers import MSG_BAD_CHOICE, MSG_NOT_NUMBER, MSG_REQUIRED
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
  return { answers, errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.key])) };
});
process.stdout.write(JSON.stringify(out));
"""


def _kind(message) -> str:
    if message == MSG_REQUIRED:
        return "required"
    if message == MSG_BAD_CHOICE:
        return "choice"
    if message == MSG_NOT_NUMBER:
        return "number"
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
        elif q.kind is QuestionKind.NUMBER:
            odd = [str(q.maximum), q.maximum + 1, q.minimum - 1, "abc", "", "١٢"]
            options = [rng.randint(q.minimum, q.maximum)] * 4 + odd
        else:
            options = ["Cán bộ nhiệt tình", "  ", "", "x" * (q.max_length + 1), "Tốt\x07 lắm", 5]
        raw[q.code] = rng.choice(options)
    return raw


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
@pytest.mark.parametrize("key", ["papi-household.v1", "sipas-counter.v1"])
def test_browser_and_server_checks_agree(key, tmp_path):
    instrument = load_all()[key]
    rng = random.Random(2026)
    cases = [_raw_answers(rng, instrument) for _ in range(400)]
    shutil.copy(MODULE, tmp_path / "instrument.mjs")
    (tmp_path / "run.mjs").write_text(RUNNER, encoding="utf-8")
    payload = json.dumps({"instrument": instrument_as_json(instrument), "cases": cases})
    done = subprocess.run(
        [NODE, "run.mjs"], input=payload, capture_output=True, text=True, cwd=tmp_path, timeout=60, check=True
    )
    browser = json.loads(done.stdout)
    hidden_somewhere = 0
    for raw, seen in zip(cases, browser, strict=True):
        server = answers_validate(instrument, raw)
        assert seen["answers"] == server.answers, raw
        assert seen["errors"] == {code: _kind(msg) for code, msg in server.errors.items()}, raw
        hidden_somewhere += any(code not in server.answers and code not in server.errors for code in raw)
    assert hidden_somewhere > 50  # the cases exercise skip logic

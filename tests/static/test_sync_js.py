"""The tablet's sender (static/js/surveyor/sync.js), run in Node against a
scripted server (issue 15, item 9).

A batch the server refuses for good (a 4xx other than 401, 403, 408 and
429) used to be retried for ever, and the interviews queued behind it were
never sent. Now the sender splits such a batch until it finds the
interviews at fault, marks those as refused (kept on the tablet, visible,
with the server's reason) and sends the rest. Anything that may pass later
(no network, 5xx, signed out, too many requests) stays waiting.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SURVEYOR_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "surveyor"
NODE = shutil.which("node")

STORE = """
export const items = new Map();
export function onChange() {}
export function notify() {}
export async function pruneSent() {}
export async function queue() { return [...items.values()]; }
export async function markSent(uuid, result) { items.get(uuid).status = 'sent'; items.get(uuid).result = result; }
export async function markFailed(uuid, result, reason) {
  Object.assign(items.get(uuid), { status: 'failed', result, last_error: reason });
}
export async function markAttempt(uuid, reason) {
  const item = items.get(uuid); item.attempts = (item.attempts || 0) + 1; item.last_error = reason;
}
"""
LOCK = "export async function whileHolding(_name, fn) { await fn(); return true; }\n"
RUNNER = """
import { Sender } from './sync.js';
import { items } from './store.js';

globalThis.addEventListener = () => {};
globalThis.document = { addEventListener() {}, visibilityState: 'visible' };
Object.defineProperty(globalThis, 'navigator', { value: { onLine: true }, configurable: true });

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { uuids, refuse, status, runs } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
for (const uuid of uuids) items.set(uuid, { client_uuid: uuid, status: 'waiting', surveyor: 'sv', answers: {} });

const posts = [];
const reply = (code, body) => ({
  status: code, ok: code >= 200 && code < 300, redirected: false, json: async () => body,
});
globalThis.fetch = async (url, options) => {
  if (url === '/api/v1/session') return reply(200, { user: { username: 'sv' }, csrf_token: 't' });
  const sent = JSON.parse(options.body).interviews.map((i) => i.client_uuid);
  posts.push(sent);
  if (sent.some((u) => refuse.includes(u))) {
    return reply(status, { error: 'bad_request', message: `refused with ${status}` });
  }
  return reply(200, { results: sent.map((u, index) => ({ index, client_uuid: u, status: 'created' })) });
};

const ctx = {
  config: {
    user: { username: 'sv' },
    urls: { session: '/api/v1/session', interviews: '/api/v1/interviews' },
    send_chunk: 4,
  },
  t: (key, values) => `${key}${values ? JSON.stringify(values) : ''}`,
  csrf: '',
};
const sender = new Sender(ctx, () => {});
for (let i = 0; i < runs; i += 1) await sender.sendAll();
const state = Object.fromEntries([...items.values()].map((i) => [i.client_uuid, [i.status, i.last_error || null]]));
process.stdout.write(JSON.stringify({ state, posts, failures: sender.failures }));
"""


def _run(tmp_path: Path, *, refuse: list[str], status: int, count: int = 10, runs: int = 2) -> dict:
    shutil.copy(SURVEYOR_JS / "sync.js", tmp_path / "sync.js")
    (tmp_path / "store.js").write_text(STORE, encoding="utf-8")
    (tmp_path / "lock.js").write_text(LOCK, encoding="utf-8")
    (tmp_path / "package.json").write_text('{"type": "module"}', encoding="utf-8")
    (tmp_path / "run.js").write_text(RUNNER, encoding="utf-8")
    uuids = [f"u{i:02d}" for i in range(count)]
    payload = json.dumps({"uuids": uuids, "refuse": refuse, "status": status, "runs": runs})
    done = subprocess.run(
        [NODE, "run.js"], input=payload, capture_output=True, text=True, cwd=tmp_path, timeout=60, check=True
    )
    return json.loads(done.stdout)


pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js")


@pytest.mark.parametrize("status", [400, 404, 405, 409, 413, 415, 422])
def test_a_batch_refused_for_good_is_skipped_and_its_interview_shown_as_refused(tmp_path, status):
    outcome = _run(tmp_path, refuse=["u05"], status=status)
    state = outcome["state"]
    assert state.pop("u05") == ["failed", f"refused with {status}"]
    assert {s for s, _ in state.values()} == {"sent"}  # the nine others reached the server
    assert outcome["failures"] == 0  # no back-off: nothing is wrong with the network or the server
    # found alone once, then never sent again: it waits for the surveyor's "try again"
    posts = outcome["posts"]
    alone = posts.index(["u05"])
    assert not any("u05" in post for post in posts[alone + 1 :])


@pytest.mark.parametrize("status", [401, 403, 408, 429, 500, 502, 503])
def test_anything_that_may_pass_later_stays_waiting(tmp_path, status):
    outcome = _run(tmp_path, refuse=["u00"], status=status, count=3, runs=1)
    assert {s for s, _ in outcome["state"].values()} == {"waiting"}
    assert outcome["failures"] in (0, 1)

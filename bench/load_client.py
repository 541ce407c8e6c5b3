"""A load client that behaves like many phones filling in the citizen form.

Each simulated citizen GETs ``/s/<token>`` (the form, with its signed
one-time nonce), then POSTs the answers with that nonce and expects
``303 See Other`` (the acknowledgement). On ``503`` or a broken connection it
POSTs the *same* body again (the same nonce, hence the same client UUID),
as the page's "send again" does, until it is acknowledged or the bounded
number of attempts runs out.

How the client knows which rows must exist afterwards: the nonce is an
itsdangerous token, ``base64url(JSON payload) . timestamp . signature``.
The payload is signed, not encrypted, so the client reads the client UUID
(``"u"``) the server will store in ``responses.client_uuid``. After the run,
:func:`stored_verify` compares the database with what the client saw:

- every acknowledged UUID is stored exactly once, with exactly the answers sent;
- nothing is stored that was not acknowledged (except submissions whose
  outcome the client never learned: the request was cut off);
- no response is stored without its answers.

Only the standard library (asyncio streams, HTTP/1.1 with keep-alive) plus
``brotli``, already a dependency of the app, to read compressed pages.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import json
import random
import re
import secrets
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import brotli
from sqlalchemy import create_engine, text

from surveys import Instrument, QuestionKind, Value, answers_validate, load_all, multi_mask

NONCE_RE = re.compile(rb'name="nonce" value="([^"]+)"')
COMMENTS = [
    "Cán bộ hướng dẫn nhiệt tình, chu đáo.",
    "Phải chờ lâu, nên bố trí thêm ghế ngồi.",
    "Thủ tục còn rườm rà, phải đi lại nhiều lần.",
    "Phòng chờ nóng, quạt hỏng.",
]


# -- what the client sends ---------------------------------------------------------------------


def nonce_uuid(token: str) -> uuid.UUID:
    """The client UUID inside a form nonce (itsdangerous payloads are signed, not secret)."""
    compressed = token.startswith(".")
    payload = (token[1:] if compressed else token).split(".", 1)[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if compressed:
        raw = zlib.decompress(raw)
    return uuid.UUID(hex=json.loads(raw)["u"])


def instrument_active(code: str = "sipas-counter") -> Instrument:
    """The newest published version of ``code``: the one ``migrate`` makes active."""
    return max((i for i in load_all().values() if i.code == code), key=lambda i: i.version)


def answers_random(
    rng: random.Random, instrument: Instrument, channel: str = "qr"
) -> tuple[dict[str, str | list[str]], dict[str, Value]]:
    """A valid filled-in form: the fields as a browser posts them (a list for
    the check boxes of a multi-select question), and the clean answers the
    server must store for ``channel``. Every question gets an answer, so
    the server drops those that skip logic or the channel leave out."""
    form: dict[str, str | list[str]] = {}
    for q in instrument.questions:
        if q.kind is QuestionKind.SINGLE and q.scale is not None:
            form[q.code] = str(rng.choice(sorted(q.scale.codes)))
        elif q.kind is QuestionKind.MULTI and q.scale is not None:
            assert q.min_choices is not None and q.max_choices is not None
            free = sorted(q.scale.codes - q.exclusive)
            if q.exclusive and rng.random() < 0.2:
                chosen = [min(q.exclusive)]
            else:
                chosen = rng.sample(free, rng.randint(q.min_choices, min(q.max_choices, len(free))))
            form[q.code] = [str(c) for c in chosen]
        elif q.kind is QuestionKind.NUMBER:
            form[q.code] = str(rng.randint(q.minimum or 0, q.maximum or 9))
        elif rng.random() < 0.3:
            form[q.code] = rng.choice(COMMENTS)
    checked = answers_validate(instrument, form, channel=channel)
    if not checked.ok:
        raise AssertionError(f"the generator made an invalid form: {checked.errors}")
    return form, checked.answers


# -- HTTP/1.1 over asyncio streams ---------------------------------------------------------------


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """One keep-alive connection, reopened when the server closes it."""

    #: a connection idle this long is reopened before use, as browsers do: the
    #: server (gunicorn --keep-alive 5) may have closed it meanwhile
    IDLE_LIMIT = 4.0

    def __init__(self, base_url: str, timeout: float = 30):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None):
        try:
            return await asyncio.wait_for(self._request(method, path, body, headers or {}), self.timeout)
        except BaseException:
            await self.close()
            raise

    async def _request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> HttpResult:
        if self.writer is not None and time.monotonic() - self.last_used > self.IDLE_LIMIT:
            await self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept-Encoding: gzip, br"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            head.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        result = await _response_read(self.reader)
        self.last_used = time.monotonic()
        if result.headers.get("connection", "").lower() == "close":
            await self.close()
        return result


async def _response_read(reader: asyncio.StreamReader | None) -> HttpResult:
    assert reader is not None
    line = await reader.readline()
    if not line:
        raise ConnectionResetError("the server closed the connection before answering")
    status = int(line.split(b" ", 2)[1])
    headers: dict[str, str] = {}
    while (h := await reader.readline()) not in (b"\r\n", b"\n", b""):
        key, _, value = h.decode("latin-1").partition(":")
        headers[key.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while size := int((await reader.readline()).split(b";")[0], 16):
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        await reader.readline()
        body = b"".join(chunks)
    else:
        body = await reader.read()
    encoding = headers.get("content-encoding", "")
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    return HttpResult(status, headers, body)


# -- the citizens ---------------------------------------------------------------------------------


@dataclass
class Submission:
    """One citizen's submission and what became of it."""

    token: str
    point_id: int
    form: dict[str, str | list[str]]
    expected: dict[str, Value]
    nonce: str | None = None
    client_uuid: uuid.UUID | None = None
    #: the phone's address, sent as X-Forwarded-For (the app trusts one proxy in
    #: the load runs, as behind nginx; per-address rate limits then apply per phone)
    address: str = "10.0.0.1"
    #: the phone's random device id, as the form's ``thiet_bi`` cookie holds it
    #: (app/services/devices.py): each submission is another phone, so the
    #: per-device daily check runs on every POST without refusing any
    device: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    #: ``acked`` (303 seen), ``rejected`` (another 4xx), ``unknown`` (a request
    #: went out but no answer came back, then attempts ran out), ``no_form``
    outcome: str = "pending"
    post_attempts: int = 0
    post_latency: float | None = None


@dataclass
class LoadResult:
    """What the client saw. ``events`` holds (seconds since start, kind) for a timeline."""

    submissions: list[Submission]
    started: float
    finished: float
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    events: list[tuple[float, str]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    #: 503 answers that lacked a Retry-After header
    unavailable_without_hint: int = 0

    @property
    def elapsed(self) -> float:
        return self.finished - self.started

    def count(self, outcome: str) -> int:
        return sum(1 for s in self.submissions if s.outcome == outcome)

    def summary(self) -> dict[str, object]:
        acked = self.count("acked")
        return {
            "submissions": len(self.submissions),
            "acked": acked,
            "rejected": self.count("rejected"),
            "unknown": self.count("unknown"),
            "no_form": self.count("no_form"),
            "no_answer": self.count("no_answer"),
            "elapsed_s": round(self.elapsed, 2),
            "throughput_per_s": round(acked / self.elapsed, 1) if self.elapsed else 0.0,
            **latency_summary(self.latencies),
            "statuses": dict(sorted(self.statuses.items())),
            "errors": dict(sorted(self.errors.items())),
            "503_without_retry_after": self.unavailable_without_hint,
        }


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latency_summary(latencies: Sequence[float]) -> dict[str, float]:
    return {f"p{q}_ms": round(percentile(latencies, q) * 1000, 1) for q in (50, 95, 99)} | {
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 1)
    }


@dataclass
class Citizens:
    """Runs ``submissions`` through ``concurrency`` simultaneous clients.

    Parameters
    ----------
    think : float
        Mean seconds a citizen spends on the form between GET and POST
        (exponential); 0 makes a closed loop that saturates the server.
    attempts : int
        POST (and GET) attempts per submission before giving up.
    retry_cap : float
        Longest wait before a retry, whatever Retry-After says (the page
        says 30 s; a load run does not wait that long).
    phase_split : bool
        GET every form first, then POST them all: the POST phase then
        measures the submit path alone (the ``post-only`` mode).
    """

    base_url: str
    concurrency: int
    think: float = 0.0
    attempts: int = 8
    retry_cap: float = 1.0
    timeout: float = 30.0
    phase_split: bool = False
    #: POST every form straight to this path of the floor app (no GET, no nonce)
    floor_path: str | None = None
    seed: int = 1

    async def run(self, submissions: list[Submission], on_phase: Callable[[], None] | None = None) -> LoadResult:
        """Run every submission; ``on_phase`` is called as each phase starts
        (once, or twice with ``phase_split``: measure from the last call)."""
        result = LoadResult(submissions, time.perf_counter(), 0.0)
        rng = random.Random(self.seed)

        async def worker(queue: list[Submission], step) -> None:
            conn = Connection(self.base_url, self.timeout)
            try:
                while queue:
                    await step(conn, queue.pop(), result, rng)
            finally:
                await conn.close()

        async def both(conn, sub, res, rng_):
            if await self._form_get(conn, sub, res):
                if self.think:
                    await asyncio.sleep(rng_.expovariate(1 / self.think))
                await self._post(conn, sub, res)

        async def get_only(conn, sub, res, _rng):
            await self._form_get(conn, sub, res)

        async def post_only(conn, sub, res, _rng):
            if sub.nonce is not None:
                await self._post(conn, sub, res)

        async def floor(conn, sub, res, _rng):
            await self._post(conn, sub, res, path=self.floor_path)

        phases = [floor] if self.floor_path else [get_only, post_only] if self.phase_split else [both]
        for step in phases:
            queue = list(reversed(submissions))
            if on_phase is not None:
                on_phase()
            result.started = time.perf_counter()
            result.latencies.clear()
            tasks = [asyncio.create_task(worker(queue, step)) for _ in range(self.concurrency)]
            await asyncio.gather(*tasks)
        result.finished = time.perf_counter()
        return result

    def _event(self, result: LoadResult, kind: str) -> None:
        result.events.append((time.perf_counter() - result.started, kind))

    async def _backoff(self, attempt: int, retry_after: str | None = None, cap: float | None = None) -> None:
        """Wait before a retry: exponential from 0.2 s with jitter, at least
        Retry-After, at most ``cap`` (default ``retry_cap``)."""
        cap = self.retry_cap if cap is None else cap
        wait = min(cap, 0.2 * 2**attempt)
        if retry_after and retry_after.isdigit():
            wait = min(cap, max(wait, float(retry_after)))
        await asyncio.sleep(wait * random.uniform(0.5, 1.0))

    async def _form_get(self, conn: Connection, sub: Submission, result: LoadResult) -> bool:
        for attempt in range(self.attempts):
            try:
                r = await conn.request(
                    "GET",
                    f"/s/{sub.token}",
                    headers={
                        "Accept-Language": "vi",
                        "X-Forwarded-For": sub.address,
                        "Cookie": f"thiet_bi={sub.device}",
                    },
                )
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                result.errors[f"GET {type(exc).__name__}"] += 1
                self._event(result, "get_error")
                await self._backoff(attempt)
                continue
            result.statuses[f"GET {r.status}"] += 1
            if r.status == 200 and (m := NONCE_RE.search(r.body)):
                sub.nonce = m.group(1).decode()
                sub.client_uuid = nonce_uuid(sub.nonce)
                return True
            self._event(result, f"get_{r.status}")
            if r.status == 503 and "retry-after" not in r.headers:
                result.unavailable_without_hint += 1
            await self._backoff(attempt, r.headers.get("retry-after"))
        sub.outcome = "no_form"
        return False

    async def _post(self, conn: Connection, sub: Submission, result: LoadResult, path: str | None = None) -> None:
        body = urlencode({**sub.form, "nonce": sub.nonce or ""}, doseq=True).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept-Language": "vi",
            "X-Forwarded-For": sub.address,
            "Cookie": f"thiet_bi={sub.device}",
        }
        sent_any = False
        for attempt in range(self.attempts):
            sub.post_attempts += 1
            started = time.perf_counter()
            try:
                r = await conn.request("POST", path or f"/s/{sub.token}", body, headers)
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                # The request may or may not have reached the database: the
                # same nonce again is safe either way.
                sent_any = sent_any or not isinstance(exc, ConnectionRefusedError)
                result.errors[f"POST {type(exc).__name__}"] += 1
                self._event(result, "post_error")
                await self._backoff(attempt)
                continue
            elapsed = time.perf_counter() - started
            result.statuses[f"POST {r.status}"] += 1
            self._event(result, f"post_{r.status}")
            if r.status == 303:
                sub.outcome, sub.post_latency = "acked", elapsed
                result.latencies.append(elapsed)
                return
            if r.status >= 500:
                sent_any = True
                if r.status == 503 and "retry-after" not in r.headers:
                    result.unavailable_without_hint += 1
                await self._backoff(attempt, r.headers.get("retry-after"))
                continue
            if r.status == 429:
                # Rate-limited (nothing stored): wait as told, like a person
                # who reads "try again in a minute", then send the same form.
                await self._backoff(attempt, r.headers.get("retry-after"), cap=65.0)
                continue
            sub.outcome = "rejected"
            return
        sub.outcome = "unknown" if sent_any else "no_answer"


def submissions_make(points: Sequence[tuple[int, str]], total: int, seed: int = 7) -> list[Submission]:
    """``total`` valid submissions spread round-robin over ``points`` (id, token)."""
    rng = random.Random(seed)
    instrument = instrument_active()
    out = []
    for i in range(total):
        point_id, token = points[i % len(points)]
        form, expected = answers_random(rng, instrument)
        address = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"
        out.append(Submission(token, point_id, form, expected, address=address))
    return out


# -- what the database holds afterwards -------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """Database against client. Every list holds client UUIDs (as strings)."""

    stored: int
    acked: int
    duplicates: list[str]
    lost: list[str]
    unacknowledged: list[str]
    answers_differ: list[str]
    without_answers: int
    orphan_answers: int

    @property
    def ok(self) -> bool:
        return not (
            self.duplicates or self.lost or self.unacknowledged or self.answers_differ or self.without_answers
        ) and (self.orphan_answers == 0)

    def summary(self) -> dict[str, object]:
        return {
            "stored": self.stored,
            "acked": self.acked,
            "duplicated": len(self.duplicates),
            "lost": len(self.lost),
            "stored_not_acked": len(self.unacknowledged),
            "answers_differ": len(self.answers_differ),
            "responses_without_answers": self.without_answers,
            "answers_without_response": self.orphan_answers,
            "ok": self.ok,
        }


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def stored_verify(database_url: str, point_ids: Sequence[int], submissions: Sequence[Submission]) -> Verification:
    """Compare the rows stored for ``point_ids`` with what the client was told.

    A stored UUID that was never acknowledged is allowed only for a
    submission whose outcome is ``unknown`` (the answer was lost on the way
    back); it is then reported in ``unacknowledged`` only if the client never
    even sent it.
    """
    engine = create_engine(_sqlalchemy_url(database_url))
    ids = ",".join(str(int(p)) for p in point_ids) or "NULL"
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT id, client_uuid FROM responses WHERE service_point_id IN ({ids})")).all()
            answers = conn.execute(
                text(
                    "SELECT a.response_id, a.question_code, a.value_int, a.value_text FROM answers a "
                    f"JOIN responses r ON r.id = a.response_id WHERE r.service_point_id IN ({ids})"
                )
            ).all()
            orphans = conn.execute(
                text("SELECT count(*) FROM answers a LEFT JOIN responses r ON r.id = a.response_id WHERE r.id IS NULL")
            ).scalar_one()
    finally:
        engine.dispose()
    by_response: dict[int, dict[str, Value]] = {}
    for response_id, code, value_int, value_text in answers:
        by_response.setdefault(response_id, {})[code] = value_int if value_int is not None else value_text
    per_uuid = Counter(uuid.UUID(str(u)) for _, u in rows)
    response_of = {uuid.UUID(str(u)): rid for rid, u in rows}
    sent = {s.client_uuid: s for s in submissions if s.client_uuid is not None}
    acked = {u for u, s in sent.items() if s.outcome == "acked"}
    maybe = {u for u, s in sent.items() if s.outcome == "unknown"}
    # Whatever was stored must hold exactly the answers sent, acknowledged or
    # not (a multi-select answer is stored as its bit mask).
    expected = {
        u: {code: multi_mask(v) if isinstance(v, tuple) else v for code, v in s.expected.items()}
        for u, s in sent.items()
    }
    differ = [str(u) for u in (acked | maybe) & per_uuid.keys() if by_response.get(response_of[u], {}) != expected[u]]
    return Verification(
        stored=len(rows),
        acked=len(acked),
        duplicates=[str(u) for u, n in per_uuid.items() if n > 1],
        lost=[str(u) for u in acked - per_uuid.keys()],
        unacknowledged=[str(u) for u in per_uuid.keys() - acked - maybe],
        answers_differ=differ,
        without_answers=sum(1 for rid, _ in rows if rid not in by_response),
        orphan_answers=orphans,
    )

"""The JSON sync API (/api/v1) under load: tablets sending finished interviews.

``api_surveyor`` creates, in a prepared database, a surveyor of the load unit
with an assignment at one counter and a bearer token; ``Tablets`` posts one
interview per request (``{"interviews": [item]}``) with a UUID the tablet
generated, and retries the *same* item after a 503 or a broken connection.
An item's acknowledgement is ``created`` or ``duplicate`` (a retry of one
already stored). The client knows every UUID, so ``stored_verify`` applies
unchanged.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.load_client import Connection, LoadResult, Submission, answers_random
from surveys import load_all

INSTRUMENT = "sipas-counter"


@dataclass(frozen=True)
class ApiSurveyor:
    token: str
    assignment_id: int
    instrument_version: int
    point_id: int


def api_surveyor(url: str, point_id: int, username: str = "load-surveyor") -> ApiSurveyor:
    """A surveyor assigned to the counter ``point_id``, with an API token.

    Raises
    ------
    ImportError
        If this checkout has no API (``app.services.api_tokens``).
    """
    from app.config import Settings, database_url
    from app.extensions import engine_for
    from app.models import ServicePoint, User
    from app.services import accounts
    from app.services.api_tokens import api_token_issue
    from app.services.assignments import assignment_create
    from app.services.instruments import instrument_active
    from bench.served import ROOT

    engine = engine_for(database_url(Settings(database_url=url), ROOT / "instance"))
    try:
        with Session(engine) as s:
            point = s.get(ServicePoint, point_id)
            assert point is not None
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                user = accounts.user_create(
                    s, username=username, password="mat-khau-tai-" + uuid.uuid4().hex, role="surveyor", unit=point.unit
                )
            registry = load_all()
            assignment = assignment_create(
                s,
                registry,
                surveyor=user,
                unit=point.unit,
                instrument_code=INSTRUMENT,
                target=10**6,
                starts_on=date.today() - timedelta(days=1),
                service_point=point,
            )
            active = instrument_active(s, registry, INSTRUMENT)
            assert active is not None
            token = api_token_issue(s, user, "load")
            s.commit()
            return ApiSurveyor(token, assignment.id, active.instrument.version, point_id)
    finally:
        engine.dispose()


def interviews_make(surveyor: ApiSurveyor, total: int, seed: int = 9) -> list[Submission]:
    """``total`` valid interviews, each with its own client UUID (as a tablet makes them)."""
    rng = random.Random(seed)
    instrument = load_all()[f"{INSTRUMENT}.v{surveyor.instrument_version}"]
    out = []
    for _ in range(total):
        form, expected = answers_random(rng, instrument, channel="tablet")
        sub = Submission("", surveyor.point_id, form, expected)
        sub.client_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
        out.append(sub)
    return out


def _json_answer(value: str | list[str]) -> int | str | list[int]:
    """A form field as the tablet app sends it: codes and numbers as integers,
    a multi-select answer as a list of codes, text as text."""
    if isinstance(value, list):
        return [int(v) for v in value]
    return int(value) if value.lstrip("-").isdigit() else value


@dataclass
class Tablets:
    """``concurrency`` tablets posting one interview per request."""

    base_url: str
    surveyor: ApiSurveyor
    concurrency: int
    attempts: int = 8
    retry_cap: float = 1.0
    timeout: float = 30.0

    async def run(self, submissions: list[Submission], on_phase=None) -> LoadResult:
        result = LoadResult(submissions, time.perf_counter(), 0.0)
        queue = list(reversed(submissions))
        if on_phase is not None:
            on_phase()
        result.started = time.perf_counter()

        async def worker() -> None:
            conn = Connection(self.base_url, self.timeout)
            try:
                while queue:
                    await self._send(conn, queue.pop(), result)
            finally:
                await conn.close()

        await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        result.finished = time.perf_counter()
        return result

    def _body(self, sub: Submission) -> bytes:
        now = datetime.now(UTC)
        item = {
            "client_uuid": str(sub.client_uuid),
            "assignment_id": self.surveyor.assignment_id,
            "instrument": INSTRUMENT,
            "instrument_version": self.surveyor.instrument_version,
            "started_at": (now - timedelta(minutes=12)).isoformat(),
            "submitted_at": now.isoformat(),
            "answers": {k: _json_answer(v) for k, v in sub.form.items()},
        }
        return json.dumps({"interviews": [item]}, ensure_ascii=False).encode()

    async def _send(self, conn: Connection, sub: Submission, result: LoadResult) -> None:
        body = self._body(sub)  # built once: a retry sends exactly the same item
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.surveyor.token}"}
        sent_any = False
        for attempt in range(self.attempts):
            sub.post_attempts += 1
            started = time.perf_counter()
            try:
                r = await conn.request("POST", "/api/v1/interviews", body, headers)
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                sent_any = sent_any or not isinstance(exc, ConnectionRefusedError)
                result.errors[f"POST {type(exc).__name__}"] += 1
                await asyncio.sleep(min(self.retry_cap, 0.2 * 2**attempt) * random.uniform(0.5, 1))
                continue
            elapsed = time.perf_counter() - started
            result.statuses[f"POST {r.status}"] += 1
            if r.status == 200:
                status = json.loads(r.body)["results"][0]["status"]
                result.statuses[f"item {status}"] += 1
                if status in ("created", "duplicate"):
                    sub.outcome, sub.post_latency = "acked", elapsed
                    result.latencies.append(elapsed)
                else:
                    sub.outcome = "rejected"
                return
            if r.status >= 500 or r.status == 429:
                sent_any = True
                if r.status == 503 and "retry-after" not in r.headers:
                    result.unavailable_without_hint += 1
                await asyncio.sleep(min(self.retry_cap, 0.2 * 2**attempt) * random.uniform(0.5, 1))
                continue
            sub.outcome = "rejected"
            return
        sub.outcome = "unknown" if sent_any else "no_answer"

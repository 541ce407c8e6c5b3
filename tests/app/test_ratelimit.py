"""The counters behind the rate limits (app/ratelimit.py), without a request."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import pytest
import redis
from limits import parse

from app.ratelimit import RETRY_STORAGE_SECONDS, RateLimits

REDIS_URL = "redis://127.0.0.1:6379/15"


class Clock:
    """Monotonic seconds that move only when a test moves them."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_counts_each_form_and_each_address_apart(app):
    counters = RateLimits("memory://")
    two = parse("2 per minute")
    with app.app_context():
        assert [counters.hit(two, "FORM", "10.0.0.1") for _ in range(3)] == [True, True, False]
        assert counters.hit(two, "FORM", "10.0.0.2")  # another address
        assert counters.hit(two, "LOGIN", "10.0.0.1")  # another form


def test_a_dead_storage_is_replaced_by_memory_then_tried_again(app, caplog):
    clock = Clock()
    counters = RateLimits("redis://127.0.0.1:1/0", clock=clock)  # nothing listens on port 1
    two = parse("2 per minute")
    with app.app_context():
        assert [counters.hit(two, "FORM", "10.0.0.1") for _ in range(3)] == [True, True, False]
        assert counters.storage_down
        assert sum("counting in memory" in r.getMessage() for r in caplog.records) == 1  # once, not per request
        clock.now += RETRY_STORAGE_SECONDS + 1
        assert not counters.storage_down
        assert not counters.hit(two, "FORM", "10.0.0.1")  # tried again, still dead: memory still counts
        assert counters.storage_down
        assert sum("counting in memory" in r.getMessage() for r in caplog.records) == 2


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers: a hung Redis."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()
    for conn in accepted:
        conn.close()


def test_a_hung_storage_costs_a_request_half_a_second_not_forever(app, silent_server):
    counters = RateLimits(f"redis://127.0.0.1:{silent_server}/0")
    one = parse("1 per minute")
    with app.app_context():
        started = time.monotonic()
        assert counters.hit(one, "FORM", "10.0.0.1")
        waited = time.monotonic() - started
        assert counters.storage_down
        assert not counters.hit(one, "FORM", "10.0.0.1")  # counted in memory, no second wait
        assert time.monotonic() - started < waited + 0.2
    assert waited < 2  # REDIS_TIMEOUT_SECONDS, plus the machine's slack


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_workers_sharing_a_redis_share_one_count(app):
    worker_a, worker_b = RateLimits(REDIS_URL), RateLimits(REDIS_URL)
    three = parse("3 per minute")
    scope = f"test-{uuid.uuid4()}"  # keys of their own; they expire with the window
    with app.app_context():
        assert worker_a.hit(three, scope, "10.0.0.1")
        assert worker_b.hit(three, scope, "10.0.0.1")
        assert worker_a.hit(three, scope, "10.0.0.1")
        assert not worker_b.hit(three, scope, "10.0.0.1")
        assert not worker_a.storage_down and not worker_b.storage_down

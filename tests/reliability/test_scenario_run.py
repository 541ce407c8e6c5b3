"""The reliability scenarios run wherever pytest runs them: Playwright's sync
API (tests/browser) leaves an event loop running in the main thread while
its browser is open, and ``asyncio.run`` refuses to start under one."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.reliability.conftest import scenario_run


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_a_scenario_runs_while_the_calling_thread_has_a_running_loop():
    """In a thread of its own, so that the test sets up the running loop
    itself whatever ran before it in this process."""

    async def under_a_running_loop() -> int:
        return scenario_run(_answer)

    outcome: list[int] = []
    thread = threading.Thread(target=lambda: outcome.append(asyncio.run(under_a_running_loop())))
    thread.start()
    thread.join()
    assert outcome == [42]


def test_a_scenario_hands_its_error_back():
    async def failing() -> None:
        raise LookupError("in the scenario")

    with pytest.raises(LookupError, match="in the scenario"):
        scenario_run(failing)

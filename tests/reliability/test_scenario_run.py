"""The reliability scenarios run wherever pytest runs them: Playwright's sync
API (tests/browser) leaves an event loop running in the main thread while
its browser is open, and ``asyncio.run`` refuses to start under one."""

from __future__ import annotations

import asyncio

import pytest

from tests.reliability.conftest import scenario_run


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_a_scenario_runs_while_the_calling_thread_has_a_running_loop():
    async def under_a_running_loop() -> int:
        return scenario_run(_answer)

    assert asyncio.run(under_a_running_loop()) == 42


def test_a_scenario_hands_its_error_back():
    async def failing() -> None:
        raise LookupError("in the scenario")

    with pytest.raises(LookupError, match="in the scenario"):
        scenario_run(failing)

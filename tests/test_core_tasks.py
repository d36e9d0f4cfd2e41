"""bot.core.tasks: a stopped task has really ended, and a failure on the way out is not hidden."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.tasks import cancel_and_wait, run_every, sleep_or_stop


async def test_cancelled_tasks_have_ended_when_it_returns() -> None:
    cleaned: list[str] = []

    async def worker(name: str) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0)  # clean-up that itself awaits
            cleaned.append(name)

    tasks = [asyncio.create_task(worker(name)) for name in ("a", "b")]
    await asyncio.sleep(0)
    await cancel_and_wait(*tasks)
    assert sorted(cleaned) == ["a", "b"]
    assert all(task.cancelled() for task in tasks)


async def test_an_error_while_stopping_is_raised() -> None:
    async def broken() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            raise RuntimeError("clean-up failed")

    task = asyncio.create_task(broken())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="clean-up failed"):
        await cancel_and_wait(task)


async def test_run_every_survives_a_failing_step_and_ends_when_stopped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = asyncio.Event()
    calls: list[int] = []

    async def step() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        if len(calls) == 3:
            stop.set()

    await asyncio.wait_for(run_every(step, 0.01, stop, name="pruning"), timeout=30)
    assert calls == [0, 1, 2]  # the failure did not end the loop; the stop did
    assert [record.getMessage() for record in caplog.records] == ["pruning failed"]
    assert caplog.records[0].exc_info is not None  # with its traceback


async def test_sleep_or_stop_wakes_at_once_when_stopped() -> None:
    stop = asyncio.Event()
    sleeper = asyncio.create_task(sleep_or_stop(stop, 3600))
    await asyncio.sleep(0)
    stop.set()
    await asyncio.wait_for(sleeper, timeout=30)  # not an hour

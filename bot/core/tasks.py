"""Background tasks: repeating a step until asked to stop, and stopping tasks for good."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleeps ``seconds``, or less: returns as soon as ``stop`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_every(
    step: Callable[[], Awaitable[object]], every: float, stop: asyncio.Event, *, name: str
) -> None:
    """Runs ``step`` every ``every`` seconds (start to start) until ``stop`` is set.

    A failing step is logged as "<name> failed" with its traceback and the loop goes on: a bug
    or a database error must not stop the background work. Cancelling the task ends it."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        try:
            await step()
        except Exception:
            log.exception("%s failed", name)
        await sleep_or_stop(stop, max(0.0, every - (loop.time() - started)))


async def cancel_and_wait(*tasks: asyncio.Future[Any]) -> None:
    """Cancels ``tasks``, then waits for each to end: its cancellation is the expected end,
    so it is not raised; any other error of a task is."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task

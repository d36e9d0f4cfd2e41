"""Stopping background tasks: cancel, then wait until each has really ended."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def cancel_and_wait(*tasks: asyncio.Future[Any]) -> None:
    """Cancels ``tasks``, then waits for each to end: its cancellation is the expected end,
    so it is not raised; any other error of a task is."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task

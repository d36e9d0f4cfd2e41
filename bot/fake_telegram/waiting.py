"""Waking waiters when the fake world changes, without sleep loops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ChangeNotifier:
    """A generation of `asyncio.Event`: `notify()` wakes everyone waiting on the current one.

    Mutations are synchronous and the event loop is single-threaded, so a waiter that checks its
    condition and then awaits the current event cannot miss a change made in between.
    """

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every waiter; later waiters wait for the next change."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_next(
        self,
        timeout: float,  # noqa: ASYNC109 - the wait's bound is part of the API
    ) -> bool:
        """Wait for the next `notify()`; False if `timeout` seconds passed first."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def wait_until(
        self,
        probe: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109 - the wait's bound is part of the API
    ) -> T:
        """Wait until `probe()` returns something other than None or False, and return it.

        Args:
            probe: a cheap, synchronous look at the state, run after every change.
            timeout: seconds of real time to wait at most.

        Raises:
            TimeoutError: when the timeout passes first.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = probe()
            if result is not None and result is not False:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), remaining)

"""Update processing: users concurrently, each user's updates one at a time, in order.

PTB's default processes every update one after another, so one user whose provider hangs
(a custom URL that never answers) would hold every other user's updates. Fully concurrent
processing would instead let one user's double tap race itself. This processor takes the
middle: updates of different users run at once (up to a bound), updates of one user wait
for each other, in arrival order.

A user's updates queue behind that user's turn *before* they take one of the shared slots,
so a user holds at most one slot however many updates they send; and a user's queue is
capped, the excess answered at once with "busy, one moment" instead of waiting.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

BusyAnswer = Callable[[Update], Awaitable[None]]
"""Tells the update's user the bot is still busy with their earlier updates."""

DEFAULT_QUEUED_PER_USER: Final = 8
"""Updates of one user held at once (the one being processed included): typing and tapping
ahead is fine, a flood is not."""


@dataclass(slots=True)
class _UserQueue:
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    held: int = 0  # updates of this user waiting or being processed
    told_busy: bool = False  # a "busy" message was sent since the queue last emptied


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Serializes updates per user (per chat when there is no user), others concurrently.

    PTB takes its own semaphore before :meth:`do_process_update` learns whose update it is; it
    is left unbounded here (so ``max_concurrent_updates`` reads as huge), and the real slots
    are taken only once the user's turn has come.

    Args:
        max_concurrent_updates: updates of different users processed at once.
        max_queued_per_user: a user's updates held at once; more are answered as busy.
        answer_busy: how to answer an update over the cap. A message is answered once per
            backlog (a flood must not turn into a flood of our messages, which share the bot's
            send budget with everyone); a button press each time (answering one is free).
    """

    def __init__(
        self,
        max_concurrent_updates: int = 64,
        *,
        max_queued_per_user: int = DEFAULT_QUEUED_PER_USER,
        answer_busy: BusyAnswer | None = None,
    ) -> None:
        super().__init__(sys.maxsize)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._max_queued = max_queued_per_user
        self._answer_busy = answer_busy
        self._queues: dict[int, _UserQueue] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _owner(update)
        if key is None:  # no user or chat to be fair between (a poll's answer, say)
            async with self._slots:
                await coroutine
            return
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _UserQueue()
        if queue.held >= self._max_queued:
            await self._refuse(update, queue, coroutine)
            return
        queue.held += 1
        try:
            async with queue.turn, self._slots:
                await coroutine
        finally:
            queue.held -= 1
            if queue.held == 0:  # forget idle users: the map stays small
                del self._queues[key]

    async def _refuse(self, update: object, queue: _UserQueue, coroutine: Awaitable[Any]) -> None:
        if inspect.iscoroutine(coroutine):
            coroutine.close()  # never to run: no "never awaited" warning
        if self._answer_busy is None or not isinstance(update, Update):
            return
        if update.callback_query is None:
            if queue.told_busy:
                return
            queue.told_busy = True
        try:
            await self._answer_busy(update)
        except Exception:  # a refused answer changes nothing: the update is dropped anyway
            log.warning("could not answer an update over the per-user cap", exc_info=True)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _owner(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None

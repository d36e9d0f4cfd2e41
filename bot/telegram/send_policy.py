"""smsbot's Telegram send policy: PTB's rate limiter, shaped by what Telegram actually limits.

The rules (Telegram's Bot FAQ, "My bot is hitting limits", and its maintainers' word that the
only global figure, about 30 a second, is about bulk notifications):

1. ``answerCallbackQuery`` and every call that sends nothing to a chat (``getMe``,
   ``setMyCommands``…) go out at once, never queued.
2. A call that puts something in a chat (``send*``, ``edit*``, ``copy*``, ``forward*``,
   ``delete*``) is paced per chat only: a token bucket of `PRIVATE_CHAT` (about one a
   second, a burst of three) in a private chat, `GROUP_CHAT` (20 a minute) in a group
   (``chat_id < 0``). A reply to a user's own action waits for nothing else: no other user's
   traffic, no push.
3. A push (the notifier's calls, marked by ``rate_limit_args=Push(...)``) is bulk traffic: it is
   paced by its chat's bucket too, and then by one shared pacer at the push rate
   (``SMSBOT_TELEGRAM_PUSH_RATE``, 30 a second by default), which lets waiting pushes out in
   priority order (`URGENT_PUSH`: codes and rent SMS; `NOTICE_PUSH`: reminders and notices),
   first come first served within a priority. UI edits never pass through that pacer, so a
   push never waits behind them, and they never wait behind pushes.
4. A 429 is obeyed: its ``retry_after`` holds that chat (or every chat, when the call named no
   chat), a push's 429 also halves the push rate, which then recovers by itself (back to the
   full rate within `RECOVERY_SECONDS`). The call is then made again after the wait (a 429
   means Telegram did not perform it, so nothing is sent twice), each retry logged: a reply
   at most ``max_retries`` times; a push once, and only when the wait is short (a long one is
   better spent by the notifier, which defers that chat in the outbox and serves the others).
   After that the RetryAfter reaches the caller; nothing is dropped (the notifier keeps the
   event). A call whose outcome is unknown (a timeout) is never repeated here.
5. State is bounded: a chat's bucket is forgotten once it is full again and nothing waits on it
   (an idle chat costs nothing), checked whenever more than `MAX_IDLE_CHATS` are held.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.core.tasks import cancel_and_wait

log = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Push:
    """``rate_limit_args`` of a push; a lower ``priority`` goes out first."""

    priority: int


URGENT_PUSH: Final = Push(0)  # a code, a rent's SMS: what the user is waiting for
NOTICE_PUSH: Final = Push(1)  # reminders, outcome notices, a card redrawn after a push


@dataclass(frozen=True, slots=True)
class ChatPace:
    """A token bucket: ``rate`` calls a second sustained, ``burst`` at once from idle."""

    rate: float
    burst: float


PRIVATE_CHAT: Final = ChatPace(rate=1.0, burst=3.0)
GROUP_CHAT: Final = ChatPace(rate=20 / 60, burst=3.0)
RECOVERY_SECONDS: Final = 30.0  # a backed-off push rate is whole again this long after a 429
MAX_IDLE_CHATS: Final = 10_000
_PUSH_WAIT_HERE: Final = 5.0  # a push waits out a 429 this short itself (once); longer: notifier
_MIN_PUSH_RATE: Final = 0.5
# Methods that put something in (or take it out of) a chat, so Telegram's chat limits count them.
_CHAT_PREFIXES: Final = ("send", "edit", "copy", "forward", "delete", "stop")
_UNLIMITED: Final = frozenset({"answerCallbackQuery", "answerInlineQuery", "getUpdates"})


class _ChatBucket:
    __slots__ = ("blocked_until", "pace", "tokens", "updated", "waiting")

    def __init__(self, pace: ChatPace, now: float) -> None:
        self.pace = pace
        self.tokens = pace.burst
        self.updated = now
        self.blocked_until = 0.0
        self.waiting = 0

    def wait(self, now: float) -> float:
        """Refills, then the seconds until a call may go (0: now)."""
        self.tokens = min(self.pace.burst, self.tokens + (now - self.updated) * self.pace.rate)
        self.updated = now
        blocked = self.blocked_until - now
        short = 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.pace.rate
        return max(blocked, short, 0.0)

    def idle(self, now: float) -> bool:
        return self.waiting == 0 and self.wait(now) == 0 and self.tokens >= self.pace.burst


class _PushPacer:
    """Lets pushes out one at a time, at most ``rate`` a second, the most urgent first."""

    __slots__ = ("_backed_at", "_backed_rate", "_heap", "_next_at", "_seq", "_wake", "rate")

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._backed_rate = rate
        self._backed_at = 0.0
        self._next_at = 0.0
        self._heap: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._wake: asyncio.Event | None = None

    def current_rate(self, now: float) -> float:
        """The push rate now: halved by a 429, climbing back linearly to the full rate."""
        if self._backed_rate >= self.rate:
            return self.rate
        regained = (now - self._backed_at) / RECOVERY_SECONDS * self.rate
        return min(self.rate, self._backed_rate + regained)

    def back_off(self, now: float) -> None:
        self._backed_rate = max(_MIN_PUSH_RATE, self.current_rate(now) / 2)
        self._backed_at = now

    def hold(self, until: float) -> None:
        """No push goes before ``until`` (a 429 about no chat in particular)."""
        self._next_at = max(self._next_at, until)

    async def turn(self, priority: int) -> None:
        """Returns when this push may go."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (priority, next(self._seq), future))
        if self._wake is not None:
            self._wake.set()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._next_at -= 1 / self.rate  # the slot was given but not used: give it back
            raise

    async def run(self, clock: Callable[[], float]) -> None:
        """The pacer's loop: one waiting push released per slot."""
        self._wake = asyncio.Event()
        while True:
            while self._heap and self._heap[0][2].done():  # cancelled waiters
                heapq.heappop(self._heap)
            if not self._heap:
                self._wake.clear()
                await self._wake.wait()
                continue
            now = clock()
            if now < self._next_at:
                await asyncio.sleep(self._next_at - now)
                continue
            _, _, future = heapq.heappop(self._heap)
            if future.done():
                continue
            future.set_result(None)
            self._next_at = max(self._next_at, now) + 1 / self.current_rate(now)


class SendPolicy(BaseRateLimiter[Push]):
    """The rate limiter smsbot gives PTB (see the module docstring for the rules).

    Args:
        push_rate: pushes a second at most, across all chats.
        max_retries: how many times a call answered 429 is made again after waiting.
        private: the pace of a private chat (`PRIVATE_CHAT`).
        group: the pace of a group chat (`GROUP_CHAT`).
        clock: monotonic seconds (tests may pass their own).
    """

    __slots__ = (
        "_chats",
        "_clock",
        "_global_until",
        "_group",
        "_private",
        "_pushes",
        "_runner",
        "max_retries",
    )

    def __init__(
        self,
        push_rate: float = 30.0,
        *,
        max_retries: int = 3,
        private: ChatPace | None = None,
        group: ChatPace | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if push_rate <= 0:
            raise ValueError("push_rate must be positive")
        self.max_retries = max_retries
        self._private = private or PRIVATE_CHAT
        self._group = group or GROUP_CHAT
        self._clock = clock
        self._chats: OrderedDict[object, _ChatBucket] = OrderedDict()
        self._global_until = 0.0
        self._pushes = _PushPacer(push_rate)
        self._runner: asyncio.Task[None] | None = None

    @property
    def push_rate(self) -> float:
        """The push rate in force now (lower than configured for a while after a 429)."""
        return self._pushes.current_rate(self._clock())

    @property
    def chats_held(self) -> int:
        """How many chats' buckets are held (idle ones are dropped)."""
        return len(self._chats)

    async def initialize(self) -> None:
        if self._runner is None:
            self._runner = asyncio.create_task(
                self._pushes.run(self._clock), name="send-policy-pushes"
            )

    async def shutdown(self) -> None:
        if self._runner is not None:
            await cancel_and_wait(self._runner)
            self._runner = None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Push | None,
    ) -> JSONResult:
        limited = endpoint not in _UNLIMITED and endpoint.startswith(_CHAT_PREFIXES)
        chat_id = data.get("chat_id")
        attempt = 0
        while True:
            if limited:
                await self._take_turn(chat_id, rate_limit_args)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as flood:
                attempt += 1
                seconds = retry_seconds(flood)
                self._obey(chat_id, seconds, push=rate_limit_args is not None)
                retries = self.max_retries
                if rate_limit_args is not None:
                    # A push holds one of the notifier's few delivery slots while it waits here:
                    # a long wait is better spent by the notifier, which defers the chat in
                    # the outbox (nothing lost) and serves the other chats meanwhile.
                    retries = min(retries, 1) if seconds <= _PUSH_WAIT_HERE else 0
                if attempt > retries:
                    log.warning(
                        "%s to chat %s: 429 (retry after %.0f s) after %d retries, passed on",
                        endpoint,
                        chat_id,
                        seconds,
                        attempt - 1,
                    )
                    raise
                log.info(
                    "%s to chat %s: 429, retry after %.0f s (attempt %d of %d)",
                    endpoint,
                    chat_id,
                    seconds,
                    attempt,
                    retries,
                )
                if not limited:  # not paced by _take_turn, so the wait is here
                    await asyncio.sleep(seconds)

    async def _take_turn(self, chat_id: object, push: Push | None) -> None:
        if self._runner is None:  # used without initialize() (a bare ExtBot in a test)
            await self.initialize()
        while True:
            now = self._clock()
            held = self._global_until - now
            bucket = self._bucket(chat_id, now) if chat_id is not None else None
            wait = max(held, bucket.wait(now) if bucket is not None else 0.0)
            if wait > 0:
                if bucket is not None:
                    bucket.waiting += 1
                try:
                    await asyncio.sleep(wait)
                finally:
                    if bucket is not None:
                        bucket.waiting -= 1
                continue
            if push is not None:
                if bucket is not None:
                    bucket.waiting += 1
                try:
                    await self._pushes.turn(push.priority)
                finally:
                    if bucket is not None:
                        bucket.waiting -= 1
                now = self._clock()
                if self._global_until > now or (bucket is not None and bucket.wait(now) > 0):
                    continue  # a reply in the chat took the token meanwhile: wait again
            if bucket is not None:
                bucket.tokens -= 1
            return

    def _bucket(self, chat_id: object, now: float) -> _ChatBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
            bucket = _ChatBucket(self._group if group else self._private, now)
            self._chats[chat_id] = bucket
            if len(self._chats) > MAX_IDLE_CHATS:
                self._evict_idle(now)
        else:
            self._chats.move_to_end(chat_id)
        return bucket

    def _evict_idle(self, now: float) -> None:
        """Drops the least recently used chats that are idle (oldest first)."""
        for key in list(itertools.islice(self._chats, len(self._chats) - MAX_IDLE_CHATS // 2)):
            if self._chats[key].idle(now):
                del self._chats[key]

    def _obey(self, chat_id: object, seconds: float, *, push: bool) -> None:
        now = self._clock()
        until = now + seconds
        if chat_id is None:
            self._global_until = max(self._global_until, until)
            self._pushes.hold(until)
        else:
            bucket = self._bucket(chat_id, now)
            bucket.blocked_until = max(bucket.blocked_until, until)
        if push:
            self._pushes.back_off(now)


def retry_seconds(flood: RetryAfter) -> float:
    """The wait a flood limit names, in seconds (PTB gives an int or a timedelta)."""
    wait = flood.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)

"""Flood control: forced 429 answers on demand, and an optional limiter shaped like Telegram's.

Telegram answers ``429 Too Many Requests: retry after N`` with ``parameters.retry_after``. Tests
need it on cue (`FloodControl.force`) to prove a bot backs off; demos may want it to happen the
way it does in production (`FloodControl.enable_limiter`: about one message a second per chat
with a small burst, thirty a second overall). Time comes from the injectable clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from bot.core.clock import Clock

# The calls Telegram's message limits count; reading calls and getUpdates are never limited.
LIMITED_METHODS: Final = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


@dataclass(slots=True)
class FloodRule:
    """One forced 429: which calls it hits and for how long.

    Attributes:
        retry_after: the seconds announced in the answer.
        calls_left: how many more calls it answers; None for no count limit.
        until: the clock time it ends at; None for no time limit.
        methods: the method names it hits; None for all.
        chat_id: the chat it hits (calls with that ``chat_id``); None for all.
    """

    retry_after: int
    calls_left: int | None
    until: float | None
    methods: frozenset[str] | None
    chat_id: int | None

    def expired(self, now: float) -> bool:
        """True once its calls are used up or its window has passed."""
        return self.calls_left == 0 or (self.until is not None and now >= self.until)

    def hits(self, method: str, chat_id: int | None) -> bool:
        """True if a call of `method` to `chat_id` falls under this rule."""
        if self.methods is not None and method not in self.methods:
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass(slots=True)
class _Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    updated: float

    def wait(self, now: float) -> float:
        """Refill, then the seconds until one token is available (0 if one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass(slots=True)
class _Limiter:
    per_chat_rate: float
    per_chat_burst: int
    global_rate: float
    chats: dict[int, _Bucket] = field(default_factory=dict)
    overall: _Bucket | None = None


class FloodControl:
    """Decides, before a call runs, whether it gets a 429 instead.

    Args:
        clock: the time source for windows and token buckets.
    """

    __slots__ = ("_clock", "_limiter", "_rules")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._rules: list[FloodRule] = []
        self._limiter: _Limiter | None = None

    def force(
        self,
        retry_after: int,
        *,
        calls: int | None = None,
        seconds: float | None = None,
        methods: Iterable[str] | None = None,
        chat_id: int | None = None,
    ) -> FloodRule:
        """Answer 429 with `retry_after` to matching calls.

        Args:
            retry_after: seconds announced in ``parameters.retry_after`` (at least 1).
            calls: answer only the next this-many matching calls.
            seconds: answer matching calls for this long (clock time). With neither `calls`
                nor `seconds` the rule holds until `clear()`.
            methods: only these method names (``"sendMessage"``); all when None.
            chat_id: only calls whose ``chat_id`` is this; all when None.

        Returns:
            The rule, which the caller may inspect (``calls_left``).
        """
        if retry_after < 1:
            raise ValueError("retry_after must be at least 1 second")
        until = None if seconds is None else self._clock.now() + seconds
        rule = FloodRule(
            retry_after=retry_after,
            calls_left=calls,
            until=until,
            methods=None if methods is None else frozenset(methods),
            chat_id=chat_id,
        )
        self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Drop every forced rule (the limiter, if on, stays on)."""
        self._rules.clear()

    def enable_limiter(
        self, *, per_chat_rate: float = 1.0, per_chat_burst: int = 3, global_rate: float = 30.0
    ) -> None:
        """Limit `LIMITED_METHODS` like Telegram: token buckets per chat and overall."""
        self._limiter = _Limiter(per_chat_rate, per_chat_burst, global_rate)

    def disable_limiter(self) -> None:
        """Turn the limiter off (the default)."""
        self._limiter = None

    def check(self, method: str, chat_id: int | None) -> int | None:
        """Account for one call and say whether it must be refused.

        Returns:
            The ``retry_after`` to answer with, or None to let the call run.
        """
        now = self._clock.now()
        self._rules = [rule for rule in self._rules if not rule.expired(now)]
        for rule in self._rules:
            if rule.hits(method, chat_id):
                if rule.calls_left is not None:
                    rule.calls_left -= 1
                return rule.retry_after
        if self._limiter is None or method not in LIMITED_METHODS:
            return None
        return self._throttle(self._limiter, chat_id, now)

    @staticmethod
    def _throttle(limiter: _Limiter, chat_id: int | None, now: float) -> int | None:
        if limiter.overall is None:
            rate = limiter.global_rate
            limiter.overall = _Bucket(rate, rate, rate, now)
        buckets = [limiter.overall]
        if chat_id is not None:
            burst = limiter.per_chat_burst
            bucket = limiter.chats.setdefault(
                chat_id, _Bucket(burst, limiter.per_chat_rate, burst, now)
            )
            buckets.append(bucket)
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None

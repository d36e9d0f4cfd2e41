"""Flood control: forced 429 answers on demand, and an optional limiter shaped like Telegram's.

Telegram answers ``429 Too Many Requests: retry after N`` with ``parameters.retry_after``. Tests
need it on cue (`FloodControl.force`) to prove a bot backs off; demos may want it to happen the
way it does in production (`FloodControl.enable_limiter`: about one message a second per chat
with a small burst, thirty a second overall). Time comes from the injectable clock.

`FloodControl.enable_documented_limits` models what Telegram documents (Bot FAQ, "My bot is
hitting limits") and nothing more: in a private chat about one message a second with a short
burst, in a group (``chat_id < 0``) 20 a minute, and about 30 a second for bulk notifications
across chats; ``answerCallbackQuery`` is never limited. Telegram does not say how it tells a
bulk notification from an answer; the model here: a call to a chat whose user sent nothing
(no message, no button press) in the last ``reply_window`` seconds is bulk.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from bot.core.clock import Clock

# The calls Telegram's message limits count; reading calls and getUpdates are never limited.
LIMITED_METHODS: Final = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
# What the documented-limits mode counts: every call that puts something in a chat.
DOCUMENTED_LIMITED_METHODS: Final = LIMITED_METHODS | {
    "deleteMessage",
    "sendPhoto",
    "sendDocument",
    "copyMessage",
    "forwardMessage",
    "editMessageCaption",
}


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
class _DocumentedLimits:
    private_rate: float
    private_burst: int
    group_rate: float
    group_burst: int
    bulk_rate: float
    reply_window: float
    chats: dict[int, _Bucket] = field(default_factory=dict)
    bulk: _Bucket | None = None


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

    __slots__ = ("_active_at", "_clock", "_documented", "_limiter", "_rules", "refused")

    def __init__(self, clock: Clock, active_at: Mapping[int, float] | None = None) -> None:
        self._clock = clock
        self._active_at: Mapping[int, float] = {} if active_at is None else active_at
        self._rules: list[FloodRule] = []
        self._limiter: _Limiter | None = None
        self._documented: _DocumentedLimits | None = None
        self.refused = 0  # 429s answered, forced or not

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
        """Turn the limiters off (the default), documented limits included."""
        self._limiter = None
        self._documented = None

    def enable_documented_limits(
        self,
        *,
        private_rate: float = 1.0,
        private_burst: int = 5,
        group_rate: float = 20 / 60,
        group_burst: int = 5,
        bulk_rate: float = 30.0,
        reply_window: float = 10.0,
    ) -> None:
        """Limit calls the way Telegram documents (see the module docstring).

        Args:
            private_rate: calls a second to one private chat, sustained.
            private_burst: calls to an idle private chat at once.
            group_rate: calls a second to one group (``chat_id < 0``): 20 a minute.
            group_burst: calls to an idle group at once.
            bulk_rate: calls a second, across all chats, to chats that are not answered (no
                update from them in the last ``reply_window`` seconds); also its burst.
            reply_window: seconds after a user's update in which calls to their chat answer it.
        """
        self._documented = _DocumentedLimits(
            private_rate, private_burst, group_rate, group_burst, bulk_rate, reply_window
        )

    def check(self, method: str, chat_id: int | None) -> int | None:
        """Account for one call and say whether it must be refused.

        Returns:
            The ``retry_after`` to answer with, or None to let the call run.
        """
        retry_after = self._check(method, chat_id)
        if retry_after is not None:
            self.refused += 1
        return retry_after

    def _check(self, method: str, chat_id: int | None) -> int | None:
        now = self._clock.now()
        self._rules = [rule for rule in self._rules if not rule.expired(now)]
        for rule in self._rules:
            if rule.hits(method, chat_id):
                if rule.calls_left is not None:
                    rule.calls_left -= 1
                return rule.retry_after
        if self._documented is not None and method in DOCUMENTED_LIMITED_METHODS:
            return self._documented_throttle(self._documented, chat_id, now)
        if self._limiter is None or method not in LIMITED_METHODS:
            return None
        return self._throttle(self._limiter, chat_id, now)

    def _documented_throttle(
        self, limits: _DocumentedLimits, chat_id: int | None, now: float
    ) -> int | None:
        buckets = []
        if chat_id is not None:
            group = chat_id < 0
            bucket = limits.chats.get(chat_id)
            if bucket is None:
                burst = limits.group_burst if group else limits.private_burst
                rate = limits.group_rate if group else limits.private_rate
                bucket = limits.chats[chat_id] = _Bucket(burst, rate, burst, now)
            buckets.append(bucket)
        active = None if chat_id is None else self._active_at.get(chat_id)
        if active is None or now - active > limits.reply_window:
            if limits.bulk is None:
                limits.bulk = _Bucket(limits.bulk_rate, limits.bulk_rate, limits.bulk_rate, now)
            buckets.append(limits.bulk)
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None

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

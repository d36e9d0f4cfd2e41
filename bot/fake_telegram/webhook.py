"""Webhook delivery, as Telegram's Bot API server does it (``setWebhook``).

Updates go into one queue per chat (messages) or per user (button presses and the rest), as in
tdlib/telegram-bot-api's ``WebhookActor``. Each queue POSTs its oldest update as JSON, with the
``X-Telegram-Bot-Api-Secret-Token`` header when a secret was set, and sends the next only after
a 200; any other answer, a refused connection or a timeout is retried after a short pause, so
a queue's updates reach the bot in order and at least once. Queues run concurrently.

``targets`` stands in for a load balancer in front of several bot processes: when given, the
POSTs go to these URLs instead of the registered one, either in turn ("round_robin", per
attempt) or "by_chat": each chat or user sticks to one target, and a failed attempt moves on to
the next (failover), as a balancer hashing on the chat would.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Any, Final, Literal

import aiohttp

from bot.core.tasks import cancel_and_wait

log = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
Routing = Literal["round_robin", "by_chat"]


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    """One POST of an update: where it went and what came back (None: no answer)."""

    update_id: int
    target: str
    status: int | None


@dataclass(slots=True)
class _Queue:
    key: tuple[str, int]
    updates: deque[dict[str, Any]] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None
    failures: int = 0


def queue_key(update: dict[str, Any]) -> tuple[str, int]:
    """A chat's queue for messages, a user's for everything else (Telegram's split)."""
    for kind in ("message", "edited_message", "channel_post", "my_chat_member"):
        if kind in update and isinstance(update[kind], dict):
            chat = update[kind].get("chat")
            if isinstance(chat, dict) and "id" in chat:
                return ("chat", int(chat["id"]))
    for value in update.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return ("user", int(value["from"]["id"]))
    return ("other", 0)


class WebhookPusher:
    """Pushes updates to the webhook while one is set.

    Args:
        targets: URLs to POST to instead of the registered one (a load balancer), or empty.
        timeout: seconds to wait for an answer before retrying.
        retry_pause: seconds between attempts of one update.
    """

    def __init__(
        self,
        targets: Sequence[str] = (),
        *,
        timeout: float = 10.0,
        retry_pause: float = 0.2,
        routing: Routing = "round_robin",
    ) -> None:
        self.targets = list(targets)
        self.routing: Routing = routing
        self.url: str | None = None
        self.secret: str | None = None
        self.attempts: list[WebhookAttempt] = []
        self.timeout = timeout
        self._retry_pause = retry_pause
        self._queues: dict[tuple[str, int], _Queue] = {}
        self._turn = count()
        self._session: aiohttp.ClientSession | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def active(self) -> bool:
        return self.url is not None

    def configure(self, url: str | None, secret: str | None) -> None:
        """``setWebhook`` (a URL) or ``deleteWebhook`` (None)."""
        self.url, self.secret = url, secret

    @property
    def pending(self) -> int:
        return sum(len(queue.updates) for queue in self._queues.values())

    def push(self, update: dict[str, Any]) -> None:
        """Queues an update and makes sure its queue is being sent."""
        key = queue_key(update)
        queue = self._queues.setdefault(key, _Queue(key))
        queue.updates.append(update)
        self._idle.clear()
        if queue.task is None or queue.task.done():
            queue.task = asyncio.get_running_loop().create_task(self._drain(queue))

    async def wait_idle(self, timeout: float) -> None:  # noqa: ASYNC109
        """Waits until every queued update was acknowledged."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    async def stop(self) -> None:
        await cancel_and_wait(*(q.task for q in self._queues.values() if q.task is not None))
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _drain(self, queue: _Queue) -> None:
        while queue.updates:
            update = queue.updates[0]
            for attempt in count():
                if attempt:
                    await asyncio.sleep(self._retry_pause)
                if await self._post(update, queue):
                    break
                queue.failures += 1
            queue.updates.popleft()
        if self.pending == 0:
            self._idle.set()

    def _target(self, queue: _Queue) -> str:
        assert self.url is not None
        if not self.targets:
            return self.url
        if self.routing == "by_chat":
            return self.targets[(abs(queue.key[1]) + queue.failures) % len(self.targets)]
        return self.targets[next(self._turn) % len(self.targets)]

    async def _post(self, update: dict[str, Any], queue: _Queue) -> bool:
        if self.url is None:
            return False
        target = self._target(queue)
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Content-Type": "application/json"}
        if self.secret is not None:
            headers[SECRET_HEADER] = self.secret
        status: int | None = None
        try:
            async with self._session.post(
                target, data=json.dumps(update), headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError):
            status = None
        self.attempts.append(WebhookAttempt(int(update["update_id"]), target, status))
        return status == 200

"""What the activation watcher and the rent watcher share: ticking on a fixed interval, passes
that never wait for a slow key, fair shares of the polls in flight per provider host, and
resting (and telling) a key whose provider keeps failing or is too slow."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from bot.provider import InvalidEndpointError, resolve_endpoint
from storage.events import EventOutbox

log = logging.getLogger(__name__)

_LONGEST_REST: Final = 60.0  # seconds: a provider back from an outage is asked within a minute
PROVIDER_SLOW_EVENT: Final = "provider_slow"  # a key's polls outlast a pass: it is polled less


async def tick_every(
    tick: Callable[[], Awaitable[object]], interval: float, stop: asyncio.Event, *, name: str
) -> None:
    """Runs ``tick`` every ``interval`` seconds (start to start) until ``stop`` is set."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        try:
            await tick()
        except Exception:  # a bug or a database error must not stop the watching
            log.exception("%s tick failed", name)
        remaining = max(0.0, interval - (loop.time() - started))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=remaining)


@dataclass(slots=True)
class KeyHealth:
    """How one API key's provider has been answering, to back off one that is down or
    throttling it (doubling rests, up to a minute) rather than hammering it every tick."""

    failures: int = 0
    skip_until: float = 0.0
    slow: bool = False  # the poll in flight outlasted its pass
    told_slow_at: float = float("-inf")

    def resting(self, now: float) -> bool:
        return self.skip_until > now

    def failed(self, now: float) -> None:
        self.failures += 1
        self.skip_until = now + min(_LONGEST_REST, 2.0**self.failures)

    def recovered(self) -> None:
        if not self.slow:  # a slow answer is no recovery: the rests keep growing
            self.failures = 0
        self.slow = False

    def outlasted_pass(self, now: float) -> None:
        """The key's poll is still running at its pass's deadline: rest it as a failure."""
        if not self.slow:
            self.slow = True
            self.failed(now)


_NOTICE_EVERY: Final = 3600.0  # seconds: a key's owner is told of its slowness at most hourly


def provider_host(provider: str) -> str:
    """The host a provider setting (preset name or URL) sends requests to, for fair shares."""
    try:
        url = resolve_endpoint(provider).url
    except InvalidEndpointError:
        return provider
    return (urlsplit(url).hostname or url).lower()


class PollSlots:
    """Bounds the polls in flight: in all, and per provider host.

    One host (slow, down, or hostile) holds at most ``per_host`` of the ``total`` slots, so
    keys on other hosts are always polled; ``per_host`` is also the pacing one provider sees.
    """

    def __init__(self, *, total: int, per_host: int) -> None:
        self._total = asyncio.Semaphore(total)
        self._per_host = per_host
        self._hosts: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = (asyncio.Semaphore(self._per_host), [0])
        semaphore, users = gate
        users[0] += 1
        try:
            # The host's share first: a host over its share waits without a shared slot.
            async with semaphore, self._total:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:  # forget idle hosts: the map stays small
                del self._hosts[host]


class CarriedPolls:
    """Polls that may outlive the pass that started them.

    A pass waits for its polls until its deadline, then moves on: a poll still running is
    carried over (its result recorded whenever it ends), and its key is not polled again until
    it has ended, so no key is ever polled twice at once and none holds another one back.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._running: dict[Hashable, asyncio.Task[None]] = {}

    def running(self, key: Hashable) -> bool:
        return key in self._running

    def start(self, key: Hashable, poll: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(poll, name=f"{self._name} poll")
        self._running[key] = task

        def ended(done: asyncio.Task[None]) -> None:
            if self._running.get(key) is done:
                del self._running[key]
            if not done.cancelled() and done.exception() is not None:
                log.error("%s poll failed", self._name, exc_info=done.exception())

        task.add_done_callback(ended)
        return task

    async def wait(
        self, tasks: Iterable[asyncio.Task[None]], deadline: float | None
    ) -> set[asyncio.Task[None]]:
        """Waits for ``tasks`` until ``deadline`` seconds pass; returns those still running."""
        pending = set(tasks)
        if not pending:
            return pending
        _, still = await asyncio.wait(pending, timeout=deadline)
        return still

    async def cancel(self) -> None:
        """Stops every poll in flight (the watcher is stopping)."""
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def tell_slow(
    outbox: EventOutbox,
    health: KeyHealth,
    *,
    user_id: int,
    chat_id: int,
    provider: str,
    now: float,
) -> bool:
    """Tells a key's owner, at most hourly, that their provider is too slow to poll often."""
    if now - health.told_slow_at < _NOTICE_EVERY:
        return False
    health.told_slow_at = now
    added = await outbox.add(
        kind=PROVIDER_SLOW_EVENT,
        user_id=user_id,
        chat_id=chat_id,
        payload={"provider": provider},
        dedup_key=f"provider_slow:{user_id}:{int(now // _NOTICE_EVERY)}:{_digest(provider)}",
    )
    return added is not None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]

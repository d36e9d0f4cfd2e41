"""What the activation watcher and the rent watcher share: ticking on a fixed interval, passes
that never wait for a slow key, fair shares of the polls in flight per provider host, and
resting (and telling) a key whose provider keeps failing or is too slow: :class:`KeyPolls`."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
from collections import defaultdict
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Hashable,
    Iterable,
    Mapping,
)
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypeVar
from urllib.parse import urlsplit

from bot.core.clock import Clock
from bot.core.tasks import run_every
from bot.provider import InvalidEndpointError, ProviderClient, ProviderError, resolve_endpoint
from bot.services.account_errors import AccountError
from bot.services.accounts import AccountService
from storage.events import EventOutbox

log = logging.getLogger(__name__)

_LONGEST_REST: Final = 60.0  # seconds: a provider back from an outage is asked within a minute
PROVIDER_SLOW_EVENT: Final = "provider_slow"  # a key's polls outlast a pass: it is polled less


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


class PollTarget(Protocol):
    """Whose key a poll uses, and where its owner is told."""

    @property
    def user_id(self) -> int: ...

    @property
    def chat_id(self) -> int: ...

    @property
    def provider(self) -> str: ...


@dataclass(slots=True)
class PassReport:
    """What one pass of a watcher did, for logs, tests and benchmarks: the counts both
    watchers keep (:class:`KeyPolls` keeps ``errors`` and ``slow``)."""

    provider_calls: int = 0
    ended: int = 0
    errors: int = 0
    carried: int = 0  # polls still running from an earlier pass
    slow: int = 0  # polls that outlasted their pass (their keys rested, their owners told)


HealthT = TypeVar("HealthT", bound=KeyHealth)
TargetT = TypeVar("TargetT", bound=PollTarget)
KeyT = TypeVar("KeyT", bound=Hashable)


class KeyPolls(Generic[HealthT]):
    """What both watchers do around each poll: a fair slot per provider host, the key's
    health (rested after failures or slowness), polls carried over past their pass, and the
    owner told when a key is too slow.

    Args:
        accounts: builds each key's client.
        outbox: where a "too slow" notice goes; ``wake`` then wakes its sender.
        clock: the source of "now".
        concurrency: polls of one provider host at once (four times as many in all).
        health: a new key's health.
        name: the watcher's name, for logs and tasks ("watcher", "rent watcher").
        jitter: the largest random delay before a poll takes its slot (0: none).
    """

    def __init__(
        self,
        accounts: AccountService,
        outbox: EventOutbox,
        wake: Callable[[], None],
        *,
        clock: Clock,
        concurrency: int,
        health: Callable[[], HealthT],
        name: str,
        jitter: float = 0.0,
    ) -> None:
        self._accounts = accounts
        self._outbox = outbox
        self._wake = wake
        self._clock = clock
        self._slots = PollSlots(total=4 * concurrency, per_host=concurrency)
        self._health: defaultdict[tuple[int, str], HealthT] = defaultdict(health)
        self.carried = CarriedPolls(name)
        # Polls that hold a slot, and since when (loop time): the slow ones are among them.
        self._polling: dict[Hashable, tuple[PollTarget, float]] = {}
        self._name = name
        self._jitter = jitter

    async def run(
        self, tick: Callable[[float], Awaitable[object]], interval: float, stop: asyncio.Event
    ) -> None:
        """Runs ``tick(interval)`` every ``interval`` seconds (start to start) until ``stop`` is
        set, then stops the polls still in flight."""
        try:
            await run_every(lambda: tick(interval), interval, stop, name=f"{self._name} tick")
        finally:
            await self.carried.cancel()

    async def run_pass(
        self,
        targets: Mapping[KeyT, TargetT],
        check: Callable[[ProviderClient, HealthT, TargetT], Awaitable[None]],
        deadline: float | None,
        report: PassReport,
    ) -> None:
        """One pass: polls each target (by its key) with ``check``, unless its poll from an
        earlier pass still runs (carried over), and waits until ``deadline`` (None: for every
        poll). A poll that has talked to its provider for half of it is slow: its key is
        rested, its owner told."""
        started = []
        for key, target in targets.items():
            if self.carried.running(key):
                report.carried += 1
                continue
            started.append(self.carried.start(key, self._poll(key, target, report, check)))
        await self.carried.wait(started, deadline)
        if deadline is not None and self._polling:
            await self._rest_slow_keys(deadline / 2, report)

    async def _poll(
        self,
        key: Hashable,
        target: TargetT,
        report: PassReport,
        check: Callable[[ProviderClient, HealthT, TargetT], Awaitable[None]],
    ) -> None:
        """Runs ``check`` with the target's client, unless its key is resting or gone; a
        provider's failure is counted and rests the key, never raised."""
        health = self._health[(target.user_id, target.provider)]
        if health.resting(self._clock.now()):
            return
        if self._jitter:
            # Before taking a slot: a slot held while sleeping would slow every other key.
            await asyncio.sleep(random.uniform(0, self._jitter))
        async with self._slots.hold(provider_host(target.provider)):
            try:
                client = await self._accounts.client_for_provider(target.user_id, target.provider)
            except AccountError:
                client = None
            if client is None:
                return  # the key is gone: nothing can be asked; the rows stay for later
            self._polling[key] = (target, asyncio.get_running_loop().time())
            try:
                await check(client, health, target)
            except ProviderError as error:
                report.errors += 1
                health.failed(self._clock.now())
                log.warning(
                    "%s: poll of user %s on %r failed (%s)",
                    self._name,
                    target.user_id,
                    target.provider,
                    type(error).__name__,
                )
            else:
                health.recovered()
            finally:
                del self._polling[key]

    async def _rest_slow_keys(self, slow_after: float, report: PassReport) -> None:
        """Keys whose poll has talked to the provider for ``slow_after`` seconds and still runs
        are rested and their owners told (once). A poll still waiting for a slot is not the
        provider's fault: it is only carried over."""
        now, since_limit = self._clock.now(), asyncio.get_running_loop().time() - slow_after
        for target, since in list(self._polling.values()):
            if since > since_limit:
                continue
            health = self._health[(target.user_id, target.provider)]
            if health.slow:
                continue  # already rested and told for this poll
            report.slow += 1
            health.outlasted_pass(now)
            log.warning(
                "%s: poll of user %s on %r is slow; carried over",
                self._name,
                target.user_id,
                target.provider,
            )
            told = await tell_slow(
                self._outbox,
                health,
                user_id=target.user_id,
                chat_id=target.chat_id,
                provider=target.provider,
                now=now,
            )
            if told:
                self._wake()

"""The notifier: delivers outbox events to their chats, each exactly once as far as it can.

PTB-free: the bot layer gives it a :class:`Deliverer` that turns an event into Telegram calls.
Events of one chat go out in order; chats are served concurrently, within a bound. A flood
limit delays a chat's events (the outbox keeps them), a user who blocked the bot has theirs
set aside, and nothing one chat does stalls another.

Urgent events first: each pass serves the chats whose events are most urgent first (the
deliverer's ``priority``: a code before a reminder), and an event added during a pass (a
``wake``) ends that pass early: the chats not started yet wait for the next pass, which reads
the outbox again, so a new code does not wait behind a reminder storm already under way. The
chats in flight keep their place in the send policy's push queue, which also lets the most
urgent out first.

Delivery is at least once: the event is marked delivered after the Deliverer returns, so a
crash in between sends it again on restart (one duplicate message at worst), which is better
than the reverse order that could lose a paid code.

Several processes (issue 15): each event is first claimed in the outbox (only the oldest
unsettled event of a chat, and only by one process at a time), then sent, then marked. The
process serves only the chats of the shards ``owned`` returns at the moment it claims; a
process that dies mid-send leaves a claim that runs out after ``claim_seconds``, and the new
owner sends that event again: the only duplicates are the sends that were in flight.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Literal, Protocol

from bot.core.clock import Clock
from bot.core.tasks import cancel_and_wait
from storage.events import Event, EventOutbox

log = logging.getLogger(__name__)


class DeliveryDeferred(Exception):
    """Try again later (Telegram said "retry after", or the network failed).

    Attributes:
        retry_after: seconds to wait.
    """

    def __init__(self, retry_after: float, reason: str) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class DeliveryImpossible(Exception):
    """The event can never be delivered (the user blocked the bot, the chat is gone)."""


class Deliverer(Protocol):
    async def deliver(self, event: Event) -> None:
        """Shows the event to its chat.

        Raises:
            DeliveryDeferred: try again after a while.
            DeliveryImpossible: give up on this event.
        """
        ...


class Notifier:
    """Drains the outbox.

    Args:
        outbox: the event outbox.
        deliverer: renders and sends one event.
        clock: the source of "now".
        concurrency: chats served at once.
        batch: events (so chats) claimed per pass.
        priority: an event's urgency, lower first (none: all alike, oldest first).
        owner: this process's id, written on the claims.
        owned: the shards this process may serve now (None: every one, the default).
        claim_seconds: how long a claim holds before another process may take the event.
    """

    def __init__(
        self,
        outbox: EventOutbox,
        deliverer: Deliverer,
        *,
        clock: Clock,
        concurrency: int = 8,
        batch: int = 200,
        priority: Callable[[Event], int] | None = None,
        owner: str = "local",
        owned: Callable[[], frozenset[int] | None] = lambda: None,
        claim_seconds: float = 30.0,
    ) -> None:
        self._outbox = outbox
        self._deliverer = deliverer
        self._clock = clock
        self._semaphore = asyncio.Semaphore(concurrency)
        self._batch = batch
        self._wakeup = asyncio.Event()
        self._drain_lock = asyncio.Lock()
        self._priority = priority
        self._pass_stale = False  # an event came during this pass: end it, read again
        self.owner = owner
        self.owned = owned
        self._claim_seconds = claim_seconds
        self.on_delivered: Callable[[Event, float], None] | None = None  # metrics: the delay
        self.on_deferred: Callable[[str], None] | None = None  # metrics: the reason

    def wake(self) -> None:
        """Asks for a pass now (called when an event was added)."""
        self._wakeup.set()
        self._pass_stale = True

    async def drain(self) -> int:
        """Delivers what is due; returns how many events were delivered."""
        async with self._drain_lock:
            delivered = 0
            while True:
                self._pass_stale = False
                events = await self._claim()
                if not events:
                    return delivered
                if self._priority is not None:
                    events.sort(key=self._priority)  # stable: oldest first among equals
                counts = await asyncio.gather(*(self._serve(event) for event in events))
                delivered += sum(counts)
                if sum(counts) == 0 and not self._pass_stale:
                    return delivered  # everything left is deferred

    async def _claim(self, chat_id: int | None = None) -> list[Event]:
        now = self._clock.now()
        return await self._outbox.claim(
            self.owner,
            now + self._claim_seconds,
            shards=self.owned(),
            chat_id=chat_id,
            limit=self._batch if chat_id is None else 1,
            now=now,
        )

    def _stale(self) -> bool:
        """Whether an event came during this pass (a method: it changes across awaits)."""
        return self._pass_stale

    async def _serve(self, first: Event) -> int:
        """Delivers a chat's claimed event, then claims and delivers its next ones in order."""
        delivered = 0
        event: Event | None = first
        async with self._semaphore:
            if self._pass_stale:
                # Something newer may be more urgent: hand the claim back, the next pass decides.
                await self._outbox.release(first.event_id, self.owner)
                return 0
            while event is not None:
                outcome = await self._deliver(event)
                if outcome == "wait":
                    return delivered
                delivered += outcome == "delivered"
                if self._stale():
                    return delivered  # the chat's next event is claimed again next pass
                following = await self._claim(event.chat_id)
                event = following[0] if following else None
        return delivered

    async def _deliver(self, event: Event) -> Literal["delivered", "abandoned", "wait"]:
        """Sends and settles one claimed event; "wait" when the chat must wait."""
        try:
            await self._deliverer.deliver(event)
        except DeliveryDeferred as deferred:
            until = self._clock.now() + max(0.5, deferred.retry_after)
            # The whole chat waits, so its later events cannot overtake this one.
            await self._outbox.defer_chat(event.chat_id, until, error=str(deferred))
            if self.on_deferred is not None:
                self.on_deferred(str(deferred))
            log.info("chat %s deferred %.1f s: %s", event.chat_id, deferred.retry_after, deferred)
            return "wait"
        except DeliveryImpossible as impossible:
            await self._outbox.abandon(event.event_id, str(impossible))
            log.info("event %s abandoned: %s", event.event_id, impossible)
            return "abandoned"
        except Exception:  # a rendering bug: keep the event, try later, say so
            log.exception("delivering event %s failed", event.event_id)
            await self._outbox.defer(event.event_id, self._clock.now() + 30, error="bug")
            return "wait"
        await self._outbox.mark_delivered(event.event_id)
        if self.on_delivered is not None:
            self.on_delivered(event, self._clock.now() - event.created_at)
        return "delivered"

    async def run(self, stop: asyncio.Event, *, idle_interval: float = 1.0) -> None:
        """Drains whenever woken, and at least every ``idle_interval`` (deferred events)."""
        while not stop.is_set():
            self._wakeup.clear()
            try:
                await self.drain()
            except Exception:  # the database or a bug: keep running, say so
                log.exception("notifier pass failed")
            waiter = asyncio.ensure_future(self._wakeup.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {waiter, stopper}, timeout=idle_interval, return_when=asyncio.FIRST_COMPLETED
            )
            await cancel_and_wait(waiter, stopper)

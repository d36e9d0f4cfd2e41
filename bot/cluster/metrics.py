"""Prometheus metrics of one process (``/metrics``), on a registry of its own.

What an operator of several processes watches: updates handled and how long each took (the
webhook route), provider calls by action and outcome, pushes and their delay from the event to
the sent message, Telegram's flood limits (429), and, read at each scrape, the outbox's depth
and the shards this process owns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from storage.events import Event

_SECONDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The process's metrics; the hooks below are given to the parts that observe them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("smsbot_updates_handled", "Telegram updates handled", registry=r)
        self.update_seconds = Histogram(
            "smsbot_update_seconds", "Seconds from an update's arrival to its 200",
            buckets=_SECONDS, registry=r,
        )
        self.provider_calls = Counter(
            "smsbot_provider_calls", "Provider calls by action and outcome",
            ["action", "outcome"], registry=r,
        )
        self.pushes = Counter("smsbot_pushes", "Events delivered to their chat", registry=r)
        self.push_delay = Histogram(
            "smsbot_push_delay_seconds", "Seconds from an event's creation to its delivery",
            buckets=_SECONDS, registry=r,
        )
        self.flood_limits = Counter(
            "smsbot_telegram_429", "Sends Telegram refused with 429 (retry after)", registry=r
        )
        self.outbox_depth = Gauge("smsbot_outbox_depth", "Events waiting for delivery", registry=r)
        self.shards_owned = Gauge("smsbot_shards_owned", "Shards this process owns", registry=r)

    def update_handled(self, seconds: float) -> None:
        self.updates.inc()
        self.update_seconds.observe(seconds)

    def provider_call(self, action: str, outcome: str) -> None:
        self.provider_calls.labels(action, outcome).inc()

    def pushed(self, _event: Event, delay: float) -> None:
        self.pushes.inc()
        self.push_delay.observe(max(0.0, delay))

    def deferred(self, reason: str) -> None:
        if reason == "flood limit":
            self.flood_limits.inc()

    async def render(
        self, outbox_depth: Callable[[], Awaitable[int]], shards_owned: Callable[[], int]
    ) -> bytes:
        """The exposition text, with the gauges read now."""
        self.outbox_depth.set(await outbox_depth())
        self.shards_owned.set(shards_owned())
        return generate_latest(self.registry)

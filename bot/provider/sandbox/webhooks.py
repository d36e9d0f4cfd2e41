"""WebhookEmitter: POSTs each SMS to the configured webhook (PROTOCOL.md §7), fire-and-forget.

Activation SMS go to ``config.webhook_url`` as ``{"activationId", "service", "text", "code",
"country", "receivedAt"}``; rent SMS go to the rent's own ``url`` as ``{"rentId", "phoneFrom",
"text", "service", "date"}`` (our proposal; no source shows the rent payload). A POST never
delays a protocol reply: it runs as its own task, gives up after ``webhook_timeout_seconds``,
and a failure is logged and recorded, never retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from .events import RentSmsEvent, SandboxEvent, SmsEvent
from .formats import JsonValue, datetime_text, json_text
from .sandbox import Sandbox

_log = logging.getLogger(__name__)
_STOP_GRACE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One webhook attempt: ``status`` when the receiver answered, ``error`` when it did not."""

    url: str
    payload: dict[str, JsonValue]
    status: int | None
    error: str | None

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "url": self.url,
            "payload": self.payload,
            "status": self.status,
            "error": self.error,
        }


def payload_for(event: SandboxEvent) -> dict[str, JsonValue]:
    """The JSON body announcing ``event``."""
    if isinstance(event, SmsEvent):
        return {
            "activationId": event.activation.id,
            "service": event.activation.service,
            "text": event.sms.text,
            "code": event.sms.code,
            "country": event.activation.country,
            "receivedAt": datetime_text(event.sms.received_at),
        }
    return {
        "rentId": event.rent.id,
        "phoneFrom": event.sms.phone_from,
        "text": event.sms.text,
        "service": event.sms.service,
        "date": datetime_text(event.sms.received_at),
    }


class WebhookEmitter:
    """Subscribes to a sandbox's SMS events while started and POSTs each to its webhook."""

    __slots__ = ("_pending", "_sandbox", "_session", "_unsubscribe", "deliveries")

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._session: aiohttp.ClientSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self.deliveries: list[WebhookDelivery] = []

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        self._unsubscribe = self._sandbox.subscribe(self._on_event)

    async def stop(self) -> None:
        """Stops listening, lets POSTs in flight finish briefly, then closes the session."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._pending:
            _, late = await asyncio.wait(self._pending, timeout=_STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _on_event(self, event: SandboxEvent) -> None:
        url = (
            event.rent.url if isinstance(event, RentSmsEvent) else self._sandbox.config.webhook_url
        )
        if url is None or self._session is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            _log.warning("webhook to %s skipped: no event loop is running", _origin(url))
            return
        task = loop.create_task(self._post(self._session, url, payload_for(event)))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _post(
        self, session: aiohttp.ClientSession, url: str, payload: dict[str, JsonValue]
    ) -> None:
        timeout = aiohttp.ClientTimeout(total=self._sandbox.config.webhook_timeout_seconds)
        try:
            async with session.post(
                url,
                data=json_text(payload).encode(),
                headers={"Content-Type": "application/json"},
                timeout=timeout,
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            _log.warning("webhook to %s failed: %s", _origin(url), type(error).__name__)
            self.deliveries.append(WebhookDelivery(url, payload, None, type(error).__name__))
            return
        if status >= 400:
            _log.warning("webhook to %s answered %d", _origin(url), status)
        self.deliveries.append(WebhookDelivery(url, payload, status, None))


def _origin(url: str) -> str:
    # Log where a webhook went, never its path or query: they may carry a receiver's secret.
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"

"""HTTP for the provider: one pooled client for the process, retries for reads, none for money.

The transport knows bytes, HTTP codes and the retry policy; it does not read the protocol
(``parsing.py`` does). Many users share one :class:`ProviderTransport`; each call carries its
user's endpoint and key.

The network goes through aiohttp: at 2,000 keys polled every 3 s, httpx's pool cost the bot
most of a core (bench/push.py; encode/httpx#3215). Tests reach a real server on loopback (the
sandbox, a trickling or dropping fake), so there is no transport seam. A failure is sorted one
way: never sent, or maybe performed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlencode

import aiohttp
from aiohttp.abc import AbstractResolver

from bot.core.secret import Secret
from bot.provider.errors import (
    AddressRefusedError,
    OutcomeUnknownError,
    ProviderTimeout,
    TransportError,
)
from bot.provider.parsing import RawReply
from bot.provider.presets import ProviderEndpoint
from bot.provider.resolver import AddressGuard, AddressRefused

log = logging.getLogger(__name__)

_EXCERPT_CHARS: Final = 300
_FORM: Final = {"Content-Type": "application/x-www-form-urlencoded"}
_API_KEY_IN_URL: Final = re.compile(r"(api_key=)[^&\s\"']*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter, for read-only calls only.

    Attributes:
        attempts: tries in all, the first included.
        base_delay: the cap of the first wait, in seconds; doubles each time.
        max_delay: the largest wait.
    """

    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, retry_number: int, rng: Callable[[], float] = random.random) -> float:
        """The wait before retry ``retry_number`` (1 for the first retry)."""
        cap = min(self.max_delay, self.base_delay * 2.0 ** (retry_number - 1))
        return float(rng() * cap)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long a provider call may take, in seconds.

    Attributes:
        read: the deadline of a whole exchange (connect, send and the entire body).
        connect: opening a connection; defaults to ``read``.
        pool: waiting for a free connection of the pool; defaults to ``read``.
    """

    read: float
    connect: float | None = field(default=None, kw_only=True)
    pool: float | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        if self.connect is None:
            object.__setattr__(self, "connect", self.read)
        if self.pool is None:
            object.__setattr__(self, "pool", self.read)


DEFAULT_TIMEOUT: Final = Timeouts(20.0, connect=5.0, pool=10.0)


class _RedactApiKeys(logging.Filter):
    """Removes ``api_key=…`` from records of httpx's own loggers (it logs URLs at INFO).

    The provider's calls no longer go through httpx (PTB's do); the filter stays as a guard
    for any httpx client that may one day be handed a provider URL.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(
                _API_KEY_IN_URL.sub(r"\1***", str(arg)) if "api_key" in str(arg) else arg
                for arg in args
            )
        if isinstance(record.msg, str) and "api_key" in record.msg:
            record.msg = _API_KEY_IN_URL.sub(r"\1***", record.msg)
        return True


def install_log_redaction() -> None:
    """Adds the key-redacting filter to httpx's and httpcore's loggers (idempotent)."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactApiKeys) for f in logger.filters):
            logger.addFilter(_RedactApiKeys())


class ProviderTransport:
    """Sends protocol calls over one pooled :class:`aiohttp.ClientSession`.

    Args:
        timeout: per-request timeouts; its read timeout is also the deadline of a whole
            exchange (connect, send and the entire body), so a provider that trickles its
            answer a byte at a time cannot hold a call open for longer.
        retry: the policy for read-only calls.
        max_connections: the pool's size, shared by every user.
        sleep: how to wait between retries (tests pass a fake).
        address_guard: which endpoints may reach public addresses only (user-chosen
            providers under ``SMSBOT_CUSTOM_PROVIDERS=public``); they get a connector of
            their own whose resolver judges every connection. None: no endpoint is guarded.
    """

    def __init__(
        self,
        *,
        timeout: Timeouts = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        max_connections: int = 100,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        address_guard: AddressGuard | None = None,
    ) -> None:
        install_log_redaction()
        self._headers = {"User-Agent": "smsbot/0.1 (+handler_api)"}
        # Waiting for a free connection counts as connecting: neither has sent anything.
        connect = None if timeout.connect is None else timeout.connect + (timeout.pool or 0.0)
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=connect, sock_connect=timeout.connect, sock_read=timeout.read
        )
        self._deadline = timeout.read
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None  # opened on first use, in a loop
        self.address_guard = address_guard
        # Its own pool: a connection opened for a trusted endpoint is never reused unchecked.
        self._guarded_session: aiohttp.ClientSession | None = None
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        # Metrics (issue 15): called with the action and its outcome once per call.
        self.observe: Callable[[str, str], None] | None = None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._guarded_session is not None:
            await self._guarded_session.close()
            self._guarded_session = None

    async def __aenter__(self) -> ProviderTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def call(
        self,
        endpoint: ProviderEndpoint,
        api_key: Secret,
        action: str,
        params: Mapping[str, str],
        *,
        paid: bool,
    ) -> RawReply:
        """Sends one protocol call and returns the raw reply.

        Read-only calls are retried on network errors, timeouts and HTTP 5xx. A paid call is
        sent once: if it may have reached the provider and no reply came back, the outcome is
        unknown.

        Raises:
            TransportError: no reply (for a paid call: only when the request provably never
                left, e.g. the connection could not be opened).
            ProviderTimeout: a read-only call timed out on every attempt.
            OutcomeUnknownError: a paid call may have been carried out.
        """
        form = {"action": action, **params, "api_key": api_key.reveal()}
        attempts = 1 if paid else max(1, self._retry.attempts)
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            unknown: OutcomeUnknownError | None = None
            try:
                reply = await self._send(endpoint, form)
            except _NotSent as exc:
                # The request was never written to a socket: nothing can have happened.
                failure: TransportError = exc.error()
            except _MaybeSent as exc:
                if paid:
                    log.warning("%s: outcome unknown (%s)", action, exc.description)
                    unknown = OutcomeUnknownError(action, exc.description)
                failure = exc.error()
            else:
                elapsed_ms = (time.perf_counter() - started) * 1000
                log.debug("%s -> HTTP %d in %.0f ms", action, reply.status_code, elapsed_ms)
                if reply.status_code < 500 or paid or attempt == attempts:
                    self._observed(action, f"http_{reply.status_code}")
                    return reply
                failure = TransportError(f"HTTP {reply.status_code}")
            # Raised here, outside the except clause, so the HTTP library's exception (whose
            # request URL holds a GET provider's key) is not chained to ours as its __context__.
            if unknown is not None:
                self._observed(action, "unknown")
                raise unknown
            if attempt == attempts:
                self._observed(action, "no_reply")
                raise failure from None
            delay = self._retry.delay(attempt)
            log.info("%s failed (%s); retry %d in %.2f s", action, failure, attempt, delay)
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _observed(self, action: str, outcome: str) -> None:
        if self.observe is not None:
            self.observe(action, outcome)

    async def _send(self, endpoint: ProviderEndpoint, form: dict[str, str]) -> RawReply:
        """One HTTP exchange.

        Raises:
            _NotSent: the request provably never left.
            _MaybeSent: it may have reached the provider, and no usable reply came back.
        """
        try:
            # The read timeout alone restarts with every chunk: one byte a second would keep
            # a call (and the user waiting on it) going for as long as the provider likes.
            async with asyncio.timeout(self._deadline):
                status, body, content_type = await self._send_aiohttp(endpoint, form)
        except TimeoutError:
            # Perhaps sent, perhaps performed: for a paid call the outcome is unknown.
            raise _MaybeSent("no reply in time", timeout=True) from None
        text = body
        secret = form["api_key"]
        if secret and secret in text:
            # No real reply carries the caller's key; one that echoes it back must not carry
            # it into an excerpt (cut through the key, a masked excerpt would keep its head)
            # or into a parsed error's detail (``BAD_KEY:<key>``).
            text = text.replace(secret, "***")
        content_type = content_type.split(";")[0].strip().lower()
        return RawReply(status, text, content_type, text[:_EXCERPT_CHARS])

    async def _send_aiohttp(
        self, endpoint: ProviderEndpoint, form: dict[str, str]
    ) -> tuple[int, str, str]:
        guard = self.address_guard
        if guard is not None and guard.guards(endpoint):
            try:
                guard.check_url(endpoint.url)
            except AddressRefused:
                raise _Refused("address not public", timeout=False) from None
            if self._guarded_session is None:
                self._guarded_session = self._new_session(guard.resolver)
            session = self._guarded_session
        else:
            if self._session is None:
                self._session = self._new_session(None)
            session = self._session
        try:
            if endpoint.method == "GET":
                request = session.get(endpoint.url, params=form, allow_redirects=False)
            else:
                # Encoded here: aiohttp's form machinery costs more than the request itself
                # at hundreds of polls a second. The same bytes go on the wire.
                request = session.post(
                    endpoint.url,
                    data=urlencode(form).encode(),
                    headers=_FORM,
                    allow_redirects=False,
                )
            async with request as response:
                raw = await response.read()
                charset = response.charset or "utf-8"
                content_type = response.headers.get("Content-Type", "")
                status = response.status
        except aiohttp.ConnectionTimeoutError:  # no connection in time (pool or connect)
            raise _NotSent("connection timed out", timeout=True) from None
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, AddressRefused):  # DNS answered a non-public address
                raise _Refused("address not public", timeout=False) from None
            raise _NotSent("could not connect", timeout=False) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            # The exception's own text can hold the URL (and so a GET key); give only its kind.
            timed_out = isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError)
            raise _MaybeSent(_describe_aiohttp(exc), timeout=timed_out) from None
        try:
            body = raw.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            body = raw.decode("utf-8", errors="replace")
        return status, body, content_type

    def _new_session(self, resolver: AbstractResolver | None) -> aiohttp.ClientSession:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._max_connections, resolver=resolver),
            timeout=self._timeout,
            headers=self._headers,
            trust_env=False,
        )
        _never_resend(session)
        return session


def _never_resend(session: aiohttp.ClientSession) -> None:
    """Stops aiohttp from resending a request by itself.

    Since aiohttp 3.9 (aio-libs/aiohttp#7363) a session resends an idempotent request (a GET)
    once when a kept-alive connection turns out dead (ServerDisconnectedError, ClientOSError),
    and offers no public switch to turn that off (aio-libs/aiohttp#10790). A paid call over GET
    would be sent twice; the retry policy of :class:`ProviderTransport` must be the only one.
    ``tests/provider/test_client_money.py`` proves a paid GET goes once.
    """
    session._retry_connection = False


class _Failure(Exception):
    """No reply: why, and whether it was a timeout."""

    def __init__(self, description: str, *, timeout: bool) -> None:
        super().__init__(description)
        self.description = description
        self.timeout = timeout

    def error(self) -> TransportError:
        if self.timeout:
            return ProviderTimeout(self.description)
        return TransportError(self.description)


class _NotSent(_Failure):
    """The request never left (no connection could be had)."""


class _Refused(_NotSent):
    """The provider's address is not public: no connection was even tried."""

    def error(self) -> TransportError:
        return AddressRefusedError(self.description)


class _MaybeSent(_Failure):
    """The request may have been carried out."""


def _describe_aiohttp(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return "no reply in time"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "connection closed without a reply"
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientOSError):
        return "connection broken while reading"
    return type(exc).__name__

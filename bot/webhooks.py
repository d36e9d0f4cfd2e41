"""The provider-webhook receiver: SMS pushed by the provider, fed into the same event path.

Off unless the operator sets ``SMSBOT_WEBHOOK_SECRET``. Activation pushes come to
``…/webhooks/<secret>/activation`` (the operator configures that URL at the provider). Rent
pushes come to ``…/webhooks/rent/<ledger id>/<token>``, passed as ``url`` on each
getRentNumber: that URL goes to whatever provider the user chose, so it never holds the
secret, only an HMAC of it bound to that one rent, its user and its provider, which opens
nothing else. The receiver answers 200 to anything well-formed so the provider does not retry
forever, and records each SMS through the :class:`~bot.services.recorder.Recorder`: an SMS
seen by a webhook and again by a poll is one push. Polling stays on as the fallback.

Providers sign nothing, and a push names an activation or a rent by its id alone (two
providers may use the same id). So a push is only a hint: for each live row with that id, the
provider is asked (``getStatus`` / ``getRentStatus``, with that row's own key) and its answer
is what gets recorded. Those checks spend the user's key and their provider's patience, so
pushes about one row share one check in flight, and a row is checked at most once per
``check_interval``: a push inside that window is answered 200 and dropped (the watcher polls
anyway). A flood of forged pushes costs a handful of status reads and records nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Final, Protocol

from aiohttp import web

from bot.core.clock import Clock, SystemClock
from bot.core.secret import Secret
from bot.provider import ProviderClient, ProviderError, UnexpectedReplyError
from bot.provider.models import RentMessage, StatusKind
from bot.provider.parsing import parse_activation_webhook, parse_rent_webhook
from bot.services.account_errors import AccountError
from bot.services.recorder import Recorder
from storage.activations import ActivationLedger
from storage.records import Activation, WatchedRent
from storage.rents import Rent, RentLedger

log = logging.getLogger(__name__)

DEFAULT_CHECK_INTERVAL: Final = 5.0
_TOKEN_HEX: Final = 32  # 128 bits of HMAC-SHA256


class Clients(Protocol):
    """Builds the client of one of a user's keys (the AccountService)."""

    async def client_for_provider(self, user_id: int, provider: str) -> ProviderClient | None: ...


class WebhookReceiver:
    """An aiohttp server for provider pushes.

    Args:
        ledger: to find the live activation a push is about.
        recorder: records the SMS with its event.
        clients: to ask the provider, with the row's own key, what a push claims.
        secret: the path secret.
        host: the address to bind.
        port: the port to bind (0: any free port).
        public_url: the receiver's root as the provider reaches it (a reverse proxy), if not
            ``http://host:port``.
        rents: to find the live rent a rent push is about (None: rent pushes are refused).
        clock: when each row was last checked.
        check_interval: the fewest seconds between two provider checks of one row.
    """

    def __init__(
        self,
        ledger: ActivationLedger,
        recorder: Recorder,
        clients: Clients,
        secret: Secret,
        *,
        host: str = "127.0.0.1",
        port: int = 8090,
        rents: RentLedger | None = None,
        public_url: str | None = None,
        clock: Clock | None = None,
        check_interval: float = DEFAULT_CHECK_INTERVAL,
    ) -> None:
        self._ledger = ledger
        self._rents = rents
        self._recorder = recorder
        self._clients = clients
        self._secret = secret
        self._host = host
        self._public_url = public_url
        self._port = port
        self._runner: web.AppRunner | None = None
        self._checks = _CheckGate(clock or SystemClock(), check_interval)
        self.port = port

    @property
    def url(self) -> str:
        """Where the provider must POST (holds the secret: show it to the operator only)."""
        return f"{self._base}/webhooks/{self._secret.reveal()}/activation"

    def rent_url_for(self, rent: Rent) -> str:
        """Where the provider must POST this rent's SMS (sent as ``url`` on getRentNumber);
        it opens this rent alone, so it may go to a provider the user chose."""
        token = self._rent_token(rent.ledger_id, rent.user_id, rent.provider)
        return f"{self._base}/webhooks/rent/{rent.ledger_id}/{token}"

    def _rent_token(self, ledger_id: int, user_id: int, provider: str) -> str:
        message = f"smsbot rent push\n{ledger_id}\n{user_id}\n{provider}".encode()
        digest = hmac.new(self._secret.reveal().encode(), message, hashlib.sha256)
        return digest.hexdigest()[:_TOKEN_HEX]

    @property
    def _base(self) -> str:
        # Behind a reverse proxy the provider reaches another address than the one we bind.
        return self._public_url or f"http://{self._host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_post("/webhooks/{secret}/activation", self._activation)
        app.router.add_post(r"/webhooks/rent/{ledger_id:\d{1,18}}/{token}", self._rent)
        # No access log: the path holds the secret.
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("webhook receiver listening on %s:%s", self._host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _activation(self, request: web.Request) -> web.Response:
        given = request.match_info["secret"].encode()
        if not hmac.compare_digest(given, self._secret.reveal().encode()):
            raise web.HTTPNotFound()
        try:
            push = parse_activation_webhook(await request.read())
        except UnexpectedReplyError:
            return web.Response(status=400, text="not an activation push")
        received = push.received_at.timestamp() if push.received_at else None
        for row in await self._ledger.live_by_activation_id(push.activation_id):

            async def check(row: Activation = row) -> None:
                code = await self._confirmed_code(row)
                if code is None:
                    return
                # The push's text rides along only when it carries the code confirmed.
                text = push.text if push.text and code in push.text else None
                await self._recorder.code(row, code=code, text=text, received_at=received)

            await self._checks.run(("activation", row.ledger_id), check)
        return web.Response(text="OK")

    async def _confirmed_code(self, row: Activation) -> str | None:
        """The code the provider reports for a row now, or None (no code, or it cannot say:
        the next poll asks again)."""
        try:
            client = await self._clients.client_for_provider(row.user_id, row.provider)
            if client is None or row.activation_id is None:
                return None
            status = await client.get_status(row.activation_id)
        except (AccountError, ProviderError) as error:
            log.info("webhook for activation %s not confirmed (%s)", row.ledger_id, error)
            return None
        if status.kind is StatusKind.CODE_RECEIVED and status.code:
            return status.code
        return None

    async def _rent(self, request: web.Request) -> web.Response:
        """A rent's SMS: recorded like a polled one, so a poll seeing it later pushes nothing."""
        if self._rents is None:
            raise web.HTTPNotFound()
        ledger_id = int(request.match_info["ledger_id"])
        rent = await self._rents.get(ledger_id)
        given = request.match_info["token"].encode()
        if rent is None or not hmac.compare_digest(
            given, self._rent_token(ledger_id, rent.user_id, rent.provider).encode()
        ):
            raise web.HTTPNotFound()
        try:
            push = parse_rent_webhook(await request.read())
        except UnexpectedReplyError:
            return web.Response(status=400, text="not a rent push")
        # The token opens its own rent only: a push naming another rent id checks nothing.
        for row in await self._rents.live_by_rent_id(push.rent_id):
            if row.ledger_id != ledger_id:
                continue

            async def check(row: WatchedRent = row) -> None:
                message = await self._confirmed_rent_sms(row, push.message)
                if message is not None:
                    await self._recorder.rent_sms(row, message)

            await self._checks.run(("rent", row.ledger_id), check)
        return web.Response(text="OK")

    async def _confirmed_rent_sms(
        self, row: WatchedRent, pushed: RentMessage
    ) -> RentMessage | None:
        """The provider's own record of a pushed rent SMS (the same sender, text and date a
        poll reads, so the two are one push), or None if it does not list it."""
        try:
            client = await self._clients.client_for_provider(row.user_id, row.provider)
            if client is None:
                return None
            status = await client.get_rent_status(row.rent_id)
        except (AccountError, ProviderError) as error:
            log.info("webhook for rent %s not confirmed (%s)", row.ledger_id, error)
            return None
        return next((m for m in status.messages if m.text == pushed.text), None)


class _CheckGate:
    """One provider check per row at a time, and at most one per ``interval`` seconds.

    A push arriving while its row is being checked waits for that check; one arriving within
    ``interval`` of the last check is dropped (the watcher polls anyway).
    """

    _PRUNE_AT: Final = 4096

    def __init__(self, clock: Clock, interval: float) -> None:
        self._clock = clock
        self._interval = interval
        self._last: dict[Hashable, float] = {}
        self._running: dict[Hashable, asyncio.Task[None]] = {}

    async def run(self, subject: Hashable, check: Callable[[], Awaitable[None]]) -> None:
        task = self._running.get(subject)
        if task is None:
            now = self._clock.now()
            last = self._last.get(subject)
            if last is not None and now - last < self._interval:
                log.debug("push for %s dropped: checked %.1f s ago", subject, now - last)
                return
            self._prune(now)
            self._last[subject] = now

            async def checked() -> None:
                await check()

            task = asyncio.ensure_future(checked())
            self._running[subject] = task
            task.add_done_callback(lambda _: self._running.pop(subject, None))
        # Shielded: a push whose connection goes away does not cancel the others' check.
        await asyncio.shield(task)

    def _prune(self, now: float) -> None:
        if len(self._last) >= self._PRUNE_AT:
            for subject, at in list(self._last.items()):
                if now - at >= self._interval:
                    del self._last[subject]

"""The provider-webhook receiver: SMS pushed by the provider, fed into the same event path.

Off unless the operator sets ``SMSBOT_WEBHOOK_SECRET``. Activation pushes come to
``…/activation`` (the operator configures that URL at the provider); rent pushes to ``…/rent``,
which the bot passes as ``url`` on each getRentNumber. It listens on a path that holds the
secret (providers sign nothing, so the path is the only credential), answers 200 to anything
well-formed so the provider does not retry forever, and records each SMS through the
:class:`~bot.services.recorder.Recorder`: a code seen by a webhook and again by a poll is one
push. Polling stays on as the fallback.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from bot.provider import UnexpectedReplyError
from bot.provider.parsing import parse_activation_webhook, parse_rent_webhook
from bot.secret import Secret
from bot.services.recorder import Recorder
from storage.activations import ActivationLedger
from storage.rents import RentLedger

log = logging.getLogger(__name__)


class WebhookReceiver:
    """An aiohttp server for provider pushes.

    Args:
        ledger: to find the live activation a push is about.
        recorder: records the SMS with its event.
        secret: the path secret.
        host: the address to bind.
        port: the port to bind (0: any free port).
        rents: to find the live rent a rent push is about (None: rent pushes are refused).
    """

    def __init__(
        self,
        ledger: ActivationLedger,
        recorder: Recorder,
        secret: Secret,
        *,
        host: str = "127.0.0.1",
        port: int = 8090,
        rents: RentLedger | None = None,
    ) -> None:
        self._ledger = ledger
        self._rents = rents
        self._recorder = recorder
        self._secret = secret
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.port = port

    @property
    def url(self) -> str:
        """Where the provider must POST (holds the secret: show it to the operator only)."""
        return f"http://{self._host}:{self.port}/webhooks/{self._secret.reveal()}/activation"

    @property
    def rent_url(self) -> str:
        """Where the provider must POST a rent's SMS (sent as ``url`` on getRentNumber)."""
        return f"http://{self._host}:{self.port}/webhooks/{self._secret.reveal()}/rent"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_post("/webhooks/{secret}/activation", self._activation)
        app.router.add_post("/webhooks/{secret}/rent", self._rent)
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
            await self._recorder.code(
                row, code=push.code or None, text=push.text or None, received_at=received
            )
        return web.Response(text="OK")

    async def _rent(self, request: web.Request) -> web.Response:
        """A rent's SMS: recorded like a polled one, so a poll seeing it later pushes nothing."""
        given = request.match_info["secret"].encode()
        if self._rents is None or not hmac.compare_digest(given, self._secret.reveal().encode()):
            raise web.HTTPNotFound()
        try:
            push = parse_rent_webhook(await request.read())
        except UnexpectedReplyError:
            return web.Response(status=400, text="not a rent push")
        for row in await self._rents.live_by_rent_id(push.rent_id):
            await self._recorder.rent_sms(row, push.message)
        return web.Response(text="OK")

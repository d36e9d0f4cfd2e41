"""SandboxServer: the sandbox on a real loopback HTTP port (aiohttp).

    /stubs/handler_api.php   the protocol, GET or POST; query-string and form parameters are
                             merged, the body winning a clash; injected faults apply here
    /sandbox/...             the control API (see ``control``)

The server also runs one background ticker that delivers demo-mode SMS and sweeps expiry, and
a webhook emitter. aiohttp's access log is off: a GET carries the API key in its query string.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import Final

from aiohttp import web

from .control import ControlApi
from .demo import DemoDriver
from .faults import HTML_PAGE, HTTP_500_BODY, Fault, garbage
from .replies import Reply
from .sandbox import Sandbox
from .webhooks import WebhookEmitter

PROTOCOL_PATH: Final = "/stubs/handler_api.php"
_TICK_SECONDS: Final = 0.1
_log = logging.getLogger(__name__)


class SandboxServer:
    """Serves a :class:`Sandbox` over HTTP; use it as an async context manager.

    Args:
        sandbox: the emulator to serve; a fresh default one when omitted.
        host: the address to bind.
        port: the port to bind; 0 picks a free one (read :attr:`port` after start).
        sweep_seconds: how often the ticker settles expiry of everything (reads settle lazily
            anyway; the sweep makes refunds happen with nobody asking).

    Attributes:
        url: ``http://host:port/stubs/handler_api.php`` once started.
        control_url: ``http://host:port/sandbox`` once started.
        webhooks: the emitter; its ``deliveries`` list every webhook attempt.
    """

    def __init__(
        self,
        sandbox: Sandbox | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        sweep_seconds: float = 1.0,
    ) -> None:
        self.sandbox = sandbox if sandbox is not None else Sandbox()
        self.host = host
        self.port = port
        self.webhooks = WebhookEmitter(self.sandbox)
        self._sweep_seconds = sweep_seconds
        self._demo = DemoDriver(self.sandbox)
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 literal
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + PROTOCOL_PATH

    @property
    def control_url(self) -> str:
        return self.base_url + "/sandbox"

    def build_app(self) -> web.Application:
        """The aiohttp application: the protocol route and the control routes."""
        app = web.Application()
        app.router.add_route("GET", PROTOCOL_PATH, self._protocol)
        app.router.add_route("POST", PROTOCOL_PATH, self._protocol)
        app.router.add_routes(ControlApi(self.sandbox, self.webhooks).routes())
        return app

    async def start(self) -> None:
        """Binds the port and starts serving, the ticker and the webhook emitter."""
        if self._runner is not None:
            raise RuntimeError("the sandbox server is already running")
        # A short shutdown_timeout: a "slow" fault may be sleeping in a handler at stop().
        runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        await self.webhooks.start()
        self._ticker = asyncio.create_task(self._tick_forever(), name="sandbox-ticker")
        _log.info("sandbox serving on %s", self.url)

    async def stop(self) -> None:
        """Stops serving; idempotent."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            await self.webhooks.stop()

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _tick_forever(self) -> None:
        loop = asyncio.get_running_loop()
        next_sweep = loop.time()
        while True:
            try:
                self._demo.tick()
                if loop.time() >= next_sweep:
                    self.sandbox.sweep()
                    next_sweep = loop.time() + self._sweep_seconds
            except Exception:
                # The ticker must outlive a bad tick, or demo mode would silently stop.
                _log.exception("sandbox ticker failed")
            await asyncio.sleep(_TICK_SECONDS)

    async def _protocol(self, request: web.Request) -> web.StreamResponse:
        params = dict(request.query)
        if request.method == "POST":
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        fault = self.sandbox.faults.take(params.get("action"))
        if fault is None:
            return _response(self.sandbox.handle(params, request.method))
        return await self._faulty(request, params, fault)

    async def _faulty(
        self, request: web.Request, params: dict[str, str], fault: Fault
    ) -> web.StreamResponse:
        sandbox, method = self.sandbox, request.method
        if fault.kind == "slow":
            if fault.after:
                reply = sandbox.handle(params, method, fault="slow")
                await asyncio.sleep(fault.delay)
            else:
                await asyncio.sleep(fault.delay)
                reply = sandbox.handle(params, method, fault="slow")
            return _response(reply)
        if fault.kind == "drop":
            if fault.after:
                sandbox.handle(params, method, fault="drop")
            else:
                sandbox.record_unanswered(params, method, fault, 0)
            if request.transport is not None:
                request.transport.abort()
            return web.Response()
        if fault.kind == "reply":
            if fault.after:
                sandbox.handle(params, method, fault="reply")
            else:
                sandbox.record_unanswered(params, method, fault, fault.status, fault.body)
            return web.Response(
                body=fault.body.encode(),
                status=fault.status,
                headers={"Content-Type": fault.content_type},
            )
        if fault.kind == "http_500":
            sandbox.record_unanswered(params, method, fault, 500)
            return web.Response(text=HTTP_500_BODY, status=500, content_type="text/plain")
        if fault.kind == "html":
            sandbox.record_unanswered(params, method, fault, fault.status)
            return web.Response(text=HTML_PAGE, status=fault.status, content_type="text/html")
        sandbox.record_unanswered(params, method, fault, 200)
        return web.Response(body=garbage(sandbox.rng), status=200, content_type="text/plain")


def _response(reply: Reply) -> web.Response:
    return web.Response(
        text=reply.body, status=reply.status, content_type=reply.content_type, charset="utf-8"
    )

"""A hostile provider for fairness tests: the sandbox behind a proxy that can trickle.

Every request is passed on to a real provider (the sandbox) and its answer returned, so a user
can set a key and buy through it as usual; an action listed in ``trickle`` is answered
instead with a 200 whose body comes one byte every ``byte_every`` seconds, for as long as the
client keeps reading (up to ``max_bytes``). A per-read-chunk timeout never fires on it.
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
from aiohttp import web


class TricklingProvider:
    """A handler_api server on 127.0.0.1 that proxies to ``upstream`` or trickles.

    Args:
        upstream: the real provider's handler_api URL.
        byte_every: seconds between two bytes of a trickled answer.
        max_bytes: the longest trickled body.
    """

    def __init__(self, upstream: str, *, byte_every: float = 1.0, max_bytes: int = 600) -> None:
        self.upstream = upstream
        self.byte_every = byte_every
        self.max_bytes = max_bytes
        self.trickle: set[str] = set()
        self.trickled = 0  # trickled answers begun
        self.trickling_now = 0  # trickled answers still being written
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    def release(self) -> None:
        """Ends every trickle now (with a garbage body) and trickles nothing more."""
        self.trickle.clear()
        self._released.set()

    async def __aenter__(self) -> TricklingProvider:
        app = web.Application()
        app.router.add_route("*", "/stubs/handler_api.php", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/stubs/handler_api.php"
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        form = dict(request.query)
        if request.method == "POST":
            form.update({k: str(v) for k, v in (await request.post()).items()})
        if form.get("action") in self.trickle:
            return await self._trickle(request)
        assert self._session is not None
        async with self._session.post(self.upstream, data=form) as upstream:
            body = await upstream.read()
            return web.Response(
                status=upstream.status,
                body=body,
                content_type=upstream.content_type,
                charset=upstream.charset,
            )

    async def _trickle(self, request: web.Request) -> web.StreamResponse:
        self.trickled += 1
        self.trickling_now += 1
        response = web.StreamResponse(status=200, headers={"Content-Type": "text/plain"})
        try:
            await response.prepare(request)
            for _ in range(self.max_bytes):
                await response.write(b" ")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._released.wait(), self.byte_every)
                if self._released.is_set():
                    break
            with contextlib.suppress(ConnectionError):
                await response.write_eof()
        except ConnectionError:
            pass  # the client gave up: that is the point
        finally:
            self.trickling_now -= 1
        return response

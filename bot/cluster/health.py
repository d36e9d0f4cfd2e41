"""``/healthz``, ``/readyz`` and ``/metrics`` for a load balancer and Prometheus (off unless
``SMSBOT_METRICS_LISTEN`` is set).

* ``/healthz``: 200 while the process's event loop answers.
* ``/readyz``: 200 when the database answers within two seconds and, with several processes,
  the last lease renewal succeeded (the process holds its shards or is taking them); 503
  otherwise, so a load balancer sends webhooks elsewhere.
* ``/metrics``: :class:`bot.cluster.metrics.Metrics` in Prometheus's text format.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.cluster.leases import ShardLeases
from bot.cluster.metrics import Metrics
from storage.db import Database
from storage.events import SHARDS, EventOutbox

log = logging.getLogger(__name__)


class HealthServer:
    """The three routes on their own port.

    Args:
        db: the database (reachability; the outbox depth).
        metrics: the process's metrics.
        leases: the process's shard leases, or None (one process owns every shard).
        host, port: where to listen (port 0: a free one).
    """

    def __init__(
        self,
        db: Database,
        metrics: Metrics,
        leases: ShardLeases | None,
        *,
        host: str,
        port: int,
    ) -> None:
        self._db = db
        self._metrics = metrics
        self._leases = leases
        self._outbox = EventOutbox(db)
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics_page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        self.port = int(self._runner.addresses[0][1])
        log.info("health and metrics on %s:%d", self._host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def _shards_owned(self) -> int:
        return SHARDS if self._leases is None else len(self._leases.owned())

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, _request: web.Request) -> web.Response:
        problems = []
        try:
            await asyncio.wait_for(self._db.fetchone("SELECT 1"), 2.0)
        except Exception as error:
            problems.append(f"database: {type(error).__name__}")
        if self._leases is not None and not self._leases.last_renewal_ok:
            problems.append("shard leases: the last renewal failed")
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="ready\n")

    async def _metrics_page(self, _request: web.Request) -> web.Response:
        body = await self._metrics.render(self._outbox.depth, self._shards_owned)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

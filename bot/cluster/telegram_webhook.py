"""Telegram updates by webhook (``smsbot run --webhook``), answered only once handled.

Not PTB's ``Application.run_webhook``: that answers 200 as soon as the update is queued in the
process, so a process that dies loses it, and updates of one chat handled by different processes
lose their order. This route, for each POST:

1. checks ``X-Telegram-Bot-Api-Secret-Token`` against the secret given to ``setWebhook``
   (constant-time), and refuses anything else with 401;
2. acknowledges at once an ``update_id`` already handled (Telegram re-sends after a timeout or
   a process's death, maybe to another process);
3. takes the user's lock (a PostgreSQL advisory lock: a user's message and button press come
   through different Telegram queues and may reach two processes at once), runs
   ``application.process_update``, records the ``update_id``, and only then answers 200.

Telegram sends a chat's next update only after the previous one was acknowledged, so answering
after handling keeps each chat in order across processes. An update that crashes its handler is
still answered 200 (PTB's error handlers have told the user); one whose handling failed
outside PTB (the database) gets 500, and Telegram sends it again.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from typing import Any, Final

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.core.secret import Secret
from storage.db import Database
from storage.processed_updates import ProcessedUpdates

log = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
_MAX_BODY: Final = 1 << 20


def user_of(update: dict[str, Any]) -> int | None:
    """The user an update comes from (its sender, else its chat), for the per-user lock."""
    for value in update.values():
        if isinstance(value, dict):
            sender = value.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
            chat = value.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
    return None


class TelegramWebhookServer:
    """The aiohttp server behind ``SMSBOT_TELEGRAM_WEBHOOK_LISTEN``.

    Args:
        application: the initialized PTB application that handles updates.
        db: the database (the per-user lock and the processed update ids).
        secret: what Telegram must send in the secret header.
        host, port: where to listen (port 0: a free one).
        path: the route's path (the webhook URL's).
        observe: called with the seconds each handled update took (metrics), if given.
    """

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        db: Database,
        secret: Secret,
        *,
        host: str,
        port: int,
        path: str = "/",
        observe: Callable[[float], None] | None = None,
    ) -> None:
        self._application = application
        self._db = db
        self._secret = secret.reveal().encode()
        self._host = host
        self._port = port
        self._path = path or "/"
        self._processed = ProcessedUpdates(db)
        self._observe = observe
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_post(self._path, self._handle)
        # The access log would show every request line; nothing secret is in it (the secret
        # travels in a header), but a busy bot's log has better things to say.
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("Telegram webhook listening on %s:%d%s", self._host, self.port, self._path)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=401)
        try:
            data = await request.json()
            update_id = int(data["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400)
        if not isinstance(data, dict):
            return web.Response(status=400)
        started = time.monotonic()
        if await self._processed.seen(update_id):
            return web.Response(status=200)
        user_id = user_of(data)
        try:
            async with self._db.lock(f"update:{user_id if user_id is not None else 0}"):
                if await self._processed.seen(update_id):  # handled meanwhile elsewhere
                    return web.Response(status=200)
                update = Update.de_json(data, self._application.bot)
                await self._application.process_update(update)
                await self._processed.record(update_id)
        except Exception:
            log.exception("handling update %d failed; Telegram will send it again", update_id)
            return web.Response(status=500)
        if self._observe is not None:
            self._observe(time.monotonic() - started)
        return web.Response(status=200)

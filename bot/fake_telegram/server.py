"""The fake Bot API over HTTP: aiohttp on loopback, Telegram's routes, auth and envelope.

``POST`` or ``GET /bot<token>/<method>`` with a JSON, form-urlencoded or multipart body (and/or a
query string) answers ``{"ok": true, "result": ...}`` or Telegram's error envelope. Every call is
logged in `FakeTelegramState.calls` without its token. The access log is off, because a request
line carries the token and tests assert that no secret reaches any log record.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable
from typing import Any, Final

from aiohttp import web

from bot.core.clock import Clock
from bot.fake_telegram.driver import FakeUser
from bot.fake_telegram.errors import (
    NOT_FOUND,
    UNAUTHORIZED,
    ApiError,
    bad_request,
    too_many_requests,
)
from bot.fake_telegram.flood import FloodControl
from bot.fake_telegram.methods import find_method
from bot.fake_telegram.params import Params
from bot.fake_telegram.state import DEFAULT_BOT_ID, FakeTelegramState
from bot.fake_telegram.webhook import Routing

_PATH: Final = re.compile(r"/bot([^/]*)/([^/]+)/?")
# Telegram answers 404 to a malformed token and 401 to a well-formed one it does not know.
_TOKEN: Final = re.compile(r"\d+:[A-Za-z0-9_-]+")
_CLIENT_GONE: Final = 499


def _bot_id_of(tokens: list[str] | None) -> int:
    if tokens and _TOKEN.fullmatch(tokens[0]):
        return int(tokens[0].split(":", 1)[0])
    return DEFAULT_BOT_ID


async def _read_params(request: web.Request) -> dict[str, object]:
    """Query string plus body, whatever the body's encoding; the last value of a name wins."""
    params: dict[str, object] = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON encoded request body must be an Object")
        params.update(body)
    else:
        # Form-urlencoded and multipart alike; an uploaded file shows up by its file name only.
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[name] = f"<file {value.filename}>"
            elif isinstance(value, bytes | bytearray):
                params[name] = bytes(value).decode("utf-8", errors="replace")
            else:
                params[name] = value
    return params


def _chat_id_for_flood(params: Params) -> int | None:
    try:
        return params.integer("chat_id")
    except ApiError:
        return None


class FakeTelegramServer:
    """A fake Telegram Bot API on 127.0.0.1, as an async context manager.

    Args:
        tokens: the tokens it accepts; None accepts any well-formed token. The bot's id is the
            first token's number unless `state` is given.
        state: the world to serve; a fresh `FakeTelegramState` by default.
        clock: the clock for a fresh state (dates, query timeouts, flood windows).
        port: 0 for a free port.
        webhook_targets: after ``setWebhook``, POST updates to these URLs in turn instead of
            the registered one (a load balancer in front of several bot processes).
        webhook_timeout: seconds to wait for a webhook's answer before sending it again.
        webhook_routing: how updates are spread over ``webhook_targets`` ("round_robin", or
            "by_chat": sticky per chat, failing over to the next target).

    Attributes:
        state: the world, shared with drivers (its call log: `state.wait_for_call`).
        flood: the flood-control switches (off by default).

    Example::

        async with FakeTelegramServer(tokens=["123:abc"]) as fake:
            bot = telegram.Bot("123:abc", base_url=fake.bot_base_url)
    """

    def __init__(
        self,
        *,
        tokens: Iterable[str] | None = None,
        state: FakeTelegramState | None = None,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_targets: Iterable[str] = (),
        webhook_timeout: float = 10.0,
        webhook_routing: Routing = "round_robin",
    ) -> None:
        self._tokens = None if tokens is None else list(tokens)
        self.state = state or FakeTelegramState(bot_id=_bot_id_of(self._tokens), clock=clock)
        self.flood = FloodControl(self.state.clock, active_at=self.state.active_at)
        self.state.webhook.targets = list(webhook_targets)
        self.state.webhook.timeout = webhook_timeout
        self.state.webhook.routing = webhook_routing
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """The root URL, e.g. ``http://127.0.0.1:41234``; set once started."""
        if self._url is None:
            raise RuntimeError("the fake Telegram server is not running")
        return self._url

    @property
    def bot_base_url(self) -> str:
        """What PTB's ``base_url`` wants: it appends the token, then ``/<method>``."""
        return f"{self.url}/bot"

    def accept_token(self, token: str) -> None:
        """Accept one more token (switching from "any token" to a list if need be)."""
        self._tokens = [*(self._tokens or []), token]

    async def start(self) -> None:
        """Bind a port and serve."""
        if self._runner is not None:
            raise RuntimeError("already started")
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        # handler_cancellation: a long poll whose client hung up must stop waiting.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        self.state.closing = False
        port = runner.addresses[0][1]
        self._url = f"http://{self._host}:{port}"

    async def stop(self) -> None:
        """End every long poll, then close the listener and connections."""
        if self._runner is None:
            return
        # Waiting polls answer [] at once; cleanup then waits for in-flight handlers to finish.
        self.state.closing = True
        self.state.changed()
        runner, self._runner = self._runner, None
        await self.state.webhook.stop()
        await runner.cleanup()
        self._url = None

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def user(
        self,
        user_id: int,
        first_name: str = "Tester",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """A driver for person `user_id`, created with a private chat if new."""
        record = self.state.add_user(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        return FakeUser(self.state, record)

    def _check_token(self, token: str) -> None:
        if not _TOKEN.fullmatch(token):
            raise ApiError(404, NOT_FOUND)
        if self._tokens is not None and token not in self._tokens:
            raise ApiError(401, UNAUTHORIZED)

    async def _handle(self, request: web.Request) -> web.Response:
        match = _PATH.fullmatch(request.path)
        if match is None:
            return web.json_response(ApiError(404, NOT_FOUND).envelope(), status=404)
        token, name = match.groups()
        found = find_method(name)
        method = found[0] if found else name
        params = Params({})
        try:
            params = Params(await _read_params(request))
            self._check_token(token)
            if found is None:
                raise ApiError(404, NOT_FOUND)
            retry_after = self.flood.check(method, _chat_id_for_flood(params))
            if retry_after is not None:
                raise too_many_requests(retry_after)
            result = await found[1](self.state, params)
        except ApiError as error:
            self.state.log_call(method, params.as_dict(), error.status, error.description, None)
            return web.json_response(error.envelope(), status=error.status)
        except asyncio.CancelledError:
            self.state.log_call(method, params.as_dict(), _CLIENT_GONE, "client went away", None)
            raise
        self.state.log_call(method, params.as_dict(), 200, None, result)
        body: dict[str, Any] = {"ok": True, "result": result}
        return web.json_response(body, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))

"""The Bot API's HTTP client on aiohttp: PTB's ``BaseRequest``, in place of its httpx one.

Why: on the /buy path most of the bot's CPU per update went into the HTTP client under PTB,
not into the bot: httpx, httpcore, anyio and h11 took about a third of it, much of that
httpcore's pool scan asking every idle connection's socket whether it is readable (through
anyio, which builds a dict of socket attributes and calls ``getpeername`` each time) before
each request (bench/push.py ``--phases buy`` with ``PUSH_PROFILE``). aiohttp, which the bot
already uses for the provider and its own servers, keeps idle connections in a list it does
not scan per request and parses HTTP in C.

Behaviour kept from PTB's ``HTTPXRequest``: the same parameters (form-encoded; multipart when a
file is sent), the same default timeouts, ``TimedOut`` for a timeout (a connection not got in
time is said to be "not sent"), ``NetworkError`` for any other transport failure; the status
and body go back to PTB, which maps Telegram's answers to its errors. aiohttp has no write
timeout: a write that stalls is bounded by the read timeout that follows it.
"""

from __future__ import annotations

from typing import Final

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_DEFAULT_TIMEOUT: Final = 5.0
_DEFAULT_POOL_TIMEOUT: Final = 1.0


class AiohttpRequest(BaseRequest):
    """Sends Bot API requests with one aiohttp session.

    Args:
        connection_pool_size: connections open to the Bot API at most (PTB's default 256).
        read_timeout: seconds to wait for an answer, unless a call says otherwise.
        connect_timeout: seconds to open a connection.
        pool_timeout: seconds to wait for a free connection.
    """

    __slots__ = ("_connect_timeout", "_pool_size", "_pool_timeout", "_read_timeout", "_session")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = _DEFAULT_TIMEOUT,
        connect_timeout: float | None = _DEFAULT_TIMEOUT,
        pool_timeout: float | None = _DEFAULT_POOL_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's "connect" covers waiting for a pooled connection and opening one.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        data: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            data = request_data.json_parameters
            if request_data.contains_files:
                data = _multipart(request_data)
        try:
            # No redirects, as PTB's own client: a followed 307 would send the call again.
            async with self._session.request(
                method, url, data=data, timeout=timeout, allow_redirects=False
            ) as reply:
                return reply.status, await reply.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form

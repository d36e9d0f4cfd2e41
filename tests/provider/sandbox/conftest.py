"""Fixtures of the sandbox tests: an HTTP client bound to the running sandbox server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.provider.sandbox import SandboxServer

from .helpers import Api, Control


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


@pytest.fixture
def api(sandbox_server: SandboxServer, http: httpx.AsyncClient) -> Api:
    """``await api(action, key=..., method="GET"|"POST", **params)`` against the server."""

    async def send(
        action: str, *, key: str | None = "test-key-alice", method: str = "GET", **params: Any
    ) -> httpx.Response:
        fields = {k: str(v) for k, v in params.items()}
        fields["action"] = action
        if key is not None:
            fields["api_key"] = key
        if method == "POST":
            return await http.post(sandbox_server.url, data=fields)
        return await http.get(sandbox_server.url, params=fields)

    return send


@pytest.fixture
def control(sandbox_server: SandboxServer, http: httpx.AsyncClient) -> Control:
    """``await control("POST", "/sms", json={...})`` against the control API."""

    async def send(method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await http.request(method, sandbox_server.control_url + path, **kwargs)

    return send

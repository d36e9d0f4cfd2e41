"""A plain-HTTP client for the fake Bot API, so tests see exact statuses and bodies."""

from __future__ import annotations

from typing import Any

import httpx

TOKEN = "123456:TEST-token_abc"


class RawBotApi:
    """Calls the fake over plain HTTP, so tests see exact statuses and bodies."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def call(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """POST `params` as JSON; returns (status, decoded body)."""
        response = await self.client.post(method, json=params)
        return response.status_code, response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        """POST and insist on success; returns ``result``."""
        status, body = await self.call(method, **params)
        assert status == 200 and body["ok"] is True, body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        """POST and insist on failure; returns (error_code, description)."""
        status, body = await self.call(method, **params)
        assert body["ok"] is False, body
        assert body["error_code"] == status
        return status, body["description"]

"""Helpers for the sandbox tests (pytest forbids importing conftest, so they live here)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import httpx

from bot.core.clock import ManualClock
from bot.provider.sandbox import Reply, Sandbox, SandboxConfig
from bot.provider.sandbox.testing import ALICE_KEY, default_test_accounts

T0 = 1_750_000_000.0
"""2025-06-15 15:06:40 UTC: the start of a frozen clock."""


class Api(Protocol):
    """Calls the protocol endpoint over HTTP: ``await api("getBalance", key=ALICE_KEY)``."""

    def __call__(
        self, action: str, *, key: str | None = ALICE_KEY, method: str = "GET", **params: Any
    ) -> Awaitable[httpx.Response]: ...


Control = Callable[..., Awaitable[httpx.Response]]


def frozen_sandbox(config: SandboxConfig | None = None) -> tuple[Sandbox, ManualClock]:
    """A sandbox on a clock that stands still until advanced, with the test accounts."""
    clock = ManualClock(start=T0)
    return Sandbox(clock=clock, config=config, accounts=default_test_accounts()), clock


def call(sandbox: Sandbox, action: str, key: str = ALICE_KEY, **params: Any) -> Reply:
    """Calls the protocol directly, without HTTP."""
    merged = {"api_key": key, "action": action, **{k: str(v) for k, v in params.items()}}
    return sandbox.handle(merged)


def body(sandbox: Sandbox, action: str, key: str = ALICE_KEY, **params: Any) -> str:
    return call(sandbox, action, key, **params).body


def data(sandbox: Sandbox, action: str, key: str = ALICE_KEY, **params: Any) -> Any:
    """Calls an action that answers JSON and decodes it."""
    reply = call(sandbox, action, key, **params)
    assert reply.content_type == "application/json", reply.body
    return json.loads(reply.body)


def buy(sandbox: Sandbox, key: str = ALICE_KEY, service: str = "tg", **params: Any) -> int:
    """Buys an activation directly; returns its id."""
    reply = body(sandbox, "getNumber", key, service=service, **params)
    assert reply.startswith("ACCESS_NUMBER:"), reply
    return int(reply.split(":")[1])


def rent(sandbox: Sandbox, key: str = ALICE_KEY, service: str = "tg", **params: Any) -> int:
    """Rents a number directly; returns the rent id."""
    reply = data(sandbox, "getRentNumber", key, service=service, **params)
    assert reply["status"] == "success", reply
    return int(reply["phone"]["id"])

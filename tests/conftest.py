"""Fixtures shared across the test suite: a running protocol sandbox on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.clock import ManualClock
from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.testing import default_test_accounts


@pytest.fixture
async def sandbox_server() -> AsyncIterator[SandboxServer]:
    """A started SandboxServer on 127.0.0.1 (a free port) around a fresh Sandbox.

    The sandbox's clock is a ``ManualClock()`` (real time plus an offset tests can advance);
    its accounts are ``bot.provider.sandbox.testing.default_test_accounts()``: ALICE_KEY (1000),
    BOB_KEY (100), POOR_KEY (0) and BANNED_KEY (banned until 2100).
    """
    sandbox = Sandbox(clock=ManualClock(), accounts=default_test_accounts())
    async with SandboxServer(sandbox, host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Sandbox:
    """The Sandbox behind ``sandbox_server``: drive it directly (deliver SMS, move time…)."""
    return sandbox_server.sandbox

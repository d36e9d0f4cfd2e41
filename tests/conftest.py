"""Fixtures shared across the test suite: a running protocol sandbox on loopback."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator

import pytest

from bot.core.clock import ManualClock
from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.testing import default_test_accounts
from tests import postgres


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


_REQUIRE_LINE = inspect.getsourcelines(postgres.require)[1]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Reports every PostgreSQL case skipped for want of a server at one place, so ``-ra``
    sums them up in one line instead of one per test."""
    report = yield
    longrepr = getattr(report, "longrepr", None)
    if (
        getattr(report, "skipped", False)
        and isinstance(longrepr, tuple)
        and str(longrepr[2]).endswith(postgres.SKIP_REASON)
    ):
        report.longrepr = (postgres.__file__, _REQUIRE_LINE, longrepr[2])
    return report

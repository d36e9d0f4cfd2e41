"""Fixtures shared across the test suite: a running protocol sandbox on loopback."""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator, Iterator
from typing import Final

import pytest

import bot.app
from bot.core.clock import ManualClock
from bot.i18n import Translator
from bot.provider.sandbox import Sandbox, SandboxServer
from bot.provider.sandbox.testing import default_test_accounts
from tests import postgres

# The whole suite (``pytest`` naming no paths, as .ci/run runs it) is spread over this many
# pytest-xdist worker processes: most of its time is waiting (bot subprocesses, Telegram's
# pacing, timeouts), not computing, so more workers than two cores still pay off. A run that
# names paths stays in one process (-s, --pdb and -x as ever); ``-n N`` decides either way.
SUITE_WORKERS: Final = 4
# Run first: the tests of minutes, not milliseconds (bot and sandbox subprocesses). Taken first,
# one test at a time (``--maxschedchunk 1``), they are spread over the workers while the short
# tests fill in around them, instead of one worker finishing a queue of them alone at the end.
SLOW_FIRST: Final = ("tests/e2e/", "tests/test_console.py", "tests/test_cli.py")


@pytest.fixture(autouse=True, scope="session")
def _translations_parsed_once() -> Iterator[None]:
    """Every application a test builds shares one `Translator`, parsed once per test process.

    Parsing the .ftl files of every locale costs about 0.2 s of CPU, and a thousand tests build
    an application (tests/bot's harness): minutes of CPU spent reading the same files again.
    A Translator is never changed once built; tests/test_i18n.py and the bot subprocesses of
    tests/e2e still build their own.
    """
    shared = Translator()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.app, "Translator", lambda: shared)
        yield


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


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (pyproject's addopts): `SUITE_WORKERS` for the whole suite, else none."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own reading of it
    return SUITE_WORKERS if config.args_source is pytest.Config.ArgsSource.TESTPATHS else 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Puts the `SLOW_FIRST` tests first, each in its collected order (a stable sort)."""
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))


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

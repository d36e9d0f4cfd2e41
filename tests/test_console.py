"""The console's own rules, in-process: numbers press buttons, a quote sends a number as text."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.console import run_console

Reader = Callable[[asyncio.AbstractEventLoop, asyncio.Queue[str | None]], None]


def script(*lines: str) -> Reader:
    """Stands in for the person at the keyboard: these lines, then the end of input."""

    def reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
        for line in lines:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    return reader


async def test_numbers_press_buttons_and_a_quote_sends_a_number_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSBOT_DATABASE", str(tmp_path / "console.sqlite3"))
    monkeypatch.setenv("SMSBOT_MASTER_KEYS", "k:" + "A" * 43 + "=")
    out = io.StringIO()
    lines = ("/start", "7", "/key", "demo-key-123", "/buy", "'42", "1", "/quit", "never read")
    assert await run_console(out, reader=script(*lines)) == 0
    shown = out.getvalue()
    assert "(no button 7; send '7 to send it as text)" in shown
    assert "Key saved" in shown
    # '42 was a search for a service, not a press; then 1 pressed the first button (Telegram).
    assert "No service matches “42”" in shown
    assert "Telegram: pick a country" in shown
    assert "never read" not in shown, "/quit leaves"


async def test_the_second_demo_provider_is_compared_with_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSBOT_DATABASE", str(tmp_path / "console.sqlite3"))
    monkeypatch.setenv("SMSBOT_MASTER_KEYS", "k:" + "A" * 43 + "=")
    out = io.StringIO()

    def reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
        # The banner (printed before input is read) names the second provider's /key line.
        second = next(
            word for word in out.getvalue().split() if word.startswith("http://127.0.0.1:")
        )
        for line in ("/key", "demo-key-123", f"/key {second}", "demo-key-123", "/buy", "1", "1"):
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    assert await run_console(out, reader=reader) == 0
    shown = out.getvalue()
    assert "A second demo provider" in shown
    assert "Key for" in shown and "saved" in shown
    assert "At your providers" in shown, shown[-3000:]
    assert "Buying from the best offer: 127.0.0.1:" in shown

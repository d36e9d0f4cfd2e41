"""The console's own rules, in-process: numbers press buttons, a quote sends a number as text."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.console import run_console

Reader = Callable[[asyncio.AbstractEventLoop, asyncio.Queue[str | None]], None]


@pytest.fixture
def console_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the console reads from the environment: a database of the test's own, and keys."""
    monkeypatch.setenv("SMSBOT_DATABASE", str(tmp_path / "console.sqlite3"))
    monkeypatch.setenv("SMSBOT_MASTER_KEYS", "k:" + "A" * 43 + "=")


def script(*lines: str) -> Reader:
    """Stands in for the person at the keyboard: these lines, then the end of input."""

    def reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
        for line in lines:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    return reader


@pytest.mark.usefixtures("console_settings")
async def test_numbers_press_buttons_and_a_quote_sends_a_number_as_text() -> None:
    out = io.StringIO()
    lines = (
        "/start", "7", "/key", "demo-key-123", "/buy", "'42", "/buy", "1", "/quit", "never read"
    )
    assert await run_console(out, reader=script(*lines)) == 0
    shown = out.getvalue()
    assert "(no button 7; send '7 to send it as text)" in shown
    assert "Key saved" in shown
    # '42 was a search for a service, not a press (its menu replaced /buy's); then, on a new
    # /buy, 1 pressed the first button (Telegram).
    assert "No service matches “42”" in shown
    assert "Telegram: pick a country" in shown
    assert "never read" not in shown, "/quit leaves"
    assert "Demo provider" in shown, "the demo provider has a name, not 127.0.0.1"


@pytest.mark.usefixtures("console_settings")
async def test_the_second_demo_provider_is_compared_with_the_first() -> None:
    out = io.StringIO()

    def reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
        # The banner (printed before input is read) names the second provider's /key line.
        second = next(
            word for word in out.getvalue().split() if word.startswith("http://127.0.0.1:")
        )
        lines = ("/key", "demo-key-123", f"/key {second}", "demo-key-123", "/buy", "1", "1", "/key")
        for line in lines:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    assert await run_console(out, reader=reader) == 0
    shown = out.getvalue()
    assert "A second demo provider" in shown
    assert "Key for" in shown and "saved" in shown
    assert "At your providers" in shown, shown[-3000:]
    # The second demo provider (the cheaper) is named in the rows, not by its 127.0.0.1 port.
    assert "Buying from the best offer: Cheap demo (no SMS)" in shown, shown[-3000:]
    assert "▶ Cheap demo (no SMS) ·" in shown and "• Demo provider ·" in shown, shown[-3000:]
    # A bare /key asks which provider, naming both (not host:port either).
    which = shown[shown.rindex("/key") :]
    assert "Cheap demo (no SMS)" in which and "127.0.0.1" not in which, which


def test_a_bot_error_is_one_line_in_the_terminal_and_its_traceback_in_the_log(
    tmp_path: Path,
) -> None:
    import logging

    from bot.console import log_to_file

    terminal = io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers), root.level
    path = log_to_file(logging.INFO, terminal, tmp_path / "bot.log")
    try:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("bot.telegram.handlers.errors").exception("handler failed")
        logging.getLogger("bot.serving").info("smsbot is running")
    finally:
        for handler in root.handlers[:]:
            if handler not in before[0]:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(before[1])
    shown = terminal.getvalue()
    assert "Traceback" not in shown and "boom" not in shown, shown
    assert "handler failed" in shown and str(path) in shown
    assert "smsbot is running" not in shown, "the terminal is the chat: no chatter"
    logged = path.read_text()
    assert "Traceback" in logged and "RuntimeError: boom" in logged

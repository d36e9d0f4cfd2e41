"""``smsbot console``: chat with the real bot in a terminal, as a Telegram user would.

The fake Bot API (`bot.fake_telegram`) runs on loopback, the real bot long-polls it exactly as
it polls Telegram, and its provider is the in-process sandbox in demo mode (API key
``demo-key-123``; an SMS arrives by itself a few seconds after each purchase). No bot token and
no provider account are needed.

A line typed is a message to the bot (``/buy``, ``whats``, an API key…); a line that is only a
number presses the inline button shown with that number; ``'42`` sends the text ``42``;
``/quit`` or end of input leaves. The chat is printed as it changes: new messages, edits
(marked), deletions, and the bot's answers to presses. Standard input may be a terminal or a
pipe.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Final, TextIO

from bot.config import Settings
from bot.core.secret import Secret
from bot.fake_telegram import Button, FakeTelegramServer, FakeUser, VisibleMessage

CONSOLE_TOKEN: Final = "4242424242:console-fake-telegram"
USER_ID: Final = 1001
QUIT: Final = "/quit"
# After each line, wait this long for the bot to go quiet before reading the next one, so a
# piped script's "press 1" sees the buttons its previous line brought up. Longer than the send
# policy's pace in a chat (one a second once its burst is spent), or a paced answer is missed.
_SETTLE_QUIET: Final = 1.1
_SETTLE_MAX: Final = 10.0
_START_TIMEOUT: Final = 30.0

log = logging.getLogger(__name__)


def _line_reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    # A daemon thread: a blocking readline works for a terminal, a pipe and a file alike, and
    # never keeps the process alive at exit.
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\r\n"))
    loop.call_soon_threadsafe(queue.put_nowait, None)


class ChatPrinter:
    """Prints the chat as it changes; numbers every inline button for pressing."""

    def __init__(self, user: FakeUser, out: TextIO) -> None:
        self._user = user
        self._out = out
        self._shown: dict[int, tuple[VisibleMessage, tuple[int, ...]]] = {}
        self.numbers: dict[int, Button] = {}

    def refresh(self) -> None:
        """Prints what changed since the last call."""
        chat = self._user.chat()
        buttons = self._user.buttons()
        self.numbers = {index: button for index, button in enumerate(buttons, start=1)}
        number_of = {(b.message_id, b.row, b.column): index for index, b in self.numbers.items()}
        visible = {m.message_id for m in chat}
        for message_id in sorted(set(self._shown) - visible):
            view, _ = self._shown.pop(message_id)
            who = "the bot's" if view.from_bot else "your"
            self._print(f"({who} message #{message_id} was deleted)")
        for view in chat:
            numbers = tuple(
                number_of[(view.message_id, b.row, b.column)] for row in view.keyboard for b in row
            )
            before = self._shown.get(view.message_id)
            self._shown[view.message_id] = (view, numbers)
            if before == (view, numbers) or not view.from_bot:
                continue
            if before is None:
                header = f"#{view.message_id} bot:"
            elif before[0] == view:
                header = f"#{view.message_id} bot (buttons renumbered):"
            else:
                header = f"#{view.message_id} bot (edited):"
            self._print_message(header, view, numbers)

    def _print_message(self, header: str, view: VisibleMessage, numbers: tuple[int, ...]) -> None:
        lines = [header, *("  " + line for line in view.text.splitlines())]
        labels = iter(numbers)
        for row in view.keyboard:
            lines.append("  " + "  ".join(f"[{next(labels)}] {b.label}" for b in row))
        self._print("\n".join(lines))

    def note(self, text: str) -> None:
        self._print(f"({text})")

    def _print(self, text: str) -> None:
        print(text, file=self._out, flush=True)


class Console:
    """One person chatting with the bot through the fake Bot API."""

    def __init__(self, telegram: FakeTelegramServer, out: TextIO) -> None:
        self._telegram = telegram
        self._user = telegram.user(USER_ID, "You", language_code="en")
        self._printer = ChatPrinter(self._user, out)
        self._answered: set[str] = set()
        self._pressed: list[str] = []

    async def run(self, lines: asyncio.Queue[str | None]) -> None:
        """Handles input lines and prints changes until /quit or the end of input."""
        watcher = asyncio.create_task(self._watch(), name="console-printer")
        try:
            while (line := await lines.get()) is not None:
                if line.strip() == QUIT:
                    return
                await self._handle(line)
            await self._settle()  # the end of a piped script: let the last answers arrive
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            self._show()

    async def _handle(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        if text.isdigit():
            button = self._printer.numbers.get(int(text))
            if button is None:
                self._printer.note(f"no button {text}; send '{text} to send it as text")
                return
            if button.callback_data is None:
                self._printer.note(f"[{button.label}] opens {button.url}")
                return
            self._pressed.append(await self._user.press_button(button))
        else:
            await self._user.send_text(text.removeprefix("'") or text)
        await self._settle()

    async def _settle(self) -> None:
        # Until the bot took the update and then stayed quiet a moment (or a bound passed).
        state = self._telegram.state
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _SETTLE_MAX
        while loop.time() < deadline:
            quiet = not await state.wait_for_change(_SETTLE_QUIET)
            if quiet and not state.updates.pending:
                return

    async def _watch(self) -> None:
        while True:
            self._show()
            await self._telegram.state.wait_for_change(3600)

    def _show(self) -> None:
        self._printer.refresh()
        for query_id in self._pressed:
            if query_id in self._answered:
                continue
            answer = self._user.answer_for(query_id)
            if answer is not None:
                self._answered.add(query_id)
                if answer.text:
                    self._printer.note(f"bot: {answer.text}")


class _OneLine(logging.Formatter):
    """A log record in one line: no traceback (the log file keeps it)."""

    def format(self, record: logging.LogRecord) -> str:
        return f"({record.levelname.lower()}: {record.name}: {record.getMessage()})"


def log_to_file(level: int, terminal: TextIO, path: Path | None = None) -> Path:
    """The console's logging: everything at ``level`` to a file, and only a warning or an
    error to the terminal, in one line, without its traceback (the terminal is the chat).

    Returns:
        The log file (a fresh temporary one unless ``path`` is given).
    """
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="smsbot-console-log-")) / "smsbot.log"
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    to_terminal = logging.StreamHandler(terminal)
    to_terminal.setLevel(logging.WARNING)
    to_terminal.setFormatter(_OneLine())
    root = logging.getLogger()
    root.setLevel(min(level, logging.WARNING))
    root.addHandler(to_file)
    root.addHandler(to_terminal)
    # As in ``smsbot run``: httpx's request lines can carry a GET provider's key.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, level))
    logging.getLogger("telegram").setLevel(max(logging.INFO, level))
    terminal.write(f"(the bot's log is in {path})\n")
    return path


def console_settings(telegram_url: str, env: dict[str, str] | None = None) -> Settings:
    """The bot's settings for the console: the fake Bot API, and a throw-away database unless
    ``SMSBOT_DATABASE`` names one."""
    env = dict(os.environ if env is None else env)
    if not env.get("SMSBOT_DATABASE", "").strip():
        env["SMSBOT_DATABASE"] = str(Path(tempfile.mkdtemp(prefix="smsbot-console-")) / "db")
        if not env.get("SMSBOT_MASTER_KEYS", "").strip():
            # A throw-away database needs no key file on disk.
            env["SMSBOT_MASTER_KEYS"] = "console:" + base64.b64encode(os.urandom(32)).decode()
    # The second demo provider is on loopback: a user may add it (unless the env says no).
    env.setdefault("SMSBOT_CUSTOM_PROVIDERS", "any")
    settings = Settings.from_env(env)
    return dataclasses.replace(
        settings, telegram_token=Secret(CONSOLE_TOKEN), telegram_api_url=telegram_url
    )


async def run_console(
    out: TextIO | None = None,
    *,
    auto_sms: float = 10.0,
    reader: Callable[[asyncio.AbstractEventLoop, asyncio.Queue[str | None]], None] = _line_reader,
) -> int:
    """Runs the fake Bot API, the bot (demo sandbox) and the chat client; returns 0."""
    from bot.serving import DEMO_KEY, serve

    out = out or sys.stdout
    async with FakeTelegramServer(tokens=[CONSOLE_TOKEN]) as telegram:
        settings = console_settings(telegram.url)
        stop = asyncio.Event()
        state = telegram.state
        second: list[str] = []
        bot = asyncio.create_task(
            serve(
                settings, stop, demo_sandbox=True, demo_auto_sms=auto_sms,
                demo_second=second.append,
            ),
            name="bot",
        )
        started = asyncio.create_task(
            state.wait_until(lambda: state.poll_generation > 0, _START_TIMEOUT)
        )
        await asyncio.wait({bot, started}, return_when=asyncio.FIRST_COMPLETED)
        if bot.done():
            started.cancel()
            await bot  # raises what stopped the bot
            return 1
        print(
            "smsbot console: you are a Telegram user chatting with the bot.\n"
            f"The provider is a demo sandbox; its API key is {DEMO_KEY} (send /key, then it).\n"
            + (
                "A second demo provider (cheaper, its numbers never get an SMS): send\n"
                f"  /key {second[0]}\n"
                "then the same demo key, and /buy compares the two.\n"
                if second else ""
            )
            +
            "Type messages and /commands; a number presses that button ('42 sends 42); "
            f"{QUIT} or Ctrl-D leaves.",
            file=out,
            flush=True,
        )
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(
            target=reader, args=(asyncio.get_running_loop(), lines), daemon=True
        ).start()
        try:
            await Console(telegram, out).run(lines)
        finally:
            stop.set()
            await bot
    return 0

"""Every button press is answered in time, whatever its handler does first.

Telegram drops an ``answerCallbackQuery`` that comes more than about 15 s after the press
("query is too old"), and until then the user sees a spinning button and nothing else. A
handler that asks a slow provider before answering would leave the press unanswered for
good. So the button driver (``routing.ButtonRoute``) opens a ``Press`` around each handler:

- a handler's own answer within ``ACKNOWLEDGE_AFTER`` goes through as it is (a toast or an
  alert: "out of date", "not yours", "menu closed" stay where the user looks);
- after ``ACKNOWLEDGE_AFTER`` the driver answers the press itself, empty;
- a handler's answer after that cannot reach Telegram any more: an alert becomes a message
  in the chat (the user must read it), a toast is dropped (the screen shows the outcome).

``AcknowledgingBot`` routes ``answer_callback_query`` through the current press, so no
handler needs to know any of this.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any, Final

from telegram.error import TelegramError
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

ACKNOWLEDGE_AFTER: Final = 1.0  # seconds a handler has to answer a press itself

_PRESS: ContextVar[Press | None] = ContextVar("smsbot_press", default=None)


class Press:
    """One press being handled: whether it has been answered, and by whom."""

    __slots__ = ("_bot", "_late", "_lock", "answered", "chat_id", "query_id")

    def __init__(self, bot: AcknowledgingBot, query_id: str, chat_id: int | None) -> None:
        self._bot = bot
        self._lock = asyncio.Lock()
        self.query_id = query_id
        self.chat_id = chat_id
        self.answered = False
        self._late: asyncio.Task[None] | None = None

    def acknowledge_later(self) -> None:
        """The timer's answer (kept referenced until it is done)."""
        self._late = asyncio.ensure_future(self.acknowledge())

    async def answer(self, text: str | None, show_alert: bool, **kwargs: Any) -> bool:
        """The handler's answer: sent if the press is still unanswered, else an alert is
        said in the chat and a toast dropped."""
        async with self._lock:
            if not self.answered:
                self.answered = True
                return await self._bot.raw_answer(self.query_id, text, show_alert, **kwargs)
        if text and show_alert and self.chat_id is not None:
            await self._bot.send_message(self.chat_id, text)
        return True

    async def acknowledge(self) -> None:
        """Answers the press empty unless it was answered already (never raises)."""
        async with self._lock:
            if self.answered:
                return
            self.answered = True
            try:
                await self._bot.raw_answer(self.query_id, None, False)
            except TelegramError as error:  # too late already: nothing more to do
                log.debug("press %s not acknowledged: %s", self.query_id, error)


class AcknowledgingBot(ExtBot[Any]):
    """The bot whose press answers go through the press being handled (see module doc)."""

    async def answer_callback_query(
        self,
        callback_query_id: str,
        text: str | None = None,
        show_alert: bool | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        press = _PRESS.get()
        if press is None or press.query_id != callback_query_id or args:
            return await super().answer_callback_query(
                callback_query_id, text, show_alert, *args, **kwargs
            )
        return await press.answer(text, bool(show_alert), **kwargs)

    async def raw_answer(
        self, query_id: str, text: str | None, show_alert: bool, **kwargs: Any
    ) -> bool:
        return await super().answer_callback_query(query_id, text, show_alert, **kwargs)


@contextlib.asynccontextmanager
async def acknowledged(bot: object, query_id: str, chat_id: int | None) -> AsyncIterator[None]:
    """Handles one press: its answer is sent within ``ACKNOWLEDGE_AFTER`` whatever happens."""
    if not isinstance(bot, AcknowledgingBot):
        yield
        return
    press = Press(bot, query_id, chat_id)
    token = _PRESS.set(press)
    timer = asyncio.get_running_loop().call_later(ACKNOWLEDGE_AFTER, press.acknowledge_later)
    try:
        yield
    finally:
        timer.cancel()
        _PRESS.reset(token)
        await press.acknowledge()

"""Turns outbox events into Telegram messages: the notifier's Deliverer, on PTB.

A code arrives as a NEW message (so the phone notifies), then the activation message is
updated in place. Telegram's answers become the notifier's terms: a flood limit or a network
failure defers the chat, a blocked bot or a deleted chat gives the event up.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.i18n import Translator
from bot.rendering import Renderer
from bot.services.notifier import DeliveryDeferred, DeliveryImpossible
from bot.services.recorder import CODE_EVENT, ENDED_EVENT, RECONCILED_EVENT
from bot.views import activation_screen, service_name
from storage.activations import Activation, ActivationLedger
from storage.events import Event
from storage.users import UserStore

log = logging.getLogger(__name__)

_ENDED_MESSAGES = {
    "expired": "ended-expired",
    "auto_cancelled": "ended-auto-cancelled",
    "finished": "ended-finished",
}


class TelegramDeliverer:
    """Sends events with a PTB bot.

    Args:
        bot: the PTB bot (with its rate limiter).
        ledger: to read the activation an event is about.
        translator: the translations.
        users: for each user's language.
    """

    def __init__(
        self, bot: Bot, ledger: ActivationLedger, translator: Translator, users: UserStore
    ) -> None:
        self._bot = bot
        self._ledger = ledger
        self._translator = translator
        self._users = users

    async def deliver(self, event: Event) -> None:
        row = await self._ledger.get(int(event.payload["ledger_id"]))
        if row is None:
            raise DeliveryImpossible("no such activation")
        user = await self._users.get(event.user_id)
        language = user.language if user else None
        render = Renderer(self._translator, self._translator.resolve(language))
        try:
            if event.kind == CODE_EVENT:
                await self._send(event.chat_id, self._code_text(render, row, event))
            elif event.kind == RECONCILED_EVENT:
                await self._reconciled(render, row, str(event.payload.get("outcome")))
                return
            elif event.kind == ENDED_EVENT:
                message_id = _ENDED_MESSAGES.get(str(event.payload.get("why")), "ended-expired")
                text = render(message_id, phone=row.phone or "", cost=render.money(row.cost))
                await self._send(event.chat_id, text)
            else:
                raise DeliveryImpossible(f"unknown event kind {event.kind!r}")
        except RetryAfter as flood:
            raise DeliveryDeferred(_seconds(flood.retry_after), "flood limit") from None
        except Forbidden as forbidden:
            raise DeliveryImpossible(f"forbidden: {forbidden.message}") from None
        except BadRequest as bad:
            if "chat not found" in bad.message.lower():
                raise DeliveryImpossible("chat not found") from None
            raise
        except NetworkError as network:  # TimedOut included
            raise DeliveryDeferred(5.0, f"network: {type(network).__name__}") from None
        # The message that shows the activation: best effort, the new message already told.
        await self._refresh_card(render, row)

    async def _reconciled(self, render: Renderer, row: Activation, outcome: str) -> None:
        """A purchase settled after the fact: the number's message, or "not bought"."""
        if outcome != "confirmed":
            await self._send(
                row.chat_id, render("reconciled-not-bought", service=service_name(row))
            )
            return
        screen = await activation_screen(self._ledger, render, row)
        message = await self._bot.send_message(
            row.chat_id,
            render("reconciled-bought") + "\n\n" + screen.text,
            parse_mode=ParseMode.HTML,
            reply_markup=screen.keyboard,
        )
        await self._ledger.set_message(
            row.ledger_id, chat_id=row.chat_id, message_id=message.message_id
        )

    def _code_text(self, render: Renderer, row: Activation, event: Event) -> str:
        code = event.payload.get("code") or event.payload.get("text") or ""
        text = event.payload.get("text")
        args = {"code": str(code), "service": service_name(row), "phone": row.phone or ""}
        if text:
            return render("code-message", text=str(text), **args)
        return render("code-message-no-text", **args)

    async def _send(self, chat_id: int, text: str) -> None:
        await self._bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)

    async def _refresh_card(self, render: Renderer, row: Activation) -> None:
        if row.message_id is None:
            return
        screen = await activation_screen(self._ledger, render, row)
        try:
            await self._bot.edit_message_text(
                screen.text,
                chat_id=row.chat_id,
                message_id=row.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=screen.keyboard,
            )
        except TelegramError as error:
            # "not modified", a deleted message, a flood limit: the card catches up on the
            # next change or press; the event itself was delivered.
            log.info("activation %s: card not updated (%s)", row.ledger_id, error)


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)

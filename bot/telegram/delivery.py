"""Turns outbox events into Telegram messages: the notifier's Deliverer, on PTB.

A code arrives as a NEW message (so the phone notifies), then the activation message is
updated in place. A rent's SMS (sender, time, text) and its end arrive as new messages too, and
a reminder before a rent ends carries its "Extend" button; events are dispatched by kind.
Telegram's answers become the notifier's terms: a flood limit or a network failure defers the
chat, a blocked bot or a deleted chat gives the event up. Every call is marked as a push
(``rate_limit_args``, see bot.telegram.send_policy): codes and rent SMS ahead of everything else.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.core.clock import Clock
from bot.i18n import Translator
from bot.provider import InvalidEndpointError, resolve_endpoint
from bot.services.notifier import DeliveryDeferred, DeliveryImpossible
from bot.services.polling import PROVIDER_SLOW_EVENT
from bot.services.recorder import (
    CODE_EVENT,
    ENDED_EVENT,
    RECONCILED_EVENT,
    RENT_ENDED_EVENT,
    RENT_SMS_EVENT,
)
from bot.services.rent_watcher import RENT_EXTENSION_SETTLED_EVENT, RENT_REMINDER_EVENT
from bot.services.rents import CANCEL_WINDOW, RENT_RECONCILED_EVENT
from bot.telegram.buttons.rent import RentButton
from bot.telegram.cards import redraw_card
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.screens import rent as rent_views
from bot.telegram.screens.activation import activation_screen, service_name
from bot.telegram.send_policy import NOTICE_PUSH, URGENT_PUSH, Push, retry_seconds
from storage.activations import Activation, ActivationLedger
from storage.events import Event
from storage.rents import Rent, RentLedger, RentState
from storage.users import UserStore

log = logging.getLogger(__name__)

_ENDED_MESSAGES = {
    "expired": "ended-expired",
    "auto_cancelled": "ended-auto-cancelled",
    "finished": "ended-finished",
}
_RENT_EVENTS = frozenset(
    {
        RENT_SMS_EVENT,
        RENT_ENDED_EVENT,
        RENT_REMINDER_EVENT,
        RENT_RECONCILED_EVENT,
        RENT_EXTENSION_SETTLED_EVENT,
    }
)
# What the user is waiting for goes out ahead of reminders and notices.
_URGENT_EVENTS = frozenset({CODE_EVENT, RENT_SMS_EVENT})
_RENT_ENDED_MESSAGES = {
    "expired": "rent-ended-expired",
    "finished": "rent-ended-finished",
    "cancelled": "rent-ended-cancelled",
}


class TelegramDeliverer:
    """Sends events with a PTB bot.

    Args:
        bot: the PTB bot (with its rate limiter).
        ledger: to read the activation an event is about.
        rents: to read the rent an event is about.
        clock: "now", for a rent message's buttons.
        translator: the translations.
        users: for each user's language.
    """

    def __init__(
        self,
        bot: ExtBot[Any],
        ledger: ActivationLedger,
        translator: Translator,
        users: UserStore,
        rents: RentLedger,
        clock: Clock,
    ) -> None:
        self._bot = bot
        self._ledger = ledger
        self._translator = translator
        self._users = users
        self._rents = rents
        self._clock = clock
        # Rents whose message already dropped Cancel for an SMS, until their cancel window
        # ends (ledger id -> its end): a later SMS would only re-send the same message.
        self._cancel_dropped: dict[int, float] = {}

    def priority(self, event: Event) -> int:
        """The notifier serves lower first: codes and rent SMS before reminders and notices."""
        return push_for(event).priority

    async def deliver(self, event: Event) -> None:
        user = await self._users.get(event.user_id)
        language = user.language if user else None
        render = Renderer(
            self._translator,
            self._translator.resolve(language),
            zone=user.preferences.time_zone if user else None,
            now=self._clock.now(),
        )
        try:
            if event.kind == PROVIDER_SLOW_EVENT:
                await self._send(event.chat_id, render("provider-slow", provider=_title(event)))
            elif event.kind in _RENT_EVENTS:
                await self._deliver_rent(render, event)
            else:
                await self._deliver_activation(render, event)
        except RetryAfter as flood:
            raise DeliveryDeferred(retry_seconds(flood), "flood limit") from None
        except Forbidden as forbidden:
            raise DeliveryImpossible(f"forbidden: {forbidden.message}") from None
        except BadRequest as bad:
            if "chat not found" in bad.message.lower():
                raise DeliveryImpossible("chat not found") from None
            raise
        except NetworkError as network:  # TimedOut included
            raise DeliveryDeferred(5.0, f"network: {type(network).__name__}") from None

    async def _deliver_activation(self, render: Renderer, event: Event) -> None:
        row = await self._ledger.get(int(event.payload["ledger_id"]))
        if row is None:
            raise DeliveryImpossible("no such activation")
        if event.kind == CODE_EVENT:
            await self._send(event.chat_id, self._code_text(render, row, event), URGENT_PUSH)
        elif event.kind == RECONCILED_EVENT:
            await self._reconciled(render, row, str(event.payload.get("outcome")))
            return
        elif event.kind == ENDED_EVENT:
            message_id = _ENDED_MESSAGES.get(str(event.payload.get("why")), "ended-expired")
            text = render(message_id, phone=row.phone or "", cost=render.money(row.cost))
            await self._send(event.chat_id, text)
        else:
            raise DeliveryImpossible(f"unknown event kind {event.kind!r}")
        # The message that shows the activation: best effort, the new message already told.
        await self._refresh_card(render, row)

    async def _deliver_rent(self, render: Renderer, event: Event) -> None:
        """A rent's SMS or end as a new message; a reminder with the Extend button."""
        row = await self._rents.get(int(event.payload["ledger_id"]))
        if row is None:
            raise DeliveryImpossible("no such rent")
        if event.kind == RENT_SMS_EVENT:
            text = render(
                "rent-sms-message",
                phone=row.phone or "",
                sender=str(event.payload.get("phone_from") or ""),
                at=_sms_time(render, event.payload.get("received_at")),
                text=str(event.payload.get("text") or ""),
            )
            await self._send(event.chat_id, text, URGENT_PUSH)
            # The provider refuses to cancel a rent that got an SMS: its message drops Cancel
            # (shown only in the first minutes, so later SMS cost no edit).
            await self._drop_cancel(render, row)
            return
        if event.kind == RENT_REMINDER_EVENT:
            end = event.payload.get("end_date")
            text = render(
                "rent-reminder",
                phone=row.phone or "",
                end=render.moment(float(end) if isinstance(end, int | float) else row.end_date),
            )
            extend = render.button("button-rent-extend", RentButton("extend", row.ledger_id))
            await self._send(event.chat_id, text, keyboard=InlineKeyboardMarkup([[extend]]))
            return
        if event.kind == RENT_EXTENSION_SETTLED_EVENT:
            if event.payload.get("extended"):
                text = render(
                    "rent-extension-settled",
                    phone=row.phone or "",
                    end=render.moment(row.end_date),
                )
            else:
                text = render("rent-extension-not-made", phone=row.phone or "")
            await self._send(event.chat_id, text)
            await self._refresh_rent_card(render, row)
            return
        if event.kind == RENT_RECONCILED_EVENT:
            await self._rent_reconciled(render, row, str(event.payload.get("outcome")))
            return
        why = str(event.payload.get("why"))
        message_id = _RENT_ENDED_MESSAGES.get(why, "rent-ended-expired")
        await self._send(event.chat_id, render(message_id, phone=row.phone or ""))
        await self._refresh_rent_card(render, row)

    async def _reconciled(self, render: Renderer, row: Activation, outcome: str) -> None:
        """A purchase settled after the fact: the number's message, "not bought", "still
        checking", or a late sale of one the user was told failed (cancelled for the refund)."""
        if outcome == "checking":
            await self._send(row.chat_id, render("reconciled-checking", service=service_name(row)))
            return
        if outcome not in ("confirmed", "adopted"):
            await self._send(
                row.chat_id, render("reconciled-not-bought", service=service_name(row))
            )
            return
        screen = await activation_screen(self._ledger, render, row)
        headline = (
            render("reconciled-adopted", service=service_name(row))
            if outcome == "adopted"
            else render("reconciled-bought")
        )
        message = await self._send_card(row.chat_id, headline, screen)
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

    async def _send(
        self,
        chat_id: int,
        text: str,
        push: Push = NOTICE_PUSH,
        *,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> Message:
        return await self._bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard, rate_limit_args=push
        )

    async def _send_card(self, chat_id: int, headline: str, screen: Screen) -> Message:
        """A card settled after the fact, as a new message under ``headline`` (the message
        the ledger row then points at)."""
        return await self._send(chat_id, headline + "\n\n" + screen.text, keyboard=screen.keyboard)

    async def _rent_reconciled(self, render: Renderer, row: Rent, outcome: str) -> None:
        """A rent settled after the fact: the rent message, "not rented" or "still checking"."""
        name = rent_views.rent_service_name(row, render)
        if outcome == "checking":
            await self._send(row.chat_id, render("rent-reconciled-checking", service=name))
            return
        if outcome == "adopted" and row.state is RentState.CANCELLED:
            await self._send(
                row.chat_id,
                render("rent-reconciled-adopted-cancelled", service=name, phone=row.phone or ""),
            )
            return
        if outcome not in ("confirmed", "adopted"):
            await self._send(row.chat_id, render("rent-reconciled-not-rented", service=name))
            return
        screen = await rent_views.rent_card(self._rents, render, row, self._clock.now())
        headline = (
            render("rent-reconciled-adopted-kept", service=name)
            if outcome == "adopted"
            else render("rent-reconciled-rented")
        )
        message = await self._send_card(row.chat_id, headline, screen)
        await self._rents.set_message(
            row.ledger_id, chat_id=row.chat_id, message_id=message.message_id
        )

    async def _drop_cancel(self, render: Renderer, row: Rent) -> None:
        """Redraws a rent's message without Cancel after its first SMS, within the window in
        which Cancel is shown at all (once per rent per process)."""
        now = self._clock.now()
        window_end = (row.confirmed_at or row.created_at) + CANCEL_WINDOW
        for ledger_id, end in list(self._cancel_dropped.items()):
            if end <= now:
                del self._cancel_dropped[ledger_id]
        if now >= window_end or row.ledger_id in self._cancel_dropped:
            return
        self._cancel_dropped[row.ledger_id] = window_end
        await self._refresh_rent_card(render, row)

    async def _refresh_rent_card(self, render: Renderer, row: Rent) -> None:
        if row.message_id is None:
            return
        screen = await rent_views.rent_card(self._rents, render, row, self._clock.now())
        await redraw_card(
            self._bot,
            row.chat_id,
            row.message_id,
            screen,
            f"rent {row.ledger_id}",
            push=NOTICE_PUSH,
        )

    async def _refresh_card(self, render: Renderer, row: Activation) -> None:
        if row.message_id is None:
            return
        screen = await activation_screen(self._ledger, render, row)
        await redraw_card(
            self._bot,
            row.chat_id,
            row.message_id,
            screen,
            f"activation {row.ledger_id}",
            push=NOTICE_PUSH,
        )


def push_for(event: Event) -> Push:
    """The push class of an event's calls (bot.telegram.send_policy)."""
    return URGENT_PUSH if event.kind in _URGENT_EVENTS else NOTICE_PUSH


def _sms_time(render: Renderer, stamp: object) -> str:
    """The provider's date of an SMS (ISO text in the event), as the user reads times."""
    if not isinstance(stamp, str) or not stamp:
        return "—"
    try:
        return render.moment(datetime.fromisoformat(stamp).timestamp())
    except ValueError:
        return stamp


def _title(event: Event) -> str:
    """The provider a notice is about, by the name its menus use (a URL's host)."""
    setting = str(event.payload.get("provider") or "")
    try:
        return resolve_endpoint(setting).title
    except InvalidEndpointError:
        return setting

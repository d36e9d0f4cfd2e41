"""Re-drawing the message that shows a ledger row (an activation's or a rent's card).

Shared by the deliverer (a pushed change) and the handlers (a press elsewhere changed the row);
it is best effort in both: the card catches up on the next change or press.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.telegram.rendering import Screen
from bot.telegram.send_policy import Push

log = logging.getLogger(__name__)


async def redraw_card(
    bot: Bot, chat_id: int, message_id: int, screen: Screen, what: str, *, push: Push | None = None
) -> None:
    """Replaces the card's text and buttons with ``screen``; ``what`` names the row in logs.

    ``push`` marks a redraw the notifier makes (paced as a push, see bot.telegram.send_policy); a
    press's redraw is a reply.
    """
    # Only PTB's ExtBot (the one with the rate limiter) takes rate_limit_args.
    pacing: dict[str, Any] = (
        {"rate_limit_args": push} if push is not None and isinstance(bot, ExtBot) else {}
    )
    try:
        await bot.edit_message_text(
            screen.text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=screen.keyboard,
            **pacing,
        )
    except TelegramError as error:
        # "not modified", a deleted message, a flood limit: nothing is lost, the event itself
        # was delivered or the press answered.
        log.info("%s: card not updated (%s)", what, error)

"""Re-drawing the message that shows a ledger row (an activation's or a rent's card).

Shared by the deliverer (a pushed change) and the handlers (a press elsewhere changed the row);
it is best effort in both: the card catches up on the next change or press.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.telegram.rendering import Screen

log = logging.getLogger(__name__)


async def redraw_card(bot: Bot, chat_id: int, message_id: int, screen: Screen, what: str) -> None:
    """Replaces the card's text and buttons with ``screen``; ``what`` names the row in logs."""
    try:
        await bot.edit_message_text(
            screen.text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=screen.keyboard,
        )
    except TelegramError as error:
        # "not modified", a deleted message, a flood limit: nothing is lost, the event itself
        # was delivered or the press answered.
        log.info("%s: card not updated (%s)", what, error)

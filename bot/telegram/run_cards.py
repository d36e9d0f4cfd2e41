"""Auto-replace runs' live cards: one message per run, redrawn at each change.

The service tells of a change (:attr:`AutoReplaceService.on_change`); the card is the message
kept with the run, or a new one (then kept) when the run has none, so a run resumed after a
restart keeps its card.
"""

from __future__ import annotations

from telegram import Bot
from telegram.constants import ParseMode

from bot.services.container import Services
from bot.telegram.cards import redraw_card
from bot.telegram.rendering import Renderer
from bot.telegram.screens.autoreplace import run_card
from storage.autoreplace import Run


class RunCards:
    """Draws runs' cards with ``bot``."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self._bot = bot
        self._services = services

    async def redraw(self, run: Run) -> None:
        svc = self._services
        user = await svc.users.get(run.user_id)
        render = Renderer(svc.translator, svc.translator.resolve(user.language if user else None))
        screen = await run_card(svc, render, run)
        if run.card_message_id is not None:
            what = f"auto-replace run {run.run_id}"
            await redraw_card(self._bot, run.chat_id, run.card_message_id, screen, what)
            return
        message = await self._bot.send_message(
            run.chat_id, screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
        )
        assert svc.autoreplace is not None
        await svc.autoreplace.set_card(run.run_id, message.message_id)

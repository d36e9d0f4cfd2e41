"""Wiring the fake to python-telegram-bot for direct delivery (no polling)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.fake_telegram.updates import UpdateHandler


def process_with(application: Application[Any, Any, Any, Any, Any, Any]) -> UpdateHandler:
    """An update handler that runs `application.process_update` on each update.

    Use with ``fake.state.deliver_directly(process_with(app))``: then ``await user.send_text(...)``
    returns after the bot has handled the message. The application must be initialized.
    """

    async def handle(update: dict[str, Any]) -> None:
        await application.process_update(Update.de_json(update, application.bot))

    return handle

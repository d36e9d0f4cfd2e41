"""Access control, stale buttons, and the error handler: no failure reaches the user as silence.

Also the first handler of every update, which scopes its reads of the user's row.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    TypeHandler,
)

from bot.telegram.context import Context
from bot.telegram.handlers.common import renderer, send

log = logging.getLogger(__name__)


def build_update_scope() -> BaseHandler:  # type: ignore[type-arg]
    """Runs first for every update: its user's row is read from the database once per update
    (the language, then the provider, asked for it twice)."""

    async def begin(update: object, context: Context) -> None:
        context.bot_data.services.users.begin_update()

    return TypeHandler(Update, begin)


def build_access_guard(allowed: frozenset[int]) -> BaseHandler:  # type: ignore[type-arg]
    async def guard(update: object, context: Context) -> None:
        if not isinstance(update, Update):
            return
        user = update.effective_user
        if user is not None and user.id in allowed:
            return
        render = await renderer(update, context)
        if update.callback_query is not None:
            await update.callback_query.answer(render("not-allowed"), show_alert=True)
        elif update.effective_chat is not None and update.effective_message is not None:
            await send(update, render("not-allowed"))
        raise ApplicationHandlerStop

    return TypeHandler(Update, guard)


def build_sender_guard() -> BaseHandler:  # type: ignore[type-arg]
    """Answers a message with no sender (a channel post, a message sent as a chat): every
    handler acts for a person, so none of them may see it."""

    async def guard(update: object, context: Context) -> None:
        if not isinstance(update, Update) or update.effective_user is not None:
            return
        message = update.effective_message
        if message is not None and update.effective_chat is not None:
            is_command = (message.text or "").startswith("/")
            if is_command or update.effective_chat.type != "channel":
                render = await renderer(update, context)
                try:
                    await send(update, render("no-sender"))
                except TelegramError as error:  # e.g. not allowed to post there
                    log.info("could not answer a message with no sender: %s", error)
        raise ApplicationHandlerStop

    return TypeHandler(Update, guard)


def build_stale_button_handler() -> BaseHandler:  # type: ignore[type-arg]
    """Answers any button no other handler took (old menus, forged data)."""

    async def stale(update: Update, context: Context) -> None:
        render = await renderer(update, context)
        assert update.callback_query is not None
        await update.callback_query.answer(render("press-stale"))

    return CallbackQueryHandler(stale)


async def on_error(update: object, context: Context) -> None:
    # Log the class and where, never the update (it may hold a key someone typed).
    error = context.error
    if error is not None:
        log.error(
            "handler failed: %s",
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__),
        )
    if not isinstance(update, Update):
        return
    try:
        render = await renderer(update, context)
        if update.callback_query is not None:
            try:
                await update.callback_query.answer(render("error-generic"), show_alert=True)
                return
            except TelegramError:
                # Already answered (a confirm says "Buying…" before it pays): a toast can no
                # longer be shown, so the chat is told instead of nothing at all.
                pass
        if update.effective_chat is not None:
            await send(update, render("error-generic"))
    except Exception:
        log.exception("could not tell the user about an error")

"""Access control, stale buttons, and the error handler: no failure reaches the user as silence.

Also the first handler of every update, which scopes its reads of the user's row.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    TypeHandler,
)

from bot.context import Context
from bot.handlers.common import renderer, send

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
            await update.callback_query.answer(render("error-generic"), show_alert=True)
        elif update.effective_chat is not None:
            await send(update, render("error-generic"))
    except Exception:
        log.exception("could not tell the user about an error")

"""Private chats only: what a chat guard lets through, and what a command ends.

Everything the bot does is one person's: their balance, numbers, codes and key. In a group
every member would see them, so in any chat but a private one a command gets a one-line
answer ("do this in a private chat with me"), a button on an old message is refused with an
alert, and other messages are ignored. Only /key passes, so that "/key SECRET" is still
deleted there (see :func:`bot.telegram.handlers.keys.ask_key`).

In a private chat, any command but /key ends a pending /key step: the next message is then
read as what that command asked for, never as a key.
"""

from __future__ import annotations

from telegram import MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.telegram.context import Context
from bot.telegram.handlers.common import renderer, send, services


def _command_of(update: Update, bot_username: str | None) -> str | None:
    """The command a message starts with ("buy"), "" for a command addressed to another bot,
    or None when the message is not a command."""
    message = update.effective_message
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    name, _, addressee = message.text[1 : first.length].partition("@")
    if addressee and (bot_username is None or addressee.lower() != bot_username.lower()):
        return ""
    return name.lower()


async def guard(update: object, context: Context) -> None:
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type == ChatType.PRIVATE:
        command = _command_of(update, context.bot.username)
        if command and command != "key" and update.effective_user is not None:
            await services(context).key_entries.close(update.effective_user.id)
        return
    if update.effective_user is None:  # a channel post, an anonymous admin
        raise ApplicationHandlerStop
    query = update.callback_query
    if query is not None:
        render = await renderer(update, context)
        await query.answer(render("private-only"), show_alert=True)
        raise ApplicationHandlerStop
    if update.message is None:  # an edit, a member update…
        raise ApplicationHandlerStop
    command = _command_of(update, context.bot.username)
    if command == "key":
        return
    if command:
        render = await renderer(update, context)
        await send(update, render("private-only"))
    raise ApplicationHandlerStop


def build_guard() -> BaseHandler:  # type: ignore[type-arg]
    """The handler that keeps every feature to private chats; add it before all others."""
    return TypeHandler(Update, guard)

"""The answer to an update over its user's queue cap: "busy, one moment", nothing else.

It runs outside any handler and without a slot, so it does only a read and one Bot API call.
"""

from __future__ import annotations

from telegram import Update

from bot.i18n import Translator
from bot.telegram.updates import BusyAnswer
from storage.users import UserStore


def busy_answer(translator: Translator, users: UserStore) -> BusyAnswer:
    """Answers a button press with a toast, a message with a short message, others not at all."""

    async def answer(update: Update) -> None:
        user = update.effective_user
        stored = None if user is None else await users.get(user.id)
        locale = translator.resolve(
            stored.language if stored is not None else None,
            user.language_code if user is not None else None,
        )
        text = translator.t(locale, "updates-busy")
        if update.callback_query is not None:
            await update.callback_query.answer(text)
        elif update.message is not None:
            await update.message.reply_text(text, do_quote=False)

    return answer

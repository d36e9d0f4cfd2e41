"""/key: the user's encrypted API key, typed as the next message (or after the command).

The message that holds a key is deleted as soon as it arrives, and the key is shown back only
masked. /key works only in a private chat. The step "the next message is the key" is kept in
the database (:class:`~storage.key_entries.KeyEntries`) before the bot answers /key, bound to
that chat and lapsing after ``KEY_ENTRY_TTL``; one message ends it, whether the key in it is
accepted or not, and so does any other command.

/forgetkey lives in ``forget_key.py``, /provider in ``provider_choice.py``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import (
    PRESETS,
    InvalidEndpointError,
    ProviderError,
    resolve_endpoint,
)
from bot.services.account_errors import (
    CustomProviderRefusedError,
    KeyRejectedError,
    LiveNumbersError,
    MalformedKeyError,
    TooManyKeyAttemptsError,
)
from bot.telegram import flows
from bot.telegram.buttons.offers import KeyFor
from bot.telegram.buttons.shapes import digest
from bot.telegram.context import Context
from bot.telegram.flow_types import Question
from bot.telegram.handlers.common import chat_id, renderer, send, services, show, user_id
from bot.telegram.rendering import Renderer, Screen
from bot.telegram.routing import Press, on_button
from bot.telegram.screens.offers import title_for
from bot.telegram.send_policy import retry_seconds

log = logging.getLogger(__name__)

KEY_ENTRY_TTL: Final = 600.0  # seconds after /key during which the next message is the key
# A refused delete of a key's message (a flood limit) is tried again after the wait Telegram
# names, this many times in all, within this many seconds.
_DELETE_ATTEMPTS: Final = 3
_DELETE_BUDGET: Final = 20.0


async def ask_key(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    message = update.effective_message
    assert message is not None and context.user_data is not None
    key_entries = services(context).key_entries
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        if context.args:  # "/key SECRET" in a group: remove it, and say if that failed
            deleted = await delete_key_message(message)
            await send(update, render("private-only") + _deleted_notice(render, deleted))
        else:
            await _delete_quietly(update)
            await send(update, render("private-only"))
        return
    named = _named_provider(context.args or [])
    if context.args and named is None:  # "/key SECRET": the key came with the command
        await key_entries.close(user_id(update))
        flows.end_question(context)
        await _take_key(update, context, render, message, " ".join(context.args))
        return
    if named is None:
        choices = await _key_choices(update, context)
        if len(choices) > 1:  # which provider is the key for? The current one unless a tap
            # says otherwise: a key pasted straight away is taken (and deleted) as its key,
            # never left in the chat or searched by a picker. Durable before the answer.
            await key_entries.open(user_id(update), chat_id(update), ttl=KEY_ENTRY_TTL)
            flows.ask(context, Question.KEY)
            keyboard = _key_choice_keyboard(context, choices, current=0)
            current = title_for(context, choices[0])
            await send(update, render("key-which", provider=current), keyboard)
            return
    if named is not None:  # "/key grizzlysms": a key for that provider, the next message
        try:
            endpoint = resolve_endpoint(named)
        except InvalidEndpointError:
            await send(update, render("provider-bad-url"))
            return
    else:
        endpoint = await services(context).accounts.endpoint_of(user_id(update))
    # Durable before the answer (the provider too): after a crash the next message must
    # still be known as a key, for the provider it was asked for.
    await key_entries.open(
        user_id(update), chat_id(update), ttl=KEY_ENTRY_TTL,
        provider=endpoint.key if named is not None else None,
    )
    flows.ask(context, Question.KEY)  # typed text is the key now, not a picker's search
    await send(update, render("key-ask", provider=endpoint.title))


async def _key_choices(update: Update, context: Context) -> list[str]:
    """The providers a bare /key may be for: the current one, then the others with a key."""
    accounts = services(context).accounts
    current = (await accounts.endpoint_of(user_id(update))).key
    others = [p for p in await accounts.providers_with_keys(user_id(update)) if p != current]
    return [current, *others]


def _key_choice_keyboard(
    context: Context, choices: list[str], *, current: int
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                ("✓ " if index == current else "") + title_for(context, provider),
                callback_data=KeyFor(index, digest(provider)).pack(),
            )
        ]
        for index, provider in enumerate(choices)
    ]
    return InlineKeyboardMarkup(rows)


@on_button(KeyFor)
async def key_for(press: Press[KeyFor]) -> None:
    """A provider chosen after a bare /key: the next message is the key for it (the step is
    durable, with its provider, before the answer)."""
    assert press.context.user_data is not None
    choices = await _key_choices(press.update, press.context)
    if (
        not 0 <= press.button.index < len(choices)
        or press.update.effective_chat is None
        or press.button.check != digest(choices[press.button.index])
    ):  # the list changed since it was shown (another current provider): not what it says
        await press.query.answer(press.render("press-stale"))
        return
    if press.update.effective_chat.type != ChatType.PRIVATE:
        await press.query.answer(press.render("private-only"))
        return
    provider = choices[press.button.index]
    await press.services.key_entries.open(
        press.user_id, press.chat_id, ttl=KEY_ENTRY_TTL,
        provider=None if press.button.index == 0 else provider,
    )
    flows.ask(press.context, Question.KEY)  # typed text is the key now, not a picker's search
    await press.query.answer()
    title = title_for(press.context, provider)
    await show(press.query, Screen(press.render("key-ask", provider=title)))


async def expects_key(update: Update, context: Context) -> bool:
    """Whether this message is the key /key asked for: the user's step is open in this chat,
    and no other question (a provider URL, a max price…) was asked after it."""
    assert context.user_data is not None
    key_entries = services(context).key_entries
    if update.effective_user is None or update.effective_chat is None:
        return False
    if not await key_entries.is_open(user_id(update), chat_id(update)):
        # Lapsed, or a copy from before a crash.
        flows.end_question(context, Question.KEY)
        return False
    if flows.asked(context) is Question.KEY or not key_entries.opened_here(user_id(update)):
        return True
    await key_entries.close(user_id(update))  # a later question took the step's place
    return False


async def receive_key(update: Update, context: Context, text: str) -> None:
    """The message after /key (its text, or a photo's caption): deleted, then the key in it
    checked and stored. Either way the key step ends: a refused key needs a new /key."""
    render = await renderer(update, context)
    message = update.effective_message
    assert message is not None and context.user_data is not None
    key_entries = services(context).key_entries
    provider = await key_entries.provider_of(user_id(update))
    await key_entries.close(user_id(update))
    flows.end_question(context)
    await _take_key(update, context, render, message, text, provider)


def _named_provider(args: list[str]) -> str | None:
    """The provider "/key <preset or URL>" names, or None when the argument is the key."""
    if len(args) != 1:
        return None
    word = args[0].strip()
    if word.lower() in PRESETS:
        return word.lower()
    return word if word.lower().startswith(("http://", "https://")) else None


async def _take_key(
    update: Update,
    context: Context,
    render: Renderer,
    message: Message,
    text: str,
    provider: str | None = None,
) -> None:
    """Deletes the message holding a key while the key is checked and stored (for
    ``provider``, else the current one), then tells the user both outcomes (the delete's only
    as it really went)."""
    deletion = asyncio.create_task(delete_key_message(message))
    try:
        endpoint = (
            resolve_endpoint(provider) if provider is not None
            else await services(context).accounts.endpoint_of(user_id(update))
        )
        progress = await send(update, render("key-checking", provider=endpoint.title))
        stored, reply = await _store_key(update, context, render, text, provider)
    finally:
        deleted = await deletion
    if not stored:
        reply += "\n" + render("key-entry-ended")
    await progress.edit_text(reply + _deleted_notice(render, deleted), parse_mode="HTML")


def _deleted_notice(render: Renderer, deleted: bool) -> str:
    return "\n" + render("key-deleted-notice" if deleted else "key-not-deleted-notice")


async def _store_key(
    update: Update, context: Context, render: Renderer, text: str, provider: str | None = None
) -> tuple[bool, str]:
    """Checks and stores a key (for ``provider``, else the current provider); whether it was
    stored, and what to tell the user."""
    accounts = services(context).accounts
    current = await accounts.endpoint_of(user_id(update))
    endpoint = current if provider is None else resolve_endpoint(provider)
    try:
        if endpoint.key == current.key:
            balance = await accounts.set_key(user_id(update), text)
        else:
            balance = await accounts.set_key_for(user_id(update), endpoint.key, text)
    except InvalidEndpointError:
        return False, render("provider-bad-url")
    except CustomProviderRefusedError as refused:
        return False, render("provider-url-refused", reason=refused.reason)
    except LiveNumbersError:
        return False, render("key-busy", provider=endpoint.title)
    except TooManyKeyAttemptsError as limited:
        return False, render("key-too-many", minutes=max(1, round(limited.retry_in / 60)))
    except MalformedKeyError:
        return False, render("key-malformed")
    except KeyRejectedError:
        return False, render("key-rejected", provider=endpoint.title)
    except ProviderError as error:
        return False, render("request-failed", reason=render.error(error))
    if endpoint.key != current.key:
        money = render.money(balance.balance)
        return True, render("key-saved-for", provider=endpoint.title, balance=money)
    masked = await accounts.masked_key(user_id(update))
    return True, render("key-saved", masked=masked or "", balance=render.money(balance.balance))


async def delete_key_message(message: Message) -> bool:
    """Deletes a message that holds a key; True once it is gone.

    A flood limit (429) is tried again after the wait Telegram names, up to
    ``_DELETE_ATTEMPTS`` times within ``_DELETE_BUDGET`` seconds; any other refusal (too old,
    no right to delete) is final. A message already gone counts as deleted.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _DELETE_BUDGET
    for attempt in range(1, _DELETE_ATTEMPTS + 1):
        try:
            await message.delete()
            return True
        except RetryAfter as flood:
            wait = retry_seconds(flood)
            if attempt == _DELETE_ATTEMPTS or loop.time() + wait > deadline:
                break
            await asyncio.sleep(wait)
        except BadRequest as error:
            if "not found" in error.message.lower():
                return True
            log.warning("could not delete a message holding a key: %s", error.message)
            return False
        except TelegramError as error:
            log.warning("could not delete a message holding a key: %s", type(error).__name__)
            return False
    log.warning("could not delete a message holding a key: flood limit, gave up")
    return False


async def _delete_quietly(update: Update) -> None:
    message = update.effective_message
    if message is None:
        return
    try:
        await message.delete()
    except TelegramError as error:  # too old, or no right to: say so in the log, go on
        log.warning("could not delete a message holding a key: %s", error)



def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [CommandHandler("key", ask_key), key_for.handler()]

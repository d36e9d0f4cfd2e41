"""Sending, editing and deleting messages, and chat actions.

The checks follow Telegram: text rules in `formatting`, markup rules in `markup`; an edit that
changes nothing is refused; ``editMessageText`` without ``reply_markup`` removes the inline
keyboard, as it does on Telegram; only the bot's own messages can be edited, but in a private chat
the bot may delete the person's messages too (within 48 hours).
"""

from __future__ import annotations

from typing import Any, Final

from bot.fake_telegram.errors import bad_request
from bot.fake_telegram.formatting import format_text
from bot.fake_telegram.markup import check_reply_markup, reply_keyboard_labels
from bot.fake_telegram.methods.base import by_api_name, chat_of, message_of
from bot.fake_telegram.params import Params
from bot.fake_telegram.records import ChatRecord, MessageContent, MessageRecord
from bot.fake_telegram.state import FakeTelegramState

_DELETE_WINDOW: Final = 48 * 3600
_NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS: Final = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)  # fmt: skip


def _text_of(state: FakeTelegramState, params: Params) -> tuple[str, tuple[dict[str, Any], ...]]:
    text, entities = format_text(
        params.string("text"),
        params.string("parse_mode"),
        params.json("entities", "entities"),
        strict_ampersand=state.strict_ampersand,
    )
    return text, tuple(entities)


def _inline_markup(params: Params) -> dict[str, Any] | None:
    markup = check_reply_markup(params.value("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def _editable(state: FakeTelegramState, params: Params) -> tuple[ChatRecord, MessageRecord]:
    if params.has("inline_message_id"):
        raise bad_request("inline messages are not supported by this fake")
    chat = chat_of(state, params)
    message = message_of(chat, params, not_found="message to edit not found")
    if message.sender is not state.bot:
        raise bad_request("message can't be edited")
    return chat, message


def _apply_edit(state: FakeTelegramState, message: MessageRecord, new: MessageContent) -> object:
    if new == message.content:
        raise bad_request(_NOT_MODIFIED)
    state.edit_message(message, new)
    return state.message_json(message)


async def send_message(state: FakeTelegramState, params: Params) -> object:
    """``sendMessage``: text (plain or HTML) with an optional keyboard, to a private chat."""
    chat = chat_of(state, params)
    text, entities = _text_of(state, params)
    markup = check_reply_markup(params.value("reply_markup"))
    state.require_writable(chat)
    message = state.add_message(chat, state.bot, MessageContent(text, entities, markup))
    if markup is not None and "keyboard" in markup:
        chat.reply_keyboard = reply_keyboard_labels(markup)
    elif markup is not None and markup.get("remove_keyboard"):
        chat.reply_keyboard = None
    return state.message_json(message)


async def edit_message_text(state: FakeTelegramState, params: Params) -> object:
    """``editMessageText``: new text; the inline keyboard becomes ``reply_markup`` or none."""
    _, message = _editable(state, params)
    text, entities = _text_of(state, params)
    return _apply_edit(state, message, MessageContent(text, entities, _inline_markup(params)))


async def edit_message_reply_markup(state: FakeTelegramState, params: Params) -> object:
    """``editMessageReplyMarkup``: a new inline keyboard, or none when omitted."""
    _, message = _editable(state, params)
    current = message.content
    new = MessageContent(current.text, current.entities, _inline_markup(params))
    return _apply_edit(state, message, new)


async def delete_message(state: FakeTelegramState, params: Params) -> object:
    """``deleteMessage``: the bot's own messages and, in private chats, the person's."""
    chat = chat_of(state, params)
    message = message_of(chat, params, not_found="message to delete not found")
    if state.now() - message.date > _DELETE_WINDOW:
        raise bad_request("message can't be deleted for everyone")
    state.delete_message(message)
    return True


async def send_chat_action(state: FakeTelegramState, params: Params) -> object:
    """``sendChatAction``: recorded in the chat's `actions`."""
    chat = chat_of(state, params)
    action = params.string("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.require_writable(chat)
    chat.actions.append(action)
    state.changed()
    return True


METHODS = by_api_name(
    send_message, edit_message_text, edit_message_reply_markup, delete_message, send_chat_action
)

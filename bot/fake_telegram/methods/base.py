"""What a fake Bot API method is, and the parameter lookups most of them share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.fake_telegram.errors import ApiError, bad_request
from bot.fake_telegram.params import Params
from bot.fake_telegram.records import ChatRecord, MessageRecord
from bot.fake_telegram.state import FakeTelegramState

Method = Callable[[FakeTelegramState, Params], Awaitable[object]]


def by_api_name(*methods: Method) -> dict[str, Method]:
    """``methods`` by the Bot API names they serve: ``send_message`` serves ``sendMessage``."""
    return {_api_name(method.__name__): method for method in methods}


def _api_name(function_name: str) -> str:
    first, *rest = function_name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def chat_of(state: FakeTelegramState, params: Params) -> ChatRecord:
    """The chat named by ``chat_id``.

    Raises:
        ApiError: ``chat_id is empty`` when absent; ``chat not found`` when unknown or not a
            number (this fake has no @channel usernames).
    """
    if not params.has("chat_id") or params.string("chat_id") == "":
        raise bad_request("chat_id is empty")
    try:
        chat_id = params.integer("chat_id")
    except ApiError:  # an @username or garbage: Telegram looks it up and finds nothing
        chat_id = None
    return state.require_chat(chat_id)


def message_of(chat: ChatRecord, params: Params, *, not_found: str) -> MessageRecord:
    """The live message named by ``message_id`` in `chat`.

    Raises:
        ApiError: ``message identifier is not specified``, or `not_found` when the message does
            not exist or was deleted.
    """
    message_id = params.integer(
        "message_id", missing=bad_request("message identifier is not specified")
    )
    message = chat.messages.get(message_id) if message_id is not None else None
    if message is None or message.deleted:
        raise bad_request(not_found)
    return message

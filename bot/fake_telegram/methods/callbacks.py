"""``answerCallbackQuery``: each press is answerable once, within the timeout."""

from __future__ import annotations

from typing import Final

from bot.fake_telegram.errors import bad_request
from bot.fake_telegram.methods.base import by_api_name
from bot.fake_telegram.params import Params
from bot.fake_telegram.records import CallbackAnswer
from bot.fake_telegram.state import FakeTelegramState
from bot.fake_telegram.text import utf16_len

MAX_ANSWER_LENGTH: Final = 200
_TOO_OLD: Final = "query is too old and response timeout expired or query ID is invalid"


async def answer_callback_query(state: FakeTelegramState, params: Params) -> object:
    """Record the answer to a press.

    Raises:
        ApiError: ``query is too old and response timeout expired or query ID is invalid`` for an
            unknown id, a second answer, or an answer later than `state.callback_timeout`
            seconds (clock time) after the press; ``MESSAGE_TOO_LONG`` for a text over 200.
    """
    query = state.callback_queries.get(params.string("callback_query_id") or "")
    if query is None or query.answer is not None:
        raise bad_request(_TOO_OLD)
    if state.clock.now() - query.pressed_at > state.callback_timeout:
        raise bad_request(_TOO_OLD)
    text = params.string("text")
    if text is not None and utf16_len(text) > MAX_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = CallbackAnswer(
        text=text or None,
        show_alert=params.flag("show_alert"),
        url=params.string("url"),
        cache_time=params.integer("cache_time") or 0,
        answered_at=state.clock.now(),
    )
    state.changed()
    return True


METHODS = by_api_name(answer_callback_query)

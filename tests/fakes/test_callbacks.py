"""answerCallbackQuery: once, in time, with a short text."""

from __future__ import annotations

from bot.core.clock import ManualClock
from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.fakes.raw_api import RawBotApi

TOO_OLD = (400, "Bad Request: query is too old and response timeout expired or query ID is invalid")


async def _press_buy(api: RawBotApi, user: FakeUser) -> str:
    await api.ok(
        "sendMessage",
        chat_id=user.id,
        text="pick",
        reply_markup={"inline_keyboard": [[{"text": "Buy", "callback_data": "buy:7"}]]},
    )
    return await user.press("Buy")


async def test_an_answer_is_recorded(api: RawBotApi, ann: FakeUser) -> None:
    query_id = await _press_buy(api, ann)
    assert ann.answer_for(query_id) is None
    assert (
        await api.ok(
            "answerCallbackQuery", callback_query_id=query_id, text="Bought", show_alert=True
        )
        is True
    )
    answer = ann.answer_for(query_id)
    assert answer is not None
    assert (answer.text, answer.show_alert) == ("Bought", True)


async def test_unknown_twice_and_late_answers_are_refused(
    api: RawBotApi, ann: FakeUser, clock: ManualClock
) -> None:
    assert await api.error("answerCallbackQuery", callback_query_id="nope") == TOO_OLD
    first = await _press_buy(api, ann)
    assert await api.ok("answerCallbackQuery", callback_query_id=first)
    assert await api.error("answerCallbackQuery", callback_query_id=first) == TOO_OLD
    late = await ann.press("Buy")
    clock.advance(15.5)
    assert await api.error("answerCallbackQuery", callback_query_id=late) == TOO_OLD


async def test_the_timeout_is_configurable(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser, clock: ManualClock
) -> None:
    fake.state.callback_timeout = 60
    query_id = await _press_buy(api, ann)
    clock.advance(59)
    assert await api.ok("answerCallbackQuery", callback_query_id=query_id)


async def test_answer_text_is_at_most_200_characters(api: RawBotApi, ann: FakeUser) -> None:
    query_id = await _press_buy(api, ann)
    assert await api.error("answerCallbackQuery", callback_query_id=query_id, text="x" * 201) == (
        400,
        "Bad Request: MESSAGE_TOO_LONG",
    )
    # A refused answer does not use the query up.
    assert await api.ok("answerCallbackQuery", callback_query_id=query_id, text="x" * 200)

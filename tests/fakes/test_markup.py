"""Inline keyboards: Telegram's button rules."""

from __future__ import annotations

from typing import Any

import pytest

from bot.fake_telegram import FakeUser
from tests.fakes.raw_api import RawBotApi


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "x", "callback_data": ""}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": "a" * 65}, "Bad Request: BUTTON_DATA_INVALID"),
        # 64 characters, but 128 bytes of UTF-8: Telegram counts bytes.
        ({"text": "x", "callback_data": "ж" * 33}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "url": "ftp://example.com"}, "Bad Request: BUTTON_URL_INVALID"),
        ({"text": "x", "url": "example.com"}, "Bad Request: BUTTON_URL_INVALID"),
        ({"text": "x"}, "Bad Request: text buttons are unallowed in the inline keyboard"),
        (
            {"callback_data": "a"},
            'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String',
        ),
        ({"text": "x", "callback_data": "a", "url": "https://x.org"}, None),
    ],
)
async def test_bad_buttons_are_refused(
    api: RawBotApi, ann: FakeUser, button: dict[str, Any], description: str | None
) -> None:
    status, found = await api.error(
        "sendMessage", chat_id=ann.id, text="pick", reply_markup=keyboard(button)
    )
    assert status == 400
    if description is None:  # two actions: the fake's own, stricter wording
        assert "exactly one of the optional fields" in found
    else:
        assert found == description


async def test_good_buttons_pass(api: RawBotApi, ann: FakeUser) -> None:
    buttons = [
        {"text": "a", "callback_data": "a" * 64},
        {"text": "b", "callback_data": "ж" * 32},
        {"text": "c", "url": "https://example.com"},
        {"text": "d", "url": "tg://resolve?domain=x"},
    ]
    result = await api.ok("sendMessage", chat_id=ann.id, text="ok", reply_markup=keyboard(*buttons))
    assert result["reply_markup"]["inline_keyboard"] == [buttons]


async def test_at_most_100_buttons(api: RawBotApi, ann: FakeUser) -> None:
    rows = [[{"text": str(i), "callback_data": str(i)}] for i in range(101)]
    assert await api.error(
        "sendMessage", chat_id=ann.id, text="many", reply_markup={"inline_keyboard": rows}
    ) == (400, "Bad Request: reply markup is too long")
    assert await api.ok(
        "sendMessage", chat_id=ann.id, text="many", reply_markup={"inline_keyboard": rows[:100]}
    )


async def test_markup_that_is_not_json(api: RawBotApi, ann: FakeUser) -> None:
    assert await api.error("sendMessage", chat_id=ann.id, text="x", reply_markup="{not json") == (
        400,
        "Bad Request: can't parse reply keyboard markup JSON object",
    )

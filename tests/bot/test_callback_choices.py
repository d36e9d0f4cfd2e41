"""A button whose field names a choice takes only that choice's values."""

from __future__ import annotations

import enum

import pytest

from bot.fake_telegram import FakeUser
from bot.telegram.buttons.activation import ActivationButton
from bot.telegram.buttons.prices import PricesPick
from bot.telegram.buttons.rent import RentButton
from bot.telegram.callbacks import CallbackData, CallbackDataError, parse_callback


class _Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class _Paint(CallbackData, prefix="zzpaint"):
    colour: _Colour
    wall: int


def test_an_action_outside_its_set_cannot_be_built() -> None:
    with pytest.raises(CallbackDataError):
        ActivationButton("explode", 7)  # type: ignore[arg-type]
    with pytest.raises(CallbackDataError):
        PricesPick("x", "tg", 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("data", ["ac:explode:7", "ra:steal:3", "xp:x:tg:0", "ac::7"])
def test_an_action_outside_its_set_cannot_be_parsed(data: str) -> None:
    with pytest.raises(CallbackDataError):
        parse_callback(data)


def test_choices_round_trip() -> None:
    sent = ActivationButton("sent", 7)
    assert ActivationButton.unpack(sent.pack()) == sent
    assert RentButton.unpack("ra:extend:3").action == "extend"
    painted = _Paint.unpack(_Paint(_Colour.BLUE, 2).pack())
    assert painted.colour is _Colour.BLUE and painted.pack() == "zzpaint:blue:2"
    with pytest.raises(CallbackDataError):
        _Paint.unpack("zzpaint:green:2")


# --- through the bot: a button of a known kind whose data does not fit ------------------


@pytest.mark.parametrize(
    "data",
    ["ac:explode:7", "st:bogus", "lg", "pv:a:b", "fr:planet:0:abc", "ra:steal:3", "ms:fly:0"],
)
async def test_a_forged_button_of_a_known_kind_is_answered_out_of_date(
    alice: FakeUser, data: str
) -> None:
    await alice.send_text("/start")
    message = alice.last_bot_message()
    assert message is not None
    query = await alice.press_data(data, message.message_id)
    answer = alice.answer_for(query)
    assert answer is not None and "out of date" in (answer.text or ""), data
    assert "went wrong" not in (alice.last_bot_message().text or "")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "data",
    [
        "tz:-7", "tz:999", "kf:-1:", "kf:99:0a1b2c3d", "kf:1:deadbeef",
        "of:-2:", "of:99:0a1b2c3d", "or:-5:", "om:7:0a1b2c3d", "ks:999999", "kt:setup",
    ],
)
async def test_a_forged_choice_on_a_newer_kind_is_answered_and_changes_nothing(
    alice: FakeUser, data: str
) -> None:
    """An index no screen showed (negative beyond -1, past the end), a run that does not
    exist, keep trying with no draft: a clear answer, and the screen stays as it was."""
    await alice.send_text("/start")
    message = alice.last_bot_message()
    assert message is not None
    query = await alice.press_data(data, message.message_id)
    answer = alice.answer_for(query)
    after = alice.last_bot_message()
    assert answer is not None and answer.text, data
    assert after is not None and after.text == message.text, alice.transcript()[-600:]

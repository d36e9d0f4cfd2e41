"""Button kinds built on a shared field shape keep the data they always had.

Buttons already sent sit in users' chats; a kind moved onto a shape (token, ledger row,
page, choice) must still pack to, and unpack from, exactly the same text."""

from __future__ import annotations

import pytest

from bot.telegram.buttons.activation import AdditionalOffer, ExtraConfirm, NewNumber
from bot.telegram.buttons.buy import ConfirmPurchase, ServicePage
from bot.telegram.buttons.offers import KeyFor, PinMultiOffer, PinOffer, PinRentOffer
from bot.telegram.buttons.rent import RentExtendHours
from bot.telegram.buttons.settings import HistoryPage, PickTimeZone
from bot.telegram.buttons.shapes import TokenButton
from bot.telegram.callbacks import CallbackData, CallbackDataError, parse_callback


@pytest.mark.parametrize(
    ("button", "data"),
    [
        (ConfirmPurchase("t0k3n"), "cb:t0k3n"),
        (ExtraConfirm("abc"), "xc:abc"),
        (NewNumber(42), "nn:42"),
        (AdditionalOffer(42, "tg", 2), "xa:42:tg:2"),
        (RentExtendHours(7, 24), "rh:7:24"),
        (ServicePage(3), "sp:3"),
        (HistoryPage(1), "xh:1"),
        (PinOffer(-1, ""), "of:-1:"),
        (PinRentOffer(2, "0a1b2c3d"), "or:2:0a1b2c3d"),
        (PinMultiOffer(0, "0a1b2c3d"), "om:0:0a1b2c3d"),
        (KeyFor(1, "0a1b2c3d"), "kf:1:0a1b2c3d"),
        (PickTimeZone(-1), "tz:-1"),
    ],
)
def test_a_kind_on_a_shape_packs_as_before(button: CallbackData, data: str) -> None:
    assert button.pack() == data
    assert parse_callback(data) == button


def test_a_shape_is_no_kind_of_button() -> None:
    assert not hasattr(TokenButton, "prefix")
    with pytest.raises(CallbackDataError):
        parse_callback("cb:t0k3n:extra")

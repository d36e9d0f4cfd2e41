"""Wire formats: Decimal-exact JSON, datetimes, money."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.provider.sandbox.formats import (
    banned_text,
    datetime_text,
    iso_text,
    json_text,
    money_text,
)

T = 1_750_000_000.0  # 2025-06-15 15:06:40 UTC


def test_json_text_keeps_decimal_digits() -> None:
    text = json_text({"cost": Decimal("12.50"), "n": 3, "ok": True, "none": None, "s": "Россия"})
    assert text == '{"cost":12.50,"n":3,"ok":true,"none":null,"s":"Россия"}'
    assert json.loads(text, parse_float=Decimal)["cost"] == Decimal("12.50")
    assert json_text([1, [2, "x"], {}]) == '[1,[2,"x"],{}]'


@pytest.mark.parametrize("bad", [{1: 2}, {"x": Decimal("NaN")}, {"x": object()}])
def test_json_text_refuses_what_json_cannot_hold(bad: object) -> None:
    with pytest.raises(TypeError):
        json_text(bad)  # type: ignore[arg-type]


def test_datetimes_are_utc() -> None:
    assert datetime_text(T) == "2025-06-15 15:06:40"
    assert iso_text(T) == "2025-06-15T15:06:40"
    assert banned_text(T) == "2025-06-15 15-06-40"


@pytest.mark.parametrize(
    ("amount", "text"),
    [("12.5", "12.50"), ("0", "0.00"), ("100", "100.00"), ("17.154", "17.154"), ("0.35", "0.35")],
)
def test_money_text(amount: str, text: str) -> None:
    assert money_text(Decimal(amount)) == text

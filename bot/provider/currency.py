"""Currencies: the ISO 4217 numeric codes the newer replies carry, as the letters people read."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# The currencies SMS-activation providers bill in (PROTOCOL.md: `currency` is ISO-4217 numeric).
_ALPHA: Final[Mapping[int, str]] = MappingProxyType({
    643: "RUB",
    840: "USD",
    978: "EUR",
    980: "UAH",
    398: "KZT",
    356: "INR",
    156: "CNY",
    826: "GBP",
    986: "BRL",
    360: "IDR",
    949: "TRY",
})


def alpha_code(numeric: int | None) -> str | None:
    """The three-letter code of an ISO 4217 numeric code, or None when unknown or absent."""
    return None if numeric is None else _ALPHA.get(numeric)

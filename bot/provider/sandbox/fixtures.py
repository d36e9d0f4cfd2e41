"""The sandbox's catalogue: services, countries, operators, and the price and stock formulas.

The lists live in ``fixtures/*.json`` (shipped as package data). Prices and initial stock are
derived from them by fixed formulas (a CRC of the names, no randomness), so every run of every
sandbox starts from the same numbers.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any, Final

ANY_OPERATOR: Final = "any"
"""The operator name meaning "whichever"; also the only operator of countries without a list."""

FULL_RENT: Final = "full"
"""The Rent API's "whole number" service: every SMS, whatever its sender."""

_CENT: Final = Decimal("0.01")
_MIN_PRICE: Final = Decimal("0.10")
# A call-verification number costs more than an SMS one; four hours of rent, a bit more.
_VERIFICATION_MARKUP: Final = Decimal("1.50")
_RETAIL_MARKUP: Final = Decimal("1.25")
_RENT_MARKUP: Final = Decimal("1.20")
_FULL_RENT_MARKUP: Final = Decimal("1.50")


@dataclass(frozen=True, slots=True)
class Service:
    """A service code (``tg``), its name, and whether it can be bought with forwarding."""

    code: str
    name: str
    price: Decimal
    forward: bool
    rent_only: bool


@dataclass(frozen=True, slots=True)
class Country:
    """A country as getCountries shows it, plus how its phone numbers look.

    Attributes:
        verification: call-verification numbers are sold there.
        phone_code: the calling code without ``+``; ``national_length`` digits follow it.
        mobile_prefixes: how the national part of a mobile number starts.
    """

    id: int
    rus: str
    eng: str
    chn: str
    visible: bool
    retry: bool
    rent: bool
    multi_service: bool
    verification: bool
    phone_code: str
    national_length: int
    mobile_prefixes: tuple[str, ...]
    price_factor: Decimal


@dataclass(frozen=True, slots=True)
class Catalog:
    """Services, countries and operators, and the prices the sandbox charges for them."""

    services: Mapping[str, Service]
    countries: Mapping[int, Country]
    operators: Mapping[int, tuple[str, ...]]

    def activation_services(self) -> list[Service]:
        """Services sold as activations (every one but the rent-only ``full``)."""
        return [s for s in self.services.values() if not s.rent_only]

    def operators_of(self, country: int) -> tuple[str, ...]:
        """The named operators of ``country``; ``("any",)`` where the provider names none."""
        return self.operators.get(country, (ANY_OPERATOR,))

    def price(self, country: int, service: str) -> Decimal:
        """The price of one SMS activation of ``service`` in ``country``."""
        base = self.services[service].price * self.countries[country].price_factor
        return max(_MIN_PRICE, base.quantize(_CENT, ROUND_HALF_UP))

    def retail_price(self, country: int, service: str) -> Decimal:
        """getTopCountriesByService's ``retail_price``: what the site shows without discount."""
        return (self.price(country, service) * _RETAIL_MARKUP).quantize(_CENT, ROUND_HALF_UP)

    def verification_price(self, country: int, service: str) -> Decimal:
        """The price of a call-verification activation (``verification=true``)."""
        return (self.price(country, service) * _VERIFICATION_MARKUP).quantize(_CENT, ROUND_HALF_UP)

    def rent_price(self, country: int, service: str, hours: int) -> Decimal:
        """The price of renting a number for ``service`` for ``hours`` hours.

        Four hours cost 1.2 activations; longer rents get cheaper per hour (12 h: 0.8, a day
        or more: 0.6, a week or more: 0.45 of the 4-hour hourly rate). ``full`` is priced off
        half again the dearest service, so it is always the dearest rent.
        """
        if service == FULL_RENT:
            base = max(s.price for s in self.activation_services()) * _FULL_RENT_MARKUP
        else:
            base = self.services[service].price
        hourly = base * _RENT_MARKUP * self.countries[country].price_factor / 4
        if hours >= 168:
            hourly *= Decimal("0.45")
        elif hours >= 24:
            hourly *= Decimal("0.60")
        elif hours >= 12:
            hourly *= Decimal("0.80")
        return max(_MIN_PRICE, (hourly * hours).quantize(_CENT, ROUND_HALF_UP))

    def initial_stock(self, country: int, service: str) -> dict[str, int]:
        """Free numbers per operator at start-up: a fixed function of the names, 20 to 1519."""
        total = 20 + _crc(f"{country}/{service}") % 1500
        operators = self.operators_of(country)
        weights = [1 + _crc(op) % 7 for op in operators]
        split = [total * w // sum(weights) for w in weights]
        split[0] += total - sum(split)
        return dict(zip(operators, split, strict=True))

    def initial_rent_stock(self, country: int, service: str) -> int:
        """Numbers free to rent at start-up, 5 to 44."""
        return 5 + _crc(f"rent/{country}/{service}") % 40


def _crc(text: str) -> int:
    return zlib.crc32(text.encode())


def _read(name: str) -> Any:
    with (resources.files("bot.provider.sandbox") / "fixtures" / name).open(encoding="utf-8") as f:
        return json.load(f)


@functools.cache
def load_catalog() -> Catalog:
    """Reads the shipped fixtures once; the result is shared and read-only."""
    services = {
        s["code"]: Service(
            code=s["code"],
            name=s["name"],
            price=Decimal(s["price"]),
            forward=bool(s["forward"]),
            rent_only=bool(s.get("rent_only", False)),
        )
        for s in _read("services.json")["services"]
    }
    countries = {
        c["id"]: Country(
            id=c["id"],
            rus=c["rus"],
            eng=c["eng"],
            chn=c["chn"],
            visible=bool(c["visible"]),
            retry=bool(c["retry"]),
            rent=bool(c["rent"]),
            multi_service=bool(c["multiService"]),
            verification=bool(c["verification"]),
            phone_code=c["phone_code"],
            national_length=c["national_length"],
            mobile_prefixes=tuple(c["mobile_prefixes"]),
            price_factor=Decimal(c["price_factor"]),
        )
        for c in _read("countries.json")["countries"]
    }
    operators = {int(k): tuple(v) for k, v in _read("operators.json")["operators"].items()}
    return Catalog(services=services, countries=countries, operators=operators)

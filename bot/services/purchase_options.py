"""What the /buy confirm screen may offer beyond a plain number (call verification, call
forwarding), as the provider says, and the phone number calls are forwarded to."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.provider import ProviderClient, ProviderError

log = logging.getLogger("bot.services.purchases")


@dataclass(frozen=True, slots=True)
class OfferedOptions:
    """What the provider offers for one service in one country, beyond a plain SMS number.

    Attributes:
        verification_price: the price of a call-verification number there, or None when the
            provider sells none (or cannot say).
        verification_count: how many call-verification numbers are free there.
        forward: numbers with call forwarding are sold there.
    """

    verification_price: Decimal | None = None
    verification_count: int = 0
    forward: bool = False


async def offered_options(client: ProviderClient, service: str, country: int) -> OfferedOptions:
    """Asks the provider which options it offers: ``getPricesVerification`` for call
    verification, the ``<service>_1`` entries of ``getNumbersStatus`` for forwarding.

    A provider that lacks an action, or fails to answer, offers nothing by it: the user then
    buys a plain number, which every provider sells.
    """
    verification_price: Decimal | None = None
    verification_count = 0
    forward = False
    try:
        for offer in await client.get_prices_verification(service):
            if offer.service == service and offer.country == country and offer.count > 0:
                verification_price, verification_count = offer.price, offer.count
    except ProviderError as error:
        log.info("getPricesVerification unavailable: %s", type(error).__name__)
    try:
        forward = any(
            entry.service == service and entry.forwarding and entry.count > 0
            for entry in await client.get_numbers_status(country)
        )
    except ProviderError as error:
        log.info("getNumbersStatus unavailable: %s", type(error).__name__)
    return OfferedOptions(verification_price, verification_count, forward)


_PHONE_DIGITS: Final = re.compile(r"^[0-9]{7,15}$")


def forward_number(text: str) -> str | None:
    """The digits of a phone number to forward calls to (international form, 7 to 15
    digits, as E.164 allows), or None when ``text`` is not one. Spaces, dashes, dots,
    brackets and a leading ``+`` are allowed and dropped."""
    cleaned = re.sub(r"[\s\-.()]", "", text.strip())
    cleaned = cleaned.removeprefix("+")
    return cleaned if _PHONE_DIGITS.match(cleaned) else None

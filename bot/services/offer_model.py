"""What a comparison across providers is made of: the offers (a provider's price, stock and
code rate for one choice), the providers left out and why, and how offers are ranked (see
:mod:`bot.services.offers` for the rules: the expected cost of one received code, then the time
lost, then the price; currencies ranked apart)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from storage.code_rates import CodeRate


@dataclass(frozen=True, slots=True)
class CodeRatePolicy:
    """How the code rate is computed and shown (``SMSBOT_CODE_RATE*`` settings).

    Attributes:
        enabled: off for a private deployment: no aggregate is read, rows rank by price.
        min_sample: numbers of known fate needed before a rate is shown and used.
        days: how far back the ledger is read.
    """

    enabled: bool = True
    min_sample: int = 20
    days: int = 30


class DropReason(enum.Enum):
    TIMEOUT = "timeout"  # no answer within the deadline
    KEY_REFUSED = "key_refused"  # the provider answered BAD_KEY / NO_KEY
    KEY_UNREADABLE = "key_unreadable"  # the stored key cannot be decrypted
    NOT_SOLD = "not_sold"  # the provider does not sell the service in that country
    ERROR = "error"  # any other provider failure


@dataclass(frozen=True, slots=True)
class Offer:
    """One provider's row of the comparison.

    Attributes:
        provider: the provider's key (preset name or URL); buy with this provider's key.
        service: the provider's own service code (after aliases).
        country: the provider's own country id (after aliases).
        price: what one number costs there now.
        stock: free numbers.
        code_rate: the ledger's record there, or None when off or below the minimum sample.
        expected_cost: price ÷ rate with a rate, else the price; None when the rate is 0.
        currency: the ISO code the provider bills in, None when it never said.
        foreign: billed in another currency than the comparison's: not ranked against it.
        parts: for one number for several services, each one's price (in ``services``'
            order; ``price`` is their sum); empty otherwise.
    """

    provider: str
    service: str
    country: int
    price: Decimal
    stock: int
    code_rate: CodeRate | None
    expected_cost: Decimal | None
    currency: str | None = None
    foreign: bool = False
    parts: tuple[Decimal, ...] = ()

    @property
    def services(self) -> tuple[str, ...]:
        """The provider's service codes, in the order asked (several for /multi)."""
        return tuple(self.service.split(","))

    @property
    def lost_seconds_per_code(self) -> float:
        rate = self.code_rate
        if rate is None:
            return 0.0
        return rate.lost_seconds / rate.coded if rate.coded else float("inf")


@dataclass(frozen=True, slots=True)
class Dropout:
    """A provider left out of the comparison, and why."""

    provider: str
    reason: DropReason


@dataclass(frozen=True, slots=True)
class Comparison:
    """Offers, best first (in stock before sold out), and the providers that dropped out."""

    offers: tuple[Offer, ...]
    dropouts: tuple[Dropout, ...]
    currency: str | None = None  # the currency rows are ranked in (None: nobody said)

    @property
    def best(self) -> Offer | None:
        """The best row in stock, or None."""
        return self.best_within(None)

    def best_within(self, max_price: Decimal | None) -> Offer | None:
        """The best row in stock at no more than ``max_price`` (None: any price). A max price
        is in the comparison's currency, so a row billed in another is passed over."""
        return next(
            (
                offer
                for offer in self.offers
                if offer.stock > 0
                and (max_price is None or (not offer.foreign and offer.price <= max_price))
            ),
            None,
        )


@dataclass(frozen=True, slots=True)
class Quote:
    """What one provider answered: its codes, price and stock (``parts`` for /multi)."""

    service: str
    country: int
    price: Decimal
    stock: int
    parts: tuple[Decimal, ...] = ()


@dataclass(frozen=True, slots=True)
class Listing:
    """/prices: a whole price list at every provider: by canonical country id (as a string)
    or service code, that one's rows ranked; and the providers left out."""

    rows: Mapping[str, tuple[Offer, ...]]
    dropouts: tuple[Dropout, ...]
    currency: str | None = None


def expected_cost(price: Decimal, rate: CodeRate | None) -> Decimal | None:
    if rate is None:
        return price
    if rate.coded == 0:
        return None
    return (price * rate.bought / rate.coded).quantize(Decimal("0.01"))


def rank(offer: Offer) -> tuple[bool, bool, str, bool, Decimal, float, Decimal, str]:
    """In stock first; then the reference currency's rows before the others (each currency
    ranked within itself); then the expected cost of a code, the time lost, the price."""
    no_code = offer.expected_cost is None
    return (
        offer.stock <= 0,
        offer.foreign,
        (offer.currency or "") if offer.foreign else "",
        no_code,
        offer.expected_cost if offer.expected_cost is not None else offer.price,
        offer.lost_seconds_per_code,
        offer.price,
        offer.provider,
    )

"""The best offer across a user's providers: price, stock and code rate, ranked.

PTB-free. For one service in one country, every provider the user holds a key for is asked at
once, each under its own deadline: a slow provider drops out of the comparison with a reason
(it never stalls it), a provider refusing the key is reported as such. Price lists are cached
per provider by :class:`~bot.services.catalog.CatalogService` (seconds), and codes and ids are
translated per provider by :mod:`bot.services.offer_aliases`.

Ranking: the expected cost of one received code (price ÷ code rate; a refunded number costs
nothing, so the rate alone carries the failures), then the time lost to numbers that got no
code (per code received), then the price. A rate is used only once ``min_sample`` numbers are
known; below that the row shows no rate and ranks by its price.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.core.clock import Clock
from bot.provider import AuthenticationError, ProviderClient, ProviderError
from bot.services.accounts import AccountService, KeyNeedsReentryError
from bot.services.catalog import CatalogService
from bot.services.offer_aliases import DEFAULT_ALIASES, OfferAliases
from storage.code_rates import CodeRate, CodeRateStore

log = logging.getLogger(__name__)

DEFAULT_DEADLINE: Final = 5.0
RATE_TTL: Final = 300.0  # rates move slowly; the aggregate reads thousands of rows
_DAY: Final = 86_400.0


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
    """

    provider: str
    service: str
    country: int
    price: Decimal
    stock: int
    code_rate: CodeRate | None
    expected_cost: Decimal | None

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

    @property
    def best(self) -> Offer | None:
        """The best row in stock, or None."""
        return next((offer for offer in self.offers if offer.stock > 0), None)


class OfferService:
    """Compares one service in one country across a user's providers.

    Args:
        accounts: the user's providers and clients.
        catalog: the per-provider price cache.
        code_rates: the ledger aggregate.
        clock: the source of "now".
        policy: the code-rate settings.
        aliases: the per-provider code table.
        deadline: seconds each provider gets to answer (``deadline``, a public attribute).
    """

    def __init__(
        self,
        accounts: AccountService,
        catalog: CatalogService,
        code_rates: CodeRateStore,
        *,
        clock: Clock,
        policy: CodeRatePolicy | None = None,
        aliases: OfferAliases = DEFAULT_ALIASES,
        deadline: float = DEFAULT_DEADLINE,
    ) -> None:
        self._accounts = accounts
        self._catalog = catalog
        self._code_rates = code_rates
        self._clock = clock
        self._policy = policy or CodeRatePolicy()
        self._aliases = aliases
        self.deadline = deadline
        self._rates: dict[tuple[str, int, str | None], tuple[float, dict[str, CodeRate]]] = {}

    async def compare(
        self,
        user_id: int,
        service: str,
        country: int,
        *,
        operator: str | None = None,
        exclude: frozenset[str] = frozenset(),
    ) -> Comparison:
        """Every provider's offer for ``service`` in ``country`` (canonical codes), ranked.

        Args:
            operator: narrows the code rate to numbers bought for that operator.
            exclude: providers to leave out (auto-replace skips the ones that failed).
        """
        providers = [
            p for p in await self._accounts.providers_with_keys(user_id) if p not in exclude
        ]
        rates = await self.code_rates(service, country, operator=operator)
        answers = await asyncio.gather(
            *(self._offer(user_id, p, service, country, rates.get(p)) for p in providers)
        )
        offers = [a for a in answers if isinstance(a, Offer)]
        dropouts = tuple(a for a in answers if isinstance(a, Dropout))
        return Comparison(tuple(sorted(offers, key=_rank)), dropouts)

    async def code_rates(
        self, service: str, country: int, *, operator: str | None = None
    ) -> dict[str, CodeRate]:
        """The code rates shown: by provider, only those from ``min_sample`` numbers or more;
        nothing at all when the aggregate is turned off. Kept ``RATE_TTL`` seconds."""
        if not self._policy.enabled:
            return {}
        now = self._clock.now()
        named = None if operator in (None, "any") else operator
        cached = self._rates.get((service, country, named))
        if cached is not None and cached[0] > now:
            every = cached[1]
        else:
            since = now - self._policy.days * _DAY
            every = await self._code_rates.rates(service, country, since=since, operator=named)
            self._rates[(service, country, named)] = (now + RATE_TTL, every)
        return {p: r for p, r in every.items() if r.bought >= self._policy.min_sample}

    async def _offer(
        self, user_id: int, provider: str, service: str, country: int, rate: CodeRate | None
    ) -> Offer | Dropout:
        theirs_service = self._aliases.service_for(provider, service)
        theirs_country = self._aliases.country_for(provider, country)
        try:
            client = await self._accounts.client_for_provider(user_id, provider)
        except KeyNeedsReentryError:
            return Dropout(provider, DropReason.KEY_UNREADABLE)
        if client is None:  # the key was deleted meanwhile
            return Dropout(provider, DropReason.KEY_UNREADABLE)
        try:
            prices = await asyncio.wait_for(
                self._prices(client, theirs_service), timeout=self.deadline
            )
        except TimeoutError:
            log.info("offers: %s gave no prices within %.1f s", provider, self.deadline)
            return Dropout(provider, DropReason.TIMEOUT)
        except AuthenticationError:
            return Dropout(provider, DropReason.KEY_REFUSED)
        except ProviderError as error:
            log.info("offers: %s failed: %s", provider, type(error).__name__)
            return Dropout(provider, DropReason.ERROR)
        found = prices.get(theirs_country)
        if found is None:
            return Dropout(provider, DropReason.NOT_SOLD)
        price, stock = found
        return Offer(
            provider, theirs_service, theirs_country, price, stock, rate, _expected(price, rate)
        )

    async def _prices(self, client: ProviderClient, service: str) -> dict[int, tuple[Decimal, int]]:
        return {p.country: (p.cost, p.count) for p in await self._catalog.offers(client, service)}


def _expected(price: Decimal, rate: CodeRate | None) -> Decimal | None:
    if rate is None:
        return price
    if rate.coded == 0:
        return None
    return (price * rate.bought / rate.coded).quantize(Decimal("0.01"))


def _rank(offer: Offer) -> tuple[bool, bool, Decimal, float, Decimal, str]:
    no_code = offer.expected_cost is None
    return (
        offer.stock <= 0,
        no_code,
        offer.expected_cost if offer.expected_cost is not None else offer.price,
        offer.lost_seconds_per_code,
        offer.price,
        offer.provider,
    )

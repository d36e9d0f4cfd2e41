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

Currencies: a provider bills in its own (the ISO code its replies named, else its preset's).
No rates of exchange are kept, so prices are ranked against each other only within one
currency: the user's current provider's (else the one most rows bill in). A row in another
currency is marked ``foreign`` and ranks after every row in stock of that currency, among
its own currency's rows; a row whose currency nobody told is taken as the reference's.

The same comparison serves /buy (:meth:`OfferService.compare`), /rent (a rent's price and
stock for a duration, :meth:`OfferService.compare_rent`), /multi (one number for several
services: the sum of their prices, the least stock, only where the provider sells
multi-service numbers, :meth:`OfferService.compare_multi`) and /prices (a whole price list
at once: every country of a service, :meth:`OfferService.compare_countries`, or every service
of a country, :meth:`OfferService.compare_services`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Final

from bot.core.clock import Clock
from bot.provider import AuthenticationError, ProviderClient, ProviderError
from bot.provider.currency import alpha_code
from bot.services.account_errors import KeyNeedsReentryError
from bot.services.accounts import AccountService
from bot.services.catalog import CatalogService
from bot.services.offer_aliases import DEFAULT_ALIASES, OfferAliases
from bot.services.offer_model import (
    CodeRatePolicy,
    Comparison,
    Dropout,
    DropReason,
    Listing,
    Offer,
    Quote,
    expected_cost,
    rank,
)
from storage.code_rates import CodeRate, CodeRateStore

log = logging.getLogger(__name__)

DEFAULT_DEADLINE: Final = 5.0
RATE_TTL: Final = 300.0  # rates move slowly; the aggregate reads thousands of rows
_DAY: Final = 86_400.0


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
        rates = await self.code_rates(service, country, operator=operator)

        async def ask(client: ProviderClient, provider: str) -> Quote | None:
            theirs_service = self._aliases.service_for(provider, service)
            theirs_country = self._aliases.country_for(provider, country)
            found = (await self._prices(client, theirs_service)).get(theirs_country)
            if found is None:
                return None
            return Quote(theirs_service, theirs_country, *found)

        return await self._compare(user_id, ask, rates, exclude)

    async def compare_rent(
        self, user_id: int, service: str, country: int, hours: int, *, operator: str | None = None
    ) -> Comparison:
        """Every provider's price and stock for renting ``service`` in ``country`` for
        ``hours`` hours (canonical codes), ranked by price (rents have no code rate)."""
        named = None if operator in (None, "any") else operator

        async def ask(client: ProviderClient, provider: str) -> Quote | None:
            theirs_service = self._aliases.service_for(provider, service)
            theirs_country = self._aliases.country_for(provider, country)
            catalog = await client.get_rent_services_and_countries(
                hours, country=theirs_country, operator=named
            )
            offer = catalog.services.get(theirs_service)
            if offer is None or theirs_country not in catalog.countries:
                return None
            return Quote(theirs_service, theirs_country, offer.cost, offer.quantity)

        return await self._compare(user_id, ask, {}, frozenset())

    async def compare_multi(
        self, user_id: int, services: Sequence[str], country: int
    ) -> Comparison:
        """Every provider's price for one number for all ``services`` in ``country``: the sum
        of their prices, the least of their stocks; a provider that does not sell one of them
        there, or no multi-service numbers in that country, is left out as not selling it."""

        async def ask(client: ProviderClient, provider: str) -> Quote | None:
            theirs = [self._aliases.service_for(provider, code) for code in services]
            theirs_country = self._aliases.country_for(provider, country)
            known = (await self._catalog.countries(client)).get(theirs_country)
            if known is None or not known.multi_service:
                return None
            lists = await asyncio.gather(*(self._prices(client, code) for code in theirs))
            found = [prices.get(theirs_country) for prices in lists]
            if any(one is None for one in found):
                return None
            parts = tuple(one[0] for one in found if one is not None)
            stock = min(one[1] for one in found if one is not None)
            return Quote(",".join(theirs), theirs_country, sum(parts, Decimal(0)), stock, parts)

        return await self._compare(user_id, ask, {}, frozenset())

    async def compare_countries(self, user_id: int, service: str) -> Listing:
        """/prices by service: ``service`` at every provider in every country at once (one
        price list each), by canonical country id (as a string), each one's rows ranked."""

        async def load(client: ProviderClient, provider: str) -> dict[str, Quote]:
            theirs = self._aliases.service_for(provider, service)
            canonical = self._aliases.canonical_country
            return {
                str(canonical(provider, country)): Quote(theirs, country, price, stock)
                for country, (price, stock) in (await self._prices(client, theirs)).items()
            }

        return await self._listing(user_id, load)

    async def compare_services(self, user_id: int, country: int) -> Listing:
        """/prices by country: every service in ``country`` at every provider at once (one
        price list each), by canonical service code, each one's rows ranked."""

        async def load(client: ProviderClient, provider: str) -> dict[str, Quote]:
            theirs = self._aliases.country_for(provider, country)
            canonical = self._aliases.canonical_service
            return {
                canonical(provider, p.service): Quote(p.service, theirs, p.cost, p.count)
                for p in await self._catalog.country_offers(client, theirs)
            }

        return await self._listing(user_id, load)

    async def _listing(
        self,
        user_id: int,
        load: Callable[[ProviderClient, str], Awaitable[dict[str, Quote]]],
    ) -> Listing:
        tables: dict[str, dict[str, Quote]] = {}

        async def ask(client: ProviderClient, provider: str) -> Quote | None:
            tables[provider] = await load(client, provider)
            return Quote("", 0, Decimal(0), 0)  # the provider's head row: its rows come below

        heads = await self._compare(user_id, ask, {}, frozenset())
        rows: dict[str, list[Offer]] = {}
        for head in heads.offers:
            for key, quote in tables.get(head.provider, {}).items():
                rows.setdefault(key, []).append(
                    replace(
                        head, service=quote.service, country=quote.country, price=quote.price,
                        stock=quote.stock, expected_cost=quote.price,
                    )
                )
        ranked = {key: tuple(sorted(offers, key=rank)) for key, offers in rows.items()}
        return Listing(ranked, heads.dropouts, heads.currency)

    async def _compare(
        self,
        user_id: int,
        ask: Callable[[ProviderClient, str], Awaitable[Quote | None]],
        rates: Mapping[str, CodeRate],
        exclude: frozenset[str],
    ) -> Comparison:
        """Asks every provider of the user at once, each under the deadline; ranks the rows
        within the reference currency (module docstring)."""
        providers = [
            p for p in await self._accounts.providers_with_keys(user_id) if p not in exclude
        ]
        answers = await asyncio.gather(
            *(self._offer(user_id, p, ask, rates.get(p)) for p in providers)
        )
        offers = [a for a in answers if isinstance(a, Offer)]
        dropouts = tuple(a for a in answers if isinstance(a, Dropout))
        currency = await self._reference_currency(user_id, offers)
        marked = [
            replace(o, foreign=None not in (o.currency, currency) and o.currency != currency)
            for o in offers
        ]
        return Comparison(tuple(sorted(marked, key=rank)), dropouts, currency)

    async def _reference_currency(self, user_id: int, offers: Sequence[Offer]) -> str | None:
        """The user's current provider's currency, else the one most rows bill in."""
        current = await self._accounts.currency_of(user_id)
        if current is not None:
            return current
        counted = Counter(o.currency for o in offers if o.currency is not None)
        return counted.most_common(1)[0][0] if counted else None

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
        self,
        user_id: int,
        provider: str,
        ask: Callable[[ProviderClient, str], Awaitable[Quote | None]],
        rate: CodeRate | None,
    ) -> Offer | Dropout:
        try:
            client = await self._accounts.client_for_provider(user_id, provider)
        except KeyNeedsReentryError:
            return Dropout(provider, DropReason.KEY_UNREADABLE)
        if client is None:  # the key was deleted meanwhile
            return Dropout(provider, DropReason.KEY_UNREADABLE)
        try:
            quote = await asyncio.wait_for(ask(client, provider), timeout=self.deadline)
        except TimeoutError:
            log.info("offers: %s gave no prices within %.1f s", provider, self.deadline)
            return Dropout(provider, DropReason.TIMEOUT)
        except AuthenticationError:
            return Dropout(provider, DropReason.KEY_REFUSED)
        except ProviderError as error:
            log.info("offers: %s failed: %s", provider, type(error).__name__)
            return Dropout(provider, DropReason.ERROR)
        if quote is None:
            return Dropout(provider, DropReason.NOT_SOLD)
        currency = alpha_code(client.reported_currency) or client.endpoint.currency
        return Offer(
            provider, quote.service, quote.country, quote.price, quote.stock, rate,
            expected_cost(quote.price, rate), currency, parts=quote.parts,
        )

    async def _prices(self, client: ProviderClient, service: str) -> dict[int, tuple[Decimal, int]]:
        return {p.country: (p.cost, p.count) for p in await self._catalog.offers(client, service)}

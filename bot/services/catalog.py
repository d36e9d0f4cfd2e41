"""The catalogue: services, countries, operators and prices, cached per provider.

PTB-free. Lists that change slowly (services, countries, operators) are kept for minutes;
prices for seconds, and the confirm screen always asks afresh, since a price shown must be a
price the provider still charges.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from bot.core.clock import Clock
from bot.provider import InvalidRequestError, ProviderClient
from bot.provider.models import Country, Price, Service

T = TypeVar("T")

POPULAR_SERVICES: Final = ("tg", "wa", "go", "ig", "fb", "vk", "ds", "tw", "oi", "mm", "am", "ub")


@dataclass(frozen=True, slots=True)
class _Cached:
    value: object
    expires_at: float


class CatalogService:
    """Reads the provider's catalogue through a small time-limited cache.

    Args:
        clock: the source of "now".
        list_ttl: seconds to keep services, countries and operators.
        price_ttl: seconds to keep price lists.
    """

    def __init__(self, clock: Clock, *, list_ttl: float = 600.0, price_ttl: float = 30.0) -> None:
        self._clock = clock
        self._list_ttl = list_ttl
        self._price_ttl = price_ttl
        self._cache: dict[tuple[str, ...], _Cached] = {}
        self._locks: dict[tuple[str, ...], asyncio.Lock] = {}

    async def services(self, client: ProviderClient) -> tuple[Service, ...]:
        """Every service the provider sells, named; from ``getServicesList``, or from the price
        list (codes as names) where the provider lacks that action."""

        async def load() -> tuple[Service, ...]:
            try:
                return await client.get_services_list()
            except InvalidRequestError:
                prices = await client.get_prices()
                return tuple(Service(code, code) for code in sorted({p.service for p in prices}))

        return await self._cached((client.endpoint.key, "services"), self._list_ttl, load)

    async def countries(self, client: ProviderClient) -> dict[int, Country]:
        """Countries by id."""

        async def load() -> dict[int, Country]:
            return {country.country_id: country for country in await client.get_countries()}

        return await self._cached((client.endpoint.key, "countries"), self._list_ttl, load)

    async def offers(self, client: ProviderClient, service: str) -> tuple[Price, ...]:
        """The service's price and stock in every country, cheapest first, sold out last."""

        async def load() -> tuple[Price, ...]:
            prices = await client.get_prices(service=service)
            mine = [price for price in prices if price.service == service]
            return tuple(sorted(mine, key=lambda p: (p.count == 0, p.cost, p.country)))

        return await self._cached((client.endpoint.key, "offers", service), self._price_ttl, load)

    async def country_offers(self, client: ProviderClient, country: int) -> tuple[Price, ...]:
        """Every service's price and stock in one country, cheapest first, sold out last."""

        async def load() -> tuple[Price, ...]:
            prices = await client.get_prices(country=country)
            mine = [price for price in prices if price.country == country]
            return tuple(sorted(mine, key=lambda p: (p.count == 0, p.cost, p.service)))

        key = (client.endpoint.key, "country_offers", str(country))
        return await self._cached(key, self._price_ttl, load)

    async def operators(self, client: ProviderClient, country: int) -> tuple[str, ...]:
        """The country's operators, "any" first; empty where the provider names none."""

        async def load() -> tuple[str, ...]:
            found = (await client.get_operators(country)).get(country, ())
            named = [operator for operator in found if operator != "any"]
            return ("any", *named) if named else ()

        key = (client.endpoint.key, "operators", str(country))
        return await self._cached(key, self._list_ttl, load)

    async def fresh_price(self, client: ProviderClient, service: str, country: int) -> Price | None:
        """The price and stock right now (never cached), or None if not sold there."""
        prices = await client.get_prices(service=service, country=country)
        return next((p for p in prices if p.service == service and p.country == country), None)

    async def _cached(
        self, key: tuple[str, ...], ttl: float, load: Callable[[], Awaitable[T]]
    ) -> T:
        # One load per key at a time: 200 users opening /buy at once cost one provider call.
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            entry = self._cache.get(key)
            now = self._clock.now()
            if entry is not None and entry.expires_at > now:
                return entry.value  # type: ignore[return-value]
            value = await load()
            self._cache[key] = _Cached(value, now + ttl)
            return value


def rank_services(
    services: Iterable[Service], favourites: Sequence[str], query: str | None = None
) -> list[Service]:
    """Orders services for the picker: favourites, then popular ones, then by name.

    Args:
        query: when given, keeps only services whose code or name contains it
            (case-insensitive), an exact code first.
    """
    order = {code: index for index, code in enumerate((*favourites, *POPULAR_SERVICES))}
    chosen = list(services)
    if query:
        needle = query.strip().casefold()
        chosen = [s for s in chosen if needle in s.code.casefold() or needle in s.name.casefold()]
        return sorted(
            chosen,
            key=lambda s: (s.code.casefold() != needle, order.get(s.code, len(order)), s.name),
        )
    return sorted(chosen, key=lambda s: (order.get(s.code, len(order)), s.name.casefold()))


def search_countries(countries: Iterable[Country], query: str, language: str) -> list[Country]:
    """Countries whose name (in the reader's language, English or Russian) contains ``query``,
    accents and case aside ("mexico" finds "México")."""
    needle = _folded(query.strip())
    return [
        country
        for country in countries
        if needle in _folded(country.name(language))
        or needle in _folded(country.name_en)
        or needle in _folded(country.name_ru)
        or needle == str(country.country_id)
    ]


def _folded(text: str) -> str:
    """Casefolded, without accents: a typed search need not match "é" or "ё" exactly."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))

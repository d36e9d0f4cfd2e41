"""Provider calls about the account and the catalogue (balance, stock, prices, countries)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from bot.provider import parsing
from bot.provider.client_base import ClientBase, true_or_none
from bot.provider.models import (
    Country,
    Price,
    Service,
    ServiceAvailability,
    TopCountry,
    VerificationPrice,
)


class CatalogCalls(ClientBase):
    """The account's balance and what the provider sells (read-only calls)."""

    __slots__ = ()

    # --- account ---------------------------------------------------------------------------

    async def get_balance(self) -> Decimal:
        """The account balance."""
        return await self._read("getBalance", parsing.parse_balance)

    async def get_balance_and_cashback(self) -> Decimal:
        """The balance plus cashback (counted only if the account spends cashback)."""
        return await self._read("getBalanceAndCashBack", parsing.parse_balance)

    # --- catalogue -------------------------------------------------------------------------

    async def get_numbers_status(
        self, country: int | None = None, operator: str | Iterable[str] | None = None
    ) -> tuple[ServiceAvailability, ...]:
        """How many numbers each service has free."""
        return await self._read(
            "getNumbersStatus", parsing.parse_numbers_status, country=country, operator=operator
        )

    async def get_top_countries_by_service(
        self, service: str | None = None, *, free_price: bool = False
    ) -> tuple[TopCountry, ...]:
        """The best countries for a service, by rank."""
        return await self._read(
            "getTopCountriesByService",
            parsing.parse_top_countries,
            service=service,
            freePrice=true_or_none(free_price),
        )

    async def get_operators(self, country: int | None = None) -> dict[int, tuple[str, ...]]:
        """Operators by country; empty where the provider has none."""
        return await self._read("getOperators", parsing.parse_operators, country=country)

    async def get_prices(
        self, service: str | None = None, country: int | None = None
    ) -> tuple[Price, ...]:
        """Prices and stock by country and service."""
        return await self._read("getPrices", parsing.parse_prices, service=service, country=country)

    async def get_prices_verification(
        self, service: str | None = None
    ) -> tuple[VerificationPrice, ...]:
        """Prices of call-verification numbers."""
        return await self._read(
            "getPricesVerification", parsing.parse_prices_verification, service=service
        )

    async def get_countries(self) -> tuple[Country, ...]:
        """Every country with its names and flags."""
        return await self._read("getCountries", parsing.parse_countries)

    async def get_services_list(
        self, country: int | None = None, lang: str | None = None
    ) -> tuple[Service, ...]:
        """Service codes and names."""
        return await self._read(
            "getServicesList", parsing.parse_services_list, country=country, lang=lang
        )

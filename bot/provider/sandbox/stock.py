"""Stock: how many numbers are free, per (country, service, operator), and for rent."""

from __future__ import annotations

import random
from collections.abc import Sequence

from .errors import ControlError, ProtocolError
from .fixtures import ANY_OPERATOR, Catalog


class Stock:
    """Free numbers. A purchase takes one from one operator's pool; nothing puts numbers back.

    Cancelled numbers do not return to the pool: the provider gives a cancelled number to
    nobody soon, and tests that count stock want purchases to be the only change.
    """

    __slots__ = ("_catalog", "_pools", "_rent")

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._pools: dict[tuple[int, str, str], int] = {}
        self._rent: dict[tuple[int, str], int] = {}
        for country in catalog.countries:
            for service in catalog.activation_services():
                for operator, count in catalog.initial_stock(country, service.code).items():
                    self._pools[country, service.code, operator] = count
            if catalog.countries[country].rent:
                for code in catalog.services:
                    self._rent[country, code] = catalog.initial_rent_stock(country, code)

    def count(self, country: int, service: str, operators: Sequence[str] = ()) -> int:
        """Free numbers of ``service`` in ``country``, over ``operators`` (all when empty)."""
        pools = self._pools
        return sum(pools.get((country, service, op), 0) for op in self._chosen(country, operators))

    def take(self, country: int, service: str, operators: Sequence[str], rng: random.Random) -> str:
        """Takes one number from a pool of the chosen operators; returns the operator."""
        return self.take_many(country, (service,), operators, rng)

    def take_many(
        self,
        country: int,
        services: Sequence[str],
        operators: Sequence[str],
        rng: random.Random,
    ) -> str:
        """Takes one number for each of ``services`` from one operator; returns the operator.

        One number serves every service of a multi-service purchase, so the operator chosen
        must have a free number for each of them.

        Raises:
            ProtocolError: ``NO_NUMBERS`` when no chosen operator has a number for all of them.
        """
        able = [
            op
            for op in self._chosen(country, operators)
            if all(self._pools.get((country, service, op), 0) for service in services)
        ]
        if not able:
            raise ProtocolError("NO_NUMBERS")
        operator = rng.choice(able)
        for service in services:
            self._pools[country, service, operator] -= 1
        return operator

    def set(self, country: int, service: str, count: int, operator: str | None = None) -> None:
        """Sets one operator's pool, or (``operator=None``) the total, spread over the operators.

        Raises:
            ControlError: an unknown country, service or operator, or a negative count.
        """
        self._check(country, service, count)
        operators = self._catalog.operators_of(country)
        if operator is not None:
            if operator not in operators:
                raise ControlError(f"country {country} has no operator {operator!r}")
            self._pools[country, service, operator] = count
            return
        share, extra = divmod(count, len(operators))
        for index, op in enumerate(operators):
            self._pools[country, service, op] = share + (1 if index < extra else 0)

    def rent_count(self, country: int, service: str) -> int:
        return self._rent.get((country, service), 0)

    def take_rent(self, country: int, service: str) -> None:
        """Takes one number for rent; raises ``NO_NUMBERS`` when none is free."""
        if not self._rent.get((country, service), 0):
            raise ProtocolError("NO_NUMBERS")
        self._rent[country, service] -= 1

    def set_rent(self, country: int, service: str, count: int) -> None:
        """Sets the numbers free to rent for ``service`` in ``country``."""
        self._check(country, service, count)
        if not self._catalog.countries[country].rent:
            raise ControlError(f"country {country} does not rent numbers")
        self._rent[country, service] = count

    def _chosen(self, country: int, operators: Sequence[str]) -> Sequence[str]:
        named = self._catalog.operators_of(country)
        if not operators or ANY_OPERATOR in operators:
            return named
        return [op for op in named if op in operators]

    def _check(self, country: int, service: str, count: int) -> None:
        if country not in self._catalog.countries:
            raise ControlError(f"unknown country {country}", 404)
        if service not in self._catalog.services:
            raise ControlError(f"unknown service {service!r}", 404)
        if count < 0:
            raise ControlError("count must not be negative")

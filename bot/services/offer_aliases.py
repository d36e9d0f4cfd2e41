"""Where providers disagree on a service code or a country id: the table, kept as data.

Every provider of the ``handler_api.php`` family inherited SMS-Activate's codes (``tg``,
``wa``…) and country ids (0 Russia, 6 Indonesia…), and the comparison matches offers by them.
A provider that names something differently gets a row here: the canonical (SMS-Activate) code
on the left, the provider's own on the right, keyed by the provider's key (a preset name or a
custom URL). A provider without a row uses the canonical codes. Add a row only for a
disagreement seen in that provider's own ``getServicesList``/``getCountries``; the tests check
that the table is well formed and applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

SERVICE_ALIASES: Final[Mapping[str, Mapping[str, str]]] = {
    # provider key -> {canonical service code: the provider's service code}
}
COUNTRY_ALIASES: Final[Mapping[str, Mapping[int, int]]] = {
    # provider key -> {canonical country id: the provider's country id}
}


@dataclass(frozen=True, slots=True)
class OfferAliases:
    """Translates canonical service codes and country ids to each provider's own."""

    services: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    countries: Mapping[str, Mapping[int, int]] = field(default_factory=dict)

    def service_for(self, provider: str, service: str) -> str:
        """The provider's code for the canonical ``service``."""
        return self.services.get(provider, {}).get(service, service)

    def country_for(self, provider: str, country: int) -> int:
        """The provider's id for the canonical ``country``."""
        return self.countries.get(provider, {}).get(country, country)

    def canonical_service(self, provider: str, theirs: str) -> str:
        """The canonical code of the provider's service ``theirs`` (the table read backwards)."""
        table = self.services.get(provider, {})
        return next((mine for mine, its in table.items() if its == theirs), theirs)

    def canonical_country(self, provider: str, theirs: int) -> int:
        """The canonical id of the provider's country ``theirs`` (the table read backwards)."""
        table = self.countries.get(provider, {})
        return next((mine for mine, its in table.items() if its == theirs), theirs)


DEFAULT_ALIASES: Final = OfferAliases(SERVICE_ALIASES, COUNTRY_ALIASES)

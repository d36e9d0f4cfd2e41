"""Provider calls that rent numbers (paid: sent once), extend them and read their SMS."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Final

from bot.provider import parsing
from bot.provider.client_base import ClientBase
from bot.provider.models import RentCatalog, RentedNumber, RentListItem, RentStatus

RENT_FINISH: Final = 1
RENT_CANCEL: Final = 2


class RentCalls(ClientBase):
    """Renting numbers and acting on rents."""

    __slots__ = ()

    # --- rent ------------------------------------------------------------------------------

    async def get_rent_services_and_countries(
        self,
        hours: int = 4,
        *,
        country: int | None = None,
        operator: str | Iterable[str] | None = None,
    ) -> RentCatalog:
        """What can be rented for ``hours``, with prices and stock."""
        return await self._read(
            "getRentServicesAndCountries",
            parsing.parse_rent_catalog,
            **_rent_time(hours),
            country=country,
            operator=operator,
        )

    async def get_rent_number(
        self,
        service: str,
        hours: int = 4,
        *,
        country: int | None = None,
        operator: str | Iterable[str] | None = None,
        webhook_url: str | None = None,
    ) -> RentedNumber:
        """Rents a number for ``hours`` (4, 12, then multiples of 24). Paid; never retried."""
        return await self._buy(
            "getRentNumber",
            parsing.parse_rent,
            service=service,
            **_rent_time(hours),
            country=country,
            operator=operator,
            url=webhook_url,
        )

    async def get_rent_status(self, rent_id: str) -> RentStatus:
        """A rent's state and the SMS it received, newest first."""
        return await self._read("getRentStatus", parsing.parse_rent_status, id=rent_id)

    async def finish_rent(self, rent_id: str) -> None:
        """Ends a rent early; the charge is kept (setRentStatus 1)."""
        await self._set_rent_status(rent_id, RENT_FINISH)

    async def cancel_rent(self, rent_id: str) -> None:
        """Cancels a rent for a refund, within its first 20 minutes (setRentStatus 2)."""
        await self._set_rent_status(rent_id, RENT_CANCEL)

    async def _set_rent_status(self, rent_id: str, status: int) -> None:
        await self._read(
            "setRentStatus", parsing.parse_rent_status_change, id=rent_id, status=status
        )

    async def get_rent_list(self) -> tuple[RentListItem, ...]:
        """The account's active rents; empty when there are none."""
        return await self._read("getRentList", parsing.parse_rent_list)

    async def get_continue_rent_price_number(self, rent_id: str, hours: int = 4) -> Decimal:
        """The price of extending a rent by ``hours``."""
        return await self._read(
            "getContinueRentPriceNumber",
            parsing.parse_rent_price,
            id=rent_id,
            rent_time=hours,
        )

    async def continue_rent_number(self, rent_id: str, hours: int = 4) -> RentedNumber:
        """Extends a rent by ``hours``; returns the new end. Paid; never retried."""
        return await self._buy(
            "continueRentNumber", parsing.parse_rent, id=rent_id, rent_time=hours
        )


def _rent_time(hours: int) -> dict[str, object]:
    # [S] says "time", [PHP]/[JAVA] say "rent_time"; providers ignore the one they do not read.
    return {"rent_time": hours, "time": hours}

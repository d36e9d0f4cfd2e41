"""What every provider call goes through: one account (an endpoint and a key) over the shared
transport, a read sent as often as the transport's retries allow, a purchase sent once.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from bot.core.secret import Secret
from bot.provider.errors import OutcomeUnknownError, ProviderServerError, UnexpectedReplyError
from bot.provider.parsing import RawReply
from bot.provider.presets import ProviderEndpoint
from bot.provider.transport import ProviderTransport

T = TypeVar("T")


class ClientBase:
    """One provider account: an endpoint and a key, over the shared transport.

    Args:
        transport: the process-wide transport.
        endpoint: where the provider is.
        api_key: the user's key; it is sent in the request body (or query, for GET presets)
            and nowhere else.
    """

    __slots__ = ("_api_key", "_endpoint", "_transport", "reported_currency")

    def __init__(
        self, transport: ProviderTransport, endpoint: ProviderEndpoint, api_key: Secret
    ) -> None:
        self._transport = transport
        self._endpoint = endpoint
        self._api_key = api_key
        # The ISO 4217 numeric code the provider's last reply that named one named.
        self.reported_currency: int | None = None

    def __repr__(self) -> str:
        return f"ProviderClient(endpoint={self._endpoint.name!r}, api_key={self._api_key!r})"

    @property
    def endpoint(self) -> ProviderEndpoint:
        return self._endpoint

    async def _read(self, action: str, parse: Callable[[RawReply], T], **params: object) -> T:
        reply = await self._transport.call(
            self._endpoint, self._api_key, action, form_fields(params), paid=False
        )
        return parse(reply)

    async def _buy(self, action: str, parse: Callable[[RawReply], T], **params: object) -> T:
        reply = await self._transport.call(
            self._endpoint, self._api_key, action, form_fields(params), paid=True
        )
        try:
            return parse(reply)
        except (UnexpectedReplyError, ProviderServerError) as exc:
            # Garbage, an HTML page, a 5xx or the provider's own "internal error" after a
            # purchase request: it may have been carried out. Never guess; reconcile.
            raise OutcomeUnknownError(action, str(exc), answered=True) from None


def form_fields(params: dict[str, object]) -> dict[str, str]:
    """Drops unset parameters and writes the rest as the protocol expects."""
    form: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            form[name] = "true" if value else "false"
        elif isinstance(value, str):
            form[name] = value
        elif isinstance(value, int | Decimal):
            form[name] = str(value)
        else:
            form[name] = ",".join(str(item) for item in value)  # type: ignore[attr-defined]
    return form


def true_or_none(flag: bool) -> bool | None:
    return True if flag else None

"""The async provider client: one method per handler_api.php action, named after it.

A :class:`ProviderClient` is cheap: it binds one endpoint and one user's key to the shared
:class:`~bot.provider.transport.ProviderTransport`. Make one per call site::

    client = ProviderClient(transport, resolve_endpoint("herosms"), api_key)
    purchase = await client.get_number("tg", country=6)

Paid actions (``get_number*``, ``get_multi_service_number``, ``get_rent_number``,
``continue_rent_number``, ``get_additional_service``, ``get_extra_activation``) are sent
exactly once. Their outcome is one of: a result (bought), a
:class:`~bot.provider.errors.ProviderRejection` (not bought), a
:class:`~bot.provider.errors.TransportError` (never sent, not bought), or an
:class:`~bot.provider.errors.OutcomeUnknownError` (reconcile before doing anything else).
"""

from __future__ import annotations

from typing import Final

from bot.provider.client_activations import ActivationCalls, NumberOptions
from bot.provider.client_catalog import CatalogCalls
from bot.provider.client_rents import RENT_CANCEL, RENT_FINISH, RentCalls

__all__ = ["PAID_ACTIONS", "RENT_CANCEL", "RENT_FINISH", "NumberOptions", "ProviderClient"]

PAID_ACTIONS: Final = frozenset(
    {
        "getNumber",
        "getNumberV2",
        "getMultiServiceNumber",
        "getRentNumber",
        "continueRentNumber",
        "getAdditionalService",
        "getExtraActivation",
    }
)


class ProviderClient(CatalogCalls, ActivationCalls, RentCalls):
    """One provider account: an endpoint and a key, over the shared transport.

    The calls are grouped by concept: :class:`~bot.provider.client_catalog.CatalogCalls`,
    :class:`~bot.provider.client_activations.ActivationCalls`,
    :class:`~bot.provider.client_rents.RentCalls`.

    Args:
        transport: the process-wide transport.
        endpoint: where the provider is.
        api_key: the user's key; it is sent in the request body (or query, for GET presets)
            and nowhere else.
    """

    __slots__ = ()

"""The SMS-Activate ``handler_api.php`` protocol, spoken by many providers.

presets.py     where providers are (ProviderEndpoint, PRESETS, resolve_endpoint)
transport.py   pooled HTTP, retries for reads only (ProviderTransport)
resolver.py    public addresses only for user-chosen providers, on every connection
parsing.py     replies -> models or errors, in one place
models.py      frozen result types (Decimal money, string ids)
errors.py      the error hierarchy and the token table
client.py      ProviderClient: one async method per action
sandbox/       a faithful emulator of a provider (tests, benchmarks, demo)
"""

from bot.provider.client import PAID_ACTIONS, ProviderClient
from bot.provider.errors import (
    AccountBlockedError,
    AddressRefusedError,
    AuthenticationError,
    EarlyCancelDeniedError,
    InsufficientFundsError,
    InvalidRequestError,
    MaxHoursExceededError,
    NoNumbersError,
    NotFoundError,
    OutcomeUnknownError,
    PriceLimitError,
    ProviderError,
    ProviderRejection,
    ProviderServerError,
    ProviderTimeout,
    ProviderUnavailableError,
    RentExpiredError,
    StateConflictError,
    TransportError,
    UnexpectedReplyError,
)
from bot.provider.presets import PRESETS, InvalidEndpointError, ProviderEndpoint, resolve_endpoint
from bot.provider.transport import ProviderTransport, RetryPolicy, Timeouts

__all__ = [
    "PAID_ACTIONS",
    "PRESETS",
    "AccountBlockedError",
    "AddressRefusedError",
    "AuthenticationError",
    "EarlyCancelDeniedError",
    "InsufficientFundsError",
    "InvalidEndpointError",
    "InvalidRequestError",
    "MaxHoursExceededError",
    "NoNumbersError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PriceLimitError",
    "ProviderClient",
    "ProviderEndpoint",
    "ProviderError",
    "ProviderRejection",
    "ProviderServerError",
    "ProviderTimeout",
    "ProviderTransport",
    "ProviderUnavailableError",
    "RentExpiredError",
    "RetryPolicy",
    "StateConflictError",
    "Timeouts",
    "TransportError",
    "UnexpectedReplyError",
    "resolve_endpoint",
]

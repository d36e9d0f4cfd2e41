"""The provider error hierarchy, and the one function that maps reply tokens onto it.

::

    ProviderError                     anything that went wrong talking to the provider
    ├── TransportError                the request never got an answer (nothing was bought:
    │   │                             raised for read-only calls, or when a paid call
    │   │                             provably never left this process)
    │   ├── ProviderTimeout
    │   └── AddressRefusedError       a user-chosen provider's host is not public
    ├── OutcomeUnknownError           a PAID call may have reached the provider, but no
    │                                 trustworthy answer came back: reconcile, never retry
    ├── UnexpectedReplyError          a reply we cannot read: garbage, an HTML page, an
    │   │                             unknown token (``raw`` keeps it, secrets removed)
    │   └── ProviderUnavailableError  HTTP 5xx or a proxy's error page
    └── ProviderRejection             the provider answered with a known error token
        ├── AuthenticationError       BAD_KEY, NO_KEY
        ├── AccountBlockedError       BANNED:<until>, ACCOUNT_INACTIVE, CHANNELS_LIMIT, …
        ├── InsufficientFundsError    NO_BALANCE, NO_BALANCE_FORWARD, NO_YULA_MAIL
        ├── NoNumbersError            NO_NUMBERS, OUT_OF_STOCK, WHATSAPP_NOT_AVAILABLE
        ├── PriceLimitError           WRONG_MAX_PRICE:<min>, MAX_PRICE_EXCEEDED
        ├── InvalidRequestError       BAD_ACTION, BAD_SERVICE, BAD_COUNTRY, INVALID_TIME, …
        ├── NotFoundError             NO_ACTIVATION, NO_ID_RENT, INVALID_PHONE, …
        ├── StateConflictError        BAD_STATUS, CANT_CANCEL, ALREADY_FINISH, …
        │   ├── EarlyCancelDeniedError    EARLY_CANCEL_DENIED
        │   ├── RentExpiredError          RENT_DIE
        │   └── MaxHoursExceededError     MAX_HOURS_EXCEED (``max_hours``)
        └── ProviderServerError       ERROR_SQL, SQL_ERROR, SERVER_ERROR

A :class:`ProviderRejection` to a paid call is a definite "no": nothing was bought. Handlers
map these classes (never raw tokens) to messages for the user.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Final


class ProviderError(Exception):
    """Base of every error the provider client raises."""


class TransportError(ProviderError):
    """No answer was received: connection refused, reset, DNS, or a read-only call timed out."""


class ProviderTimeout(TransportError):
    """The provider did not answer in time."""


class AddressRefusedError(TransportError):
    """A user-chosen provider's host is (now) not on the public internet, so no connection
    was opened and nothing was sent (``SMSBOT_CUSTOM_PROVIDERS=public``)."""


class OutcomeUnknownError(ProviderError):
    """A paid call may have been carried out, but we did not get a readable answer.

    The caller must reconcile with ``getActiveActivations`` / ``getRentList`` and must not
    retry the purchase.

    Attributes:
        action: the protocol action whose outcome is unknown.
    """

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"outcome of {action} unknown: {reason}")
        self.action = action
        self.reason = reason


class UnexpectedReplyError(ProviderError):
    """The reply could not be understood.

    Attributes:
        raw: the reply body (shortened, with secrets removed), for the log.
        status_code: the HTTP status of the reply.
    """

    def __init__(self, message: str, *, raw: str = "", status_code: int = 200) -> None:
        super().__init__(message)
        self.raw = raw
        self.status_code = status_code


class ProviderUnavailableError(UnexpectedReplyError):
    """HTTP 5xx, or a proxy's HTML error page: the provider is down or overloaded."""


class ProviderRejection(ProviderError):
    """The provider refused the request with an error token.

    Attributes:
        token: the token as sent (``NO_BALANCE``, ``BANNED``, …), without its payload.
        detail: the token's payload or the envelope's description, if any.
    """

    tokens: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, token: str, detail: str | None = None) -> None:
        super().__init__(token if not detail else f"{token}: {detail}")
        self.token = token
        self.detail = detail


class AuthenticationError(ProviderRejection):
    """The API key is missing or wrong."""

    tokens = frozenset({"BAD_KEY", "NO_KEY"})


class AccountBlockedError(ProviderRejection):
    """The account may not buy now.

    Attributes:
        until: when the ban ends, if the provider said (``BANNED:<datetime>``).
    """

    tokens = frozenset(
        {"BANNED", "ACCOUNT_INACTIVE", "CHANNELS_LIMIT", "SERVICE_UNAVAILABLE_REGION"}
    )

    def __init__(self, token: str, detail: str | None = None) -> None:
        super().__init__(token, detail)
        self.until = _parse_ban_date(detail) if detail else None


class InsufficientFundsError(ProviderRejection):
    """The balance does not cover the purchase."""

    tokens = frozenset({"NO_BALANCE", "NO_BALANCE_FORWARD", "NO_YULA_MAIL"})


class NoNumbersError(ProviderRejection):
    """No free numbers for that service, country and operator."""

    tokens = frozenset({"NO_NUMBERS", "OUT_OF_STOCK", "WHATSAPP_NOT_AVAILABLE"})


class PriceLimitError(ProviderRejection):
    """The price limit sent is wrong or too low.

    Attributes:
        minimum: the lowest accepted max price (``WRONG_MAX_PRICE:<min>``), if given.
    """

    tokens = frozenset({"WRONG_MAX_PRICE", "MAX_PRICE_EXCEEDED"})

    def __init__(self, token: str, detail: str | None = None) -> None:
        super().__init__(token, detail)
        self.minimum = _parse_decimal(detail)


class InvalidRequestError(ProviderRejection):
    """A parameter was not accepted."""

    tokens = frozenset(
        {
            "BAD_ACTION",
            "BAD_SERVICE",
            "BAD_COUNTRY",
            "WRONG_COUNTRY",
            "BAD_OPERATOR",
            "WRONG_OPERATOR",
            "WRONG_SERVICE",
            "WRONG_EXCEPTION_PHONE",
            "NOT_AVAILABLE",
            "INVALID_TIME",
            "INCORECT_STATUS",
            "BAD_DATA",
            "WRONG_ADDITIONAL_SERVICE",
            "NOT_INCOMING",
            "PARSE_COUNT_EXCEED",
        }
    )


class NotFoundError(ProviderRejection):
    """The activation, rent or number does not exist for this key."""

    tokens = frozenset(
        {
            "NO_ACTIVATION",
            "NO_ACTIVATIONS",
            "INVALID_ACTIVATION_ID",
            "WRONG_ACTIVATION_ID",
            "NO_ID_RENT",
            "INVALID_PHONE",
            "NUMBER_NOT_EXIST",
            "OPERATORS_NOT_FOUND",
        }
    )


class StateConflictError(ProviderRejection):
    """The action is not allowed in the item's current state."""

    tokens = frozenset(
        {
            "BAD_STATUS",
            "CANT_CANCEL",
            "ALREADY_FINISH",
            "ALREADY_CANCEL",
            "STATUS_FINISH",
            "STATUS_CANCEL",
            "STATUS_WAIT_CODE",
            "WRONG_SECURITY",
            "REPEAT_ADDITIONAL_SERVICE",
            "RENEW_ACTIVATION_NOT_AVAILABLE",
            "NEW_ACTIVATION_IMPOSSIBLE",
            "CALL_TASK_ALREADY_EXIST",
            "ORDER_ALREADY_EXISTS",
            "SIM_OFFLINE",
            "NO_CALL",
            "INVALID_STATUS",
            "STATUS_REVOKE",
            "ACCESS_CANCEL_ALREADY",
        }
    )


class EarlyCancelDeniedError(StateConflictError):
    """Cancelling is refused in the first minutes after purchase (2 minutes on most providers)."""

    tokens = frozenset({"EARLY_CANCEL_DENIED"})


class RentExpiredError(StateConflictError):
    """The rent has ended and can no longer be extended."""

    tokens = frozenset({"RENT_DIE"})


class MaxHoursExceededError(StateConflictError):
    """The extension would pass the longest rent allowed.

    Attributes:
        max_hours: the limit the provider gave, if any.
    """

    tokens = frozenset({"MAX_HOURS_EXCEED"})

    def __init__(self, token: str, detail: str | None = None) -> None:
        super().__init__(token, detail)
        found = re.search(r"\d+", detail or "")
        self.max_hours = int(found.group()) if found else None


class ProviderServerError(ProviderRejection):
    """The provider reported an internal error."""

    tokens = frozenset({"ERROR_SQL", "SQL_ERROR", "SERVER_ERROR"})


_REJECTIONS: Final[tuple[type[ProviderRejection], ...]] = (
    AuthenticationError,
    AccountBlockedError,
    InsufficientFundsError,
    NoNumbersError,
    PriceLimitError,
    InvalidRequestError,
    NotFoundError,
    EarlyCancelDeniedError,
    RentExpiredError,
    MaxHoursExceededError,
    StateConflictError,
    ProviderServerError,
)

ERROR_CLASSES: Final[dict[str, type[ProviderRejection]]] = {
    token: cls for cls in reversed(_REJECTIONS) for token in cls.tokens
}
"""Every known error token and the class it raises."""


def error_for_token(token: str, detail: str | None = None) -> ProviderRejection | None:
    """Maps an error token (with an optional ``:payload`` in ``token``) to its exception.

    Args:
        token: a reply such as ``NO_BALANCE``, ``BANNED:2026-1-2 3-4-5`` or ``WRONG_MAX_PRICE:7.5``.
        detail: a description from a JSON envelope, used when the token has no payload.

    Returns:
        The exception to raise, or None when the token is not a known error.
    """
    name, sep, payload = token.strip().partition(":")
    cls = ERROR_CLASSES.get(name.strip().upper())
    if cls is None:
        return None
    return cls(name.strip().upper(), payload.strip() if sep else detail)


def _parse_ban_date(text: str) -> datetime | None:
    # The documented format is 'YYYY-m-d H-i-s' (dashes in the time, too); accept colons.
    found = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2})[-:](\d{1,2})[-:](\d{1,2})", text)
    if not found:
        return None
    year, month, day, hour, minute, second = (int(part) for part in found.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def _parse_decimal(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None

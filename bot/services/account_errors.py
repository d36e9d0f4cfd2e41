"""What a user must fix before using their provider account: the errors of
:mod:`bot.services.accounts`, in one hierarchy under :class:`AccountError` (the Telegram layer
answers each with its own message)."""

from __future__ import annotations

from typing import Literal


class AccountError(Exception):
    """Base of what a user must fix before using their provider account."""


class NoApiKeyError(AccountError):
    """The user has no key for their current provider."""


class KeyNeedsReentryError(AccountError):
    """The stored key cannot be decrypted (moved, damaged, or the master key is gone)."""


class MalformedKeyError(AccountError):
    """What the user sent cannot be an API key (spaces, too short, …)."""


class KeyRejectedError(AccountError):
    """The provider answered BAD_KEY / NO_KEY to the key."""


class LiveNumbersError(AccountError):
    """The key cannot change now: numbers bought with it are still live (they are watched,
    cancelled and refunded with that key)."""


CustomProviderPolicy = Literal["off", "public", "any"]


class CustomProviderRefusedError(AccountError):
    """A provider URL the operator's policy does not allow (``SMSBOT_CUSTOM_PROVIDERS``).

    Attributes:
        reason: "off" (presets only) or "private" (the host is not on the public internet).
    """

    def __init__(self, reason: Literal["off", "private"]) -> None:
        super().__init__(f"custom provider URL refused ({reason})")
        self.reason = reason


class TooManyKeyAttemptsError(AccountError):
    """Too many key attempts in a short time.

    Attributes:
        retry_in: seconds until the next attempt is allowed.
    """

    def __init__(self, retry_in: float) -> None:
        super().__init__(f"too many attempts; retry in {retry_in:.0f} s")
        self.retry_in = retry_in

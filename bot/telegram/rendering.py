"""What the user sees: message texts and buttons, built from ledger rows and translations.

Every variable is HTML-escaped here, once, so the Fluent messages can hold Telegram HTML
tags and no provider text (an SMS, a service name) can break a message.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import provider
from bot.i18n import Translator
from bot.telegram.callbacks import CallbackData


class Html(str):
    """Text that is already Telegram HTML (a formatted message): never escaped again."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Screen:
    """A message body and its buttons."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


class Renderer:
    """Formats texts in one locale, escaping every variable for Telegram HTML."""

    __slots__ = ("locale", "translator")

    def __init__(self, translator: Translator, locale: str) -> None:
        self.translator = translator
        self.locale = locale

    def __call__(self, message_id: str, **args: object) -> Html:
        safe = {name: _safe(value) for name, value in args.items()}
        return Html(self.translator.t(self.locale, message_id, **safe))

    def button(self, message_id: str, data: CallbackData, **args: object) -> InlineKeyboardButton:
        label = self.translator.t(self.locale, message_id, **args)
        return InlineKeyboardButton(label, callback_data=data.pack())

    def money(self, amount: Decimal | None) -> str:
        """An amount with two decimals, written as the locale writes numbers (counts too):
        ``1.234,50`` in Spanish, ``1 234,50`` in Russian; English keeps ``1234.50``."""
        if amount is None:
            return "—"
        if self.locale == "en":
            return f"{amount:.2f}"
        return format_decimal(amount, format="#,##0.00", locale=self.locale)

    def time(self, unix: float | None) -> str:
        if unix is None:
            return "—"
        return datetime.fromtimestamp(unix, tz=UTC).strftime("%H:%M UTC")

    def error(self, error: BaseException) -> Html:
        """A provider error class (never its raw token) as a sentence for the user."""
        message_id, args = _error_message(error)
        return self(message_id, **args)


def _safe(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Html):
        return html.escape(value, quote=False)
    return value


_ERROR_MESSAGES: tuple[tuple[type[BaseException], str], ...] = (
    (provider.AuthenticationError, "error-auth"),
    (provider.AccountBlockedError, "error-blocked"),
    (provider.InsufficientFundsError, "error-funds"),
    (provider.NoNumbersError, "error-no-numbers"),
    (provider.PriceLimitError, "error-price-limit"),
    (provider.RentExpiredError, "error-rent-expired"),  # before StateConflictError, its base
    (provider.MaxHoursExceededError, "error-max-hours"),
    (provider.NotFoundError, "error-not-found"),
    (provider.StateConflictError, "error-state"),
    (provider.InvalidRequestError, "error-invalid"),
    (provider.ProviderServerError, "error-server"),
    (provider.AddressRefusedError, "error-address-refused"),
    (provider.ProviderTimeout, "error-timeout"),
    (provider.ProviderUnavailableError, "error-unavailable"),
    (provider.TransportError, "error-unavailable"),
    (provider.UnexpectedReplyError, "error-unexpected"),
    (provider.OutcomeUnknownError, "error-unexpected"),
)


def _error_message(error: BaseException) -> tuple[str, dict[str, object]]:
    for kind, message_id in _ERROR_MESSAGES:
        if isinstance(error, kind):
            if isinstance(error, provider.AccountBlockedError):
                until = error.until.strftime("%Y-%m-%d %H:%M UTC") if error.until else "none"
                return message_id, {"until": until}
            if isinstance(error, provider.MaxHoursExceededError):
                limit = error.max_hours
                return message_id, {"max": "none" if limit is None else str(limit)}
            return message_id, {}
    return "error-generic", {}

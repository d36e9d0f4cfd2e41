"""What the user sees: message texts and buttons, built from ledger rows and translations.

Every variable is HTML-escaped here, once, so the Fluent messages can hold Telegram HTML
tags and no provider text (an SMS, a service name) can break a message.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    """Formats texts in one locale, escaping every variable for Telegram HTML.

    Args:
        zone: the IANA time zone the reader chose (/settings); None shows times in UTC.
        now: the current Unix time, for "in 14 min"; None leaves countdowns out.
        currency: the ISO code amounts are in ("RUB"), shown after each; None shows none.
    """

    __slots__ = ("currency", "locale", "now", "translator", "zone")

    def __init__(
        self,
        translator: Translator,
        locale: str,
        *,
        zone: str | None = None,
        now: float | None = None,
        currency: str | None = None,
    ) -> None:
        self.translator = translator
        self.locale = locale
        self.currency = currency
        self.zone = time_zone(zone)
        self.now = now

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
            number = f"{amount:.2f}"
        else:
            number = format_decimal(amount, format="#,##0.00", locale=self.locale)
        return number if self.currency is None else f"{number} {self.currency}"

    def duration(self, hours: int) -> Html:
        """A rent's length as people say it: "12 h" below a day, "7 days" for whole days."""
        if hours >= 24 and hours % 24 == 0:
            return self("duration-days", days=hours // 24)
        return self("duration-hours", hours=hours)

    def time(self, unix: float | None) -> str:
        """A time of day in the reader's zone ("18:52"); "18:52 UTC" when they chose none."""
        if unix is None:
            return "—"
        return self._format(unix, "%H:%M")

    def moment(self, unix: float | None) -> str:
        """A date and time (a rent lasts days, so the hour alone is not enough)."""
        if unix is None:
            return "—"
        return self._format(unix, "%Y-%m-%d %H:%M")

    def countdown(self, unix: float | None, *, approximate: bool = False) -> str:
        """A deadline as "in 14 min · 18:52" (the time alone once it is past or unknown);
        ``approximate`` marks the time "≈ 18:52"."""
        shown = ("≈ " if approximate and unix is not None else "") + self.time(unix)
        if unix is None or self.now is None or unix <= self.now:
            return shown
        minutes = max(1, round((unix - self.now) / 60))
        return self.translator.t(self.locale, "time-countdown", minutes=minutes, time=shown)

    def _format(self, unix: float, pattern: str) -> str:
        if self.zone is None:
            return datetime.fromtimestamp(unix, tz=UTC).strftime(pattern + " UTC")
        return datetime.fromtimestamp(unix, tz=self.zone).strftime(pattern)

    def error(self, error: BaseException) -> Html:
        """A provider error class (never its raw token) as a sentence for the user."""
        message_id, args = _error_message(error)
        return self(message_id, **args)


def time_zone(name: str | None) -> ZoneInfo | None:
    """The zone of that IANA name, or None (UTC) for none or one this system does not know."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


# A lone UTF-16 surrogate: a valid JSON escape (\\ud800) that no UTF-8 request can carry,
# so echoing one (a search for it) would fail the send. In a str every surrogate is lone.
_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _safe(value: object) -> object:
    """A value for a message: user text escaped for HTML, its lone surrogates shown as �."""
    if isinstance(value, str) and not isinstance(value, Html):
        return html.escape(_LONE_SURROGATE.sub("\ufffd", value), quote=False)
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

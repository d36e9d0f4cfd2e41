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
from bot.callbacks import CallbackData
from bot.i18n import Translator
from bot.keyboards import ActivationButton, AdditionalOffer, CallStatus, ExtraOffer
from storage.activations import Activation, ActivationState


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

    def activation(
        self, row: Activation, *, country: str, service: str, code: str | None = None
    ) -> Screen:
        """The activation message: number, what it is for, cost, state and the buttons.

        Args:
            code: the latest code received, shown while the state is CODE_RECEIVED.
        """
        status = self._status(row, code)
        text = self(
            "activation-card",
            phone=row.phone or "",
            service=service,
            country=country,
            operator=row.operator
            if row.operator not in (None, "any")
            else self("buy-operator-any"),
            cost=self.money(row.cost),
            status=status,
        )
        if row.cancel_at is not None and row.state is ActivationState.WAITING:
            scheduled = self("activation-cancel-scheduled", at=self.time(row.cancel_at))
            text = Html(f"{text}\n{scheduled}")
        return Screen(text, self._activation_buttons(row))

    def _status(self, row: Activation, code: str | None) -> Html:
        if _by_call(row):
            if row.state is ActivationState.WAITING:
                return self("activation-status-waiting-call", until=self._deadline(row))
            if row.state is ActivationState.FINISHED and row.code_count:
                return self("activation-status-call-came", code=code or "…")
        if row.state is ActivationState.WAITING:
            return self("activation-status-waiting", until=self._deadline(row))
        if row.state is ActivationState.CODE_RECEIVED:
            return self("activation-status-code", code=code or "…")
        if row.state is ActivationState.RETRY:
            return self("activation-status-retry", until=self._deadline(row))
        if row.state is ActivationState.FINISHED:
            return self("activation-status-finished")
        if row.state is ActivationState.CANCELLED:
            return self("activation-status-cancelled", cost=self.money(row.cost))
        return self("activation-status-expired", cost=self.money(row.cost))

    def _deadline(self, row: Activation) -> str:
        """The activation's end; "≈" marks one assumed from the service's usual lifetime (the
        provider told none)."""
        shown = self.time(row.deadline)
        return f"≈ {shown}" if row.deadline_assumed and row.deadline is not None else shown

    def _activation_buttons(self, row: Activation) -> InlineKeyboardMarkup | None:
        def button(message_id: str, action: str) -> InlineKeyboardButton:
            return self.button(message_id, ActivationButton(action, row.ledger_id))

        if _by_call(row) and row.state is not ActivationState.WAITING:
            # The call came: the provider allows no status change, only reading the call (a
            # row still live from before that was known is brought in line by a refresh).
            if row.state is ActivationState.FINISHED and row.code_count:
                return InlineKeyboardMarkup(self._extra_buttons(row))
            if row.state in (ActivationState.CODE_RECEIVED, ActivationState.RETRY):
                return InlineKeyboardMarkup(
                    [[button("button-refresh", "refresh")], *self._extra_buttons(row)]
                )
            return None
        if row.state is ActivationState.WAITING and _by_call(row):
            # No "SMS sent": the code comes as a call.
            rows = [
                [button("button-cancel-activation", "cancel"), button("button-refresh", "refresh")]
            ]
        elif row.state is ActivationState.WAITING:
            rows = [
                [button("button-sms-sent", "sent"), button("button-cancel-activation", "cancel")],
                [button("button-refresh", "refresh")],
            ]
        elif row.state is ActivationState.CODE_RECEIVED:
            rows = [[button("button-another-code", "again"), button("button-finish", "finish")]]
        elif row.state is ActivationState.RETRY:
            rows = [[button("button-finish", "finish"), button("button-refresh", "refresh")]]
        elif row.state is ActivationState.FINISHED and row.code_count:
            # Used successfully: the provider may sell the same number again (it judges).
            rows = [[self.button("button-extra-activation", ExtraOffer(row.ledger_id))]]
        else:
            return None
        if row.state in (ActivationState.WAITING, ActivationState.CODE_RECEIVED):
            rows += self._extra_buttons(row)
        return InlineKeyboardMarkup(rows)

    def _extra_buttons(self, row: Activation) -> list[list[InlineKeyboardButton]]:
        """Buttons of options the activation was bought with (bot/handlers/extras.py)."""
        rows = []
        if row.options.get("verification"):
            rows.append([self.button("button-call-status", CallStatus(row.ledger_id))])
        if row.options.get("forward") and row.state is ActivationState.CODE_RECEIVED:
            # The provider allows an added service after the first SMS on a forwarded number.
            offer = AdditionalOffer(row.ledger_id, "", 0)
            rows.append([self.button("button-additional", offer)])
        return rows


def _by_call(row: Activation) -> bool:
    """A call-verification activation: its code comes as a call, and once the call came the
    provider refuses every status change (PROTOCOL.md §3.9)."""
    return bool(row.options.get("verification"))


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

"""The activation card, built in one place for the handlers and the notifier's deliverer:
number, service, country, operator, cost, state, the options it was bought with, and the
buttons its state allows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.buttons.activation import (
    ActivationAction,
    ActivationButton,
    AdditionalOffer,
    CallStatus,
    ExtraOffer,
    NewNumber,
)
from bot.telegram.rendering import Html, Renderer, Screen
from storage.activations import Activation, ActivationLedger, ActivationState


def country_name(row: Activation, locale: str) -> str:
    return recorded_country_name(row.options, row.country, locale)


def recorded_country_name(options: Mapping[str, Any], country: int | None, locale: str) -> str:
    """The country's name as the provider gave it at purchase (kept in a ledger row's options),
    in the locale if it gave one."""
    names = options.get("country_names") or {}
    if isinstance(names, dict):
        name = names.get(locale) or names.get("en")
        if name:
            return str(name)
    return "" if country is None else f"#{country}"


def service_name(row: Activation) -> str:
    return str(row.options.get("service_name") or row.service)


async def activation_screen(
    ledger: ActivationLedger,
    render: Renderer,
    row: Activation,
    *,
    notice: Html | None = None,
    extra: ActivationButton | None = None,
) -> Screen:
    """The activation card for a row, with its latest code.

    Args:
        notice: what a press just did, shown under the card.
        extra: one more button under the card's own (e.g. "Cancel automatically").
    """
    codes = await ledger.codes(row.ledger_id)
    last = next((c.code or c.text for c in reversed(codes) if c.code or c.text), None)
    screen = _card(
        render, row, country=country_name(row, render.locale), service=service_name(row), code=last
    )
    text = Html("\n".join((screen.text, *_option_lines(render, row))))
    if notice is not None:
        text = Html(f"{text}\n\n{notice}")
    if extra is None:
        return Screen(text, screen.keyboard)
    rows = [list(r) for r in screen.keyboard.inline_keyboard] if screen.keyboard else []
    rows.append([render.button("button-cancel-auto", extra)])
    return Screen(text, InlineKeyboardMarkup(rows))


def _option_lines(render: Renderer, row: Activation) -> list[Html]:
    """What the number was bought with beyond a plain SMS number (the ledger's options)."""
    lines = []
    if row.options.get("verification"):
        lines.append(render("options-card-verification"))
    if row.options.get("forward"):
        number = row.options.get("forward_number")
        lines.append(render("options-card-forward", number=f"+{number}" if number else "—"))
    return lines


def _card(
    render: Renderer, row: Activation, *, country: str, service: str, code: str | None = None
) -> Screen:
    """The activation message: number, what it is for, cost, state and the buttons.

    Args:
        code: the latest code received, shown while the state is CODE_RECEIVED.
    """
    status = _status(render, row, code)
    text = render(
        "activation-card",
        phone=row.phone or "",
        service=service,
        country=country,
        operator=row.operator if row.operator not in (None, "any") else render("buy-operator-any"),
        cost=render.money(row.cost),
        status=status,
    )
    if row.cancel_at is not None and row.state is ActivationState.WAITING:
        scheduled = render("activation-cancel-scheduled", at=render.time(row.cancel_at))
        text = Html(f"{text}\n{scheduled}")
    return Screen(text, _buttons(render, row))


def _status(render: Renderer, row: Activation, code: str | None) -> Html:
    if _by_call(row):
        if row.state is ActivationState.WAITING:
            return render("activation-status-waiting-call", until=_deadline(render, row))
        if row.state is ActivationState.FINISHED and row.code_count:
            return render("activation-status-call-came", code=code or "…")
    if row.state is ActivationState.WAITING:
        return render("activation-status-waiting", until=_deadline(render, row))
    if row.state is ActivationState.CODE_RECEIVED:
        return render("activation-status-code", code=code or "…")
    if row.state is ActivationState.RETRY:
        return render("activation-status-retry", until=_deadline(render, row))
    if row.state is ActivationState.FINISHED:
        return render("activation-status-finished")
    if row.state is ActivationState.CANCELLED:
        return render("activation-status-cancelled", cost=render.money(row.cost))
    return render("activation-status-expired", cost=render.money(row.cost))


def _deadline(render: Renderer, row: Activation) -> str:
    """The activation's end; "≈" marks one assumed from the service's usual lifetime (the
    provider told none)."""
    return render.countdown(row.deadline, approximate=row.deadline_assumed)


def _buttons(render: Renderer, row: Activation) -> InlineKeyboardMarkup | None:
    def button(message_id: str, action: ActivationAction) -> InlineKeyboardButton:
        return render.button(message_id, ActivationButton(action, row.ledger_id))

    if _by_call(row) and row.state is not ActivationState.WAITING:
        # The call came: the provider allows no status change, only reading the call (a
        # row still live from before that was known is brought in line by a refresh).
        if row.state is ActivationState.FINISHED and row.code_count:
            return InlineKeyboardMarkup(_extra_buttons(render, row))
        if row.state in (ActivationState.CODE_RECEIVED, ActivationState.RETRY):
            return InlineKeyboardMarkup(
                [[button("button-refresh", "refresh")], *_extra_buttons(render, row)]
            )
        return None
    if row.state is ActivationState.WAITING and _by_call(row):
        # No "SMS sent": the code comes as a call.
        rows = [[button("button-cancel-activation", "cancel"), button("button-refresh", "refresh")]]
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
        rows = [[render.button("button-extra-activation", ExtraOffer(row.ledger_id))]]
    elif _ended_without_code(row):
        # The number never got its code: the same service, country and operator once more.
        rows = [[render.button("button-new-number", NewNumber(row.ledger_id))]]
    else:
        return None
    if row.state in (ActivationState.WAITING, ActivationState.CODE_RECEIVED):
        rows += _extra_buttons(render, row)
    return InlineKeyboardMarkup(rows)


def _extra_buttons(render: Renderer, row: Activation) -> list[list[InlineKeyboardButton]]:
    """Buttons of options the activation was bought with (bot/handlers/extras.py)."""
    rows = []
    if row.options.get("verification"):
        rows.append([render.button("button-call-status", CallStatus(row.ledger_id))])
    if row.options.get("forward") and row.state is ActivationState.CODE_RECEIVED:
        # The provider allows an added service after the first SMS on a forwarded number.
        offer = AdditionalOffer(row.ledger_id, "", 0)
        rows.append([render.button("button-additional", offer)])
    return rows


def _ended_without_code(row: Activation) -> bool:
    ended = row.state in (ActivationState.CANCELLED, ActivationState.EXPIRED)
    return ended and not row.code_count and row.country is not None


def _by_call(row: Activation) -> bool:
    """A call-verification activation: its code comes as a call, and once the call came the
    provider refuses every status change (PROTOCOL.md §3.9)."""
    return bool(row.options.get("verification"))

"""The rent message and the rent pushes, built from the ledger (for handlers and the deliverer)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.rents import CANCEL_WINDOW
from bot.telegram.buttons.rent import RentButton, RentExtendDismiss, RentExtendHours
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.screens.activation import recorded_country_name
from storage.rents import Rent, RentLedger, RentState

# What "Extend" offers: the provider's steps (4 h, 12 h, then whole days).
EXTENSION_HOURS: Final = (4, 12, 24, 72, 168)
_STATUS: Final = {
    RentState.FINISHED: "rent-status-finished",
    RentState.CANCELLED: "rent-status-cancelled",
    RentState.EXPIRED: "rent-status-expired",
}


def when(unix: float | None) -> str:
    """A date and time in UTC (``Renderer.moment`` shows it in the reader's zone)."""
    if unix is None:
        return "—"
    return datetime.fromtimestamp(unix, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def rent_service_name(row: Rent, render: Renderer) -> str:
    if row.service == "full":
        return render("rent-service-full")
    return str(row.options.get("service_name") or row.service)


def rent_country_name(row: Rent, locale: str) -> str:
    return recorded_country_name(row.options, row.country, locale)


async def rent_card(rents: RentLedger, render: Renderer, row: Rent, now: float) -> Screen:
    """The rent message as the ledger has it now (whether an SMS came decides "Cancel")."""
    has_sms = row.state is RentState.ACTIVE and await rents.has_sms(row.ledger_id)
    return rent_screen(render, row, now, has_sms=has_sms)


def rent_screen(render: Renderer, row: Rent, now: float, *, has_sms: bool = False) -> Screen:
    """The rent message: the number (tap to copy), service, country, end, state and buttons.

    "Cancel" is offered only within the provider's first 20 minutes and before any SMS came
    (the provider refuses it after either); a press on an older message still asks the
    provider, whose refusal is shown.
    """
    if row.state is RentState.ACTIVE:
        status = render("rent-status-active", end=render.moment(row.end_date))
    else:
        status = render(_STATUS.get(row.state, "rent-status-expired"))
    text = render(
        "rent-card",
        phone=row.phone or "",
        service=rent_service_name(row, render),
        country=rent_country_name(row, render.locale),
        status=status,
    )
    if row.state is not RentState.ACTIVE:
        return Screen(text)
    buttons = [render.button("button-rent-finish", RentButton("finish", row.ledger_id))]
    started = row.confirmed_at or row.created_at
    if now < started + CANCEL_WINDOW and not has_sms:
        buttons.append(render.button("button-rent-cancel", RentButton("cancel", row.ledger_id)))
    extend = render.button("button-rent-extend", RentButton("extend", row.ledger_id))
    return Screen(text, InlineKeyboardMarkup([buttons, [extend]]))


def finish_question_screen(render: Renderer, row: Rent) -> Screen:
    """"Finish the rent now?": finishing cannot be undone and refunds nothing, so it takes a
    second tap."""
    yes = render.button("button-rent-finish-yes", RentButton("end", row.ledger_id))
    no = render.button("button-rent-finish-no", RentButton("back", row.ledger_id))
    text = render("rent-finish-ask", phone=row.phone or "")
    return Screen(text, InlineKeyboardMarkup([[yes, no]]))


def extension_hours_screen(render: Renderer, row: Rent) -> Screen:
    """How many hours to extend by."""
    choices = [
        InlineKeyboardButton(
            render("button-rent-hours", duration=render.duration(hours)),
            callback_data=RentExtendHours(row.ledger_id, hours).pack(),
        )
        for hours in EXTENSION_HOURS
    ]
    rows = [choices[i : i + 3] for i in range(0, len(choices), 3)]
    rows.append([render.button("button-cancel", RentExtendDismiss(row.ledger_id))])
    text = render("rent-extend-ask", phone=row.phone or "", end=render.moment(row.end_date))
    return Screen(Html(text), InlineKeyboardMarkup(rows))

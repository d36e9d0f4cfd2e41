"""/balance and /history."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.provider import ProviderError
from bot.services.account_errors import AccountError, KeyNeedsReentryError
from bot.telegram.buttons.activation import ExtraOffer
from bot.telegram.buttons.settings import BalanceAgain, HistoryPage
from bot.telegram.context import Context
from bot.telegram.handlers.common import renderer, respond, send, services, show, user_id
from bot.telegram.rendering import Html, Renderer, Screen
from bot.telegram.routing import Press, on_button
from bot.telegram.screens.activation import service_name
from bot.telegram.screens.rent import rent_service_name
from storage.activations import ActivationState
from storage.rents import RentState

_HISTORY_PAGE = 10
_STATE_WORDS = {
    ActivationState.FINISHED: "history-state-finished",
    ActivationState.CANCELLED: "history-state-cancelled",
    ActivationState.EXPIRED: "history-state-expired",
}
_RENT_STATE_WORDS = {  # their own words: "a rent" is feminine in Russian, "a number" is not
    RentState.ACTIVE: "history-rent-state-active",
    RentState.FINISHED: "history-rent-state-finished",
    RentState.CANCELLED: "history-rent-state-cancelled",
    RentState.EXPIRED: "history-rent-state-expired",
}
_RENTS_SHOWN = 10


async def balance(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    await respond(update, render, _balance_screen(update, context, render))


@on_button(BalanceAgain)
async def balance_again(press: Press[BalanceAgain]) -> None:
    await press.query.answer()
    await show(press.query, Screen(press.render("press-working")))
    await show(press.query, await _balance_screen(press.update, press.context, press.render))


async def _balance_screen(update: Update, context: Context, render: Renderer) -> Screen:
    accounts = services(context).accounts
    try:
        result = await accounts.balance(user_id(update))
    except KeyNeedsReentryError:
        return Screen(render("key-unreadable"))
    except AccountError:
        endpoint = await accounts.endpoint_of(user_id(update))
        return Screen(render("key-none", provider=endpoint.title))
    except ProviderError as error:
        again = render.button("button-try-again", BalanceAgain(again="1"))
        return Screen(
            render("request-failed", reason=render.error(error)),
            InlineKeyboardMarkup([[again]]),
        )
    return Screen(
        render(
            "balance-text",
            balance=render.money(result.balance),
            cashback=render.money(result.cashback),
        )
    )


async def history(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    screen = await _history_screen(context, render, user_id(update), 0)
    await send(update, screen.text, screen.keyboard)


@on_button(HistoryPage)
async def history_page(press: Press[HistoryPage]) -> None:
    page = press.button.page
    await press.query.answer()
    # The page is of the presser's own history: a forged page number shows only theirs.
    await show(
        press.query, await _history_screen(press.context, press.render, press.user_id, max(page, 0))
    )


async def _history_screen(context: Context, render: Renderer, user: int, page: int) -> Screen:
    """A page of the user's history, newest first; an activation that finished with a code
    gets a button to use its number again."""
    ledger = services(context).activations
    # One row more than shown tells whether an older page exists.
    rows = await ledger.history(user, limit=_HISTORY_PAGE + 1, offset=page * _HISTORY_PAGE)
    rent_lines = await _rent_lines(context, render, user) if page == 0 else []
    if not rows and not rent_lines and page == 0:
        return Screen(render("history-empty"))
    more, rows = len(rows) > _HISTORY_PAGE, rows[:_HISTORY_PAGE]
    lines = [render("history-page", page=page + 1)] if page else []
    lines += [
        render(
            "history-line",
            date=datetime.fromtimestamp(row.created_at, tz=UTC).strftime("%Y-%m-%d"),
            service=service_name(row),
            phone=row.phone or "—",
            cost=render.money(row.cost),
            state=render(_STATE_WORDS.get(row.state, "history-state-active")),
        )
        for row in rows
    ]
    total = await ledger.spending_total(user)
    count = await ledger.bought_count(user)
    held = await ledger.held_total(user)
    if held:  # charged for live numbers still waiting: refunded if no code comes
        total_line = render(
            "history-total-held", count=count, total=render.money(total), held=render.money(held)
        )
    else:
        total_line = render("history-total", count=count, total=render.money(total))
    lines.append(total_line)
    lines += rent_lines
    buttons = [
        [
            render.button(
                "button-history-extra",
                ExtraOffer(row.ledger_id),
                service=service_name(row)[:20],
                phone=row.phone or "",
            )
        ]
        for row in rows
        if row.state is ActivationState.FINISHED and row.code_count
    ]
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(render("button-prev"), callback_data=HistoryPage(page - 1).pack())
        )
    if more:
        navigation.append(
            InlineKeyboardButton(render("button-next"), callback_data=HistoryPage(page + 1).pack())
        )
    if navigation:
        buttons.append(navigation)
    return Screen(Html("\n".join(lines)), InlineKeyboardMarkup(buttons) if buttons else None)


async def _rent_lines(context: Context, render: Renderer, user: int) -> list[Html]:
    """The newest rents and what rents cost in all, under the activations (first page only)."""
    rents = services(context).rents
    rows = [
        row
        for row in await rents.history(user, limit=_RENTS_SHOWN + 20)
        if row.state in _RENT_STATE_WORDS
    ][:_RENTS_SHOWN]
    if not rows:
        return []
    lines = [render("history-rents-header")]
    # A rent's line counts its extensions: all the hours it ran, all it cost.
    extended = await rents.extension_totals(row.ledger_id for row in rows)
    for row in rows:
        more_hours, more_cost = extended.get(row.ledger_id, (0, Decimal(0)))
        cost = None if row.cost is None else row.cost + more_cost
        lines.append(
            render(
                "history-rent-line",
                date=datetime.fromtimestamp(row.created_at, tz=UTC).strftime("%Y-%m-%d"),
                service=rent_service_name(row, render),
                phone=row.phone or "—",
                duration=render.duration(row.hours + more_hours),
                cost=render.money(cost if cost is not None or not more_cost else more_cost),
                state=render(_RENT_STATE_WORDS[row.state]),
            )
        )
    total = await rents.spending_total(user)
    count = await rents.rented_count(user)
    lines.append(render("history-rent-total", count=count, total=render.money(total)))
    return lines


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("balance", balance),
        CommandHandler("history", history),
        history_page.handler(),
        balance_again.handler(),
    ]

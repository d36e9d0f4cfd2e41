"""/balance and /history."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import Context
from bot.handlers.common import renderer, send, services, user_id
from bot.provider import ProviderError
from bot.services.accounts import AccountError, KeyNeedsReentryError
from bot.views import service_name
from storage.activations import ActivationState

_HISTORY_LIMIT = 20
_STATE_WORDS = {
    ActivationState.FINISHED: "history-state-finished",
    ActivationState.CANCELLED: "history-state-cancelled",
    ActivationState.EXPIRED: "history-state-expired",
}


async def balance(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    accounts = services(context).accounts
    try:
        result = await accounts.balance(user_id(update))
    except KeyNeedsReentryError:
        await send(update, render("key-unreadable"))
        return
    except AccountError:
        endpoint = await accounts.endpoint_of(user_id(update))
        await send(update, render("key-none", provider=endpoint.title))
        return
    except ProviderError as error:
        await send(update, render("request-failed", reason=render.error(error)))
        return
    await send(
        update,
        render(
            "balance-text",
            balance=render.money(result.balance),
            cashback=render.money(result.cashback),
        ),
    )


async def history(update: Update, context: Context) -> None:
    render = await renderer(update, context)
    ledger = services(context).activations
    rows = await ledger.history(user_id(update), limit=_HISTORY_LIMIT)
    if not rows:
        await send(update, render("history-empty"))
        return
    lines = [
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
    total = await ledger.spending_total(user_id(update))
    count = await ledger.bought_count(user_id(update))
    lines.append(render("history-total", count=count, total=render.money(total)))
    await send(update, "\n".join(lines))


def build() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [CommandHandler("balance", balance), CommandHandler("history", history)]

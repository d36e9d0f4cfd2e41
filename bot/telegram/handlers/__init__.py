"""Telegram handlers: thin, one module per feature, each with a ``build()`` factory.

start.py        /start, /help, /lang, /cancel
keys.py         /key; forget_key.py: /forgetkey; provider_choice.py: /provider
buy.py          /buy and its pickers; buy_options.py: its typed max price and forward number;
                buy_shortcuts.py: a /prices row and "New number" open its confirm screen
offers.py       /buy's comparison pins, keep trying (auto-replace runs), their Stop
rent.py         /rent and its pickers
rent_actions.py the rent message's buttons, extensions, /active's rents
activations.py  activation buttons, /active
account.py      /balance, /history (paged)
prices.py       /prices: a service across countries, a country across services
extras.py       another activation on a used number, added services, calls
multi.py        /multi: one number for several services
text.py         plain text: the key, a provider URL, or a search
errors.py       access control, stale buttons, the error handler
private.py      private chats only; a command ends a pending /key step
"""

from __future__ import annotations

from telegram.ext import Application

from bot.config import Settings
from bot.telegram.handlers import (
    account,
    activations,
    buy,
    buy_shortcuts,
    errors,
    extras,
    forget_key,
    keys,
    multi,
    offers,
    prices,
    private,
    provider_choice,
    rent,
    rent_actions,
    settings,
    start,
    text,
)


def register_handlers(application: Application, config: Settings) -> None:  # type: ignore[type-arg]
    """Adds every handler; group -4 scopes the user's row to this update (one read), group -3
    answers messages with no sender, group -2 turns away users the operator did not allow,
    group -1 everything outside a private chat."""
    application.add_handler(errors.build_update_scope(), group=-4)
    application.add_handler(errors.build_sender_guard(), group=-3)
    if config.allowed_users:
        application.add_handler(errors.build_access_guard(config.allowed_users), group=-2)
    application.add_handler(private.build_guard(), group=-1)
    for module in (
        start,
        keys,
        forget_key,
        provider_choice,
        buy,
        buy_shortcuts,
        offers,
        rent,
        rent_actions,
        prices,
        multi,
        extras,
        activations,
        account,
        settings,
        text,
    ):
        application.add_handlers(module.build())
    application.add_handler(errors.build_stale_button_handler())
    application.add_error_handler(errors.on_error)

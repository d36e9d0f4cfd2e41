"""The typed PTB context: handlers reach the services as ``context.bot_data.services``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from telegram.ext import CallbackContext, ContextTypes, ExtBot

if TYPE_CHECKING:
    from bot.services.container import Services


class BotData:
    """The Application's bot_data: the services, set once by the composition root."""

    services: Services

    def __repr__(self) -> str:  # never dump the services (they hold the database, …)
        return "BotData()"


Context: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]


def context_types() -> ContextTypes[Context, dict[Any, Any], dict[Any, Any], BotData]:
    return ContextTypes(context=CallbackContext, bot_data=BotData)

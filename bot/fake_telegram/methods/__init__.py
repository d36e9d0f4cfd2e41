"""The Bot API methods the fake implements, by name; everything else is 404 as on Telegram.

Each method is ``async (state, params) -> result``, listed by its function's name (see
`by_api_name`: ``send_message`` serves ``sendMessage``); it raises `ApiError` to fail. Telegram
matches method names case-insensitively, and so does `find_method`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.fake_telegram.methods import bot_settings, callbacks, messages, polling
from bot.fake_telegram.methods.base import Method

METHODS: Mapping[str, Method] = {
    **bot_settings.METHODS,
    **callbacks.METHODS,
    **messages.METHODS,
    **polling.METHODS,
}
_BY_LOWER_NAME = {name.lower(): name for name in METHODS}


def find_method(name: str) -> tuple[str, Method] | None:
    """The canonical name and implementation of method `name`, or None if the fake lacks it."""
    canonical = _BY_LOWER_NAME.get(name.lower())
    return None if canonical is None else (canonical, METHODS[canonical])


__all__ = ["METHODS", "Method", "find_method"]

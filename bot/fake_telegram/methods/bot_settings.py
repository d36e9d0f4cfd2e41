"""The bot's own profile and settings: getMe, commands per scope and language, menu button,
getChat, close and logOut."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from bot.fake_telegram.errors import bad_request
from bot.fake_telegram.methods.base import by_api_name, chat_of
from bot.fake_telegram.params import Params
from bot.fake_telegram.state import FakeTelegramState

MAX_COMMANDS: Final = 100
_COMMAND: Final = re.compile(r"[a-z0-9_]{1,32}")
_MAX_DESCRIPTION: Final = 256
_SCOPES: Final = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
     "chat_administrators", "chat_member"}
)  # fmt: skip
_MENU_BUTTONS: Final = frozenset({"commands", "web_app", "default"})


async def get_me(state: FakeTelegramState, params: Params) -> object:
    """``getMe``: the bot's ``User`` with the bot-only flags."""
    return {
        **state.bot.to_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _commands_key(params: Params) -> tuple[str, str]:
    """(scope as canonical JSON, language code): where a command list is stored."""
    scope = params.json("scope", "BotCommandScope")
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = params.string("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


def _check_commands(raw: object) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        raise bad_request("can't parse commands JSON object")
    if len(raw) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    commands: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= _MAX_DESCRIPTION:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command, "description": description})
    return commands


async def set_my_commands(state: FakeTelegramState, params: Params) -> object:
    """``setMyCommands``: store the list for its scope and language (empty deletes it)."""
    if not params.has("commands"):
        raise bad_request('parameter "commands" is required')
    commands = _check_commands(params.json("commands", "commands"))
    key = _commands_key(params)
    if commands:
        state.commands[key] = commands
    else:
        state.commands.pop(key, None)
    state.changed()
    return True


async def get_my_commands(state: FakeTelegramState, params: Params) -> object:
    """``getMyCommands``: the list stored for exactly this scope and language, or ``[]``."""
    return [dict(command) for command in state.commands.get(_commands_key(params), [])]


async def delete_my_commands(state: FakeTelegramState, params: Params) -> object:
    """``deleteMyCommands``: forget the list for this scope and language."""
    state.commands.pop(_commands_key(params), None)
    state.changed()
    return True


def _menu_button(params: Params) -> dict[str, Any]:
    button = params.json("menu_button", "MenuButton")
    if button is None:
        return {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTONS:
        raise bad_request("can't parse MenuButton JSON object")
    return dict(button)


async def set_chat_menu_button(state: FakeTelegramState, params: Params) -> object:
    """``setChatMenuButton``: for one chat, or the default when ``chat_id`` is omitted."""
    button = _menu_button(params)
    if params.has("chat_id"):
        chat_of(state, params).menu_button = button
    else:
        state.default_menu_button = button
    state.changed()
    return True


async def get_chat_menu_button(state: FakeTelegramState, params: Params) -> object:
    """``getChatMenuButton``: the chat's button, else the default, else ``commands``."""
    chat_button = chat_of(state, params).menu_button if params.has("chat_id") else None
    return dict(chat_button or state.default_menu_button or {"type": "commands"})


async def get_chat(state: FakeTelegramState, params: Params) -> object:
    """``getChat``: a private chat's ``ChatFullInfo``."""
    chat = chat_of(state, params)
    return {
        **chat.to_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


async def close(state: FakeTelegramState, params: Params) -> object:
    """``close``: accepted; the fake has no instance to move."""
    return True


async def log_out(state: FakeTelegramState, params: Params) -> object:
    """``logOut``: accepted; the fake has no cloud server to leave."""
    return True


METHODS = by_api_name(
    get_me, set_my_commands, get_my_commands, delete_my_commands, set_chat_menu_button,
    get_chat_menu_button, get_chat, close, log_out,
)

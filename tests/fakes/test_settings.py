"""getMe, commands per scope and language, menu buttons, getChat, close and logOut."""

from __future__ import annotations

from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.fakes.raw_api import RawBotApi

START = {"command": "start", "description": "Start"}
HELP = {"command": "help", "description": "Help"}


async def test_commands_are_stored_per_scope_and_language(
    api: RawBotApi, fake: FakeTelegramServer
) -> None:
    private = {"type": "all_private_chats"}
    assert await api.ok("setMyCommands", commands=[START, HELP]) is True
    assert await api.ok("setMyCommands", commands=[START], language_code="ru") is True
    assert await api.ok("setMyCommands", commands=[HELP], scope=private) is True
    assert await api.ok("getMyCommands") == [START, HELP]
    assert await api.ok("getMyCommands", language_code="ru") == [START]
    assert await api.ok("getMyCommands", scope=private) == [HELP]
    assert await api.ok("getMyCommands", scope=private, language_code="ru") == []
    assert len(fake.state.commands) == 3
    assert await api.ok("deleteMyCommands", language_code="ru") is True
    assert await api.ok("getMyCommands", language_code="ru") == []


async def test_bad_commands_are_refused(api: RawBotApi) -> None:
    assert await api.error(
        "setMyCommands", commands=[{"command": "Start!", "description": "x"}]
    ) == (
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    assert await api.error("setMyCommands", commands=[{"command": "ok", "description": ""}]) == (
        400,
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
    )
    assert await api.error("setMyCommands", commands=[START], scope={"type": "moon"}) == (
        400,
        "Bad Request: can't parse BotCommandScope JSON object",
    )


async def test_menu_button_get_chat_close_and_log_out(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    assert await api.ok("getChatMenuButton", chat_id=ann.id) == {"type": "commands"}
    assert await api.ok("setChatMenuButton", chat_id=ann.id, menu_button={"type": "default"})
    assert fake.state.chats[ann.id].menu_button == {"type": "default"}
    assert await api.ok("setChatMenuButton", menu_button={"type": "commands"})
    assert fake.state.default_menu_button == {"type": "commands"}
    chat = await api.ok("getChat", chat_id=ann.id)
    assert (chat["id"], chat["type"], chat["first_name"]) == (ann.id, "private", "Ann")
    assert await api.error("getChat", chat_id=777) == (400, "Bad Request: chat not found")
    assert await api.ok("close") is True
    assert await api.ok("logOut") is True

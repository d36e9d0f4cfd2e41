"""The bot speaks the user's language: Telegram's, or the one chosen with /lang."""

from __future__ import annotations

import pytest

from bot.lifecycle import COMMANDS, start_background, stop_background
from tests.bot.conftest import Harness, buy_first_offer, live_activations, sms_arrives, with_key

WELCOME = {"en": "phone numbers", "ru": "номер", "es": "números"}


@pytest.mark.parametrize("locale", ["en", "ru", "es"])
async def test_the_buy_flow_in_each_locale(harness: Harness, locale: str) -> None:
    t = harness.services.translator
    user = harness.user(language=locale)
    await user.send_text("/start")
    assert WELCOME[locale] in user.last_bot_message().text  # type: ignore[union-attr]
    await with_key(harness, user)
    await buy_first_offer(harness, user, locale=locale)
    [activation] = await live_activations(harness)
    card = user.last_bot_message()
    assert card is not None
    assert card.find_buttons(t.t(locale, "button-cancel-activation")), user.transcript()
    await sms_arrives(harness, activation, "Code 246810")
    assert user.chat()[-1].text.startswith("🔑 246810"), user.transcript()
    # The activation message, updated in place, now offers to finish.
    assert any(m.find_buttons(t.t(locale, "button-finish")) for m in user.chat()), user.transcript()


async def test_lang_overrides_telegrams_language(harness: Harness) -> None:
    user = harness.user(language="en")
    await user.send_text("/lang")
    await user.press("Русский")
    await user.send_text("/help")
    assert "Как это работает" in user.last_bot_message().text or "/buy" in (  # type: ignore[union-attr]
        user.last_bot_message().text  # type: ignore[union-attr]
    )
    assert user.last_bot_message().text != harness.services.translator.t("en", "help-text")  # type: ignore[union-attr]


async def test_the_command_menu_is_registered_for_every_locale(harness: Harness) -> None:
    await start_background(harness.application, harness.services)
    await stop_background(harness.services)
    calls = harness.telegram.state.calls_to("setMyCommands")
    languages = {str(call.params.get("language_code") or "") for call in calls}
    assert languages == {"", "ru", "es"}
    for call in calls:
        assert str(call.params["commands"]).count('"command"') == len(COMMANDS)

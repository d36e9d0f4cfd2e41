"""Issue 16.11's small things, as a user meets them: /provider, /cancel, /help, /buy rows."""

from __future__ import annotations

from bot.fake_telegram import FakeUser
from bot.lifecycle import start_background, stop_background
from tests.bot.conftest import Harness, press_offered


async def test_provider_lists_the_users_own_url_and_switches_back_to_it(alice: FakeUser,) -> None:
    await alice.send_text("/provider")
    await alice.press("HeroSMS")
    await alice.send_text("/provider")
    answer = await press_offered(alice, "✓ 127.0.0.1")
    assert "Provider set to 127.0.0.1" in answer.text, alice.transcript()
    await alice.send_text("/balance")
    assert "💰 Balance" in alice.last_bot_message().text, "its key works again"  # type: ignore[union-attr]


async def test_provider_menu_and_url_prompt_can_be_cancelled(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/provider")
    await alice.press("✖️ Cancel")
    assert "Provider unchanged" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/provider")
    await alice.press("Another provider (URL)…")
    await alice.press("✖️ Cancel")
    assert "Provider unchanged" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("https://example.com/stubs/handler_api.php")
    reply = alice.last_bot_message()
    assert reply is not None and "Provider set" not in reply.text, "the URL step was left"


async def test_a_bad_provider_url_asks_again_instead_of_leaving_silently(
    harness: Harness,
) -> None:
    alice = harness.user()
    await alice.send_text("/provider")
    await alice.press("Another provider (URL)…")
    await alice.send_text("not a url")
    refused = alice.last_bot_message()
    assert refused is not None and "Send another URL" in refused.text
    assert refused.find_buttons("✖️ Cancel"), alice.transcript()
    await alice.send_text(harness.settings.provider)
    answer = alice.last_bot_message()
    assert answer is not None and "Provider set to" in answer.text, alice.transcript()


async def test_cancel_says_what_it_did_in_plain_words(alice: FakeUser) -> None:
    await alice.send_text("/buy")
    await alice.send_text("/cancel")
    text = alice.last_bot_message().text  # type: ignore[union-attr]
    assert "step left" not in text and "Cancelled" in text and "/buy" in text


async def test_forgetkey_is_in_help_and_in_the_command_menu(harness: Harness) -> None:
    alice = harness.user()
    await alice.send_text("/help")
    assert "/forgetkey" in alice.last_bot_message().text  # type: ignore[union-attr]
    await start_background(harness.application, harness.services)
    await stop_background(harness.services)
    for call in harness.telegram.state.calls_to("setMyCommands"):
        assert '"forgetkey"' in str(call.params["commands"]), call.params


async def test_buy_country_rows_say_what_the_count_is(alice: FakeUser) -> None:
    await alice.send_text("/buy")
    await alice.press("Telegram")
    countries = alice.last_bot_message()
    assert countries is not None and countries.buttons
    assert "in stock" in countries.buttons[0][0], countries.buttons

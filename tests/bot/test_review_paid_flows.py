"""Hostile review of the paid flows: presses that must not buy anything."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from bot.fake_telegram import FakeUser
from bot.lifecycle import reconcile_and_report
from bot.telegram.buttons.activation import AdditionalOffer
from tests.bot.conftest import (
    Harness,
    bought_number,
    first_button_data,
    live_activations,
    provider_calls,
    restart_bot,
    walk_to_confirm,
    with_key,
)
from tests.bot.test_custom_providers import type_provider_url
from tests.bot.test_extras import another_activation_offer
from tests.bot.test_multi import walk_to_confirm as walk_to_multi_confirm
from tests.bot.test_rent import rent_one, walk_to_rent_confirm
from tests.bot.test_webhooks import hooked

__all__ = ["hooked"]  # a fixture: the bot with its webhook receiver


async def test_an_extra_offer_confirmed_after_cancel_buys_nothing(
    harness: Harness, alice: FakeUser
) -> None:
    _, offer = await another_activation_offer(harness, alice)
    data = first_button_data(offer)
    await alice.send_text("/cancel")
    query = await alice.press_data(data, offer.message_id)
    assert alice.answer_for(query) is not None
    assert provider_calls(harness, "getExtraActivation") == 0
    assert await live_activations(harness) == []


async def test_a_lost_extension_of_a_rent_that_ran_out_is_settled_not_left_open(
    harness: Harness, alice: FakeUser
) -> None:
    """The answer to continueRentNumber is lost and the provider never extended: the rent runs
    out at its old end. The first poll after that end must not leave the extension open
    forever (the rent is no longer watched once its end is recorded)."""
    rent = await rent_one(harness, alice)
    harness.sandbox.inject_fault("continueRentNumber", "drop", count=1)
    await alice.press("➕ Extend")
    await alice.press("12 h")
    await alice.press_button(alice.last_bot_message().keyboard[0][0])  # type: ignore[union-attr]
    assert "did not answer clearly" in alice.last_bot_message().text, alice.transcript()  # type: ignore[union-attr]
    assert rent.end_date is not None
    harness.sandbox.advance(rent.end_date - harness.sandbox.clock.now() + 10)
    await harness.services.rent_watcher.tick()
    harness.sandbox.advance(600)
    await harness.services.rent_watcher.tick()
    await harness.services.notifier.drain()
    assert await harness.services.rents.open_extensions(rent.ledger_id) == []
    [extension] = await harness.services.rents.extensions(rent.ledger_id)
    assert extension.state != "confirmed"
    assert provider_calls(harness, "continueRentNumber") == 1
    assert any("did not go through" in m.text for m in alice.chat()), alice.transcript()


async def test_malformed_confirm_buttons_are_stale_not_errors(
    harness: Harness, alice: FakeUser
) -> None:
    """A confirm button of a known kind but malformed data (no token, a token too many) is an
    old or forged button: it says so, and nothing fails."""
    await alice.send_text("/start")
    message_id = alice.last_bot_message().message_id  # type: ignore[union-attr]
    stale = harness.services.translator.t("en", "press-stale")
    malformed = ("cb", "cb:a:b", "rc", "mk:a:b", "xc", "xb", "rx:a:b", "ra:finish:x", "rh:1")
    malformed += ("xe:x", "xa:1", "xv", "xo:x:y")
    for data in malformed:
        query = await alice.press_data(data, message_id)
        answer = alice.answer_for(query)
        assert answer is not None and answer.text == stale, (data, answer)


async def test_a_lost_extension_is_settled_when_a_press_found_the_rent_ran_out(
    harness: Harness, alice: FakeUser
) -> None:
    """As above, but the rent's end is first learnt from a press (a new extension's price is
    refused with RENT_DIE), not from a poll: the lost extension is settled all the same."""
    rent = await rent_one(harness, alice)
    harness.sandbox.inject_fault("continueRentNumber", "drop", count=1)
    await alice.press("➕ Extend")
    hours = alice.last_bot_message()
    assert hours is not None
    await alice.press("12 h", hours.message_id)
    await alice.press_button(alice.last_bot_message().keyboard[0][0])  # type: ignore[union-attr]
    assert "did not answer clearly" in alice.last_bot_message().text, alice.transcript()  # type: ignore[union-attr]
    assert rent.end_date is not None
    harness.sandbox.advance(rent.end_date - harness.sandbox.clock.now() + 10)
    await alice.press("➕ Extend", rent.message_id)
    await alice.press("4 h")
    row = await harness.services.rents.get(rent.ledger_id)
    assert row is not None and row.state.value == "expired", alice.transcript()
    harness.sandbox.advance(600)
    await harness.services.rent_watcher.tick()
    await harness.services.notifier.drain()
    assert await harness.services.rents.open_extensions(rent.ledger_id) == []
    assert any("did not go through" in m.text for m in alice.chat()), alice.transcript()
    assert provider_calls(harness, "continueRentNumber") == 1


_OUT_OF_RANGE = 99999999999999999  # Unix seconds no datetime holds


async def test_a_rent_reply_with_an_impossible_end_date_is_reconciled_not_an_error(
    harness: Harness, alice: FakeUser
) -> None:
    """Garbage in a paid call's reply is an unknown outcome (reconciled at once), never an
    unhandled error that leaves the intent for later and the user with "something went wrong"."""
    confirm = await walk_to_rent_confirm(harness, alice)
    reply = {"status": "success", "phone": {"id": 1, "endDate": _OUT_OF_RANGE, "number": "7999"}}
    harness.sandbox.inject_fault("getRentNumber", "reply", body=json.dumps(reply))
    query = await alice.press_button(confirm.keyboard[0][0])
    assert provider_calls(harness, "getRentNumber") == 1
    assert provider_calls(harness, "getRentList") == 1, alice.transcript()
    generic = harness.services.translator.t("en", "error-generic")
    answer = alice.answer_for(query)
    assert answer is not None and answer.text != generic
    assert generic not in alice.transcript()
    assert await harness.services.rents.pending_intents() == []


async def test_a_push_with_an_impossible_time_is_refused_not_a_server_error(
    hooked: Harness,
) -> None:
    assert hooked.services.webhooks is not None
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            hooked.services.webhooks.url,
            json={
                "activationId": 1,
                "service": "tg",
                "text": "1",
                "code": "1",
                "receivedAt": _OUT_OF_RANGE,
            },
        )
    assert answer.status_code in (200, 400)


async def test_a_purchase_reply_of_the_wrong_json_shape_is_reconciled_not_an_error(
    harness: Harness, alice: FakeUser
) -> None:
    """A JSON list where getNumberV2 answers an object: the outcome is unknown (reconciled at
    once, nothing bought twice), not an AttributeError that leaves the intent unjudged."""
    confirm = await walk_to_confirm(harness, alice)
    harness.sandbox.inject_fault("getNumberV2", "reply", body='[{"activationId": 1}]')
    query = await alice.press(confirm.buttons[0][0])
    generic = harness.services.translator.t("en", "error-generic")
    answer = alice.answer_for(query)
    assert answer is not None and answer.text != generic
    assert provider_calls(harness, "getActiveActivations") == 1, alice.transcript()
    assert provider_calls(harness, "getNumberV2") + provider_calls(harness, "getNumber") == 1
    assert await harness.services.activations.pending_intents() == []
    assert generic not in alice.transcript()


async def test_an_added_service_code_that_fits_no_button_is_left_out_not_an_error(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A provider's service code a button cannot carry (a ':' in it) is left out of the added
    service picker, as in every other picker; the others are still offered."""
    alice = harness.user()
    await with_key(harness, alice)
    row = await bought_number(harness, alice)
    harness.sandbox.inject_fault("getNumbersStatus", "reply", body='{"a:b_1": 5, "vk_1": 3}')
    query = await alice.press_data(AdditionalOffer(row.ledger_id, "", 0).pack(), row.message_id)
    answer = alice.answer_for(query)
    assert answer is not None and answer.text != harness.services.translator.t(
        "en", "error-generic"
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    picker = alice.last_bot_message()
    assert picker is not None and picker.buttons and picker.buttons[0] == ["VKontakte"], (
        alice.transcript()
    )


async def test_confirms_older_than_ten_minutes_buy_nothing(
    harness: Harness, alice: FakeUser
) -> None:
    """A confirm screen's price holds ten minutes: a later press asks for a fresh screen."""
    t = harness.services.translator.t

    async def press_late(button_data: str, message_id: int, expired: str) -> None:
        harness.sandbox.advance(601)
        query = await alice.press_data(button_data, message_id)
        answer = alice.answer_for(query)
        assert answer is not None and answer.text == t("en", expired), (expired, answer)

    confirm = await walk_to_confirm(harness, alice)
    await press_late(
        confirm.keyboard[0][0].callback_data or "", confirm.message_id, "buy-expired-menu"
    )
    confirm = await walk_to_rent_confirm(harness, alice)
    await press_late(
        confirm.keyboard[0][0].callback_data or "", confirm.message_id, "rent-expired-menu"
    )
    assert provider_calls(harness, "getNumberV2") + provider_calls(harness, "getNumber") == 0
    assert provider_calls(harness, "getRentNumber") == 0
    await rent_one(harness, alice)
    await alice.press("➕ Extend")
    await alice.press("12 h")
    offer = alice.last_bot_message()
    assert offer is not None and offer.keyboard, alice.transcript()
    await press_late(
        offer.keyboard[0][0].callback_data or "", offer.message_id, "rent-expired-menu"
    )
    assert provider_calls(harness, "continueRentNumber") == 0
    _, offer = await another_activation_offer(harness, alice)
    await press_late(offer.keyboard[0][0].callback_data or "", offer.message_id, "extra-expired")
    assert provider_calls(harness, "getExtraActivation") == 0


async def test_confirms_after_the_provider_changed_buy_nothing(
    harness: Harness, alice: FakeUser
) -> None:
    """Prices shown for one provider are never paid at another: a confirm pressed after
    /provider changed asks for a fresh screen."""
    t = harness.services.translator.t
    for walk, expired in (
        (walk_to_confirm, "buy-expired-menu"),
        (walk_to_rent_confirm, "rent-expired-menu"),
    ):
        confirm = await walk(harness, alice)
        await alice.send_text("/provider")
        await alice.press("HeroSMS")
        assert "Provider set to HeroSMS" in alice.last_bot_message().text  # type: ignore[union-attr]
        query = await alice.press_button(confirm.keyboard[0][0])
        answer = alice.answer_for(query)
        assert answer is not None and answer.text == t("en", expired), (expired, answer)
        assert "Provider set to" in await type_provider_url(alice, harness.settings.provider)
    assert provider_calls(harness, "getNumberV2") + provider_calls(harness, "getNumber") == 0
    assert provider_calls(harness, "getRentNumber") == 0


async def test_a_lost_multi_purchase_is_found_after_a_restart(
    harness: Harness, alice: FakeUser
) -> None:
    """getMultiServiceNumber sold the number but its answer was lost, and the provider could
    not be asked at once: after a restart, start-up reconciliation finds both activations,
    tells the user, and watches them; nothing is bought again."""
    confirm = await walk_to_multi_confirm(harness, alice, "Telegram", "WhatsApp")
    harness.sandbox.inject_fault("getMultiServiceNumber", "drop", count=1, after=True)
    harness.sandbox.inject_fault("getActiveActivations", "garbage", count=1)
    await alice.press_button(confirm.keyboard[0][0])
    assert await live_activations(harness) == []
    assert len(await harness.services.activations.pending_intents()) == 2, alice.transcript()
    services = await restart_bot(harness)
    await reconcile_and_report(services, min_age=0)
    await services.notifier.drain()
    rows = await live_activations(harness)
    assert sorted(r.service for r in rows) == ["tg", "wa"], alice.transcript()
    assert len({r.phone for r in rows}) == 1
    assert await services.activations.pending_intents() == []
    assert provider_calls(harness, "getMultiServiceNumber") == 1
    told = [m for m in alice.chat() if "confirmed your earlier purchase" in m.text]
    assert len(told) == 2, alice.transcript()

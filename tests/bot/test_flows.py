"""/cancel ends whatever flow is under way, whichever it is, and then says there is nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.fake_telegram import FakeUser
from bot.telegram import flow_types, flows
from storage._codec import dumps_strict
from tests.bot.conftest import Harness, restart_bot, walk_to_confirm


@pytest.mark.parametrize("command", ["/buy", "/rent", "/prices", "/multi"])
async def test_cancel_ends_the_flow_and_typed_text_no_longer_searches_it(
    alice: FakeUser, command: str
) -> None:
    await alice.send_text(command)
    await alice.send_text("/cancel")
    assert "Cancelled." in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("telegr")
    assert "did not understand" in alice.last_bot_message().text  # type: ignore[union-attr]
    await alice.send_text("/cancel")
    assert "Nothing to cancel" in alice.last_bot_message().text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("first", "then", "prefix"),
    [
        ("/rent", "/prices", "xp:"),
        ("/rent", "/multi", "mt:"),
        ("/prices", "/rent", "rp:"),
        ("/multi", "/rent", "rp:"),
        ("/buy", "/rent", "rp:"),
        ("/rent", "/buy", "ps:"),
    ],
)
async def test_starting_a_picker_ends_the_one_before_so_typed_text_searches_the_new_one(
    alice: FakeUser, first: str, then: str, prefix: str
) -> None:
    await alice.send_text(first)
    await alice.send_text(then)
    await alice.send_text("telegr")
    results = alice.last_bot_message()
    assert results is not None
    # A search's only match is picked: Telegram's next step comes, from the new flow.
    if then in ("/buy", "/rent"):
        assert results.text.startswith("Telegram: pick a country"), alice.transcript()
        data = [b.callback_data or "" for row in results.keyboard for b in row]
        assert then == "/buy" or any(d.startswith("rp:country:") for d in data), data
        return
    if then == "/prices":
        assert "Telegram" in results.text and "by country" in results.text, alice.transcript()
        return
    buttons = [button for row in results.keyboard for button in row]
    picks = [b.callback_data or "" for b in buttons if "Telegram" in b.label]
    assert picks and all(data.startswith(prefix) for data in picks), alice.transcript()


@pytest.mark.parametrize("command", ["/buy", "/rent", "/prices", "/multi"])
async def test_a_typed_search_leaves_one_menu_to_press(alice: FakeUser, command: str) -> None:
    """The search's menu is the flow's menu: the older one (whose pages would read the new
    filter) loses its buttons."""
    await alice.send_text(command)
    first = alice.last_bot_message()
    assert first is not None and first.buttons, alice.transcript()
    await alice.send_text("tele")
    searched = alice.last_bot_message()
    assert searched is not None and searched.message_id != first.message_id
    assert searched.buttons, alice.transcript()
    menus = [m for m in alice.chat() if m.from_bot and m.buttons]
    assert [m.message_id for m in menus] == [searched.message_id], alice.transcript()


async def test_a_new_picker_takes_the_buttons_off_the_older_menu(alice: FakeUser) -> None:
    """An older menu's Cancel or pages would act on the newer flow: only one menu is live."""
    await alice.send_text("/buy")
    await alice.send_text("/prices")
    menus = [m for m in alice.chat() if m.from_bot and m.buttons]
    assert len(menus) == 1 and menus[0] == alice.last_bot_message(), alice.transcript()


# --- one typed flow in one slot ------------------------------------------------------------

EXPIRED = "This menu has expired. Send /buy to start again."


def _every_flow() -> list[flow_types.BaseFlow]:
    """One of each flow kind, with every optional part filled in."""
    return [
        flow_types.Asked(question=flow_types.Question.TIME_ZONE),
        flow_types.CallDraft(ledger_id=7),
        flow_types.BuyDraft(
            user=1,
            provider="herosms",
            step=flow_types.BuyStep.CONFIRM,
            service="tg",
            service_name="Telegram",
            country=0,
            country_names={"en": "Russia"},
            listings={"operator": flow_types.Listing(token="ab12cd", names=["a b"])},
            price=Decimal("12.50"),
            keep_price=Decimal("13"),
            max_price=Decimal("20.00"),
            buy_at=flow_types.BuyAt(provider="grizzlysms", service="tg", country=6),
            keep=flow_types.KeepSetup(tries=3, wait=180),
            question=flow_types.BuyQuestion.MAX_PRICE,
            token="t",
            token_at=1.5,
        ),
        flow_types.RentDraft(user=1, provider="herosms", step=flow_types.RentStep.HOURS, hours=4),
        flow_types.PricesDraft(step=flow_types.PricesStep.TABLE, query="tele"),
        flow_types.MultiDraft(
            provider="herosms", selected=["tg", "wa"], prices={"tg": Decimal("1.10")}
        ),
        flow_types.ExtraDraft(parent=3, price=Decimal("9.99"), done=True),
        flow_types.AdditionalDraft(parent=3, service="wa", service_name="WhatsApp"),
        flow_types.ExtendDraft(ledger_id=5, hours=12, price=Decimal("40")),
    ]


@pytest.mark.parametrize("flow", _every_flow(), ids=lambda flow: flow.KIND)
def test_every_flow_is_strict_json_and_reads_back_the_same(flow: flow_types.BaseFlow) -> None:
    stored = dumps_strict(flows.to_json(flow), what="user_data")  # what PTB persistence accepts
    assert flows.from_json(json.loads(stored)) == flow


@pytest.mark.parametrize(
    "slot",
    [
        "buy",
        {"kind": "nothing-like-it"},
        {"kind": "buy", "provider": "herosms"},  # no user
        {"kind": "buy", "user": "1", "provider": "herosms"},
        {"kind": "buy", "user": True, "provider": "herosms"},
        {"kind": "buy", "user": 1, "provider": "herosms", "step": "teleport"},
        {"kind": "buy", "user": 1, "provider": "herosms", "price": "NaN"},
        {"kind": "buy", "user": 1, "provider": "herosms", "listings": {"service": []}},
        {"kind": "extra", "parent": 3, "price": "9.99", "at": 1.0},  # an older field
    ],
)
def test_a_slot_that_is_not_a_flow_is_refused(slot: object) -> None:
    with pytest.raises((TypeError, ValueError, KeyError)):
        flows.from_json(slot)


async def test_a_draft_and_its_question_survive_a_restart(
    harness: Harness, alice: FakeUser
) -> None:
    """PTB persistence writes the flow as JSON; a new process reads it back and goes on."""
    confirm = await walk_to_confirm(harness, alice)
    await alice.press("💲 Max price…", confirm)
    await harness.application.update_persistence()
    await restart_bot(harness)
    await alice.send_text("999")
    again = alice.last_bot_message()
    assert again is not None and "Max price (Free Price)" in again.text, alice.transcript()
    assert again.buttons, alice.transcript()


async def test_a_question_replaces_an_open_picker_whose_buttons_then_say_so(
    alice: FakeUser
) -> None:
    """One flow at a time: a provider URL asked for ends /buy (its menu is out of date, and the
    next text is the URL, not a search)."""
    await alice.send_text("/buy")
    menu = alice.last_bot_message()
    assert menu is not None and menu.find_buttons("Telegram"), alice.transcript()
    await alice.send_text("/provider")
    providers = alice.last_bot_message()
    assert providers is not None
    await alice.press_data("pv:custom", providers.message_id)
    query = await alice.press("Telegram", menu)
    answer = alice.answer_for(query)
    assert answer is not None and answer.text == EXPIRED and answer.show_alert, alice.transcript()


async def test_a_user_mid_flow_after_an_upgrade_is_told_the_menu_is_out_of_date(
    harness: Harness, alice: FakeUser
) -> None:
    """A draft in the shape an older version stored (its own user_data key) is not read: the
    menu's buttons say it expired, and typed text no longer searches it."""
    await alice.send_text("/buy")
    menu = alice.last_bot_message()
    assert menu is not None
    data = harness.application.user_data[alice.id]
    data.pop(flows.SLOT)
    data["buy"] = {"step": "service", "user": alice.id, "query": None, "provider": "herosms"}
    query = await alice.press("Telegram", menu)
    answer = alice.answer_for(query)
    assert answer is not None and answer.text == EXPIRED, alice.transcript()
    await alice.send_text("telegr")
    assert "did not understand" in alice.last_bot_message().text  # type: ignore[union-attr]

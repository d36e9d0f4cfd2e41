"""ActivationLedger: intents, outcomes, SMS dedup, ownership, history, spending, watcher query."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core.clock import ManualClock
from bot.core.secret import Secret
from storage.activations import Activation, ActivationLedger, ActivationState
from storage.db import Database
from storage.errors import DuplicateIntentError, InvalidTransitionError, RowNotFoundError


async def _bought(
    ledger: ActivationLedger, key: str, *, user_id: int = 1, cost: str = "10.00"
) -> Activation:
    intent = await ledger.record_intent(
        idempotency_key=key, user_id=user_id, chat_id=user_id * 10, provider="p", service="tg"
    )
    return await ledger.confirm_intent(
        intent,
        activation_id=f"id-{key}",
        phone="79990001122",
        cost=Decimal(cost),
        deadline=intent.created_at + 1200,
    )


async def test_an_intent_is_recorded_then_confirmed(db: Database, clock: ManualClock) -> None:
    ledger = ActivationLedger(db)
    intent = await ledger.record_intent(
        idempotency_key="upd-1",
        user_id=1,
        chat_id=10,
        provider="p",
        service="tg",
        country=6,
        operator="any",
        max_price=Decimal("12.5"),
        options={"forward": False, "verification": True},
    )
    assert intent.state is ActivationState.INTENT and intent.activation_id is None
    assert [i.ledger_id for i in await ledger.pending_intents()] == [intent.ledger_id]

    clock.advance(2)
    confirmed = await ledger.confirm_intent(
        intent,
        activation_id="1234567890",
        phone="6281234",
        cost=Decimal("12.50"),
        deadline=clock.now() + 1200,
    )
    assert confirmed.state is ActivationState.WAITING
    assert (confirmed.activation_id, confirmed.cost) == ("1234567890", Decimal("12.50"))
    assert confirmed.max_price == Decimal("12.5")
    assert confirmed.options == {"forward": False, "verification": True}
    assert confirmed.confirmed_at == clock.now()
    assert await ledger.pending_intents() == []
    # Confirming twice with the same id is harmless; with another id it is refused.
    again = await ledger.confirm_intent(
        intent, activation_id="1234567890", phone="6281234", cost=Decimal("12.50"), deadline=None
    )
    assert again == confirmed
    with pytest.raises(InvalidTransitionError):
        await ledger.confirm_intent(
            intent, activation_id="999", phone="1", cost=Decimal(1), deadline=None
        )


async def test_a_repeated_idempotency_key_never_makes_a_second_row(db: Database) -> None:
    ledger = ActivationLedger(db)
    first = await ledger.record_intent(
        idempotency_key="tap", user_id=1, chat_id=1, provider="p", service="tg"
    )
    with pytest.raises(DuplicateIntentError) as caught:
        await ledger.record_intent(
            idempotency_key="tap", user_id=1, chat_id=1, provider="p", service="tg"
        )
    assert caught.value.existing == first
    row = await db.fetchone("SELECT COUNT(*) FROM activations")
    assert row is not None and row[0] == 1


async def test_failed_and_unknown_intents(db: Database) -> None:
    ledger = ActivationLedger(db)
    refused = await ledger.record_intent(
        idempotency_key="a", user_id=1, chat_id=1, provider="p", service="tg"
    )
    failed = await ledger.fail_intent(refused, "NO_NUMBERS")
    assert (failed.state, failed.failure_reason) == (ActivationState.FAILED, "NO_NUMBERS")
    assert (await ledger.fail_intent(refused, "again")).failure_reason == "NO_NUMBERS"

    lost = await ledger.record_intent(
        idempotency_key="b", user_id=1, chat_id=1, provider="p", service="tg"
    )
    unknown = await ledger.mark_intent_unknown(lost)
    assert unknown.state is ActivationState.UNKNOWN
    assert [i.ledger_id for i in await ledger.pending_intents()] == [lost.ledger_id]
    assert (await ledger.confirm_intent(
        lost, activation_id="7", phone="1", cost=Decimal(1), deadline=None
    )).state is ActivationState.WAITING
    # A late "unknown" or "failed" never undoes what the provider sold.
    assert (await ledger.mark_intent_unknown(lost)).state is ActivationState.WAITING
    assert (await ledger.fail_intent(lost, "late")).state is ActivationState.WAITING


async def test_a_sale_that_turns_up_after_failed_is_adopted_and_cancelled_not_refused(
    db: Database, clock: ManualClock
) -> None:
    ledger = ActivationLedger(db)
    intent = await ledger.record_intent(
        idempotency_key="late", user_id=1, chat_id=1, provider="p", service="tg"
    )
    await ledger.fail_intent(intent, "not bought", recheck_until=clock.now() + 1200)
    assert [r.ledger_id for r in await ledger.rechecks(clock.now())] == [intent.ledger_id]
    clock.advance(30)
    adopted = await ledger.confirm_intent(
        intent, activation_id="77", phone="1", cost=Decimal(1), deadline=clock.now() + 1200
    )
    # Watched like any number, and due for cancellation at once: the user was told it failed.
    assert adopted.state is ActivationState.WAITING and adopted.cancel_at == clock.now()
    assert adopted.ended_at is None
    assert [a.activation_id for a in await ledger.load_active()] == ["77"]
    assert await ledger.rechecks(clock.now()) == []
    with pytest.raises(InvalidTransitionError):  # another id on a bought row: a conflict
        await ledger.confirm_intent(
            intent, activation_id="78", phone="1", cost=Decimal(1), deadline=None
        )


async def test_pending_intents_leave_recent_ones_alone(db: Database, clock: ManualClock) -> None:
    ledger = ActivationLedger(db)
    old = await ledger.record_intent(
        idempotency_key="old", user_id=1, chat_id=1, provider="p", service="tg"
    )
    clock.advance(60)
    await ledger.record_intent(
        idempotency_key="new", user_id=1, chat_id=1, provider="p", service="tg"
    )
    recent = await ledger.pending_intents(created_before=clock.now() - 30)
    assert [i.ledger_id for i in recent] == [old.ledger_id]


async def test_each_code_is_recorded_once_per_round(db: Database) -> None:
    ledger = ActivationLedger(db)
    activation = await _bought(ledger, "k")
    assert await ledger.record_sms(activation.ledger_id, code="1234", text="Your code 1234")
    # The watcher sees the same code on every poll.
    assert not await ledger.record_sms(activation.ledger_id, code="1234", text="Your code 1234")
    assert not await ledger.record_sms(activation.ledger_id, code="1234", text=None)
    row = await ledger.get(activation.ledger_id)
    assert row is not None and (row.state, row.code_count) == (ActivationState.CODE_RECEIVED, 1)

    assert await ledger.mark_retry(activation.ledger_id) is True
    assert await ledger.mark_retry(activation.ledger_id) is False
    # After asking for another code, even the same digits are a new SMS.
    assert await ledger.record_sms(activation.ledger_id, code="1234", text=None)
    assert await ledger.record_sms(activation.ledger_id, code=None, text="a text with no code")
    codes = await ledger.codes(activation.ledger_id)
    assert [(c.sms_round, c.code) for c in codes] == [(1, "1234"), (2, "1234"), (2, None)]
    with pytest.raises(ValueError, match="code or a text"):
        await ledger.record_sms(activation.ledger_id, code="", text=None)


async def test_sms_on_rows_that_bought_nothing_is_refused(db: Database) -> None:
    ledger = ActivationLedger(db)
    intent = await ledger.record_intent(
        idempotency_key="k", user_id=1, chat_id=1, provider="p", service="tg"
    )
    with pytest.raises(InvalidTransitionError):
        await ledger.record_sms(intent.ledger_id, code="1", text=None)
    with pytest.raises(RowNotFoundError):
        await ledger.record_sms(9999, code="1", text=None)


async def test_end_happens_once_and_leaves_the_watch_list(db: Database) -> None:
    ledger = ActivationLedger(db)
    activation = await _bought(ledger, "k")
    await ledger.set_message(activation.ledger_id, chat_id=10, message_id=77)
    [watched] = await ledger.load_active()
    assert (watched.message_id, watched.deadline) == (77, activation.deadline)

    assert await ledger.end(activation.ledger_id, ActivationState.CANCELLED) is True
    assert await ledger.end(activation.ledger_id, ActivationState.EXPIRED) is False  # first wins
    assert (await ledger.get(activation.ledger_id)).state is ActivationState.CANCELLED  # type: ignore[union-attr]
    assert await ledger.load_active() == []
    with pytest.raises(ValueError):
        await ledger.end(activation.ledger_id, ActivationState.WAITING)


async def test_a_user_cannot_read_another_users_activation(db: Database) -> None:
    ledger = ActivationLedger(db)
    mine = await _bought(ledger, "mine", user_id=1)
    assert (await ledger.for_user(1, "id-mine")) == mine
    assert await ledger.for_user(2, "id-mine") is None
    assert await ledger.history(2) == []


async def test_history_is_newest_first_and_pages(db: Database, clock: ManualClock) -> None:
    ledger = ActivationLedger(db)
    for n in range(5):
        await _bought(ledger, f"k{n}")
        clock.advance(1)
    refused = await ledger.record_intent(
        idempotency_key="refused", user_id=1, chat_id=1, provider="p", service="tg"
    )
    await ledger.fail_intent(refused, "NO_BALANCE")

    page1 = await ledger.history(1, limit=2)
    page2 = await ledger.history(1, limit=2, offset=2)
    assert [a.idempotency_key for a in page1 + page2] == ["k4", "k3", "k2", "k1"]
    everything = await ledger.history(1, limit=10, include_failed=True)
    assert everything[0].idempotency_key == "refused" and len(everything) == 6


async def test_spending_counts_charged_activations_exactly(db: Database) -> None:
    ledger = ActivationLedger(db)
    # Ten activations at 0.10: a float sum would give 0.9999999999999999.
    for n in range(10):
        activation = await _bought(ledger, f"c{n}", cost="0.10")
        await ledger.record_sms(activation.ledger_id, code=str(n), text=None)
    finished = await _bought(ledger, "finished", cost="3.33")
    await ledger.end(finished.ledger_id, ActivationState.FINISHED)
    await _bought(ledger, "held", cost="50")  # no code yet: a hold, not spent
    refunded = await _bought(ledger, "refunded", cost="70")
    await ledger.end(refunded.ledger_id, ActivationState.CANCELLED)
    await _bought(ledger, "other user", user_id=2, cost="1")

    assert await ledger.spending_total(1) == Decimal("4.33")
    assert await ledger.spending_total(1, provider="p") == Decimal("4.33")
    assert await ledger.spending_total(1, provider="elsewhere") == Decimal(0)
    assert await ledger.spending_total(3) == Decimal(0)


async def test_options_refuse_secrets(db: Database) -> None:
    ledger = ActivationLedger(db)
    with pytest.raises(TypeError, match="Secret"):
        await ledger.record_intent(
            idempotency_key="k",
            user_id=1,
            chat_id=1,
            provider="p",
            service="tg",
            options={"api_key": Secret("x")},
        )
    assert await ledger.pending_intents() == []


async def test_load_active_lists_only_live_rows(db: Database) -> None:
    ledger = ActivationLedger(db)
    waiting = await _bought(ledger, "w", user_id=2)
    coded = await _bought(ledger, "c", user_id=1)
    await ledger.record_sms(coded.ledger_id, code="1", text=None)
    ended = await _bought(ledger, "e")
    await ledger.end(ended.ledger_id, ActivationState.FINISHED)
    await ledger.record_intent(
        idempotency_key="i", user_id=1, chat_id=1, provider="p", service="tg"
    )

    active = await ledger.load_active()
    assert [(a.ledger_id, a.state) for a in active] == [
        (coded.ledger_id, ActivationState.CODE_RECEIVED),  # grouped by user first
        (waiting.ledger_id, ActivationState.WAITING),
    ]


async def test_known_activation_ids(db: Database) -> None:
    ledger = ActivationLedger(db)
    await _bought(ledger, "a")
    ids = [f"x{n}" for n in range(2000)] + ["id-a"]
    assert await ledger.known_activation_ids("p", ids) == {"id-a"}
    assert await ledger.known_activation_ids("other", ids) == set()

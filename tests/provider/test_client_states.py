"""Both state machines as the CLIENT sees them, over HTTP: every cell of the setStatus table
(PROTOCOL §5.2), the timing and money rules of §5.3 (moving the sandbox's clock), and the rent
lifecycle of §6. Balances are read through the client, never from the sandbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from bot.provider import ProviderClient, errors
from bot.provider.models import (
    ActivationAction,
    ActivationStatus,
    RentState,
    StatusChange,
    StatusKind,
)
from bot.provider.sandbox import Sandbox

START = Decimal("1000.00")
TG = Decimal("45.00")
A = ActivationAction
K = StatusKind

Setup = Callable[[ProviderClient, Sandbox], Awaitable[str]]


async def _bought(client: ProviderClient, sandbox: Sandbox) -> str:
    activation_id = (await client.get_number("tg", country=0)).activation_id
    sandbox.advance(121)  # past the early-cancel lock, so status 8 shows the table's own cell
    return activation_id


async def _moved(
    client: ProviderClient, activation_id: str, action: ActivationAction, answer: StatusChange
) -> str:
    """Sends setStatus ``action``, which the provider must answer with ``answer``."""
    assert await client.set_status(activation_id, action) is answer
    return activation_id


async def wait_code(client: ProviderClient, sandbox: Sandbox) -> str:
    return await _bought(client, sandbox)


async def ready(client: ProviderClient, sandbox: Sandbox) -> str:
    return await _moved(client, await _bought(client, sandbox), A.SMS_SENT, StatusChange.READY)


async def code_received(client: ProviderClient, sandbox: Sandbox) -> str:
    activation_id = await _bought(client, sandbox)
    sandbox.deliver_sms(int(activation_id), "code 111111")
    return activation_id


async def wait_retry(client: ProviderClient, sandbox: Sandbox) -> str:
    activation_id = await code_received(client, sandbox)
    return await _moved(client, activation_id, A.REQUEST_ANOTHER_CODE, StatusChange.RETRY_GET)


async def wait_resend(client: ProviderClient, sandbox: Sandbox) -> str:
    activation_id = await _bought(client, sandbox)
    sandbox.request_resend(int(activation_id))
    return activation_id


async def cancelled(client: ProviderClient, sandbox: Sandbox) -> str:
    return await _moved(client, await _bought(client, sandbox), A.CANCEL, StatusChange.CANCELLED)


async def finished(client: ProviderClient, sandbox: Sandbox) -> str:
    activation_id = await code_received(client, sandbox)
    return await _moved(client, activation_id, A.FINISH, StatusChange.FINISHED)


async def unknown(client: ProviderClient, sandbox: Sandbox) -> str:
    return "3936040001"


STATES: dict[str, tuple[Setup, ActivationStatus, Decimal]] = {
    # name: (how to get there, getStatus there, balance there)
    "WAIT_CODE": (wait_code, ActivationStatus(K.WAIT_CODE), START - TG),
    "READY": (ready, ActivationStatus(K.WAIT_CODE), START - TG),
    "CODE_RECEIVED": (code_received, ActivationStatus(K.CODE_RECEIVED, "111111"), START - TG),
    "WAIT_RETRY": (wait_retry, ActivationStatus(K.WAIT_RETRY, "111111"), START - TG),
    "WAIT_RESEND": (wait_resend, ActivationStatus(K.WAIT_RESEND), START - TG),
    "CANCELLED": (cancelled, ActivationStatus(K.CANCELLED), START),
    "FINISHED": (finished, ActivationStatus(K.CANCELLED), START - TG),
    "unknown id": (unknown, ActivationStatus(K.CANCELLED), START),
}

Outcome = StatusChange | type[errors.ProviderRejection]
BAD = errors.StateConflictError

# The §5.2 table: (from, status) -> (the answer, getStatus after it, balance after it).
TABLE: dict[tuple[str, ActivationAction], tuple[Outcome, ActivationStatus | None, Decimal]] = {
    ("WAIT_CODE", A.SMS_SENT): (StatusChange.READY, ActivationStatus(K.WAIT_CODE), START - TG),
    ("WAIT_CODE", A.REQUEST_ANOTHER_CODE): (BAD, None, START - TG),
    ("WAIT_CODE", A.FINISH): (BAD, None, START - TG),
    ("WAIT_CODE", A.CANCEL): (StatusChange.CANCELLED, ActivationStatus(K.CANCELLED), START),
    ("READY", A.SMS_SENT): (StatusChange.READY, ActivationStatus(K.WAIT_CODE), START - TG),
    ("READY", A.REQUEST_ANOTHER_CODE): (BAD, None, START - TG),
    ("READY", A.FINISH): (BAD, None, START - TG),
    ("READY", A.CANCEL): (StatusChange.CANCELLED, ActivationStatus(K.CANCELLED), START),
    ("CODE_RECEIVED", A.SMS_SENT): (BAD, None, START - TG),
    ("CODE_RECEIVED", A.REQUEST_ANOTHER_CODE): (
        StatusChange.RETRY_GET,
        ActivationStatus(K.WAIT_RETRY, "111111"),
        START - TG,
    ),
    ("CODE_RECEIVED", A.FINISH): (
        StatusChange.FINISHED,
        ActivationStatus(K.CANCELLED),
        START - TG,
    ),
    ("CODE_RECEIVED", A.CANCEL): (BAD, None, START - TG),  # no refund once a code came
    ("WAIT_RETRY", A.SMS_SENT): (BAD, None, START - TG),
    ("WAIT_RETRY", A.REQUEST_ANOTHER_CODE): (
        StatusChange.RETRY_GET,
        ActivationStatus(K.WAIT_RETRY, "111111"),
        START - TG,
    ),
    ("WAIT_RETRY", A.FINISH): (StatusChange.FINISHED, ActivationStatus(K.CANCELLED), START - TG),
    ("WAIT_RETRY", A.CANCEL): (BAD, None, START - TG),
    ("WAIT_RESEND", A.SMS_SENT): (BAD, None, START - TG),
    ("WAIT_RESEND", A.REQUEST_ANOTHER_CODE): (BAD, None, START - TG),
    ("WAIT_RESEND", A.FINISH): (StatusChange.FINISHED, ActivationStatus(K.CANCELLED), START - TG),
    ("WAIT_RESEND", A.CANCEL): (BAD, None, START - TG),
    **{("CANCELLED", action): (BAD, None, START) for action in A},
    **{("FINISHED", action): (BAD, None, START - TG) for action in A},
    **{("unknown id", action): (errors.NotFoundError, None, START) for action in A},
}


@pytest.mark.parametrize(
    ("state", "action"), TABLE, ids=[f"{state}-{action.name}" for state, action in TABLE]
)
async def test_set_status_table(
    state: str, action: ActivationAction, client: ProviderClient, sandbox: Sandbox
) -> None:
    setup, status_there, balance_there = STATES[state]
    activation_id = await setup(client, sandbox)
    if state != "unknown id":
        assert await client.get_status(activation_id) == status_there
    assert await client.get_balance() == balance_there

    outcome, status_after, balance_after = TABLE[state, action]
    if isinstance(outcome, StatusChange):
        assert await client.set_status(activation_id, action) is outcome
    else:
        with pytest.raises(outcome) as caught:
            await client.set_status(activation_id, action)
        assert type(caught.value) is outcome
        status_after = status_there  # a refusal changes nothing
    if state != "unknown id":
        assert await client.get_status(activation_id) == status_after
    assert await client.get_balance() == balance_after


def test_the_table_has_every_cell() -> None:
    assert len(TABLE) == len(STATES) * len(A)


async def test_no_second_code_where_the_country_has_no_retry(
    client: ProviderClient, sandbox: Sandbox
) -> None:
    bought = await client.get_number_v2("tg", country=3)
    assert bought.can_get_another_sms is False
    sandbox.deliver_sms(int(bought.activation_id), "code 777777")
    with pytest.raises(errors.StateConflictError):
        await client.set_status(bought.activation_id, A.REQUEST_ANOTHER_CODE)
    assert await client.set_status(bought.activation_id, A.FINISH) is StatusChange.FINISHED


async def test_an_undocumented_status_is_refused(client: ProviderClient, sandbox: Sandbox) -> None:
    # The client's enum has only 1, 3, 6, 8; a raw 2 ([JAVA]'s undocumented one) is refused.
    bought = await client.get_number("tg", country=0)
    assert {int(a) for a in A} == {1, 3, 6, 8}
    with pytest.raises(errors.StateConflictError):
        await client.set_status(bought.activation_id, 2)  # type: ignore[arg-type]


# --- §5.3 timing and money -----------------------------------------------------------------


async def test_early_cancel_refused_at_119_s_allowed_at_121_s(
    client: ProviderClient, sandbox: Sandbox
) -> None:
    bought = await client.get_number("tg", country=0)
    sandbox.advance(119)
    with pytest.raises(errors.EarlyCancelDeniedError):
        await client.set_status(bought.activation_id, A.CANCEL)
    assert await client.get_balance() == START - TG
    assert await client.get_status(bought.activation_id) == ActivationStatus(K.WAIT_CODE)
    sandbox.advance(2)
    assert await client.set_status(bought.activation_id, A.CANCEL) is StatusChange.CANCELLED
    assert await client.get_balance() == START
    assert await client.get_status(bought.activation_id) == ActivationStatus(K.CANCELLED)


async def test_expiry_without_a_code_cancels_and_refunds(
    client: ProviderClient, sandbox: Sandbox
) -> None:
    bought = await client.get_number("tg", country=0)
    assert len(await client.get_active_activations()) == 1
    sandbox.advance(1199)
    assert await client.get_status(bought.activation_id) == ActivationStatus(K.WAIT_CODE)
    assert await client.get_balance() == START - TG
    sandbox.advance(2)
    assert await client.get_status(bought.activation_id) == ActivationStatus(K.CANCELLED)
    assert await client.get_balance() == START
    assert await client.get_active_activations() == ()
    with pytest.raises(errors.StateConflictError):
        await client.set_status(bought.activation_id, A.FINISH)


async def test_expiry_after_a_code_keeps_the_charge(
    client: ProviderClient, sandbox: Sandbox
) -> None:
    bought = await client.get_number("tg", country=0)
    sandbox.deliver_sms(int(bought.activation_id), "code 424242")
    sandbox.advance(1201)
    assert await client.get_status(bought.activation_id) == ActivationStatus(K.CANCELLED)
    assert await client.get_balance() == START - TG
    assert await client.get_active_activations() == ()
    # It ended FINISHED, not cancelled: another activation on the number can be bought.
    offer = await client.check_extra_activation(bought.activation_id)
    assert offer.phone == bought.phone


async def test_retry_then_a_new_sms(client: ProviderClient, sandbox: Sandbox) -> None:
    bought = await client.get_number("tg", country=0)
    activation_id = bought.activation_id
    sandbox.deliver_sms(int(activation_id), "Your code: 111111")
    assert await client.get_status(activation_id) == ActivationStatus(K.CODE_RECEIVED, "111111")
    assert await client.set_status(activation_id, A.REQUEST_ANOTHER_CODE) is (
        StatusChange.RETRY_GET
    )
    assert await client.get_status(activation_id) == ActivationStatus(K.WAIT_RETRY, "111111")
    (row,) = await client.get_active_activations()
    assert row.status == "3" and row.sms_code == "111111"
    sandbox.deliver_sms(int(activation_id), "Your code: 222222")
    assert await client.get_status(activation_id) == ActivationStatus(K.CODE_RECEIVED, "222222")
    assert (await client.get_full_sms(activation_id)).text == "Your code: 222222"
    v2 = await client.get_status_v2(activation_id)
    assert v2.sms is not None and v2.sms.code == "222222"
    assert await client.set_status(activation_id, A.FINISH) is StatusChange.FINISHED
    assert await client.get_balance() == START - TG  # status 3 is free


async def test_retry_does_not_extend_the_deadline(client: ProviderClient, sandbox: Sandbox) -> None:
    bought = await client.get_number("tg", country=0)
    sandbox.deliver_sms(int(bought.activation_id), "code 111111")
    sandbox.advance(600)
    await client.set_status(bought.activation_id, A.REQUEST_ANOTHER_CODE)
    sandbox.advance(601)
    assert await client.get_status(bought.activation_id) == ActivationStatus(K.CANCELLED)
    assert await client.get_balance() == START - TG  # a code came: the charge stays


async def test_some_services_live_longer(client: ProviderClient, sandbox: Sandbox) -> None:
    yandex = await client.get_number_v2("ya", country=0)
    sandbox.advance(1201)
    assert await client.get_status(yandex.activation_id) == ActivationStatus(K.WAIT_CODE)
    sandbox.advance(1200)
    assert await client.get_status(yandex.activation_id) == ActivationStatus(K.CANCELLED)
    assert await client.get_balance() == START


# --- §6 the rent lifecycle -----------------------------------------------------------------


async def _rent(client: ProviderClient) -> tuple[str, Decimal]:
    before = await client.get_balance()
    rent = await client.get_rent_number("tg", 4, country=0)
    return rent.rent_id, before - await client.get_balance()


async def _rent_made_ago(
    client: ProviderClient, sandbox: Sandbox, seconds: float
) -> tuple[str, Decimal]:
    """A rent made ``seconds`` ago by the provider's clock: its id and price."""
    rent = await _rent(client)
    sandbox.advance(seconds)
    return rent


async def _assert_closed(client: ProviderClient, rent_id: str, token: str) -> None:
    """A closed rent can be neither finished nor cancelled again: both are refused with
    ``token``."""
    for action in (client.finish_rent, client.cancel_rent):
        with pytest.raises(errors.StateConflictError) as caught:
            await action(rent_id)
        assert caught.value.token == token


async def test_rent_wait_receive_finish(client: ProviderClient, sandbox: Sandbox) -> None:
    rent_id, price = await _rent(client)
    assert price == sandbox.catalog.rent_price(0, "tg", 4) > 0
    status = await client.get_rent_status(rent_id)
    assert (status.state, status.messages, status.quantity) == (RentState.WAITING, (), 0)
    for n in range(1, 4):
        sandbox.deliver_rent_sms(int(rent_id), f"message {n}")
        sandbox.advance(1)
    status = await client.get_rent_status(rent_id)
    assert status.state is RentState.RECEIVING and status.quantity == 3
    assert [m.text for m in status.messages] == ["message 3", "message 2", "message 1"]
    times = [m.received_at for m in status.messages]
    assert all(t is not None for t in times) and times == sorted(times, reverse=True)  # type: ignore[type-var]
    await client.finish_rent(rent_id)
    assert (await client.get_rent_status(rent_id)).state is RentState.FINISHED
    assert await client.get_balance() == START - price  # finish keeps the charge
    await _assert_closed(client, rent_id, "ALREADY_FINISH")


async def test_rent_cancel_within_20_minutes_refunds(
    client: ProviderClient, sandbox: Sandbox
) -> None:
    rent_id, _ = await _rent_made_ago(client, sandbox, 1199)
    await client.cancel_rent(rent_id)
    assert await client.get_balance() == START
    assert (await client.get_rent_status(rent_id)).state is RentState.CANCELLED
    assert await client.get_rent_list() == ()
    await _assert_closed(client, rent_id, "ALREADY_CANCEL")


async def test_rent_cancel_after_20_minutes_is_refused(
    client: ProviderClient, sandbox: Sandbox
) -> None:
    rent_id, price = await _rent_made_ago(client, sandbox, 1201)
    with pytest.raises(errors.StateConflictError) as caught:
        await client.cancel_rent(rent_id)
    assert caught.value.token == "CANT_CANCEL"
    assert (await client.get_rent_status(rent_id)).state is RentState.WAITING
    await client.finish_rent(rent_id)  # finishing is still allowed
    assert await client.get_balance() == START - price


async def test_rent_cancel_after_an_sms_is_refused(
    client: ProviderClient, sandbox: Sandbox
) -> None:
    rent_id, price = await _rent(client)
    sandbox.deliver_rent_sms(int(rent_id), "hello 42")
    with pytest.raises(errors.StateConflictError) as caught:
        await client.cancel_rent(rent_id)
    assert caught.value.token == "CANT_CANCEL"
    assert await client.get_balance() == START - price


async def test_rent_extend_then_expire(client: ProviderClient, sandbox: Sandbox) -> None:
    rent = await client.get_rent_number("tg", 4, country=0)
    price = await client.get_continue_rent_price_number(rent.rent_id, 24)
    before = await client.get_balance()
    extended = await client.continue_rent_number(rent.rent_id, 24)
    assert (extended.end_date - rent.end_date).total_seconds() == 24 * 3600
    assert await client.get_balance() == before - price
    sandbox.advance(4 * 3600 + 1)
    assert (await client.get_rent_status(rent.rent_id)).state is RentState.WAITING  # extended
    sandbox.advance(24 * 3600)
    assert (await client.get_rent_status(rent.rent_id)).state is RentState.FINISHED
    assert await client.get_rent_list() == ()
    with pytest.raises(errors.RentExpiredError):
        await client.continue_rent_number(rent.rent_id, 4)
    with pytest.raises(errors.RentExpiredError):
        await client.get_continue_rent_price_number(rent.rent_id, 4)
    assert await client.get_balance() == before - price  # RENT_DIE charged nothing


async def test_rent_extension_limits(client: ProviderClient, sandbox: Sandbox) -> None:
    rent_id, _ = await _rent(client)
    sandbox.set_balance("alice", "100000.00")  # twelve weeks of rent cost more than 1000
    before = await client.get_balance()
    with pytest.raises(errors.InvalidRequestError) as short:
        await client.continue_rent_number(rent_id, 3)
    assert short.value.token == "INVALID_TIME"
    with pytest.raises(errors.MaxHoursExceededError) as long:
        await client.continue_rent_number(rent_id, 2013)
    assert long.value.max_hours == 2012
    extended = await client.continue_rent_number(rent_id, 2012)  # exactly to the limit
    assert extended.rent_id == rent_id
    with pytest.raises(errors.MaxHoursExceededError) as none_left:
        await client.continue_rent_number(rent_id, 4)
    assert none_left.value.max_hours == 0
    assert await client.get_balance() < before

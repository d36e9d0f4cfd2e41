"""Seeds the activation ledger with bought numbers whose fate is known (for aggregates)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from bot.core.clock import ManualClock
from storage.activations import ActivationLedger, ActivationState
from storage.db import Database

_serial = itertools.count(1)


async def bought(
    db: Database, *, provider: str, coded: bool, service: str = "tg", country: int = 6,
    operator: str | None = None, user_id: int = 1, cost: str = "10.00", seconds: float = 40.0,
    state: ActivationState | None = None,
) -> int:
    """One number bought now: a code after ``seconds`` (then finished), or none and cancelled
    after ``seconds``. Moves the database's ManualClock by ``seconds``. Returns its ledger id."""
    assert isinstance(db.clock, ManualClock)
    ledger = ActivationLedger(db)
    serial = next(_serial)
    intent = await ledger.record_intent(
        idempotency_key=f"seed-{serial}", user_id=user_id, chat_id=user_id, provider=provider,
        service=service, country=country, operator=operator,
    )
    row = await ledger.confirm_intent(
        intent, activation_id=f"a{serial}", phone=f"62800{serial}", cost=Decimal(cost),
        deadline=db.clock.now() + 1200,
    )
    db.clock.advance(seconds)
    if coded:
        await ledger.record_sms(row.ledger_id, code=f"{serial:06d}", text=None)
    if state is not None:
        await ledger.end(row.ledger_id, state)
    elif not coded:
        await ledger.end(row.ledger_id, ActivationState.CANCELLED)
    else:
        await ledger.end(row.ledger_id, ActivationState.FINISHED)
    return row.ledger_id

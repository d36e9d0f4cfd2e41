"""Auto-replace runs: "keep buying until a code comes", within tries, a wait and a spend cap.

Lifecycle (the ``state`` column)::

    create ──► RUNNING ──stop──► SUCCEEDED | CANCELLED | EXHAUSTED | CAPPED | FAILED

Each step of a run is one purchase. :meth:`AutoReplaceStore.begin_step` writes the step's
intent key (and counts the try) durably BEFORE the purchase's own intent and paid call, so a
restart finds the step and asks the ledger for that key instead of buying again. Steps' money
is in the activation ledger, under keys ``autoreplace:<run>:<try>``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from storage._codec import money_or_none, money_to_text, text_to_money
from storage.db import Row, Store
from storage.errors import RowNotFoundError


class RunState(enum.Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"  # a code came
    CANCELLED = "cancelled"  # the user stopped it
    EXHAUSTED = "exhausted"  # every try was used without a code
    CAPPED = "capped"  # the next number would have passed the run's (or the user's) cap
    FAILED = "failed"  # no provider had a number to sell


@dataclass(frozen=True, slots=True)
class Run:
    """One auto-replace run.

    Attributes:
        tries: steps started so far (each one intent).
        step_key: the current step's idempotency key, written before its paid call.
        step_provider: where the current step buys.
        step_ledger_id: the current step's activation, once bought.
        failed_providers: providers whose number got no code in this run.
        max_price: the most one number may cost (the user's max price; None: the offers'
            own prices, under the run's cap).
    """

    run_id: int
    user_id: int
    chat_id: int
    service: str
    country: int
    operator: str | None
    max_tries: int
    wait_seconds: float
    spend_cap: Decimal
    state: RunState
    tries: int
    step_key: str | None
    step_provider: str | None
    step_price: Decimal | None
    step_ledger_id: int | None
    failed_providers: tuple[str, ...]
    stop_reason: str | None
    card_message_id: int | None = None
    service_name: str | None = None
    country_names: tuple[tuple[str, str], ...] = ()
    max_price: Decimal | None = None


def step_key(run_id: int, attempt: int) -> str:
    """The activation idempotency key of a run's ``attempt``-th purchase (from 1)."""
    return f"autoreplace:{run_id}:{attempt}"


# A key range rather than LIKE, so the UNIQUE index on idempotency_key serves it.
_RUN_SPENT: Final = (
    "SELECT COALESCE(cost, json_extract(options, '$.shown_price')) FROM activations"
    " WHERE idempotency_key >= :low AND idempotency_key < :high"
    " AND state != 'failed'"
)
_POSTGRES_RUN_SPENT: Final = _RUN_SPENT.replace(
    "json_extract(options, '$.shown_price')", "(options::jsonb ->> 'shown_price')"
)


class AutoReplaceStore(Store):
    """Reads and writes auto-replace runs."""

    __slots__ = ()

    async def create(
        self, *, user_id: int, chat_id: int, service: str, country: int, operator: str | None,
        max_tries: int, wait_seconds: float, spend_cap: Decimal,
        card_message_id: int | None = None, service_name: str | None = None,
        country_names: Mapping[str, str] | None = None, max_price: Decimal | None = None,
    ) -> Run:
        """Records a new RUNNING run, durably.

        Raises:
            ValueError: no tries, no wait, or a negative cap.
        """
        if max_tries < 1 or wait_seconds <= 0 or not spend_cap.is_finite() or spend_cap < 0:
            raise ValueError("a run needs tries >= 1, a positive wait and a cap >= 0")
        if max_price is not None and (not max_price.is_finite() or max_price <= 0):
            raise ValueError("a run's max price per number must be above 0")
        now = self._db.clock.now()
        async with self._db.transaction(durable=True) as tx:
            row = await tx.fetchone(
                "INSERT INTO autoreplace_runs (user_id, chat_id, service, country, operator,"
                " max_tries, wait_seconds, spend_cap, state, created_at, updated_at,"
                " card_message_id, service_name, country_names, max_price)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?) RETURNING *",
                (user_id, chat_id, service, country, operator, max_tries, wait_seconds,
                 money_to_text(spend_cap), now, now, card_message_id, service_name,
                 json.dumps(dict(country_names or {})),
                 None if max_price is None else money_to_text(max_price)),
            )
        assert row is not None
        return _run(row)

    async def get(self, run_id: int) -> Run:
        """The run.

        Raises:
            RowNotFoundError: no such run.
        """
        row = await self._db.fetchone("SELECT * FROM autoreplace_runs WHERE id = ?", (run_id,))
        if row is None:
            raise RowNotFoundError(f"no auto-replace run {run_id}")
        return _run(row)

    async def running(self) -> list[Run]:
        """Every run still going (to resume after a restart, and on each tick)."""
        rows = await self._db.fetchall(
            "SELECT * FROM autoreplace_runs WHERE state = 'running' ORDER BY id"
        )
        return [_run(row) for row in rows]

    async def running_for_user(self, user_id: int) -> list[Run]:
        rows = await self._db.fetchall(
            "SELECT * FROM autoreplace_runs WHERE user_id = ? AND state = 'running'", (user_id,)
        )
        return [_run(row) for row in rows]

    async def begin_step(self, run: Run, provider: str, price: Decimal) -> Run | None:
        """Counts the next try and records its key, durably, before its purchase.

        Returns:
            The updated run, or None when the run is no longer RUNNING or another caller
            began this step first (then nothing changed).
        """
        attempt = run.tries + 1
        return await self._change(
            "UPDATE autoreplace_runs SET tries = :attempt, step_key = :key,"
            " step_provider = :provider, step_price = :price, step_ledger_id = NULL,"
            " updated_at = :now WHERE id = :id AND state = 'running' AND tries = :tries",
            {"attempt": attempt, "key": step_key(run.run_id, attempt), "provider": provider,
             "price": money_or_none(price), "id": run.run_id, "tries": run.tries},
        )

    async def attach(self, run: Run, ledger_id: int) -> Run | None:
        """Records the activation the current step bought."""
        return await self._change(
            "UPDATE autoreplace_runs SET step_ledger_id = :ledger, updated_at = :now"
            " WHERE id = :id AND state = 'running' AND step_key = :key",
            {"ledger": ledger_id, "id": run.run_id, "key": run.step_key},
        )

    async def step_failed(self, run: Run) -> Run | None:
        """The current step ended without a code: its provider is marked failed, and the
        step is closed (the next one may begin)."""
        failed = list(dict.fromkeys([*run.failed_providers, run.step_provider or ""]))
        return await self._change(
            "UPDATE autoreplace_runs SET failed_providers = :failed, step_key = NULL,"
            " step_ledger_id = NULL, updated_at = :now"
            " WHERE id = :id AND state = 'running' AND step_key = :key",
            {"failed": json.dumps([p for p in failed if p]), "id": run.run_id,
             "key": run.step_key},
        )

    async def stop(self, run_id: int, state: RunState, reason: str) -> bool:
        """Ends a RUNNING run; False when it had already ended (the first end wins)."""
        if state is RunState.RUNNING:
            raise ValueError("stop needs an end state")
        async with self._db.transaction(durable=True) as tx:
            changed = await tx.execute(
                "UPDATE autoreplace_runs SET state = ?, stop_reason = ?, updated_at = ?"
                " WHERE id = ? AND state = 'running'",
                (state.value, reason, self._db.clock.now(), run_id),
            )
        return changed > 0

    async def set_card(self, run_id: int, message_id: int) -> None:
        """Remembers the message that shows the run (its live card)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE autoreplace_runs SET card_message_id = ? WHERE id = ?",
                (message_id, run_id),
            )

    async def spent(self, run_id: int) -> Decimal:
        """What the run's numbers cost, gross: every number bought or maybe bought, refunded
        or not, so the money a run puts at risk never passes its cap (a refund is the
        provider's to make, and comes later)."""
        prefix = f"autoreplace:{run_id}:"
        rows = await self._db.fetchall(
            _RUN_SPENT if self._db.dialect == "sqlite" else _POSTGRES_RUN_SPENT,
            {"low": prefix, "high": prefix[:-1] + ";"},
        )
        return sum((text_to_money(str(r[0])) or Decimal(0) for r in rows if r[0]), Decimal(0))

    async def _change(self, sql: str, params: dict[str, object]) -> Run | None:
        async with self._db.transaction(durable=True) as tx:
            changed = await tx.execute(sql, {**params, "now": self._db.clock.now()})
            row = await tx.fetchone(
                "SELECT * FROM autoreplace_runs WHERE id = ?", (params["id"],)
            )
        return _run(row) if changed and row is not None else None


def _run(row: Row) -> Run:
    return Run(
        run_id=row["id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        service=row["service"],
        country=row["country"],
        operator=row["operator"],
        max_tries=row["max_tries"],
        wait_seconds=row["wait_seconds"],
        spend_cap=text_to_money(row["spend_cap"]) or Decimal(0),
        state=RunState(row["state"]),
        tries=row["tries"],
        step_key=row["step_key"],
        step_provider=row["step_provider"],
        step_price=text_to_money(row["step_price"]),
        step_ledger_id=row["step_ledger_id"],
        failed_providers=tuple(json.loads(row["failed_providers"])),
        stop_reason=row["stop_reason"],
        card_message_id=row["card_message_id"],
        service_name=row["service_name"],
        country_names=tuple(sorted(json.loads(row["country_names"] or "{}").items())),
        max_price=text_to_money(row["max_price"]),
    )

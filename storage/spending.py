"""Spending read from the ledgers: what a user committed to pay since a moment (for the caps).

A cap must hold before the money moves, so this counts what the ledgers count as spent (a
finished activation or one that got a code; a rent not cancelled; a confirmed extension) plus
what is still held and may yet be charged (a live activation without a code, an intent whose
outcome is not known yet). Refunded rows (cancelled or expired without a code, failed intents)
count nothing. Sums exact Decimals in Python; each query is bounded by the
``(user_id, created_at)`` history indexes of migration 0002.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from storage._codec import text_to_money
from storage.db import Database, Store

_ACTIVATIONS: Final = (
    "SELECT COALESCE(cost, json_extract(options, '$.shown_price'), max_price) FROM activations"
    " WHERE user_id = :user AND created_at >= :since"
    " AND NOT (state IN ('failed', 'cancelled', 'expired') AND code_count = 0)"
)
_RENTS: Final = (
    "SELECT COALESCE(cost, json_extract(options, '$.shown_price')) FROM rents"
    " WHERE user_id = :user AND created_at >= :since"
    " AND state IN ('intent', 'unknown', 'active', 'finished', 'expired')"
    " UNION ALL SELECT e.cost FROM rent_extensions e JOIN rents r ON r.id = e.rent"
    " WHERE r.user_id = :user AND e.created_at >= :since AND e.state IN ('intent', 'confirmed')"
)


_RECORDED: Final = (
    "SELECT 1 FROM activations WHERE idempotency_key IN (:key, :key || ':0')"
    " UNION ALL SELECT 1 FROM rents WHERE idempotency_key = :key"
    " UNION ALL SELECT 1 FROM rent_extensions WHERE idempotency_key = :key LIMIT 1"
)


# PostgreSQL spells the JSON read differently; the options column is JSON text on both.
_SHOWN_PRICE: Final = "json_extract(options, '$.shown_price')"
_POSTGRES_SHOWN_PRICE: Final = "(options::jsonb ->> 'shown_price')"


def _spelled(sql: str, db: Database) -> str:
    return sql.replace(_SHOWN_PRICE, _POSTGRES_SHOWN_PRICE) if db.dialect == "postgres" else sql


class SpendingLedger(Store):
    """Reads committed spending across the activation and rent ledgers."""

    __slots__ = ()

    async def committed_since(self, user_id: int, since: float) -> Decimal:
        """What the user was charged or is held for, for everything bought at or after
        ``since`` (Unix seconds): activations, rents and rent extensions."""
        params = {"user": user_id, "since": since}
        rows = [
            *await self._db.fetchall(_spelled(_ACTIVATIONS, self._db), params),
            *await self._db.fetchall(_spelled(_RENTS, self._db), params),
        ]
        return sum((_money(row[0]) for row in rows), Decimal(0))

    async def is_recorded(self, idempotency_key: str) -> bool:
        """True when a paid call was already recorded under this key (an activation, the first
        of a /multi's rows ``<key>:0``, a rent or a rent extension)."""
        return await self._db.fetchone(_RECORDED, {"key": idempotency_key}) is not None


def _money(value: object) -> Decimal:
    if value is None:
        return Decimal(0)
    return text_to_money(str(value)) or Decimal(0)

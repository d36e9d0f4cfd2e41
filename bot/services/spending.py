"""Spending caps: a user's limit per UTC day and per UTC month, checked before any paid call.

PTB-free. Spending is what the ledgers count as spent or still hold (see
:mod:`storage.spending`) for everything bought since the start of the day or month, in UTC.
The check runs under the user's purchase lock, after the previous purchase's intent is written,
so two quick purchases cannot both slip under the cap. Amounts are summed as the providers bill
them: a user billed in two currencies by two providers has one cap over both (a known limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from bot.core.clock import Clock
from storage.spending import SpendingLedger
from storage.users import UserStore

Period = Literal["day", "month"]


class SpendingCapError(Exception):
    """A paid call that would pass the user's cap; nothing was recorded or paid.

    Attributes:
        period: which cap: "day" or "month".
        cap: the cap.
        remaining: what may still be spent in that period (never negative).
        price: what the refused call would have cost.
    """

    def __init__(self, period: Period, cap: Decimal, remaining: Decimal, price: Decimal) -> None:
        super().__init__(f"{period} cap {cap} reached: {remaining} left, {price} asked")
        self.period = period
        self.cap = cap
        self.remaining = remaining
        self.price = price


@dataclass(frozen=True, slots=True)
class Remaining:
    """What is left under each cap; None where the user set no cap."""

    day: Decimal | None
    month: Decimal | None


class SpendingGuard:
    """Checks purchases against the user's caps.

    Args:
        users: where the caps are stored (``Preferences.daily_cap``/``monthly_cap``).
        spending: the ledgers' committed spending.
        clock: the source of "now".
    """

    def __init__(self, users: UserStore, spending: SpendingLedger, *, clock: Clock) -> None:
        self._users = users
        self._spending = spending
        self._clock = clock

    async def remaining(self, user_id: int) -> Remaining:
        """What the user may still spend today and this month (UTC)."""
        user = await self._users.get(user_id)
        if user is None:
            return Remaining(None, None)
        preferences = user.preferences
        day_start, month_start = _period_starts(self._clock.now())
        day = month = None
        if preferences.daily_cap is not None:
            spent = await self._spending.committed_since(user_id, day_start)
            day = max(Decimal(0), preferences.daily_cap - spent)
        if preferences.monthly_cap is not None:
            spent = await self._spending.committed_since(user_id, month_start)
            month = max(Decimal(0), preferences.monthly_cap - spent)
        return Remaining(day, month)

    async def check(self, user_id: int, price: Decimal, idempotency_key: str) -> None:
        """Returns when a paid call costing ``price`` stays within every cap, or when its
        idempotency key was used before (the ledger then answers "duplicate", not the cap).

        Raises:
            SpendingCapError: it would pass one (or one is used up, whatever the price); the
                day's cap is named first.
        """
        user = await self._users.get(user_id)
        if user is None or (user.preferences.daily_cap, user.preferences.monthly_cap) == (
            None, None,
        ):
            return
        if await self._spending.is_recorded(idempotency_key):
            return
        left = await self.remaining(user_id)
        preferences = user.preferences
        # Nothing is free: with nothing left, a call whose price is not known is refused too.
        checks: tuple[tuple[Period, Decimal | None, Decimal | None], ...] = (
            ("day", preferences.daily_cap, left.day),
            ("month", preferences.monthly_cap, left.month),
        )
        for period, cap, remaining in checks:
            if cap is not None and remaining is not None and (price > remaining or remaining <= 0):
                raise SpendingCapError(period, cap, remaining, price)


def _period_starts(now: float) -> tuple[float, float]:
    moment = datetime.fromtimestamp(now, UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.timestamp(), day.replace(day=1).timestamp()

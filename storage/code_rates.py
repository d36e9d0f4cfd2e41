"""Code rates: of the numbers bought lately, how many got a code, read from the activation ledger.

Counts only, over every user: no user, number or code leaves this module. A number counts once
its fate is known: it got a code, or it ended (finished, cancelled, expired) without one; a
live number still waiting is left out, since it may yet get one. The query reads one service in
one country over a window, through the ``activations_code_rate`` index (migration 0006).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from storage.db import Store

_ROWS: Final = (
    "SELECT a.provider, a.code_count, a.confirmed_at, a.ended_at,"
    " (SELECT MIN(s.recorded_at) FROM activation_sms s WHERE s.activation = a.id)"
    " FROM activations a"
    " WHERE a.service = :service AND a.country = :country AND a.created_at >= :since"
    " AND (a.code_count > 0 OR a.state IN ('finished', 'cancelled', 'expired'))"
    " AND (CAST(:operator AS TEXT) IS NULL OR a.operator = :operator)"
)


@dataclass(frozen=True, slots=True)
class CodeRate:
    """One provider's record for one service in one country (and operator, when asked).

    Attributes:
        bought: numbers whose fate is known.
        coded: of those, how many got a code.
        median_seconds: the median time from purchase to the first code, or None.
        lost_seconds: the time numbers without a code were held before they ended, in total.
    """

    bought: int
    coded: int
    median_seconds: float | None
    lost_seconds: float

    @property
    def rate(self) -> float:
        return self.coded / self.bought if self.bought else 0.0


class CodeRateStore(Store):
    """Aggregates the activation ledger into code rates."""

    __slots__ = ()

    async def rates(
        self, service: str, country: int, *, since: float, operator: str | None = None
    ) -> dict[str, CodeRate]:
        """Code rates by provider for numbers bought at or after ``since``.

        Args:
            operator: only numbers bought for this operator; None for all of them.
        """
        rows = await self._db.fetchall(
            _ROWS,
            {"service": service, "country": country, "since": since, "operator": operator},
        )
        delays: defaultdict[str, list[float]] = defaultdict(list)
        bought: defaultdict[str, int] = defaultdict(int)
        coded: defaultdict[str, int] = defaultdict(int)
        lost: defaultdict[str, float] = defaultdict(float)
        for provider, code_count, confirmed_at, ended_at, first_code in rows:
            bought[provider] += 1
            if code_count > 0:
                coded[provider] += 1
                if first_code is not None and confirmed_at is not None:
                    delays[provider].append(max(0.0, first_code - confirmed_at))
            elif ended_at is not None and confirmed_at is not None:
                lost[provider] += max(0.0, ended_at - confirmed_at)
        return {
            provider: CodeRate(
                bought=count,
                coded=coded[provider],
                median_seconds=statistics.median(delays[provider]) if delays[provider] else None,
                lost_seconds=lost[provider],
            )
            for provider, count in bought.items()
        }

"""Users: language, current provider and purchase preferences, one row per Telegram user."""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from storage._codec import money_or_none, text_to_money
from storage.db import Row, Store, Transaction

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a user chose to make buying quicker.

    Attributes:
        favourite_services: service codes shown first ("tg", "wa").
        favourite_countries: provider country ids shown first.
        default_operator: the operator to ask for, or None for any.
        max_price: the most the bot may pay for one activation, or None for no limit.
        auto_cancel: cancel an activation that got no code shortly before its deadline, so the
            money comes back.
        daily_cap: the most the user lets the bot spend in one UTC day, or None for no cap.
        monthly_cap: the most the user lets the bot spend in one UTC month, or None.
        time_zone: the IANA name of the zone the user reads times in, or None for UTC.
    """

    favourite_services: tuple[str, ...] = ()
    favourite_countries: tuple[int, ...] = ()
    default_operator: str | None = None
    max_price: Decimal | None = None
    auto_cancel: bool = True
    daily_cap: Decimal | None = None
    monthly_cap: Decimal | None = None
    time_zone: str | None = None

    def toggled_service(self, code: str) -> Preferences:
        """With ``code`` out of the favourite services if it was in, else added last."""
        return replace(self, favourite_services=_toggled(self.favourite_services, code))

    def toggled_country(self, country: int) -> Preferences:
        """With ``country`` out of the favourite countries if it was in, else added last."""
        return replace(self, favourite_countries=_toggled(self.favourite_countries, country))

    def toggled_default_operator(self, operator: str) -> Preferences:
        """With ``operator`` as the default operator, or with none if it already was."""
        return replace(
            self, default_operator=None if self.default_operator == operator else operator
        )


def _toggled(items: tuple[T, ...], item: T) -> tuple[T, ...]:
    return tuple(i for i in items if i != item) if item in items else (*items, item)


@dataclass(frozen=True, slots=True)
class User:
    """One user's row.

    Attributes:
        user_id: the Telegram user id.
        language: a locale code, or None to follow the language Telegram reports.
        current_provider: the provider (preset name or URL) purchases go to, or None.
        preferences: the purchase preferences.
        created_at: Unix seconds.
        updated_at: Unix seconds.
    """

    user_id: int
    language: str | None
    current_provider: str | None
    preferences: Preferences
    created_at: float
    updated_at: float


# The rows read while one Telegram update is handled (see `UserStore.begin_update`): each
# update needs its user's row for the language, and again for the provider; one read serves.
_THIS_UPDATE: ContextVar[dict[int, User] | None] = ContextVar("users_this_update", default=None)


async def ensure_user_row(tx: Transaction, user_id: int, now: float) -> None:
    """Creates the user's row with defaults if it is missing (for stores that reference it)."""
    await tx.execute(
        "INSERT INTO users (user_id, created_at, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO NOTHING",
        (user_id, now, now),
    )


class UserStore(Store):
    """Reads and writes users. Every setter creates the row when it is missing."""

    __slots__ = ()

    @staticmethod
    def begin_update() -> None:
        """From here to the end of the current task (one Telegram update), a row read once is
        read from memory; this store's writes keep it current. Not for background loops: in a
        process that is not the only one writing (replicas), a row kept longer than an update
        would go stale."""
        _THIS_UPDATE.set({})

    async def get(self, user_id: int) -> User | None:
        """The user's row, or None if the bot has never stored anything for them."""
        memo = _THIS_UPDATE.get()
        if memo is not None and user_id in memo:
            return memo[user_id]
        row = await self._db.fetchone("SELECT * FROM users WHERE user_id = ?", (user_id,))
        user = None if row is None else _user(row)
        if memo is not None and user is not None:
            memo[user_id] = user
        return user

    async def ensure(self, user_id: int) -> User:
        """The user's row, created with defaults first if missing."""
        # Every update asks for its user's row (for the language): a read on the reader, so
        # a crowd of updates does not queue for the one writer to learn the row is there.
        existing = await self.get(user_id)
        if existing is not None:
            return existing
        async with self._db.transaction() as tx:
            await ensure_user_row(tx, user_id, self._db.clock.now())
            row = await tx.fetchone("SELECT * FROM users WHERE user_id = ?", (user_id,))
        assert row is not None  # just written, in the same transaction
        user = _user(row)
        memo = _THIS_UPDATE.get()
        if memo is not None:
            memo[user_id] = user
        return user

    async def set_language(self, user_id: int, language: str | None) -> None:
        """Sets the locale code, or None to follow Telegram's language."""
        await self._update(user_id, "UPDATE users SET language = ?", (language,))

    async def set_current_provider(self, user_id: int, provider: str | None) -> None:
        """Sets the provider (preset name or URL) that purchases go to."""
        await self._update(user_id, "UPDATE users SET current_provider = ?", (provider,))

    async def set_preferences(self, user_id: int, preferences: Preferences) -> None:
        """Replaces all purchase preferences at once.

        Raises:
            ValueError: ``max_price`` is negative or not finite.
        """
        price = preferences.max_price
        for name, amount in (
            ("max_price", price),
            ("daily_cap", preferences.daily_cap),
            ("monthly_cap", preferences.monthly_cap),
        ):
            if amount is not None and (not amount.is_finite() or amount < 0):
                raise ValueError(f"{name} must be a finite, non-negative Decimal")
        await self._update(
            user_id,
            "UPDATE users SET favourite_services = ?, favourite_countries = ?,"
            " default_operator = ?, max_price = ?, auto_cancel = ?, daily_cap = ?,"
            " monthly_cap = ?, time_zone = ?",
            (
                json.dumps(list(preferences.favourite_services)),
                json.dumps([int(country) for country in preferences.favourite_countries]),
                preferences.default_operator,
                money_or_none(price),
                int(preferences.auto_cancel),
                money_or_none(preferences.daily_cap),
                money_or_none(preferences.monthly_cap),
                preferences.time_zone,
            ),
        )

    async def _update(self, user_id: int, update: str, values: tuple[object, ...]) -> None:
        """Runs ``update`` (an ``UPDATE users SET …`` without WHERE) on the user's row."""
        now = self._db.clock.now()
        memo = _THIS_UPDATE.get()
        try:
            async with self._db.transaction() as tx:
                await ensure_user_row(tx, user_id, now)
                await tx.execute(update + " WHERE user_id = ?", (*values, user_id))
                await tx.execute(
                    "UPDATE users SET updated_at = ? WHERE user_id = ?", (now, user_id)
                )
        finally:
            if memo is not None:
                memo.pop(user_id, None)  # the next read sees the write


def _user(row: Row) -> User:
    return User(
        user_id=row["user_id"],
        language=row["language"],
        current_provider=row["current_provider"],
        preferences=Preferences(
            favourite_services=tuple(str(code) for code in json.loads(row["favourite_services"])),
            favourite_countries=tuple(int(c) for c in json.loads(row["favourite_countries"])),
            default_operator=row["default_operator"],
            max_price=text_to_money(row["max_price"]),
            auto_cancel=bool(row["auto_cancel"]),
            daily_cap=text_to_money(row["daily_cap"]),
            monthly_cap=text_to_money(row["monthly_cap"]),
            time_zone=row["time_zone"],
        ),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )

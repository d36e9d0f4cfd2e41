"""Spending caps stored with a user's preferences (issue 17)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from storage.db import Database
from storage.users import UserStore


async def test_caps_survive_a_reopen_and_default_to_none(db: Database) -> None:
    users = UserStore(db)
    user = await users.ensure(1)
    assert (user.preferences.daily_cap, user.preferences.monthly_cap) == (None, None)
    await users.set_preferences(
        1, replace(user.preferences, daily_cap=Decimal("50.00"), monthly_cap=Decimal("900"))
    )
    stored = await users.get(1)
    assert stored is not None
    assert (stored.preferences.daily_cap, stored.preferences.monthly_cap) == (
        Decimal("50.00"), Decimal("900"),
    )


@pytest.mark.parametrize("field", ["daily_cap", "monthly_cap"])
async def test_a_negative_cap_is_refused(db: Database, field: str) -> None:
    users = UserStore(db)
    user = await users.ensure(1)
    with pytest.raises(ValueError, match=field):
        await users.set_preferences(1, replace(user.preferences, **{field: Decimal("-1")}))

"""UserStore: defaults, language, provider and preferences survive a reopen."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from storage.db import Database
from storage.users import Preferences, UserStore


async def test_a_new_user_gets_the_defaults(db: Database, clock: ManualClock) -> None:
    users = UserStore(db)
    assert await users.get(42) is None
    user = await users.ensure(42)
    assert user.language is None and user.current_provider is None
    assert user.preferences == Preferences()
    assert user.preferences.auto_cancel is True
    assert user.created_at == user.updated_at == clock.now()


async def test_settings_survive_a_reopen(db_path: Path, clock: ManualClock) -> None:
    preferences = Preferences(
        favourite_services=("tg", "wa"),
        favourite_countries=(0, 6),
        default_operator="mts",
        max_price=Decimal("17.35"),
        auto_cancel=False,
        time_zone="Europe/Madrid",
    )
    async with await Database.open(db_path, clock=clock) as database:
        users = UserStore(database)
        await users.set_language(42, "es")
        clock.advance(5)
        await users.set_current_provider(42, "https://example.test/stubs/handler_api.php")
        await users.set_preferences(42, preferences)
    async with await Database.open(db_path, clock=clock) as database:
        user = await UserStore(database).get(42)
    assert user is not None
    assert user.language == "es"
    assert user.current_provider == "https://example.test/stubs/handler_api.php"
    assert user.preferences == preferences
    assert user.updated_at == user.created_at + 5

    async with await Database.open(db_path, clock=clock) as database:
        await UserStore(database).set_language(42, None)  # back to Telegram's language
        assert (await UserStore(database).get(42)).language is None  # type: ignore[union-attr]


async def test_a_negative_max_price_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="max_price"):
        await UserStore(db).set_preferences(1, Preferences(max_price=Decimal("-1")))
    assert await UserStore(db).get(1) is None


def test_toggling_a_favourite_adds_it_last_or_takes_it_out() -> None:
    preferences = Preferences(favourite_services=("tg",), favourite_countries=(0,))
    assert preferences.toggled_service("wa").favourite_services == ("tg", "wa")
    assert preferences.toggled_service("tg").favourite_services == ()
    assert preferences.toggled_country(6).favourite_countries == (0, 6)
    assert preferences.toggled_country(0).favourite_countries == ()
    with_mts = preferences.toggled_default_operator("mts")
    assert with_mts.default_operator == "mts"
    assert with_mts.toggled_default_operator("beeline").default_operator == "beeline"
    assert with_mts.toggled_default_operator("mts").default_operator is None

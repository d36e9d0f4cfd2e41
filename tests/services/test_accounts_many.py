"""A user's keys at several providers: added beside the current one, listed when usable."""

from __future__ import annotations

import pytest

from bot.core.secret import Secret
from bot.provider.sandbox.testing import BOB_BALANCE, BOB_KEY
from bot.services.account_errors import KeyRejectedError
from storage.db import Database
from storage.keyring import Keyring
from storage.vault import KeyVault
from tests.services.providers import USER, providers


async def test_a_key_for_another_provider_is_checked_stored_and_the_current_one_stays(
    db: Database,
) -> None:
    async with providers(db, ["1.0", "0.8", "1.2"], keys=["test-key-alice"]) as found:
        accounts = found.accounts
        current = await accounts.endpoint_of(USER)
        balance = await accounts.set_key_for(USER, found.servers[2].url, BOB_KEY)
        usable = [e.key for e in await accounts.usable_providers(USER)]
        after = await accounts.endpoint_of(USER)
        with pytest.raises(KeyRejectedError):
            await accounts.set_key_for(USER, found.servers[1].url, "test-key-nobody")
        stored = await accounts.providers_with_keys(USER)

    assert balance.balance == BOB_BALANCE
    assert after == current
    assert sorted(usable) == sorted([found.key(0), found.key(2)])
    assert found.key(1) not in stored


async def test_a_key_that_cannot_be_read_is_not_usable(db: Database) -> None:
    async with providers(db, ["1.0", "0.8"], keys=["test-key-alice"]) as found:
        # written under a master key this bot does not hold (moved, or the key file lost)
        await KeyVault(db, Keyring.generate("lost")).put(USER, found.key(1), Secret(BOB_KEY))
        usable = [e.key for e in await found.accounts.usable_providers(USER)]
        listed = await found.accounts.providers_with_keys(USER)

    assert usable == [found.key(0)]
    assert sorted(listed) == sorted([found.key(0), found.key(1)])

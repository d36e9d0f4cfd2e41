"""Test accounts shared by the sandbox's tests, the client's tests and the end-to-end tests.

pytest does not let tests import ``conftest``, so the keys live here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .accounts import AccountSpec

ALICE_KEY: Final = "test-key-alice"
BOB_KEY: Final = "test-key-bob"
POOR_KEY: Final = "test-key-poor"
BANNED_KEY: Final = "test-key-banned"

ALICE_BALANCE: Final = Decimal("1000.00")
BOB_BALANCE: Final = Decimal("100.00")
BANNED_UNTIL: Final = 4_102_444_800.0
"""2100-01-01 00:00:00 UTC: banned for as long as any test runs."""


def default_test_accounts() -> list[AccountSpec]:
    """Alice (1000), Bob (100), Poor (0), and Banned (1000, banned until 2100)."""
    return [
        AccountSpec(ALICE_KEY, ALICE_BALANCE, name="alice"),
        AccountSpec(BOB_KEY, BOB_BALANCE, name="bob"),
        AccountSpec(POOR_KEY, Decimal("0.00"), name="poor"),
        AccountSpec(BANNED_KEY, Decimal("1000.00"), name="banned", banned_until=BANNED_UNTIL),
    ]

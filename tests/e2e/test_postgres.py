"""Scenarios of test_scenarios.py with the bot on PostgreSQL: a purchase with two codes pushed
and charged once, a crash after the sale reconciled at start-up, a double tap buying once.

The bot migrates a fresh, empty database itself, as a first deployment would.
"""

from __future__ import annotations

import asyncpg

from tests.e2e import test_scenarios as scenarios
from tests.e2e.conftest import E2E


async def _bought_rows(world: E2E) -> int:
    """The bot's ledger rows in PostgreSQL: proof that it ran there, not on a file."""
    assert world.database_url is not None
    conn = await asyncpg.connect(world.database_url)
    try:
        return int(await conn.fetchval("SELECT COUNT(*) FROM activations WHERE cost IS NOT NULL"))
    finally:
        await conn.close()


async def test_on_postgresql_a_purchase_pushes_two_codes_and_charges_once(
    e2e_postgres: E2E,
) -> None:
    await scenarios.test_buy_by_search_and_buttons_two_codes_pushed_charged_once(e2e_postgres)
    assert await _bought_rows(e2e_postgres) == 1
    assert not e2e_postgres.database.exists()


async def test_on_postgresql_a_crash_after_the_sale_is_reconciled_at_start_up(
    e2e_postgres: E2E,
) -> None:
    await scenarios.test_a_crash_after_the_sale_is_reconciled_at_start_up(e2e_postgres)


async def test_on_postgresql_a_double_tap_on_confirm_buys_one_number(e2e_postgres: E2E) -> None:
    await scenarios.test_a_double_tap_on_confirm_buys_one_number(e2e_postgres)
    assert await _bought_rows(e2e_postgres) == 1

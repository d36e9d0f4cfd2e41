"""The cluster tests run on PostgreSQL only (several processes share one server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests import postgres


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """The URL of a fresh migrated PostgreSQL database (the test is skipped without a server)."""
    postgres.require()
    url = await postgres.create_database()
    try:
        yield url
    finally:
        await postgres.drop_database(url)

"""A fresh PostgreSQL database per test, cloned from a migrated template.

The server is the one ``.ci/run`` (or ``.ci/with-postgres``) starts; its URL comes in
``SMSBOT_TEST_POSTGRES``. Without it every PostgreSQL case is skipped with :data:`SKIP_REASON`,
which ``pytest -ra`` prints once in its summary.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from storage.db import Database

URL: Final = os.environ.get("SMSBOT_TEST_POSTGRES", "").strip()
SKIP_REASON: Final = (
    "PostgreSQL half skipped: SMSBOT_TEST_POSTGRES is not set (.ci/run starts a server; "
    "or run .ci/with-postgres .venv/bin/pytest)"
)
# One template per pytest-xdist worker ("gw0", "gw1"…; none without xdist): a worker that drops
# and rebuilds its template never pulls it from under another worker cloning it.
_TEMPLATE: Final = "smsbot_template_" + (os.environ.get("PYTEST_XDIST_WORKER") or "main")
_template_ready = False


def require() -> str:
    """The server's URL, or a skip of the calling test."""
    if not URL:
        pytest.skip(SKIP_REASON)
    return URL


def url_for(database: str) -> str:
    """The server's URL with another database name."""
    return urlunsplit(urlsplit(require())._replace(path=f"/{database}"))


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(require())
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _build_template() -> None:
    global _template_ready
    if _template_ready:
        return
    await _admin(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)")
    await _admin(f"CREATE DATABASE {_TEMPLATE}")
    migrated = await Database.open(url_for(_TEMPLATE), pool_size=1)
    await migrated.close()
    _template_ready = True


async def create_database(*, migrated: bool = True) -> str:
    """A new database (a copy of the migrated template, or empty); returns its URL."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    if migrated:
        await _build_template()
        await _admin(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    else:
        await _admin(f"CREATE DATABASE {name}")
    return url_for(name)


async def drop_database(url: str) -> None:
    """Drops a database made by :func:`create_database` (closing its stray sessions)."""
    name = urlsplit(url).path.lstrip("/")
    for _ in range(3):
        try:
            await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        except asyncpg.ObjectInUseError:
            await asyncio.sleep(0.1)

"""Shard ownership by lease: which process runs the watchers and the notifier for which users.

Users fall into :data:`storage.events.SHARDS` shards (``user_id % 64``). The table
``shard_leases`` holds each shard's owner, ``lease_until`` (Unix seconds on the DATABASE's
clock, so hosts' clocks never matter) and an ``epoch`` that grows with every change of owner.
Every ``renew_every`` seconds each process, in one transaction:

1. says it is alive (``cluster_members``) and counts the processes alive, so it knows its fair
   share (64 / processes, rounded up);
2. renews the leases it holds, up to that share; the others it stops acting on at once and lets
   lapse, for a process with fewer to take once they run out;
3. takes expired shards, up to its share, with ``FOR UPDATE SKIP LOCKED`` so two processes
   never take the same one.

A process acts on a shard only while its OWN monotonic clock says the lease cannot have run
out: the deadline is counted from before the renewing transaction began (so it is earlier than
the database's ``lease_until``), less a margin. A process that was stopped (SIGSTOP, a long GC
pause, a lost network) finds its deadlines passed when it resumes and acts on nothing until a
renewal succeeds; by then another process may own the shard, and the outbox claims keep the
few sends that overlap from being doubled or reordered.

With SQLite (one process) :class:`AllShards` owns everything and reads no table.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Final, Protocol

from bot.core.tasks import sleep_or_stop
from storage.db import Database, Transaction
from storage.events import SHARDS, shard_of

log = logging.getLogger(__name__)

_DB_NOW: Final = "SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8"


class ShardOwnership(Protocol):
    """What the watchers and the notifier ask before acting on a user."""

    def owned(self) -> frozenset[int] | None:
        """The shards this process may act on now (None: every one)."""
        ...

    def owns(self, user_id: int) -> bool:
        """Whether this process may act on this user now."""
        ...


class AllShards:
    """One process alone (SQLite): it owns every shard, with no table traffic."""

    __slots__ = ()

    def owned(self) -> frozenset[int] | None:
        return None

    def owns(self, user_id: int) -> bool:
        return True


def new_owner_id() -> str:
    """A process id unique across hosts and restarts: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ShardLeases:
    """Holds and renews this process's shard leases (PostgreSQL).

    Args:
        db: the shared database.
        owner: this process's id (:func:`new_owner_id`).
        lease_seconds: how long a lease lasts past each renewal.
        renew_every: seconds between renewals (well under ``lease_seconds``).
        margin: seconds before its own deadline at which the process stops acting on a shard.
        monotonic: the local monotonic clock (tests pass their own).
    """

    def __init__(
        self,
        db: Database,
        owner: str,
        *,
        lease_seconds: float = 3.0,
        renew_every: float = 1.0,
        margin: float = 0.5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < renew_every + margin < lease_seconds:
            raise ValueError("renew_every + margin must be shorter than lease_seconds")
        self._db = db
        self.owner = owner
        self.lease_seconds = lease_seconds
        self._renew_every = renew_every
        self._margin = margin
        self._monotonic = monotonic
        self._deadlines: dict[int, float] = {}  # shard -> local monotonic deadline
        self.epochs: dict[int, int] = {}
        self.on_change: Callable[[frozenset[int]], None] | None = None
        self.last_renewal_ok = False
        self._seeded = False

    def owned(self) -> frozenset[int]:
        now = self._monotonic()
        return frozenset(s for s, deadline in self._deadlines.items() if deadline > now)

    def owns(self, user_id: int) -> bool:
        deadline = self._deadlines.get(shard_of(user_id))
        return deadline is not None and deadline > self._monotonic()

    async def renew(self) -> frozenset[int]:
        """One renewal round (see the module docstring). Returns the shards now owned.

        Raises:
            Whatever the database raises; the deadlines are then left to run out.
        """
        before = self.owned()
        started = self._monotonic()
        if not self._seeded:  # the rows exist once any process has run (an empty table
            # keeps migrate-data's "the target is empty" check true)
            async with self._db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO shard_leases (shard) SELECT generate_series(0, ?)"
                    " ON CONFLICT (shard) DO NOTHING",
                    (SHARDS - 1,),
                )
            self._seeded = True
        async with self._db.transaction() as tx:
            now = await _fetch_float(tx, _DB_NOW)
            until = now + self.lease_seconds
            await tx.execute(
                "INSERT INTO cluster_members (owner, alive_until) VALUES (?, ?)"
                " ON CONFLICT (owner) DO UPDATE SET alive_until = excluded.alive_until",
                (self.owner, until),
            )
            members = int(await _fetch_float(
                tx, "SELECT COUNT(*) FROM cluster_members WHERE alive_until > ?", (now,)
            ))
            share = math.ceil(SHARDS / max(1, members))
            held = [
                int(row[0])
                for row in await tx.fetchall(
                    "SELECT shard FROM shard_leases WHERE owner = ? AND lease_until > ?"
                    " ORDER BY shard",
                    (self.owner, now),
                )
            ]
            keep = held[:share]  # the rest lapse: not renewed, and not acted on from now
            renewed = await tx.fetchall(
                "UPDATE shard_leases SET lease_until = ? WHERE owner = ? AND shard = ANY(?)"
                " RETURNING shard, epoch",
                (until, self.owner, keep),
            )
            taken = []
            if len(keep) < share:
                taken = await tx.fetchall(
                    "UPDATE shard_leases SET owner = ?, lease_until = ?, epoch = epoch + 1"
                    " WHERE shard IN (SELECT shard FROM shard_leases WHERE lease_until <= ?"
                    " ORDER BY shard LIMIT ? FOR UPDATE SKIP LOCKED)"
                    " RETURNING shard, epoch",
                    (self.owner, until, now, share - len(keep)),
                )
            await tx.execute(
                "DELETE FROM cluster_members WHERE alive_until < ?",
                (now - 10 * self.lease_seconds,),
            )
        deadline = started + self.lease_seconds - self._margin
        self._deadlines = {int(row[0]): deadline for row in (*renewed, *taken)}
        self.epochs = {int(row[0]): int(row[1]) for row in (*renewed, *taken)}
        self.last_renewal_ok = True
        owned = self.owned()
        if taken:
            log.info(
                "took %d shard(s) %s; own %d of %d (%d process(es))",
                len(taken), sorted(int(row[0]) for row in taken), len(owned), SHARDS, members,
            )
        if owned != before and self.on_change is not None:
            self.on_change(owned)
        return owned

    async def run(self, stop: asyncio.Event) -> None:
        """Renews every ``renew_every`` seconds until ``stop`` is set; never raises."""
        while not stop.is_set():
            try:
                await self.renew()
            except Exception as error:  # the database: the leases run out by themselves
                self.last_renewal_ok = False
                log.warning("renewing shard leases failed: %s", type(error).__name__)
            await sleep_or_stop(stop, self._renew_every)

    async def release(self) -> None:
        """Gives every lease back at once (a clean shutdown, after the work has stopped)."""
        self._deadlines = {}
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE shard_leases SET owner = NULL, lease_until = 0 WHERE owner = ?",
                (self.owner,),
            )
            await tx.execute("DELETE FROM cluster_members WHERE owner = ?", (self.owner,))


async def _fetch_float(tx: Transaction, sql: str, params: tuple[object, ...] = ()) -> float:
    row = await tx.fetchone(sql, params)
    assert row is not None
    return float(row[0])

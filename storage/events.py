"""The event outbox: what the watcher saw, stored once, until the notifier has delivered it.

Delivery is at-least-once, made effectively once by deduplication:

* **Stored once.** Each event carries a dedup key that names the fact ("sms:<ledger>:<round>:
  <code>"); adding the same key again is a no-op. Record the fact (an SMS, an end) and add its
  event in one transaction, and a crash leaves both or neither: a code is never seen without its
  event, and seeing it again on the next poll adds nothing.
* **Delivered, then marked.** The notifier sends the message, then calls :meth:`mark_delivered`.
  A crash after Telegram accepted the message and before the mark commits re-sends that one
  message after the restart. We accept this rare duplicate: the opposite order (mark, then send)
  could lose a code the user paid for, which is worse. :meth:`mark_delivered` reports whether it
  was the first mark, so two racing notifiers cannot both count a delivery.
* **Flood control.** :meth:`defer` sets one event's next attempt; :meth:`defer_chat` holds back
  every pending event of a chat (Telegram's ``retry_after`` is per chat, and deferring only the
  failed event would let the chat's later events overtake it); :meth:`abandon` stops retrying an
  event that can never be delivered (the user blocked the bot).
* **Order.** :meth:`pending` offers events by due time, then id, so a chat's events come in the
  order they were added as long as they are deferred together.
* **Claims** (several processes, issue 15). :meth:`claim` takes, per chat, only the oldest
  undelivered event, and only while no one else's claim on it runs (``claimed_by``,
  ``claim_until``): one sender per event, and a chat's next event is not claimable before the
  previous one is settled, so each chat stays in order even while two processes both believe
  they own it for a moment. Settling an event clears its claim; a sender that dies leaves a
  claim that simply runs out. On PostgreSQL, :meth:`add` also sends ``NOTIFY smsbot_events``
  with the event's shard inside its transaction, so the owner hears of it at commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from storage._codec import dumps_strict, loads_object
from storage.db import Dialect, Row, Store

# The WHERE repeats that of the partial index events_pending (migration 0002), so delivered
# events, however many, cost nothing here.
_PENDING: Final = (
    "SELECT id, kind, user_id, chat_id, payload, dedup_key, created_at, attempts,"
    " next_attempt_at, last_error FROM events"
    " WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= ?"
    " ORDER BY next_attempt_at, id LIMIT ?"
)
# Claimable: due, unclaimed (or the claim ran out), and the oldest unsettled event of its chat.
# PostgreSQL locks the rows it picks and skips those another process is claiming right now;
# a row claimed meanwhile fails the re-check of claim_until and is left out.
_CLAIM: Final = (
    "UPDATE events SET claimed_by = ?, claim_until = ? WHERE id IN ("
    " SELECT e.id FROM events AS e"
    " WHERE e.delivered_at IS NULL AND e.abandoned_at IS NULL AND e.next_attempt_at <= ?"
    " AND (e.claim_until IS NULL OR e.claim_until <= ?){where}"
    " AND NOT EXISTS (SELECT 1 FROM events AS o WHERE o.chat_id = e.chat_id AND o.id < e.id"
    " AND o.delivered_at IS NULL AND o.abandoned_at IS NULL)"
    " ORDER BY e.next_attempt_at, e.id LIMIT ?{lock})"
    " RETURNING id, kind, user_id, chat_id, payload, dedup_key, created_at, attempts,"
    " next_attempt_at, last_error"
)
_SKIP_LOCKED: Final[dict[Dialect, str]] = {"sqlite": "", "postgres": " FOR UPDATE OF e SKIP LOCKED"}
SHARDS: Final = 64
"""Users fall into this many shards (``user_id % SHARDS``): the unit of ownership."""
NOTIFY_CHANNEL: Final = "smsbot_events"
# The later of two values: a scalar function in SQLite, GREATEST in PostgreSQL.
_LATER: Final[dict[Dialect, str]] = {"sqlite": "MAX", "postgres": "GREATEST"}


@dataclass(frozen=True, slots=True)
class Event:
    """One outbox row awaiting delivery.

    Attributes:
        event_id: the row id, increasing in the order events were added.
        kind: what happened ("sms", "activation_ended", …), chosen by the producer.
        payload: the data the notifier renders, as given to :meth:`EventOutbox.add`.
        attempts: how many times delivery was deferred.
        next_attempt_at: Unix seconds before which the event is not offered again.
        last_error: the reason given to the last :meth:`EventOutbox.defer`.
    """

    event_id: int
    kind: str
    user_id: int
    chat_id: int
    payload: Mapping[str, Any]
    dedup_key: str
    created_at: float
    attempts: int
    next_attempt_at: float
    last_error: str | None


class EventOutbox(Store):
    """Adds, lists and settles outbox events."""

    __slots__ = ()

    async def add(
        self,
        *,
        kind: str,
        user_id: int,
        chat_id: int,
        payload: Mapping[str, object],
        dedup_key: str,
    ) -> int | None:
        """Adds an event unless one with the same dedup key exists (delivered or not).

        Joins the caller's transaction when there is one.

        Returns:
            The new event id, or None if the key was already used.

        Raises:
            TypeError: ``payload`` is not plain JSON data (a Secret, a Decimal: pass str).
        """
        encoded = dumps_strict(dict(payload), what="event payload")
        now = self._db.clock.now()
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "INSERT INTO events (kind, user_id, chat_id, payload, dedup_key, created_at,"
                " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
                (kind, user_id, chat_id, encoded, dedup_key, now, now),
            )
            if row is not None and self._db.dialect == "postgres":
                # Delivered by the server at commit, and only then: a rollback sends nothing.
                await tx.execute(
                    "SELECT pg_notify(?, ?)", (NOTIFY_CHANNEL, str(shard_of(user_id)))
                )
        return None if row is None else int(row[0])

    async def pending(self, limit: int = 100, now: float | None = None) -> list[Event]:
        """Events due for delivery (not delivered, not abandoned, due by ``now``), oldest first.

        Args:
            limit: the most events to return.
            now: the time to compare ``next_attempt_at`` with; the clock's now by default.
        """
        due = self._db.clock.now() if now is None else now
        rows = await self._db.fetchall(_PENDING, (due, limit))
        return [_event(row) for row in rows]

    async def claim(
        self,
        owner: str,
        until: float,
        *,
        shards: frozenset[int] | None = None,
        chat_id: int | None = None,
        limit: int = 100,
        now: float | None = None,
    ) -> list[Event]:
        """Claims, for ``owner`` until ``until``, the oldest unsettled event of each chat whose
        event is due and not claimed by anyone else (see the module docstring).

        Args:
            owner: the claiming process's id.
            until: when the claim runs out (Unix seconds) if the event is not settled by then.
            shards: only users of these shards (None: every user).
            chat_id: only this chat (the next event of a chat just served).
            limit: the most events (so the most chats) to claim.
            now: the time to compare due times and claims with; the clock's now by default.

        Returns:
            The claimed events, oldest due first; at most one per chat.
        """
        due = self._db.clock.now() if now is None else now
        where, extra = "", []
        if shards is not None:
            if not shards:
                return []
            listed = ", ".join(str(int(shard)) for shard in sorted(shards))
            where += f" AND e.user_id % {SHARDS} IN ({listed})"
        if chat_id is not None:
            where += " AND e.chat_id = ?"
            extra.append(chat_id)
        sql = _CLAIM.format(where=where, lock=_SKIP_LOCKED[self._db.dialect])
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(sql, (owner, until, due, due, *extra, limit))
        events = [_event(row) for row in rows]
        events.sort(key=lambda event: (event.next_attempt_at, event.event_id))
        return events

    async def release(self, event_id: int, owner: str) -> bool:
        """Gives up ``owner``'s claim on an event without settling it (stopping early)."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE events SET claimed_by = NULL, claim_until = NULL"
                " WHERE id = ? AND claimed_by = ?",
                (event_id, owner),
            )
        return changed > 0

    async def depth(self) -> int:
        """How many events wait for delivery (for the metrics)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM events WHERE delivered_at IS NULL AND abandoned_at IS NULL"
        )
        return 0 if row is None else int(row[0])

    async def mark_delivered(self, event_id: int) -> bool:
        """Records that the event's message was sent.

        Returns:
            True the first time; False if it was already delivered or abandoned (or unknown).
        """
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE events SET delivered_at = ?, claimed_by = NULL, claim_until = NULL"
                " WHERE id = ? AND delivered_at IS NULL AND abandoned_at IS NULL",
                (self._db.clock.now(), event_id),
            )
        return changed > 0

    async def defer(self, event_id: int, until: float, *, error: str | None = None) -> bool:
        """Postpones an undelivered event to ``until`` and counts the attempt.

        Returns:
            False if the event was already delivered or abandoned (nothing changed).
        """
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE events SET next_attempt_at = ?, attempts = attempts + 1, last_error = ?,"
                " claimed_by = NULL, claim_until = NULL"
                " WHERE id = ? AND delivered_at IS NULL AND abandoned_at IS NULL",
                (until, error, event_id),
            )
        return changed > 0

    async def defer_chat(self, chat_id: int, until: float, *, error: str | None = None) -> int:
        """Postpones every pending event of a chat to ``until`` at the earliest, keeping order.

        Returns:
            How many events were held back.
        """
        async with self._db.transaction() as tx:
            return await tx.execute(
                f"UPDATE events SET next_attempt_at = {_LATER[self._db.dialect]}"  # noqa: S608
                "(next_attempt_at, ?),"
                " attempts = attempts + 1, last_error = ?, claimed_by = NULL, claim_until = NULL"
                " WHERE chat_id = ? AND delivered_at IS NULL AND abandoned_at IS NULL",
                (until, error, chat_id),
            )

    async def abandon(self, event_id: int, reason: str) -> bool:
        """Stops delivering an event that can never be delivered. Returns False if settled."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE events SET abandoned_at = ?, last_error = ?,"
                " claimed_by = NULL, claim_until = NULL"
                " WHERE id = ? AND delivered_at IS NULL AND abandoned_at IS NULL",
                (self._db.clock.now(), reason, event_id),
            )
        return changed > 0

    async def prune_delivered(self, before: float) -> int:
        """Deletes events delivered or abandoned before ``before``. Returns how many.

        Their dedup keys go with them, so prune only facts the watcher will not see again
        (ended activations): a day or more is safe.
        """
        async with self._db.transaction() as tx:
            return await tx.execute(
                "DELETE FROM events WHERE COALESCE(delivered_at, abandoned_at) < ?", (before,)
            )


def shard_of(user_id: int) -> int:
    """The shard a user's keys, activations and chat belong to."""
    return user_id % SHARDS


def _event(row: Row) -> Event:
    return Event(
        event_id=row["id"],
        kind=row["kind"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        payload=loads_object(row["payload"]),
        dedup_key=row["dedup_key"],
        created_at=row["created_at"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
    )

"""Confirm screens' tokens in the ledger: issued, claimed once by a press, withdrawn, expired.

A confirm screen's token is its paid call's idempotency key. Whether a press on it may buy is
money, so it is decided here, durably (``synchronous=FULL``) before the bot answers the press,
never from PTB persistence (which is written every minute and may come back older after a
crash). A token may buy only while it is open: issued, not claimed, not withdrawn (superseded
by a newer screen of the same kind, or already answered "expired"), and not past its expiry.

Rows past their expiry are deleted when the same user is issued a new token: a token with no
row is simply not open, so nothing is lost by forgetting it.
"""

from __future__ import annotations

import enum
import secrets

from storage.db import Store


class Claim(enum.Enum):
    """What a press on a token may do."""

    GO = "go"  # the token was open and is now claimed by this press: it may buy
    USED = "used"  # an earlier press claimed it: buy nothing, say it was used
    STALE = "stale"  # unknown, withdrawn, expired or another user's: buy nothing


class ConfirmTokens(Store):
    """Issues and claims confirm tokens."""

    __slots__ = ()

    async def issue(self, *, user_id: int, kind: str, ttl: float) -> str:
        """A new token for a confirm screen of ``kind``, open for ``ttl`` seconds.

        The user's open tokens of the same kind are withdrawn: their screens were replaced
        (the draft keeps one token per kind), so none of them may buy any more.
        """
        token = secrets.token_hex(8)
        now = self._db.clock.now()
        async with self._db.transaction(durable=True) as tx:
            await tx.execute(
                "DELETE FROM confirm_tokens WHERE user_id = ? AND expires_at < ?", (user_id, now)
            )
            await tx.execute(
                "UPDATE confirm_tokens SET withdrawn_at = ? WHERE user_id = ? AND kind = ?"
                " AND used_at IS NULL AND withdrawn_at IS NULL",
                (now, user_id, kind),
            )
            await tx.execute(
                "INSERT INTO confirm_tokens (token, user_id, kind, issued_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (token, user_id, kind, now, now + ttl),
            )
        return token

    async def claim(self, token: str, *, user_id: int) -> Claim:
        """Claims the token for one press, durably, if it is open."""
        now = self._db.clock.now()
        async with self._db.transaction(durable=True) as tx:
            claimed = await tx.execute(
                "UPDATE confirm_tokens SET used_at = ? WHERE token = ? AND user_id = ?"
                " AND used_at IS NULL AND withdrawn_at IS NULL AND expires_at >= ?",
                (now, token, user_id, now),
            )
            if claimed:
                return Claim.GO
            row = await tx.fetchone(
                "SELECT used_at FROM confirm_tokens WHERE token = ? AND user_id = ?",
                (token, user_id),
            )
        return Claim.USED if row is not None and row[0] is not None else Claim.STALE

    async def release(self, token: str, *, user_id: int) -> None:
        """Opens again a token whose press was refused before its paid call was even recorded
        (the ledger would not take the intent): nothing was bought under it, and the screen
        says "tap again", so the next press must be able to buy. Only the caller knows that
        nothing was recorded; it must not release a token whose intent row was written."""
        async with self._db.transaction(durable=True) as tx:
            await tx.execute(
                "UPDATE confirm_tokens SET used_at = NULL WHERE token = ? AND user_id = ?"
                " AND used_at IS NOT NULL AND withdrawn_at IS NULL",
                (token, user_id),
            )

    async def withdraw(self, token: str, *, user_id: int) -> None:
        """Closes an open token for good (a press on it was answered "expired")."""
        async with self._db.transaction(durable=True) as tx:
            await tx.execute(
                "UPDATE confirm_tokens SET withdrawn_at = ? WHERE token = ? AND user_id = ?"
                " AND used_at IS NULL AND withdrawn_at IS NULL",
                (self._db.clock.now(), token, user_id),
            )

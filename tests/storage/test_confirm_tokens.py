"""Confirm tokens: a press claims an open token once; a newer screen, an "expired" answer or
the expiry close it for good."""

from __future__ import annotations

from bot.core.clock import ManualClock
from storage.confirm_tokens import Claim, ConfirmTokens
from storage.db import Database


async def test_a_token_buys_once_and_only_for_its_user(db: Database) -> None:
    tokens = ConfirmTokens(db)
    token = await tokens.issue(user_id=1, kind="buy", ttl=600)
    assert await tokens.claim(token, user_id=2) is Claim.STALE  # another user's: nothing
    assert await tokens.claim(token, user_id=1) is Claim.GO
    assert await tokens.claim(token, user_id=1) is Claim.USED
    assert await tokens.claim("unknown", user_id=1) is Claim.STALE


async def test_a_newer_screen_an_expired_answer_and_time_close_a_token(
    db: Database, clock: ManualClock
) -> None:
    tokens = ConfirmTokens(db)
    older = await tokens.issue(user_id=1, kind="buy", ttl=600)
    rent = await tokens.issue(user_id=1, kind="rent", ttl=600)
    newer = await tokens.issue(user_id=1, kind="buy", ttl=600)
    assert await tokens.claim(older, user_id=1) is Claim.STALE  # superseded
    await tokens.withdraw(newer, user_id=1)
    assert await tokens.claim(newer, user_id=1) is Claim.STALE
    clock.advance(601)
    assert await tokens.claim(rent, user_id=1) is Claim.STALE  # expired
    await tokens.issue(user_id=1, kind="buy", ttl=600)  # forgets the expired rows
    row = await db.fetchone("SELECT COUNT(*) FROM confirm_tokens")
    assert row is not None and row[0] == 1


async def test_a_released_token_buys_again_but_only_for_its_user(db: Database) -> None:
    tokens = ConfirmTokens(db)
    token = await tokens.issue(user_id=1, kind="buy", ttl=600)
    assert await tokens.claim(token, user_id=1) is Claim.GO
    await tokens.release(token, user_id=2)  # another user's release: nothing
    assert await tokens.claim(token, user_id=1) is Claim.USED
    await tokens.release(token, user_id=1)  # its press recorded nothing: open again
    assert await tokens.claim(token, user_id=1) is Claim.GO
    withdrawn = await tokens.issue(user_id=1, kind="rent", ttl=600)
    await tokens.withdraw(withdrawn, user_id=1)
    await tokens.release(withdrawn, user_id=1)  # a withdrawn token never opens again
    assert await tokens.claim(withdrawn, user_id=1) is Claim.STALE

"""Issue 17's services in the composed bot: a code ends an auto-replace run; a restart resumes."""

from __future__ import annotations

from decimal import Decimal

from bot.provider.sandbox.testing import ALICE_KEY
from storage.autoreplace import AutoReplaceStore, RunState
from tests.bot.conftest import Harness, provider_calls, restart_bot

PAID = ("getNumber", "getNumberV2")


async def test_a_code_the_watcher_sees_ends_the_run_and_a_restart_buys_nothing_more(
    harness: Harness,
) -> None:
    services = harness.services
    await services.accounts.set_key(1001, ALICE_KEY)
    assert services.autoreplace is not None and services.offers is not None
    run = await services.autoreplace.start(
        1001, 1001, "tg", 6, max_tries=3, wait_seconds=600, spend_cap=Decimal(500)
    )
    assert run.step_ledger_id is not None
    row = await services.activations.get(run.step_ledger_id)
    assert row is not None and row.activation_id is not None
    harness.sandbox.deliver_sms(int(row.activation_id), "code 4242", code="4242")
    await harness.poll()
    at_once = await AutoReplaceStore(services.db).get(run.run_id)  # no auto-replace tick yet
    restarted = await restart_bot(harness)
    assert restarted.autoreplace is not None
    harness.sandbox.advance(601)
    await restarted.autoreplace.tick()
    ended = await restarted.autoreplace.cancel(1001, run.run_id)  # already over: stays so

    assert at_once.state is RunState.SUCCEEDED
    assert ended.state is RunState.SUCCEEDED
    assert provider_calls(harness, *PAID) == 1

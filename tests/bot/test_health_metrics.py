"""/healthz, /readyz and /metrics: off by default, and on one setting, what an operator reads."""

from __future__ import annotations

import httpx

from tests.bot.conftest import BotWith, Harness, with_key


async def test_off_by_default(harness: Harness) -> None:
    assert harness.services.metrics is None and harness.services.health is None


async def test_health_readiness_and_metrics_on_one_setting(bot_with: BotWith) -> None:
    async with bot_with(background=True, SMSBOT_METRICS_LISTEN="127.0.0.1:0") as harness:
        services = harness.services
        assert services.health is not None
        alice = harness.user()
        await with_key(harness, alice)  # the key is checked with the provider: one call
        base = f"http://127.0.0.1:{services.health.port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/readyz")).status_code == 200
            page = await client.get("/metrics")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/plain")
        text = page.text
        assert "smsbot_shards_owned 64.0" in text  # one SQLite process owns every shard
        assert "smsbot_outbox_depth 0.0" in text
        assert 'smsbot_provider_calls_total{action="getBalance",outcome="http_200"}' in text
        assert "smsbot_update_seconds_bucket" in text and "smsbot_telegram_429_total" in text

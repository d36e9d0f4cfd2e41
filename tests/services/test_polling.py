"""What both watchers share: one provider host never takes every poll slot; a pass never
waits past its deadline for a slow poll, nor starts one twice."""

from __future__ import annotations

import asyncio

from bot.services.polling import CarriedPolls, PollSlots, provider_host


async def test_one_host_cannot_take_every_slot() -> None:
    slots = PollSlots(total=4, per_host=2)
    release = asyncio.Event()
    inside: list[str] = []

    async def poll(host: str) -> None:
        async with slots.hold(host):
            inside.append(host)
            await release.wait()

    hostile = [asyncio.create_task(poll("slow.example")) for _ in range(10)]
    await asyncio.sleep(0.05)
    assert inside.count("slow.example") == 2  # its share, however many keys it has
    others = [asyncio.create_task(poll(f"host{i}.example")) for i in range(2)]
    await asyncio.sleep(0.05)
    assert sorted(inside[2:]) == ["host0.example", "host1.example"]
    release.set()
    await asyncio.wait_for(asyncio.gather(*hostile, *others), 2)
    assert len(inside) == 12


async def test_a_pass_moves_on_at_its_deadline_and_never_polls_a_key_twice() -> None:
    polls = CarriedPolls("test")
    release = asyncio.Event()
    started: list[str] = []

    async def poll(key: str, slow: bool) -> None:
        started.append(key)
        if slow:
            await release.wait()

    first = [polls.start("slow", poll("slow", True)), polls.start("fast", poll("fast", False))]
    still = await asyncio.wait_for(polls.wait(first, 0.2), 2)
    assert [task.get_name() for task in still] == ["test poll"] and polls.running("slow")
    assert not polls.running("fast")
    release.set()
    await asyncio.wait_for(polls.wait(still, None), 2)
    assert not polls.running("slow") and started == ["slow", "fast"]


def test_a_provider_host_is_the_urls_host() -> None:
    assert provider_host("http://127.0.0.1:9/stubs/handler_api.php") == "127.0.0.1"
    assert provider_host("https://API.Example.com/x") == "api.example.com"
    assert provider_host("not a url") == "not a url"

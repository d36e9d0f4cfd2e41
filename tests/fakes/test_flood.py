"""Flood control: forced 429s and the optional limiter."""

from __future__ import annotations

from bot.core.clock import ManualClock
from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.fakes.raw_api import RawBotApi


async def test_the_next_n_calls_get_429_with_retry_after(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    fake.flood.force(7, calls=2)
    for _ in range(2):
        status, body = await api.call("sendMessage", chat_id=ann.id, text="x")
        assert status == 429
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        }
    assert await api.ok("sendMessage", chat_id=ann.id, text="x")
    assert [call.status for call in fake.state.calls_to("sendMessage")] == [429, 429, 200]


async def test_a_window_for_chosen_methods(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser, clock: ManualClock
) -> None:
    fake.flood.force(3, seconds=10, methods=["sendMessage"])
    assert (await api.call("sendMessage", chat_id=ann.id, text="x"))[0] == 429
    assert await api.ok("getMe")  # other methods pass
    clock.advance(10)
    assert await api.ok("sendMessage", chat_id=ann.id, text="x")


async def test_one_chat_only(api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser) -> None:
    bob = fake.user(3003, "Bob")
    await bob.send_text("hi")
    fake.flood.force(5, chat_id=ann.id)
    assert (await api.call("sendMessage", chat_id=ann.id, text="x"))[0] == 429
    assert await api.ok("sendMessage", chat_id=bob.id, text="x")
    fake.flood.clear()
    assert await api.ok("sendMessage", chat_id=ann.id, text="x")


async def test_the_limiter_allows_a_burst_then_one_a_second(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser, clock: ManualClock
) -> None:
    fake.flood.enable_limiter(per_chat_rate=1.0, per_chat_burst=3)
    for _ in range(3):
        assert await api.ok("sendMessage", chat_id=ann.id, text="x")
    status, body = await api.call("sendMessage", chat_id=ann.id, text="x")
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    assert await api.ok("getMe")  # reading calls are not limited
    clock.advance(1)
    assert await api.ok("sendMessage", chat_id=ann.id, text="x")
    fake.flood.disable_limiter()
    for _ in range(5):
        assert await api.ok("sendMessage", chat_id=ann.id, text="x")


async def _who_wrote(fake: FakeTelegramServer, count: int) -> list[FakeUser]:
    """``count`` people, each of whom has just written to the bot."""
    people = [fake.user(5000 + n, f"P{n}") for n in range(count)]
    for person in people:
        await person.send_text("hi")
    return people


async def test_the_limiter_caps_all_chats_together(
    api: RawBotApi, fake: FakeTelegramServer, clock: ManualClock
) -> None:
    fake.flood.enable_limiter(per_chat_burst=1, global_rate=3)
    people = await _who_wrote(fake, 4)
    for person in people[:3]:
        assert await api.ok("sendMessage", chat_id=person.id, text="x")
    assert (await api.call("sendMessage", chat_id=people[3].id, text="x"))[0] == 429


async def test_documented_limits_one_chat_gets_a_burst_then_about_one_a_second(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser, clock: ManualClock
) -> None:
    fake.flood.enable_documented_limits(private_burst=3)
    for _ in range(3):
        assert await api.ok("sendMessage", chat_id=ann.id, text="x")
    status, body = await api.call("editMessageText", chat_id=ann.id, message_id=2, text="y")
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )
    assert fake.flood.refused == 1
    clock.advance(1)
    assert await api.ok("sendMessage", chat_id=ann.id, text="x")


async def test_documented_limits_never_limit_answering_a_button(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    fake.flood.enable_documented_limits(private_burst=1, bulk_rate=1)
    sent = await api.call("sendMessage", chat_id=ann.id, text="x")
    assert sent[0] == 200
    for _ in range(20):
        status, body = await api.call("answerCallbackQuery", callback_query_id="nope")
        assert status != 429, body
    assert fake.flood.refused == 0


async def test_documented_limits_give_a_group_twenty_a_minute(
    api: RawBotApi, fake: FakeTelegramServer, clock: ManualClock
) -> None:
    fake.flood.enable_documented_limits(group_burst=2)
    group = -100123
    for _ in range(2):  # the fake has no groups: "chat not found", but the limit counts first
        assert (await api.call("sendMessage", chat_id=group, text="x"))[0] == 400
    status, body = await api.call("sendMessage", chat_id=group, text="x")
    assert (status, body["parameters"]) == (429, {"retry_after": 3})
    clock.advance(3)
    assert (await api.call("sendMessage", chat_id=group, text="x"))[0] == 400


async def test_documented_limits_cap_bulk_sends_but_not_answers_to_active_chats(
    api: RawBotApi, fake: FakeTelegramServer, clock: ManualClock
) -> None:
    fake.flood.enable_documented_limits(bulk_rate=3, reply_window=10)
    people = await _who_wrote(fake, 5)
    for person in people:  # each just wrote: answers, not bulk
        assert await api.ok("sendMessage", chat_id=person.id, text="x")
    clock.advance(11)  # nobody wrote for a while: now these are bulk notifications
    for person in people[:3]:
        assert await api.ok("sendMessage", chat_id=person.id, text="x")
    assert (await api.call("sendMessage", chat_id=people[3].id, text="x"))[0] == 429
    await people[4].send_text("again")  # an answer to a fresh message still goes
    assert await api.ok("sendMessage", chat_id=people[4].id, text="x")

"""The HTTP surface: routes, tokens, body encodings, the envelope and the call log."""

from __future__ import annotations

import json

import httpx

from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.fakes.raw_api import TOKEN, RawBotApi


async def test_tokens_unknown_malformed_and_accepted(fake: FakeTelegramServer) -> None:
    async with httpx.AsyncClient(base_url=fake.url) as client:
        unknown = await client.post("/bot999:nope/getMe")
        assert unknown.status_code == 401
        assert unknown.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        malformed = await client.post("/botnot-a-token/getMe")
        assert malformed.status_code == 404
        assert malformed.json()["description"] == "Not Found"
        fake.accept_token("999:nope")
        assert (await client.post("/bot999:nope/getMe")).status_code == 200
        assert (await client.get("/nothing/here")).status_code == 404


async def test_any_token_is_accepted_when_none_are_configured() -> None:
    async with FakeTelegramServer() as fake, httpx.AsyncClient(base_url=fake.url) as client:
        body = (await client.get("/bot42:any/getMe")).json()
        assert body["ok"] is True
        assert body["result"]["is_bot"] is True


async def test_the_bot_id_is_the_tokens_number(api: RawBotApi) -> None:
    me = await api.ok("getMe")
    assert me["id"] == int(TOKEN.split(":")[0])
    assert me["username"] == "smsbot_fake_bot"


async def test_unknown_methods_are_404_and_names_are_case_insensitive(api: RawBotApi) -> None:
    assert await api.error("sendPhoto", chat_id=1) == (404, "Not Found")
    assert await api.error("setChatPhoto", chat_id=1) == (404, "Not Found")
    assert (await api.ok("getme"))["is_bot"] is True


async def test_every_body_encoding_is_read(fake: FakeTelegramServer, ann: FakeUser) -> None:
    markup = json.dumps({"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]})
    async with httpx.AsyncClient(base_url=f"{fake.url}/bot{TOKEN}/") as client:
        form = await client.post(
            "sendMessage", data={"chat_id": str(ann.id), "text": "form", "reply_markup": markup}
        )
        multipart = await client.post(
            "sendMessage",
            data={"chat_id": str(ann.id), "text": "multipart"},
            files={"document": ("a.txt", b"x")},
        )
        query = await client.get("sendMessage", params={"chat_id": ann.id, "text": "query"})
        as_json = await client.post("sendMessage", json={"chat_id": ann.id, "text": "json"})
    for response in (form, multipart, query, as_json):
        assert response.status_code == 200, response.text
    assert form.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Go"
    assert [m.text for m in ann.chat()[1:]] == ["form", "multipart", "query", "json"]
    logged = fake.state.calls_to("sendMessage")[1]
    assert logged.params["document"] == "<file a.txt>"


async def test_the_call_log_counts_and_keeps_no_token(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    await api.ok("getMe")
    await api.ok("sendMessage", chat_id=ann.id, text="hi")
    await api.error("sendMessage", chat_id=ann.id, text="")
    assert fake.state.call_counts["sendMessage"] == 2
    assert fake.state.call_counts["getMe"] == 1
    failed = fake.state.calls[-1]
    assert (failed.method, failed.status, failed.ok) == ("sendMessage", 400, False)
    assert failed.description == "Bad Request: message text is empty"
    assert fake.state.calls[1].result == fake.state.message_json(
        fake.state.chats[ann.id].messages[2]
    )
    assert TOKEN not in repr(fake.state.calls)


async def test_wait_for_call_wakes_on_the_call(
    api: RawBotApi, fake: FakeTelegramServer, ann: FakeUser
) -> None:
    mark = fake.state.call_mark()
    await api.ok("sendMessage", chat_id=ann.id, text="a")
    record = await fake.state.wait_for_call("sendMessage", 1, after=mark)
    assert record.params["text"] == "a"
    try:
        await fake.state.wait_for_call("deleteMessage", 0.05)
    except TimeoutError as error:
        assert "no deleteMessage call" in str(error)
        assert "sendMessage" in str(error)
    else:
        raise AssertionError("expected a timeout")

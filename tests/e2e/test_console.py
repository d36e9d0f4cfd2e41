"""``smsbot console`` driven as a person would: lines in on stdin, the chat read on stdout."""

from __future__ import annotations

import asyncio
import os
import re

from bot.serving import DEMO_KEY
from tests.e2e.conftest import smsbot_process


class ConsoleSession:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.seen: list[str] = []

    async def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def expect(self, pattern: str, timeout: float = 15.0) -> re.Match[str]:  # noqa: ASYNC109
        """Reads stdout until a line matches `pattern`; fails with everything seen."""
        assert self.process.stdout is not None
        regex = re.compile(pattern)
        try:
            async with asyncio.timeout(timeout):
                while True:
                    raw = await self.process.stdout.readline()
                    if not raw:
                        raise AssertionError(f"console ended before {pattern!r}")
                    line = raw.decode().rstrip("\n")
                    self.seen.append(line)
                    if found := regex.search(line):
                        return found
        except TimeoutError:
            raise AssertionError(
                f"no {pattern!r} within {timeout}s; the console showed:\n" + "\n".join(self.seen)
            ) from None


async def test_a_person_buys_a_number_in_the_console_and_sees_the_code_arrive() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMSBOT_", "TELEGRAM_"))}
    process = await smsbot_process(
        "console", "--auto-sms", "1",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env={**env, "SMSBOT_POLL_INTERVAL": "0.5"},
    )
    console = ConsoleSession(process)
    try:
        await console.expect("smsbot console")
        await console.type("/key")
        await console.expect("Send me your API key")
        await console.type(DEMO_KEY)
        await console.expect(r"your message #\d+ was deleted")
        await console.expect("Key saved")
        await console.type("/buy")
        telegram = await console.expect(r"\[(\d+)\] Telegram")
        await console.type(telegram.group(1))
        country = await console.expect(r"\[(\d+)\] 🇮🇩 Indonesia")
        await console.type(country.group(1))
        confirm = await console.expect(r"\[(\d+)\] ✅ Buy for")
        await console.type(confirm.group(1))
        phone = (await console.expect(r"📱 \+(\d+)")).group(1)
        await console.expect("Waiting for the SMS")
        # Nobody types: the demo provider's SMS arrives and the code is pushed live.
        code = (await console.expect(r"🔑 (\d+) — Telegram, \+" + phone)).group(1)
        finish = await console.expect(r"\[(\d+)\] ✅ Finish")
        await console.type(finish.group(1))
        await console.expect("Finished")
        await console.type("/quit")
        assert await asyncio.wait_for(process.wait(), 30) == 0
        transcript = "\n".join(console.seen)
        assert f"Code: {code}" in transcript
        assert DEMO_KEY not in transcript.replace(f"API key is {DEMO_KEY}", "")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

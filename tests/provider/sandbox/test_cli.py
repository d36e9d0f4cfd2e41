"""The standalone sandbox: ``python -m bot.provider.sandbox`` in a subprocess, and its parser."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
from typing import Any

import httpx
import pytest

from bot.provider.sandbox.cli import build_parser, main, run
from tests.ports import unused_port


async def _sandbox_cli(port: int, *args: str, **options: Any) -> asyncio.subprocess.Process:
    """``python -m bot.provider.sandbox --port PORT ARGS``, its stdout and stderr piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.provider.sandbox", "--port", str(port), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, **options,
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_cli_serves_until_signalled(stop_signal: signal.Signals) -> None:
    port = unused_port()
    process = await _sandbox_cli(
        port, "--key", "cli-secret-key:42.50", "--key", "second:key:7", "--auto-sms", "30",
        env=os.environ.copy(),
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=15)).decode()
        url = f"http://127.0.0.1:{port}/stubs/handler_api.php"
        assert url in line and "secret" not in line and "key" not in line
        async with httpx.AsyncClient(timeout=5) as http:
            first = await http.get(
                url, params={"api_key": "cli-secret-key", "action": "getBalance"}
            )
            second = await http.post(url, data={"api_key": "second:key", "action": "getBalance"})
            demo = await http.get(url, params={"api_key": "demo", "action": "getBalance"})
        assert first.text == "ACCESS_BALANCE:42.50"
        assert second.text == "ACCESS_BALANCE:7.00"
        assert demo.text == "BAD_KEY"  # --key replaces the default demo:100
    finally:
        if process.returncode is None:
            process.send_signal(stop_signal)
        code = await asyncio.wait_for(process.wait(), timeout=10)
        stderr = await process.stderr.read() if process.stderr else b""
    assert code == 0, stderr.decode()
    assert b"cli-secret-key" not in stderr


async def test_cli_default_key_and_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = await _sandbox_cli(port)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=15)
    assert process.returncode == 1
    assert b"cannot serve" in stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["--key", "no-balance"],
        ["--key", ":5"],
        ["--key", "k:lots"],
        ["--key", "k:-1"],
        ["--auto-sms", "0"],
        ["--auto-sms", "soon"],
        ["--port", "http"],
    ],
)
def test_bad_arguments_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2


def test_bad_webhook_url() -> None:
    parser = argparse.ArgumentParser()
    build_parser(parser)
    assert run(parser.parse_args(["--webhook-url", "ftp://x"])) == 2


def test_build_parser_mounts_as_a_subcommand() -> None:
    parser = argparse.ArgumentParser(prog="smsbot")
    commands = parser.add_subparsers(dest="command")
    build_parser(commands.add_parser("sandbox"))
    args = parser.parse_args(
        ["sandbox", "--port", "0", "--key", "a:1", "--http-error-codes", "--auto-sms", "5"]
    )
    assert (args.command, args.port, args.host, args.auto_sms) == ("sandbox", 0, "127.0.0.1", 5.0)
    assert args.http_error_codes is True and args.webhook_url is None
    assert [(k.api_key, str(k.balance)) for k in args.keys] == [("a", "1")]
    defaults = parser.parse_args(["sandbox"])
    assert (defaults.port, defaults.keys, defaults.http_error_codes) == (8089, None, False)

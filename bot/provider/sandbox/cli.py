"""``smsbot sandbox``: run the protocol sandbox as a standalone server until Ctrl-C/SIGTERM.

    python -m bot.provider.sandbox --port 8089 --key demo:100 --auto-sms 10

It prints one line with the protocol URL (never a key) and serves until told to stop.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from decimal import Decimal, InvalidOperation

from .accounts import AccountSpec
from .config import SandboxConfig
from .sandbox import Sandbox
from .server import SandboxServer


def _key(value: str) -> AccountSpec:
    # KEY:BALANCE; the key itself may contain ':' so split on the last one.
    key, sep, balance = value.rpartition(":")
    if not sep or not key:
        raise argparse.ArgumentTypeError("expected KEY:BALANCE, e.g. demo:100")
    try:
        amount = Decimal(balance)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{balance!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise argparse.ArgumentTypeError("the balance must be a non-negative amount")
    return AccountSpec(key, amount)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError("seconds must be positive")
    return seconds


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Adds the sandbox's options to ``parser`` (a standalone parser or a subcommand's)."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8089, help="port to bind (8089; 0: any free)")
    parser.add_argument(
        "--key",
        dest="keys",
        metavar="KEY:BALANCE",
        type=_key,
        action="append",
        help="an API key and its opening balance; repeatable (default demo:100)",
    )
    parser.add_argument(
        "--auto-sms",
        metavar="SECONDS",
        type=_seconds,
        default=None,
        help="demo mode: an SMS arrives this long after each purchase and status 3",
    )
    parser.add_argument(
        "--webhook-url", metavar="URL", default=None, help="POST each activation SMS here"
    )
    parser.add_argument(
        "--http-error-codes",
        action="store_true",
        help="answer error tokens with HeroSMS-like 4xx codes instead of 200",
    )


def run(args: argparse.Namespace) -> int:
    """Runs the server described by parsed ``args`` until SIGINT or SIGTERM; returns 0."""
    if args.webhook_url is not None and not args.webhook_url.startswith(("http://", "https://")):
        print("--webhook-url must be an http(s) URL", file=sys.stderr)
        return 2
    config = SandboxConfig(
        auto_sms_seconds=args.auto_sms,
        webhook_url=args.webhook_url,
        http_error_codes=args.http_error_codes,
    )
    keys = args.keys or [AccountSpec("demo", Decimal(100))]
    sandbox = Sandbox(config=config, accounts=keys)
    try:
        asyncio.run(_serve(SandboxServer(sandbox, host=args.host, port=args.port)))
    except OSError as error:
        print(f"cannot serve on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


async def _serve(server: SandboxServer) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        print(f"smsbot sandbox: {server.url} (control: {server.control_url})", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    """The standalone entry point; see :func:`build_parser` for the options."""
    parser = argparse.ArgumentParser(
        prog="smsbot sandbox", description="An offline SMS-Activate-protocol provider."
    )
    build_parser(parser)
    return run(parser.parse_args(argv))

"""The ``smsbot`` command: ``run``, ``console``, ``sandbox``, ``rotate-keys``, ``migrate-data``.

Every subcommand reads its settings once; a wrong or missing setting ends it with one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from bot.config import ConfigError, Settings
from bot.provider.sandbox import cli as sandbox_cli
from storage.errors import (
    DatabaseUnavailableError,
    KeyringError,
    SchemaError,
    SchemaTooNewError,
)

# Plain text: --help prints it as it is (the module docstring is reStructuredText).
DESCRIPTION = "smsbot: a Telegram bot for SMS-activation providers (virtual numbers, SMS codes)."


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="smsbot", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the Telegram bot")
    run.add_argument(
        "--sandbox",
        action="store_true",
        help="use an in-process protocol sandbox in demo mode instead of a real provider",
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="take updates from Telegram's webhook (SMSBOT_TELEGRAM_WEBHOOK_URL, _LISTEN,"
        " _SECRET) instead of long polling: for several processes on one PostgreSQL",
    )
    console = commands.add_parser(
        "console", help="chat with the bot in this terminal (a fake Telegram and a demo provider)"
    )
    console.add_argument(
        "--auto-sms",
        metavar="SECONDS",
        type=float,
        default=10.0,
        help="the demo provider delivers an SMS this long after each purchase (10)",
    )
    sandbox = commands.add_parser("sandbox", help="serve the protocol sandbox (a fake provider)")
    sandbox_cli.build_parser(sandbox)
    commands.add_parser(
        "rotate-keys", help="re-encrypt every stored API key under the first master key"
    )
    migrate = commands.add_parser(
        "migrate-data",
        help="copy a SQLite database into an empty PostgreSQL one (in one transaction)",
    )
    migrate.add_argument("--from", dest="source", metavar="SQLITE_FILE", required=True)
    migrate.add_argument("--to", dest="target", metavar="POSTGRESQL_URL", required=True)

    args = parser.parse_args(argv)
    settings: Settings | None = None
    try:
        if args.command == "sandbox":
            return sandbox_cli.run(args)
        if args.command == "console":
            return _run_console(args.auto_sms)
        if args.command == "migrate-data":
            return _migrate_data(args.source, args.target)
        settings = Settings.from_env()
        _configure_logging(settings)
        if args.command == "rotate-keys":
            return asyncio.run(_rotate_keys(settings))
        return _run_bot(settings, demo_sandbox=args.sandbox, webhook=args.webhook)
    except DatabaseUnavailableError as exc:  # its message shows the URL, password masked
        print(f"smsbot: SMSBOT_DATABASE: {exc}", file=sys.stderr)
        return 2
    except SchemaTooNewError as exc:
        where = f" ({settings.database_shown})" if settings is not None else ""
        print(f"smsbot: SMSBOT_DATABASE{where}: {exc}", file=sys.stderr)
        return 2
    except (ConfigError, SchemaError, KeyringError) as exc:
        print(f"smsbot: {exc}", file=sys.stderr)
        return 2


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level_number,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO; a GET-only provider carries the key in it. The
    # transport also redacts, but the bot's log has no use for per-request lines.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, settings.log_level_number))
    # PTB logs every getUpdates result at DEBUG, message texts included: a key a user sends
    # would be written to the log. Never below INFO for it.
    logging.getLogger("telegram").setLevel(max(logging.INFO, settings.log_level_number))


async def _rotate_keys(settings: Settings) -> int:
    from bot.app import open_database
    from storage.keyring import Keyring, keyring_path_for
    from storage.vault import KeyVault

    if settings.master_keys is not None:
        keyring = Keyring.parse(settings.master_keys.reveal())
    else:
        keyring = Keyring.load_or_create(keyring_path_for(settings.database))
    async with await open_database(settings) as db:
        report = await KeyVault(db, keyring).rotate()
    print(
        f"re-encrypted {report.re_encrypted} key(s) under {keyring.primary_id}; "
        f"{report.remaining_under_old_keys} remain under old keys"
    )
    return 0 if report.remaining_under_old_keys == 0 else 1


def _migrate_data(source: str, target: str) -> int:
    from storage.db import is_postgres_url
    from storage.postgres import masked_url
    from storage.transfer import TransferError, copy_to_postgres

    if not is_postgres_url(target):
        print("smsbot: migrate-data: --to must be a postgresql:// URL", file=sys.stderr)
        return 2
    if is_postgres_url(source) or not os.path.isfile(source):
        print(f"smsbot: migrate-data: --from must be an existing SQLite file: {source}",
              file=sys.stderr)
        return 2
    try:
        report = asyncio.run(copy_to_postgres(source, target))
    except (TransferError, DatabaseUnavailableError, SchemaError) as exc:
        print(f"smsbot: migrate-data: {exc}", file=sys.stderr)
        return 2
    for table, count in report.rows:
        print(f"{table}: {count}")
    print(f"copied {report.total} rows from {source} to {masked_url(target)}; counts verified")
    return 0


def _run_console(auto_sms: float) -> int:
    from bot.console import log_to_file, run_console

    # The terminal is the chat: the bot's log goes to a file, a problem to one line here.
    log_to_file(Settings.from_env().log_level_number, sys.stderr)
    try:
        return asyncio.run(run_console(auto_sms=auto_sms))
    except KeyboardInterrupt:
        return 0


def _run_bot(settings: Settings, *, demo_sandbox: bool, webhook: bool = False) -> int:
    from bot.serving import run_bot

    return run_bot(settings, demo_sandbox=demo_sandbox, webhook=webhook)


if __name__ == "__main__":
    sys.exit(main())

"""``smsbot run`` (long polling or ``--webhook``) and ``smsbot console``'s bot: meet the Bot
API, build the application, run it until told to stop."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.app import build_application
from bot.cluster.telegram_webhook import TelegramWebhookServer
from bot.config import ClusterSettings, ConfigError, Settings
from bot.lifecycle import close_application, start_background
from bot.services.container import Services

if TYPE_CHECKING:
    from bot.provider.sandbox import Sandbox

log = logging.getLogger(__name__)


DEMO_KEY: Final = "demo-key-123"  # the in-process sandbox's one account (not a secret)
DEMO_TITLE: Final = "Demo provider"  # its name in menus (its host is 127.0.0.1)
SECOND_DEMO_TITLE: Final = "Cheap demo (no SMS)"  # the console's second demo provider


def run_bot(settings: Settings, *, demo_sandbox: bool, webhook: bool = False) -> int:
    """``smsbot run``: serves until SIGINT/SIGTERM; returns the exit status."""
    return asyncio.run(_serve(settings, demo_sandbox=demo_sandbox, webhook=webhook))


async def _serve(settings: Settings, *, demo_sandbox: bool, webhook: bool) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(settings, stop, demo_sandbox=demo_sandbox, webhook=webhook)
    return 0


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    *,
    demo_sandbox: bool,
    demo_auto_sms: float = 15.0,
    webhook: bool = False,
    demo_second: Callable[[str], None] | None = None,
) -> None:
    """Runs the bot with long polling until `stop` is set (``smsbot run``, ``smsbot console``).

    Args:
        webhook: take updates from Telegram's webhook instead (``smsbot run --webhook``).
        demo_sandbox: serve an in-process sandbox provider in demo mode and use it.
        demo_auto_sms: seconds after a purchase when the demo sandbox delivers an SMS.
        demo_second: with ``demo_sandbox``, also serve a second demo provider (cheaper, other
            stock, and its numbers never get an SMS) and tell this callable its URL, so a
            comparison and an auto-replace run can be shown (``smsbot console``).
    """
    # Before anything is opened (database, keyring, sandbox): a wrong token or address fails
    # with one line, leaving nothing behind.
    cluster = settings.cluster or ClusterSettings()
    if webhook:
        cluster.require_webhook()
    await _reach_bot_api(settings)
    sandbox_servers = []
    if demo_sandbox:
        from bot.provider.sandbox import SandboxServer

        sandbox_server = SandboxServer(_demo_sandbox(auto_sms=demo_auto_sms))
        await sandbox_server.start()
        sandbox_servers.append(sandbox_server)
        settings = _with_provider(settings, sandbox_server.url)
        log.info("demo mode: an in-process sandbox provider; its API key is %r", DEMO_KEY)
        if demo_second is not None:
            second = SandboxServer(_demo_sandbox(auto_sms=None, price_factor=Decimal("0.8")))
            await second.start()
            sandbox_servers.append(second)
            settings = _with_second(settings, second.url)
            demo_second(second.url)
    try:
        application, services = await build_application(settings)
        try:
            async with application:
                if webhook:
                    await _serve_webhook(application, services, cluster, stop)
                    return
                await start_background(application, services)
                await application.start()
                assert application.updater is not None
                await application.updater.start_polling(drop_pending_updates=False)
                log.info("smsbot is running")
                await stop.wait()
                await application.updater.stop()
                await application.stop()
        finally:
            await close_application(services)
    finally:
        for server in sandbox_servers:
            await server.stop()


def _demo_sandbox(*, auto_sms: float | None, price_factor: Decimal = Decimal(1)) -> Sandbox:
    """A demo provider whose one account is ``DEMO_KEY`` (100); ``price_factor`` scales every
    price, and ``auto_sms`` None means its numbers never get an SMS."""
    from dataclasses import replace

    from bot.provider.sandbox import Catalog, Sandbox, SandboxConfig, load_catalog
    from bot.provider.sandbox.accounts import AccountSpec

    base = load_catalog()
    catalog = Catalog(
        services={
            code: replace(s, price=(s.price * price_factor).quantize(Decimal("0.01")))
            for code, s in base.services.items()
        },
        countries=base.countries,
        operators=base.operators,
    )
    config = SandboxConfig(auto_sms_seconds=auto_sms)
    if price_factor != 1:  # other stock and numbers than the first
        config = replace(config, seed=config.seed + 1)
    sandbox = Sandbox(
        config=config, accounts=[AccountSpec(DEMO_KEY, Decimal("100"))], catalog=catalog
    )
    if price_factor != 1:  # a smaller provider: a quarter of the first one's stock
        for country in catalog.countries:
            for service in catalog.activation_services():
                count = sandbox.stock.count(country, service.code)
                sandbox.set_stock(country, service.code, count // 4)
    return sandbox


async def _serve_webhook(
    application: Application,  # type: ignore[type-arg]
    services: Services,
    cluster: ClusterSettings,
    stop: asyncio.Event,
) -> None:
    """``smsbot run --webhook``: the leader registers the webhook (pending updates kept);
    every process serves the route, answering each update once it is handled."""
    url, secret = cluster.require_webhook()

    async def register() -> None:
        await application.bot.set_webhook(url, secret_token=secret.reveal())
        log.info("Telegram webhook set")

    services.leader_startup.append(register)
    await start_background(application, services)
    await application.start()
    host, port = cluster.telegram_webhook_listen
    server = TelegramWebhookServer(
        application, services.db, secret, host=host, port=port, path=urlsplit(url).path or "/",
        observe=None if services.metrics is None else services.metrics.update_handled,
    )
    await server.start()
    log.info("smsbot is running (webhook)")
    try:
        await stop.wait()
    finally:
        await server.stop()
        await application.stop()


def _with_second(settings: Settings, url: str) -> Settings:
    """The second demo provider named in menus and comparisons, not by its 127.0.0.1 port."""
    from dataclasses import replace

    from bot.provider import resolve_endpoint

    titles = {**settings.provider_titles, resolve_endpoint(url).key: SECOND_DEMO_TITLE}
    return replace(settings, provider_titles=titles)


def _with_provider(settings: Settings, url: str) -> Settings:
    from dataclasses import replace

    return replace(settings, provider=url, provider_title=DEMO_TITLE)


async def _reach_bot_api(settings: Settings) -> None:
    """Meets the Bot API once (getMe) before anything runs; a refused token or an unreachable
    server is a wrong setting, told in one line naming it, never with the token.

    Raises:
        ConfigError: TELEGRAM_BOT_TOKEN is missing or was refused, or TELEGRAM_API_URL cannot
            be reached.
    """
    bot = Bot(settings.require_token().reveal(), base_url=f"{settings.telegram_api_url}/bot")
    try:
        async with bot:  # initialize() asks getMe
            pass
    except InvalidToken:
        # PTB's own message quotes the token: neither it nor its chain is shown.
        raise ConfigError(
            f"TELEGRAM_BOT_TOKEN was rejected by the Bot API at {settings.telegram_api_url}:"
            " check it with @BotFather"
        ) from None
    except NetworkError as error:
        raise ConfigError(
            f"TELEGRAM_API_URL: the Bot API at {settings.telegram_api_url} cannot be reached"
            f" ({type(error).__name__})"
        ) from None

"""The composition root: the one place where smsbot's parts are built and wired together.

``build_application`` opens the database, builds every service and the PTB Application, and
returns both; ``start_background`` / ``stop_background`` run the watcher, the notifier and the
start-up reconciliation. ``smsbot run`` and the tests call the same functions, with real parts
or fakes (a fake Bot API URL, a sandbox provider, a manual clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from dataclasses import dataclass, field
from typing import Final

import httpx
from telegram import BotCommand
from telegram.ext import Application, ApplicationBuilder, PersistenceInput

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import BotData, context_types
from bot.delivery import TelegramDeliverer
from bot.handlers import register_handlers
from bot.i18n import Translator
from bot.provider import ProviderTransport
from bot.send_policy import SendPolicy
from bot.services.accounts import AccountService
from bot.services.activations import ActivationService
from bot.services.catalog import CatalogService
from bot.services.extras import ExtrasService
from bot.services.notifier import Notifier
from bot.services.purchases import PurchaseService
from bot.services.reconciliation import ActivationSource, Reconciler
from bot.services.recorder import RECONCILED_EVENT, Recorder
from bot.services.rent_watcher import RentWatcher
from bot.services.rents import RENT_RECONCILED_EVENT, RentService
from bot.services.watcher import ActivationWatcher
from bot.telegram_request import AiohttpRequest
from bot.updates import PerUserUpdateProcessor
from bot.webhooks import WebhookReceiver
from storage.activations import ActivationLedger
from storage.db import Database
from storage.events import EventOutbox
from storage.keyring import Keyring, keyring_path_for
from storage.persistence import SQLitePersistence
from storage.rents import RentLedger
from storage.users import UserStore
from storage.vault import KeyVault

log = logging.getLogger(__name__)

# Reconcile at run time only intents older than the longest a paid call can take, so a
# purchase still waiting for its answer is never judged under its feet.
_RUNTIME_RECONCILE_AGE: Final = 120.0
DEMO_KEY: Final = "demo-key-123"  # the in-process sandbox's one account (not a secret)
COMMANDS: Final = (
    "start",
    "buy",
    "rent",
    "prices",
    "multi",
    "active",
    "balance",
    "history",
    "key",
    "provider",
    "settings",
    "lang",
    "help",
    "cancel",
)


@dataclass
class Services:
    """Everything the handlers and background loops use; built once per process."""

    settings: Settings
    clock: Clock
    db: Database
    translator: Translator
    transport: ProviderTransport
    users: UserStore
    activations: ActivationLedger
    rents: RentLedger
    outbox: EventOutbox
    accounts: AccountService
    catalog: CatalogService
    purchases: PurchaseService
    activation_actions: ActivationService
    recorder: Recorder
    reconciler: Reconciler
    watcher: ActivationWatcher
    notifier: Notifier
    renting: RentService
    rent_watcher: RentWatcher
    extras: ExtrasService
    webhooks: WebhookReceiver | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


async def build_application(
    settings: Settings,
    *,
    bot_base_url: str | None = None,
    provider_transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
) -> tuple[Application, Services]:  # type: ignore[type-arg]
    """Builds the bot and its services; call :func:`close_application` when done.

    Args:
        settings: the configuration.
        bot_base_url: the Bot API root with ``/bot`` (defaults to settings.telegram_api_url).
        provider_transport: an httpx transport for provider calls (tests).
        clock: the clock (a manual one in tests).
    """
    # PTB 22 warns unless retry_after and friends are timedeltas; opt in, as PTB advises.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings.require_token()  # before anything is opened: a clean one-line failure
    clock = clock or SystemClock()
    if settings.master_keys is not None:
        keyring = Keyring.parse(settings.master_keys.reveal())
    else:
        keyring = Keyring.load_or_create(keyring_path_for(settings.database))
    db = await Database.open(settings.database, clock=clock)
    transport = ProviderTransport(
        transport=provider_transport,
        timeout=httpx.Timeout(settings.provider_timeout, connect=5.0, pool=10.0),
    )
    try:
        return await _wire(settings, clock, db, transport, keyring, bot_base_url)
    except BaseException:
        # Nothing may stay open: an open SQLite thread would keep the process from exiting.
        await transport.aclose()
        await db.close()
        raise


async def _wire(
    settings: Settings,
    clock: Clock,
    db: Database,
    transport: ProviderTransport,
    keyring: Keyring,
    bot_base_url: str | None,
) -> tuple[Application, Services]:  # type: ignore[type-arg]
    users = UserStore(db)
    vault = KeyVault(db, keyring)
    activations = ActivationLedger(db)
    rents = RentLedger(db)
    outbox = EventOutbox(db)
    accounts = AccountService(
        users,
        vault,
        transport,
        activations,
        default_provider=settings.provider,
        clock=clock,
        rents=rents,
        custom_providers=settings.custom_providers,
    )

    async def source_for(user_id: int, provider: str) -> ActivationSource | None:
        return await accounts.client_for_provider(user_id, provider)

    reconciler = Reconciler(activations, rents, source_for, clock=clock)
    recorder = Recorder(db, activations, rents, outbox)
    translator = Translator()
    builder = (
        ApplicationBuilder()
        .token(settings.require_token().reveal())
        .base_url(bot_base_url or f"{settings.telegram_api_url}/bot")
        .context_types(context_types())
        .persistence(
            SQLitePersistence(db, store_data=PersistenceInput(bot_data=False, chat_data=False))
        )
        .rate_limiter(SendPolicy(settings.telegram_push_rate))
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .concurrent_updates(PerUserUpdateProcessor())
    )
    application = builder.build()
    deliverer = TelegramDeliverer(
        application.bot, activations, translator, users, rents=rents, clock=clock
    )
    notifier = Notifier(outbox, deliverer, clock=clock, priority=deliverer.priority)
    recorder.wake = notifier.wake
    purchases = PurchaseService(accounts, activations, reconciler, clock=clock)
    services = Services(
        settings=settings,
        clock=clock,
        db=db,
        translator=translator,
        transport=transport,
        users=users,
        activations=activations,
        rents=rents,
        outbox=outbox,
        accounts=accounts,
        catalog=CatalogService(clock),
        purchases=purchases,
        activation_actions=ActivationService(accounts, activations, recorder, clock=clock),
        recorder=recorder,
        reconciler=reconciler,
        watcher=ActivationWatcher(activations, users, accounts, recorder, clock=clock),
        notifier=notifier,
        renting=RentService(
            accounts, rents, reconciler, recorder, clock=clock, user_lock=purchases.user_lock
        ),
        rent_watcher=RentWatcher(db, rents, accounts, recorder, outbox, clock=clock),
        extras=ExtrasService(accounts, activations, reconciler, purchases, clock=clock),
    )
    if settings.webhook_secret is not None:
        host, port = settings.webhook_listen
        services.webhooks = WebhookReceiver(
            activations,
            recorder,
            accounts,
            settings.webhook_secret,
            host=host,
            port=port,
            rents=rents,
            public_url=settings.webhook_public_url,
        )
    bot_data: BotData = application.bot_data
    bot_data.services = services
    register_handlers(application, settings)
    return application, services


async def start_background(application: Application, services: Services) -> None:  # type: ignore[type-arg]
    """Reconciles what a crash left, registers the commands, starts the watcher and notifier."""
    await reconcile_and_report(services, min_age=0)
    await _set_commands(application, services.translator)
    if services.webhooks is not None:
        await services.webhooks.start()
        # Known only now (the port may be chosen at start): each new rent asks for pushes.
        services.renting.webhook_url = services.webhooks.rent_url
    interval = services.settings.poll_interval
    services.tasks += [
        asyncio.create_task(services.watcher.run(interval, services.stop), name="watcher"),
        asyncio.create_task(
            services.rent_watcher.run(interval, services.stop), name="rent-watcher"
        ),
        asyncio.create_task(services.notifier.run(services.stop), name="notifier"),
        asyncio.create_task(_reconcile_periodically(services), name="reconciler"),
    ]


async def stop_background(services: Services) -> None:
    services.stop.set()
    if services.webhooks is not None:
        await services.webhooks.stop()
    for task in services.tasks:
        task.cancel()
    for task in services.tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    services.tasks.clear()


async def close_application(services: Services) -> None:
    await stop_background(services)
    await services.transport.aclose()
    await services.db.close()


async def _reconcile_periodically(services: Services) -> None:
    while not services.stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(services.stop.wait(), timeout=_RUNTIME_RECONCILE_AGE)
        if services.stop.is_set():
            return
        try:
            await reconcile_and_report(services, min_age=_RUNTIME_RECONCILE_AGE)
        except Exception:
            log.exception("periodic reconciliation failed")


async def reconcile_and_report(services: Services, *, min_age: float) -> None:
    """Resolves purchases left without an outcome and tells each user what became of theirs.

    (A purchase resolved at once, while its user waits on the confirm screen, is shown there
    instead: that path calls ``reconcile_user`` and adds no event.)
    """
    report = await services.reconciler.reconcile(min_age=min_age)
    for result in (*report.confirmed, *report.failed):
        # Ledger ids are per ledger: a rent's event has its own kind and dedup key.
        rent = result.kind == "rent"
        await services.outbox.add(
            kind=RENT_RECONCILED_EVENT if rent else RECONCILED_EVENT,
            user_id=result.user_id,
            chat_id=result.chat_id,
            payload={"ledger_id": result.ledger_id, "outcome": result.outcome},
            dedup_key=f"{'rent_' if rent else ''}reconciled:{result.ledger_id}",
        )
    if report.confirmed or report.failed:
        services.notifier.wake()


async def _set_commands(application: Application, translator: Translator) -> None:  # type: ignore[type-arg]
    for locale in translator.locales:
        commands = [BotCommand(name, translator.t(locale, f"command-{name}")) for name in COMMANDS]
        language = None if locale == translator.resolve(None) else locale
        await application.bot.set_my_commands(commands, language_code=language)


def run_bot(settings: Settings, *, demo_sandbox: bool) -> int:
    """``smsbot run``: serves until SIGINT/SIGTERM; returns the exit status."""
    return asyncio.run(_serve(settings, demo_sandbox=demo_sandbox))


async def _serve(settings: Settings, *, demo_sandbox: bool) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(settings, stop, demo_sandbox=demo_sandbox)
    return 0


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    *,
    demo_sandbox: bool,
    demo_auto_sms: float = 15.0,
) -> None:
    """Runs the bot with long polling until `stop` is set (``smsbot run``, ``smsbot console``).

    Args:
        demo_sandbox: serve an in-process sandbox provider in demo mode and use it.
        demo_auto_sms: seconds after a purchase when the demo sandbox delivers an SMS.
    """
    settings.require_token()
    sandbox_server = None
    if demo_sandbox:
        from decimal import Decimal

        from bot.provider.sandbox import Sandbox, SandboxConfig, SandboxServer
        from bot.provider.sandbox.accounts import AccountSpec

        sandbox = Sandbox(
            config=SandboxConfig(auto_sms_seconds=demo_auto_sms),
            accounts=[AccountSpec(DEMO_KEY, Decimal("100"))],
        )
        sandbox_server = SandboxServer(sandbox)
        await sandbox_server.start()
        settings = _with_provider(settings, sandbox_server.url)
        log.info("demo mode: an in-process sandbox provider; its API key is %r", DEMO_KEY)
    try:
        application, services = await build_application(settings)
        try:
            async with application:
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
        if sandbox_server is not None:
            await sandbox_server.stop()


def _with_provider(settings: Settings, url: str) -> Settings:
    from dataclasses import replace

    return replace(settings, provider=url)

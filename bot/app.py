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
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from telegram import Bot, BotCommand
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder, PersistenceInput

from bot.cluster.health import HealthServer
from bot.cluster.metrics import Metrics
from bot.cluster.node import ClusterNode
from bot.cluster.settings import ClusterSettings
from bot.cluster.telegram_webhook import TelegramWebhookServer
from bot.config import ConfigError, Settings
from bot.core.clock import Clock, SystemClock
from bot.i18n import Translator
from bot.provider import ProviderTransport, Timeouts
from bot.provider.resolver import AddressGuard
from bot.services.accounts import AccountService
from bot.services.activations import ActivationService
from bot.services.autoreplace import AutoReplaceService
from bot.services.catalog import CatalogService
from bot.services.container import Services
from bot.services.extras import ExtrasService
from bot.services.notifier import Notifier
from bot.services.offers import CodeRatePolicy, OfferService
from bot.services.purchases import PurchaseService
from bot.services.reconciliation import CHECKING, ActivationSource, Reconciler
from bot.services.recorder import RECONCILED_EVENT, Recorder
from bot.services.rent_watcher import RentWatcher
from bot.services.rents import RENT_RECONCILED_EVENT, RentService
from bot.services.spending import SpendingGuard
from bot.services.watcher import ActivationWatcher
from bot.telegram.acknowledge import AcknowledgingBot
from bot.telegram.context import BotData, context_types
from bot.telegram.delivery import TelegramDeliverer
from bot.telegram.handlers import register_handlers
from bot.telegram.handlers.busy import busy_answer
from bot.telegram.persistence import SQLitePersistence
from bot.telegram.request import AiohttpRequest
from bot.telegram.run_cards import RunCards
from bot.telegram.send_policy import SendPolicy
from bot.telegram.updates import PerUserUpdateProcessor
from bot.webhooks import WebhookReceiver
from storage.activations import ActivationLedger
from storage.autoreplace import AutoReplaceStore
from storage.code_rates import CodeRateStore
from storage.confirm_tokens import ConfirmTokens
from storage.db import Database
from storage.events import EventOutbox
from storage.key_entries import KeyEntries
from storage.keyring import Keyring, keyring_path_for
from storage.postgres import PostgresDatabase
from storage.processed_updates import ProcessedUpdates
from storage.rents import RentLedger
from storage.spending import SpendingLedger
from storage.users import UserStore
from storage.vault import KeyVault

if TYPE_CHECKING:
    from bot.provider.sandbox import Sandbox

log = logging.getLogger(__name__)

# How long past the provider timeout a provider that did not reply may still complete a sale:
# until then a purchase not listed yet is "checking", not "not bought".
SALE_MARGIN: Final = 60.0
DEMO_KEY: Final = "demo-key-123"  # the in-process sandbox's one account (not a secret)
DEMO_TITLE: Final = "Demo provider"  # its name in menus (its host is 127.0.0.1)
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
    "forgetkey",
    "provider",
    "settings",
    "lang",
    "help",
    "cancel",
)


async def build_application(
    settings: Settings,
    *,
    bot_base_url: str | None = None,
    clock: Clock | None = None,
) -> tuple[Application, Services]:  # type: ignore[type-arg]
    """Builds the bot and its services; call :func:`close_application` when done.

    Args:
        settings: the configuration.
        bot_base_url: the Bot API root with ``/bot`` (defaults to settings.telegram_api_url).
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
    db = await open_database(settings, clock=clock)
    transport = ProviderTransport(
        timeout=Timeouts(settings.provider_timeout, connect=5.0, pool=10.0),
        # Users' own provider URLs reach public addresses only, judged on every connection.
        address_guard=None
        if settings.custom_providers == "any"
        else AddressGuard((settings.provider,)),
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
        default_title=settings.provider_title,
    )

    async def source_for(user_id: int, provider: str) -> ActivationSource | None:
        return await accounts.client_for_provider(user_id, provider)

    reconciler = Reconciler(
        activations,
        rents,
        source_for,
        clock=clock,
        horizon=settings.provider_timeout + SALE_MARGIN,
        locks=db.lock,
    )
    recorder = Recorder(db, activations, rents, outbox)
    translator = Translator()
    builder = (
        ApplicationBuilder()
        .bot(
            AcknowledgingBot(
                settings.require_token().reveal(),
                base_url=bot_base_url or f"{settings.telegram_api_url}/bot",
                request=AiohttpRequest(),
                get_updates_request=AiohttpRequest(connection_pool_size=1),
                rate_limiter=SendPolicy(settings.telegram_push_rate),
            )
        )
        .context_types(context_types())
        .persistence(
            SQLitePersistence(db, store_data=PersistenceInput(bot_data=False, chat_data=False))
        )
        .concurrent_updates(PerUserUpdateProcessor(answer_busy=busy_answer(translator, users)))
    )
    application = builder.build()
    deliverer = TelegramDeliverer(
        application.bot, activations, translator, users, rents=rents, clock=clock
    )
    cluster_settings = settings.cluster or ClusterSettings()
    cluster = (
        ClusterNode(db, lease_seconds=cluster_settings.lease_seconds)
        if isinstance(db, PostgresDatabase)
        else None
    )
    notifier = Notifier(
        outbox,
        deliverer,
        clock=clock,
        priority=deliverer.priority,
        claim_seconds=cluster_settings.claim_seconds,
    )
    if cluster is not None:
        notifier.owner, notifier.owned = cluster.owner, cluster.leases.owned
    recorder.wake = notifier.wake
    spending = SpendingGuard(users, SpendingLedger(db), clock=clock)
    purchases = PurchaseService(
        accounts, activations, reconciler, clock=clock, locks=db.lock, spending=spending
    )
    reconciler.in_flight = purchases.in_flight
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
        tokens=ConfirmTokens(db),
        accounts=accounts,
        catalog=CatalogService(clock),
        purchases=purchases,
        activation_actions=ActivationService(accounts, activations, recorder, clock=clock),
        recorder=recorder,
        reconciler=reconciler,
        watcher=ActivationWatcher(activations, users, accounts, recorder, clock=clock),
        notifier=notifier,
        renting=RentService(
            accounts, rents, reconciler, recorder, clock=clock, user_lock=purchases.user_lock,
            spending=spending,
        ),
        rent_watcher=RentWatcher(db, rents, accounts, recorder, outbox, clock=clock),
        extras=ExtrasService(accounts, activations, reconciler, purchases, clock=clock),
        key_entries=KeyEntries(db),
        cluster=cluster,
    )
    services.spending = spending
    if cluster is not None:  # the owner of a user's shard watches that user's numbers
        services.watcher.owns = services.rent_watcher.owns = cluster.leases.owns
    if cluster_settings.metrics_listen is not None:
        services.metrics = metrics = Metrics()
        transport.observe = metrics.provider_call
        notifier.on_delivered, notifier.on_deferred = metrics.pushed, metrics.deferred
    _wire_offers(services)
    assert services.autoreplace is not None
    services.autoreplace.on_change = RunCards(application.bot, services).redraw
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
            clock=clock,
        )
    bot_data: BotData = application.bot_data
    bot_data.services = services
    register_handlers(application, settings)
    return application, services


def _wire_offers(services: Services) -> None:
    """Issue 17's services: the comparison across providers and auto-replace runs."""
    settings = services.settings
    policy = CodeRatePolicy(
        settings.code_rate, settings.code_rate_min_sample, settings.code_rate_days
    )
    services.offers = OfferService(
        services.accounts, services.catalog, CodeRateStore(services.db),
        clock=services.clock, policy=policy,
    )
    services.autoreplace = AutoReplaceService(
        AutoReplaceStore(services.db), services.offers, services.purchases,
        services.activation_actions, services.activations, clock=services.clock,
    )
    services.recorder.on_code = services.autoreplace.code_arrived


async def start_background(application: Application, services: Services) -> None:  # type: ignore[type-arg]
    """Reconciles what a crash left, registers the commands, starts the watcher and notifier.

    With PostgreSQL, reconciliation, pruning and the commands are the leader's (one process
    among those sharing the database), and the watchers and the notifier act only on the
    shards this process holds leases for.
    """
    if services.cluster is None:
        await _start_up(application, services)
        services.tasks.append(
            asyncio.create_task(_lead_periodically(services), name="leader")
        )
    else:
        await services.cluster.start(
            services.notifier.wake,
            lambda: _start_up(application, services),
            lambda: _lead_periodically(services),
        )
    listen = (services.settings.cluster or ClusterSettings()).metrics_listen
    if services.metrics is not None and listen is not None:
        services.health = HealthServer(
            services.db, services.metrics,
            None if services.cluster is None else services.cluster.leases,
            host=listen[0], port=listen[1],
        )
        await services.health.start()
    if services.webhooks is not None:
        await services.webhooks.start()
        # Known only now (the port may be chosen at start): each new rent asks for pushes.
        services.renting.webhook_url = services.webhooks.rent_url_for
    interval = services.settings.poll_interval
    services.tasks += [
        asyncio.create_task(services.watcher.run(interval, services.stop), name="watcher"),
        asyncio.create_task(
            services.rent_watcher.run(interval, services.stop), name="rent-watcher"
        ),
        asyncio.create_task(services.notifier.run(services.stop), name="notifier"),
    ]


async def _start_up(application: Application, services: Services) -> None:  # type: ignore[type-arg]
    """The leader's start-up: what a crash left, the commands, the Telegram webhook."""
    await reconcile_and_report(services, announce_checking=True)
    await _set_commands(application, services.translator)
    for step in services.leader_startup:
        await step()


async def _lead_periodically(services: Services) -> None:
    """The leader's periodic work, until cancelled or stopped."""
    work = [_reconcile_periodically(services), _prune_periodically(services)]
    if services.autoreplace is not None:  # resumes the runs a restart interrupted
        work.append(services.autoreplace.run(services.settings.poll_interval, services.stop))
    await asyncio.gather(*work)


PRUNE_INTERVAL: Final = 3600.0
PRUNE_AGE: Final = 2 * 86400.0  # delivered events (their dedup keys) and handled update ids


async def _prune_periodically(services: Services) -> None:
    updates = ProcessedUpdates(services.db)
    while not services.stop.is_set():
        try:
            before = services.clock.now() - PRUNE_AGE
            await services.outbox.prune_delivered(before)
            await updates.prune(before)
        except Exception:
            log.exception("pruning failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(services.stop.wait(), timeout=PRUNE_INTERVAL)


async def stop_background(services: Services) -> None:
    services.stop.set()
    if services.cluster is not None:
        await services.cluster.stop()
    if services.webhooks is not None:
        await services.webhooks.stop()
    if services.health is not None:
        await services.health.stop()
        services.health = None
    for task in services.tasks:
        task.cancel()
    for task in services.tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    services.tasks.clear()
    if services.cluster is not None:
        await services.cluster.release()


async def close_application(services: Services) -> None:
    await stop_background(services)
    await services.transport.aclose()
    await services.db.close()


def reconcile_interval(settings: Settings) -> float:
    """Seconds between reconciliation runs: a few watcher ticks. A run with nothing pending
    reads the database only; one with purchases to check asks each one's provider once."""
    return max(4 * settings.poll_interval, 2.0)


async def _reconcile_periodically(services: Services) -> None:
    interval = reconcile_interval(services.settings)
    while not services.stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(services.stop.wait(), timeout=interval)
        if services.stop.is_set():
            return
        try:
            await reconcile_and_report(services)
        except Exception:
            log.exception("periodic reconciliation failed")


async def reconcile_and_report(
    services: Services, *, min_age: float = 0.0, announce_checking: bool = False
) -> None:
    """Resolves purchases left without an outcome and tells each user what became of theirs:
    bought, not bought, or (a late sale of one they were told failed) adopted and being
    cancelled for the refund. A user whose paid call is in flight is left alone.

    (A purchase resolved at once, while its user waits on the confirm screen, is shown there
    instead: that path calls ``reconcile_user`` and adds no event.)

    Args:
        min_age: only intents at least this old.
        announce_checking: tell each user whose purchase is still being checked (at start-up:
            a crash left them with "Buying…" and no answer).
    """
    report = await services.reconciler.reconcile(min_age=min_age)
    checking = tuple(r for r in report.still_pending if r.detail == CHECKING)
    told = (*report.confirmed, *report.failed, *report.adopted)
    for result in (*told, *(checking if announce_checking else ())):
        # Ledger ids are per ledger: a rent's event has its own kind and dedup key.
        rent = result.kind == "rent"
        step = {"adopted": "adopted", "pending": "checking"}.get(result.outcome, "reconciled")
        await services.outbox.add(
            kind=RENT_RECONCILED_EVENT if rent else RECONCILED_EVENT,
            user_id=result.user_id,
            chat_id=result.chat_id,
            payload={
                "ledger_id": result.ledger_id,
                "outcome": "checking" if result.outcome == "pending" else result.outcome,
            },
            dedup_key=f"{'rent_' if rent else ''}{step}:{result.ledger_id}",
        )
    if told or (announce_checking and checking):
        services.notifier.wake()


async def _set_commands(application: Application, translator: Translator) -> None:  # type: ignore[type-arg]
    for locale in translator.locales:
        commands = [BotCommand(name, translator.t(locale, f"command-{name}")) for name in COMMANDS]
        language = None if locale == translator.resolve(None) else locale
        await application.bot.set_my_commands(commands, language_code=language)


async def open_database(settings: Settings, *, clock: Clock | None = None) -> Database:
    """Opens the configured database (SQLite file or PostgreSQL URL) and migrates it.

    Raises:
        DatabaseUnavailableError: PostgreSQL cannot be reached or refuses.
        SchemaError: the schema is newer than this code, or a migration failed.
    """
    return await Database.open(
        settings.database_target,
        clock=clock,
        pool_size=settings.database_pool_size,
        statement_timeout=settings.database_statement_timeout,
    )


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

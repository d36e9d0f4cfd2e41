"""The composition root: the one place where smsbot's parts are built and wired together.

``build_application`` opens the database, builds every service and the PTB Application, and
returns both; :mod:`bot.lifecycle` starts and stops what runs in the background, and
:mod:`bot.serving` is ``smsbot run``. The command and the tests call the same functions, with
real parts or fakes (a fake Bot API URL, a sandbox provider, a manual clock).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Final

from telegram.ext import Application, ApplicationBuilder, PersistenceInput

from bot.cluster.metrics import Metrics
from bot.cluster.node import ClusterNode
from bot.config import ClusterSettings, Settings
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
from bot.services.offer_model import CodeRatePolicy
from bot.services.offers import OfferService
from bot.services.purchases import PurchaseService
from bot.services.reconciliation import ActivationSource, Reconciler
from bot.services.recorder import Recorder
from bot.services.rent_watcher import RentWatcher
from bot.services.rents import RentService
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
from storage.rents import RentLedger
from storage.spending import SpendingLedger
from storage.users import UserStore
from storage.vault import KeyVault

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


# How long past the provider timeout a provider that did not reply may still complete a sale:
# until then a purchase not listed yet is "checking", not "not bought".
SALE_MARGIN: Final = 60.0


async def build_application(
    settings: Settings,
    *,
    bot_base_url: str | None = None,
    clock: Clock | None = None,
) -> tuple[Application, Services]:  # type: ignore[type-arg]
    """Builds the bot and its services; call :func:`bot.lifecycle.close_application` when done.

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
        titles=settings.provider_titles,
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
        rent_watcher=RentWatcher(rents, accounts, recorder, clock=clock),
        extras=ExtrasService(purchases),
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

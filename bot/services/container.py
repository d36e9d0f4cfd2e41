"""Services: the container of every store and service, built once by the composition root.

Handlers reach it as ``context.bot_data.services``; background loops and the webhook receiver
get it from ``bot.app``. It lives here, below the Telegram layer, so nothing imports the
composition root to name it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.clock import Clock
from bot.i18n import Translator
from bot.provider import ProviderTransport
from bot.services.accounts import AccountService
from bot.services.activations import ActivationService
from bot.services.autoreplace import AutoReplaceService
from bot.services.catalog import CatalogService
from bot.services.extras import ExtrasService
from bot.services.notifier import Notifier
from bot.services.offers import OfferService
from bot.services.purchases import PurchaseService
from bot.services.reconciliation import Reconciler
from bot.services.recorder import Recorder
from bot.services.rent_watcher import RentWatcher
from bot.services.rents import RentService
from bot.services.watcher import ActivationWatcher
from storage.activations import ActivationLedger
from storage.confirm_tokens import ConfirmTokens
from storage.db import Database
from storage.events import EventOutbox
from storage.key_entries import KeyEntries
from storage.rents import RentLedger
from storage.users import UserStore

if TYPE_CHECKING:
    # The receiver is an HTTP server built by the composition root, a layer above; the
    # container only holds it so start/stop can find it.
    from bot.cluster.health import HealthServer
    from bot.cluster.metrics import Metrics
    from bot.cluster.node import ClusterNode
    from bot.webhooks import WebhookReceiver


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
    tokens: ConfirmTokens
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
    key_entries: KeyEntries
    offers: OfferService | None = None
    autoreplace: AutoReplaceService | None = None
    webhooks: WebhookReceiver | None = None
    # Issue 15: this process's leases and leadership (PostgreSQL), its metrics and health
    # routes (SMSBOT_METRICS_LISTEN), and the start-up steps only the leader runs.
    cluster: ClusterNode | None = None
    metrics: Metrics | None = None
    health: HealthServer | None = None
    leader_startup: list[Callable[[], Coroutine[object, object, None]]] = field(
        default_factory=list
    )
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

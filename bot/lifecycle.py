"""What runs beside the bot once it is built: the watchers, the notifier, the leader's work
(start-up and periodic reconciliation, pruning, the command menu), and their orderly stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Final

from telegram import BotCommand
from telegram.ext import Application

from bot.cluster.health import HealthServer
from bot.config import ClusterSettings, Settings
from bot.core.tasks import cancel_and_wait
from bot.i18n import Translator
from bot.services.container import Services
from bot.services.reconciliation import CHECKING
from bot.services.recorder import RECONCILED_EVENT
from bot.services.rents import RENT_RECONCILED_EVENT
from storage.processed_updates import ProcessedUpdates

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


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
    await cancel_and_wait(*services.tasks)
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

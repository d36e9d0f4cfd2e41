"""The rent watcher: each tick asks the provider about every live rent and records the news.

PTB-free. Each tick loads the active rents from the ledger and asks ``getRentStatus`` once per
rent (the Rent API has no batched read), a bounded number at a time (in all and per provider
host); a key whose calls fail is backed off. A tick waits for its polls only until its
deadline: a rent whose poll still runs is carried over, its key rested and its owner told
once, and no other rent waits for it. What the provider says goes through the
:class:`~bot.services.recorder.Recorder`: each SMS is pushed once however many polls (or
restarts) see it, and the provider alone says when a rent ended (STATUS_FINISH / STATUS_CANCEL).

Local time only decides *when to say something*: a reminder is queued some time before the
rent's end date (the provider's, from getRentNumber or continueRentNumber), once per end date,
so an extended rent gets a new one. It also settles an extension whose answer was lost: a rent
the provider still runs after its old end date was extended; one that ended there was not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.core.clock import Clock
from bot.provider import NotFoundError, ProviderClient
from bot.provider.models import RentState as ProviderRentState
from bot.services.accounts import AccountService
from bot.services.polled_watcher import PolledWatcher
from bot.services.polling import KeyHealth, PassReport
from bot.services.recorder import Recorder
from bot.services.rents import apply_status
from storage.rents import RentLedger, RentState, WatchedRent

log = logging.getLogger(__name__)

RENT_REMINDER_EVENT: Final = "rent_reminder"
RENT_EXTENSION_SETTLED_EVENT: Final = "rent_extension_settled"  # a lost extension's outcome
_HOUR: Final = 3600.0
_FORGOTTEN_AFTER: Final = 300.0  # seconds past the end date before NO_ID_RENT means "over"
# A rent the provider reports ended within this many seconds of its end date ran out there (as
# bot.services.rents judges an expiry): the clocks of the bot and the provider differ a little.
_ENDED_EARLY_SLACK: Final = 120.0


@dataclass(slots=True)
class RentTickReport(PassReport):
    """What one tick did (a poll is a rent's)."""

    rents: int = 0
    new_sms: int = 0
    reminders: int = 0


class RentWatcher(PolledWatcher[KeyHealth]):
    """Polls the provider for every live rent.

    Args:
        ledger: the rent ledger.
        accounts: builds each key's client.
        recorder: writes SMS, endings and reminders with their events (its database and
            outbox are the ones the watcher writes to).
        clock: the source of "now".
        concurrency: rents of one provider host polled at once (four times as many in all).
        remind_before: seconds before the end date at which the user is reminded.
    """

    _name = "rent watcher"
    _new_health = KeyHealth

    def __init__(
        self,
        ledger: RentLedger,
        accounts: AccountService,
        recorder: Recorder,
        *,
        clock: Clock,
        concurrency: int = 8,
        remind_before: float = 30 * 60.0,
    ) -> None:
        super().__init__(accounts, recorder, clock=clock, concurrency=concurrency)
        self._ledger = ledger
        self._remind_before = remind_before

    async def tick(self, deadline: float | None = None) -> RentTickReport:
        """Polls every live rent once; never raises for a provider's failure.

        Args:
            deadline: seconds to wait for the polls; one still running then is carried over
                (None: wait for every poll, as the tests' hand-stepped ticks do).
        """
        rows = [row for row in await self._ledger.load_active() if self.owns(row.user_id)]
        report = RentTickReport(rents=len(rows))
        await self._accounts.prime({(row.user_id, row.provider) for row in rows})
        await self._keys.run_pass(
            {row.ledger_id: row for row in rows},
            lambda client, _, row: self._check(client, row, report),
            deadline,
            report,
        )
        # A rent's end may be learnt outside a poll (a press asked the provider): an extension
        # lost on a rent that then ran out was not made, and is settled here (also after a
        # restart), since the rent is no longer polled.
        for ended in await self._ledger.expired_with_open_extensions():
            if not self.owns(ended.user_id):
                continue
            await self._settle_lost_extensions(ended, False, self._clock.now())
        return report

    async def _check(
        self, client: ProviderClient, row: WatchedRent, report: RentTickReport
    ) -> None:
        report.provider_calls += 1
        try:
            status = await client.get_rent_status(row.rent_id)
        except NotFoundError as unknown:
            log.info("rent %s: %s", row.ledger_id, unknown.token)
            # A provider that forgets a rent once it ran out says so this way: past the end
            # date it is over; before it, the provider's word is unclear and nothing changes.
            over = row.end_date is not None and self._clock.now() > row.end_date + _FORGOTTEN_AFTER
            if over:
                # Forgotten past its old end: it ran out there, so a lost extension was not
                # made (settled before the end is recorded and the rent stops being watched).
                await self._settle_lost_extensions(row, False, self._clock.now())
                if await self._recorder.rent_ended(row, RentState.EXPIRED, "expired"):
                    report.ended += 1
            return
        now = self._clock.now()
        live = status.state in (ProviderRentState.WAITING, ProviderRentState.RECEIVING)
        row = await self._settle_lost_extensions(row, live, now)
        new, ended = await apply_status(self._recorder, row, status, now)
        report.new_sms += new
        report.ended += int(ended)
        if live and await self._remind(row, now):
            report.reminders += 1

    async def _settle_lost_extensions(
        self, row: WatchedRent, live: bool, now: float
    ) -> WatchedRent:
        """Extensions whose answer was lost, decided by what the provider shows after the old
        end date: still live, it was extended; ended, it was not. The user is told either way
        (the outcome and its event are written in one transaction)."""
        if row.end_date is None:
            return row
        if live and now < row.end_date + _ENDED_EARLY_SLACK:
            # Not clearly past the old end (by the provider's clock, which may lag ours): still
            # live tells nothing yet.
            return row
        if not live and now < row.end_date - _ENDED_EARLY_SLACK:
            return row  # ended well before its old end (finished early): unknown still
        # Ended at about its old end: it ran out, so it was not extended. Settled now, since
        # the end is recorded in this same poll and the rent is then no longer watched.
        for extension in await self._ledger.open_extensions(row.ledger_id):
            # Durable, as the ledger's own writes of a paid outcome are.
            async with self._recorder.db.transaction(durable=True):
                if live:
                    assert row.end_date is not None
                    rent = await self._ledger.confirm_extension(
                        extension,
                        end_date=row.end_date + extension.hours * _HOUR,
                        cost=extension.cost or Decimal(0),
                    )
                    row = row._replace(end_date=rent.end_date)
                else:
                    await self._ledger.fail_extension(
                        extension, "not extended: the rent ended at its old end date (reconciled)"
                    )
                await self._recorder.tell(
                    row,
                    RENT_EXTENSION_SETTLED_EVENT,
                    f"rent_extension_settled:{extension.extension_id}",
                    extended=live,
                )
            self._recorder.wake()
        return row

    async def _remind(self, row: WatchedRent, now: float) -> bool:
        if row.end_date is None or not now >= row.end_date - self._remind_before:
            return False
        if now >= row.end_date:
            return False  # too late to be of use; the end itself will be told
        added = await self._recorder.tell(
            row,
            RENT_REMINDER_EVENT,
            # Once per end date: an extension moves it, and so earns a new reminder.
            f"rent_reminder:{row.ledger_id}:{int(row.end_date)}",
            end_date=row.end_date,
        )
        if added:
            self._recorder.wake()
        return added

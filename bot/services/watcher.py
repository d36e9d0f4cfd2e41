"""The watcher: one batched poll per API key per tick turns provider state into events.

No key holds another back: a tick waits for its polls only until its deadline (the interval)
and moves on; a key whose poll is still running is carried over (not polled again until that
poll ends), rested as a failing key is, and its owner told once. Polls in flight are bounded
in all and per provider host, so one slow or hostile host cannot take every slot.

PTB-free. Each tick loads every live activation from the ledger, groups them by (user,
provider) — one API key — and asks that key's provider once, with ``getActiveActivations``;
``getStatus`` is used only for the few activations that need it (gone from the list, waiting
for another code with an unchanged code, or on providers without the list action). New codes
and endings go through the :class:`~bot.services.recorder.Recorder`, which writes them with
their push in one transaction.

Local time only decides *when to ask*: an activation is cancelled for a refund shortly before
its deadline, and a cancel the user scheduled is sent once the lock should be over, but each
is a request to the provider, whose answer decides.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from bot.core.clock import Clock
from bot.provider import (
    EarlyCancelDeniedError,
    InvalidRequestError,
    NotFoundError,
    ProviderClient,
    StateConflictError,
)
from bot.provider.lifetimes import assumed_lifetime
from bot.provider.models import ActivationAction, ActiveActivation, StatusChange, StatusKind
from bot.services.accounts import AccountService
from bot.services.polled_watcher import PolledWatcher
from bot.services.polling import KeyHealth, PassReport
from bot.services.recorder import Recorder
from storage.activations import ActivationLedger, ActivationState
from storage.records import WatchedActivation
from storage.users import UserStore

log = logging.getLogger(__name__)

_RETRY_WAITING_STATUS: Final = "3"  # getActiveActivations' "waiting for another code"


@dataclass(slots=True)
class TickReport(PassReport):
    """What one tick did (a poll is a key's, with all its live activations)."""

    keys: int = 0
    new_codes: int = 0


@dataclass(slots=True)
class _KeyHealth(KeyHealth):
    has_list_action: bool = True


@dataclass(slots=True)
class _Group:
    user_id: int
    provider: str
    rows: list[WatchedActivation] = field(default_factory=list)

    @property
    def chat_id(self) -> int:
        return self.rows[0].chat_id


class ActivationWatcher(PolledWatcher[_KeyHealth]):
    """Polls providers for every live activation.

    Args:
        ledger: the activation ledger.
        users: for each user's auto-cancel preference.
        accounts: builds each key's client.
        recorder: writes codes and endings with their events.
        clock: the source of "now".
        concurrency: keys of one provider host polled at once. It is also the pacing: no
            provider ever sees more than this many of our requests in flight, and 2,000 keys
            are spread over about a second of the tick (bench/push.py), well inside a 3 s
            interval. Keys of all hosts together get four times as many.
        expiry_margin: seconds before the deadline at which a codeless activation is cancelled.
        jitter: the largest random delay, in seconds, before polling a key, to spread keys
            further where a provider wants it; off by default, since it adds to every
            code's delay.
    """

    _name = "watcher"
    _new_health = _KeyHealth

    def __init__(
        self,
        ledger: ActivationLedger,
        users: UserStore,
        accounts: AccountService,
        recorder: Recorder,
        *,
        clock: Clock,
        concurrency: int = 8,
        expiry_margin: float = 90.0,
        jitter: float = 0.0,
    ) -> None:
        super().__init__(accounts, recorder, clock=clock, concurrency=concurrency, jitter=jitter)
        self._ledger = ledger
        self._users = users
        self._expiry_margin = expiry_margin
        # The last SMS recorded per ledger row and round: most polls repeat it, and this
        # spares a database write per activation per tick. Lost on restart, which only costs
        # one deduplicated write per row.
        self._seen: dict[int, tuple[int, str | None, str | None]] = {}
        # Rows with a code that the key's active list left out, and for how many ticks in a
        # row: on providers whose getStatus keeps answering STATUS_OK:<code> for a finished
        # activation, that absence is the only sign it ended.
        self._unlisted: dict[int, int] = {}

    async def tick(self, deadline: float | None = None) -> TickReport:
        """Polls every key with live activations once; never raises for a provider's failure.

        Args:
            deadline: seconds to wait for the polls; one still running then is carried over
                (None: wait for every poll, as the tests' hand-stepped ticks do).
        """
        groups: dict[tuple[int, str], _Group] = {}
        for row in await self._ledger.load_active():
            if not self.owns(row.user_id):
                continue
            key = (row.user_id, row.provider)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(row.user_id, row.provider)
            group.rows.append(row)
        report = TickReport(keys=len(groups))
        await self._accounts.prime(groups.keys())
        await self._keys.run_pass(
            groups,
            lambda client, health, group: self._check_key(client, group.rows, health, report),
            deadline,
            report,
        )
        live = {row.ledger_id for group in groups.values() for row in group.rows}
        for ledger_id in self._seen.keys() - live:
            del self._seen[ledger_id]
        for ledger_id in self._unlisted.keys() - live:
            del self._unlisted[ledger_id]
        return report

    async def _check_key(
        self,
        client: ProviderClient,
        rows: Sequence[WatchedActivation],
        health: _KeyHealth,
        report: TickReport,
    ) -> None:
        listed: dict[str, ActiveActivation] | None = None
        if health.has_list_action:
            report.provider_calls += 1
            try:
                listed = {a.activation_id: a for a in await client.get_active_activations()}
            except InvalidRequestError as refused:
                if refused.token != "BAD_ACTION":
                    raise
                health.has_list_action = False  # this provider: getStatus per activation
        for row in rows:
            try:
                codes_before = report.new_codes
                listed_row = listed.get(row.activation_id) if listed is not None else None
                if listed_row is not None:
                    self._unlisted.pop(row.ledger_id, None)
                    await self._check_listed(client, row, listed_row, report)
                    row = await self._provider_deadline(row, listed_row)
                    ended = False
                else:
                    ended = await self._check_by_status(
                        client, row, report, unlisted=listed is not None
                    )
                # This row's snapshot predates a code found just now: no cancel for it.
                if not ended and report.new_codes == codes_before:
                    await self._check_deadlines(client, row, report, listed=listed_row is not None)
            except (StateConflictError, NotFoundError) as refusal:
                log.info("activation %s: %s", row.ledger_id, refusal.token)

    async def _check_listed(
        self,
        client: ProviderClient,
        row: WatchedActivation,
        active: ActiveActivation,
        report: TickReport,
    ) -> None:
        if not (active.sms_code or active.sms_text):
            return
        seen = (row.sms_round, active.sms_code, active.sms_text)
        if self._seen.get(row.ledger_id) == seen:
            return
        if row.state is ActivationState.RETRY:
            # The list repeats the previous code while the provider waits for another one;
            # only getStatus tells a new SMS with the same code from the old one.
            if active.status == _RETRY_WAITING_STATUS:
                return
            report.provider_calls += 1
            status = await client.get_status(row.activation_id)
            if status.kind is not StatusKind.CODE_RECEIVED:
                return
        if await self._recorder.code(row, code=active.sms_code, text=active.sms_text):
            report.new_codes += 1
        self._seen[row.ledger_id] = seen

    async def _check_by_status(
        self,
        client: ProviderClient,
        row: WatchedActivation,
        report: TickReport,
        *,
        unlisted: bool = False,
    ) -> bool:
        """Asks getStatus; True if the activation turned out to have ended.

        Args:
            unlisted: the key's active list was read and left this row out.
        """
        report.provider_calls += 1
        try:
            status = await client.get_status(row.activation_id)
        except NotFoundError:
            await self._end(row, _final_state(row), _why(row), report)
            return True
        if status.kind is StatusKind.CODE_RECEIVED and status.code:
            if await self._recorder.code(row, code=status.code, text=None):
                report.new_codes += 1
            elif unlisted and row.code_count:
                # An old code, and not among the key's active activations: a provider that
                # answers STATUS_OK for a finished activation. Twice in a row, so one list
                # read that lags behind a purchase or a new SMS cannot end a live number.
                absent = self._unlisted[row.ledger_id] = self._unlisted.get(row.ledger_id, 0) + 1
                if absent >= 2:
                    await self._end(row, ActivationState.FINISHED, "finished", report)
                    return True
        elif status.kind is StatusKind.CANCELLED:
            await self._end(row, _final_state(row), _why(row), report)
            return True
        return False

    async def _provider_deadline(
        self, row: WatchedActivation, listed: ActiveActivation
    ) -> WatchedActivation:
        """The row with the deadline the provider's list implies: its end time, recorded, when
        it tells one; else, for an assumed deadline, the later of ours and the provider's
        start plus the service's lifetime (its clock can only postpone a cancel)."""
        if listed.end_time is not None:
            end = listed.end_time.timestamp()
            await self._ledger.set_deadline(row.ledger_id, end)
            return row._replace(deadline=end, deadline_assumed=False)
        if row.deadline_assumed and listed.activation_time is not None:
            end = listed.activation_time.timestamp() + assumed_lifetime(row.service)
            return row._replace(deadline=max(end, row.deadline or end))
        return row

    async def _check_deadlines(
        self,
        client: ProviderClient,
        row: WatchedActivation,
        report: TickReport,
        *,
        listed: bool = False,
    ) -> None:
        now = self._clock.now()
        scheduled = row.cancel_at is not None and row.cancel_at <= now and row.code_count == 0
        expiring = (
            row.code_count == 0
            and row.state is ActivationState.WAITING
            and row.deadline is not None
            and now >= row.deadline - self._expiry_margin
            # An assumed deadline is never enough by itself: the provider's list must have
            # shown the number still waiting this tick (where it has no list, its own expiry
            # ends the number and refunds it).
            and (listed or not row.deadline_assumed)
        )
        if not (scheduled or expiring):
            return
        if expiring and not scheduled:
            user = await self._users.get(row.user_id)
            if user is not None and not user.preferences.auto_cancel:
                return
        report.provider_calls += 1
        try:
            change = await client.set_status(
                row.activation_id, ActivationAction.CANCEL, forward_phone=row.forward_number
            )
        except EarlyCancelDeniedError:
            return  # asked too early by the provider's clock; the next tick asks again
        if change is StatusChange.CANCELLED:
            await self._end(row, ActivationState.CANCELLED, "auto_cancelled", report)

    async def _end(
        self, row: WatchedActivation, state: ActivationState, why: str, report: TickReport
    ) -> None:
        if await self._recorder.ended(row, state, why):
            report.ended += 1


def _why(row: WatchedActivation) -> str:
    """What to tell the user: a code came (charged, finished) or none (refunded)."""
    return "finished" if row.code_count else "expired"


def _final_state(row: WatchedActivation) -> ActivationState:
    """An activation the provider stopped: it kept the charge if a code came, else refunded."""
    return ActivationState.FINISHED if row.code_count else ActivationState.EXPIRED

"""Acting on a bought activation: SMS sent, another code, finish, cancel.

PTB-free. Every press asks the provider; the ledger follows what the provider answers, and a
refusal is checked against ``getStatus`` so the user hears the provider's truth, not our
guess. Only the owner of an activation may act on it.
"""

from __future__ import annotations

import enum
import logging
from typing import Final

from bot.core.clock import Clock
from bot.provider import (
    EarlyCancelDeniedError,
    NotFoundError,
    ProviderClient,
    StateConflictError,
)
from bot.provider.models import ActivationAction, StatusChange, StatusKind
from bot.services.accounts import AccountService
from bot.services.recorder import Recorder
from bot.services.results import ActivationActionResult, NotYoursError, Outcome
from storage.activations import Activation, ActivationLedger, ActivationState

log = logging.getLogger(__name__)

EARLY_CANCEL_SECONDS: Final = 120.0


class Command(enum.Enum):
    """What a button asks for, and the ``setStatus`` value it sends."""

    SMS_SENT = ActivationAction.SMS_SENT
    ANOTHER_CODE = ActivationAction.REQUEST_ANOTHER_CODE
    FINISH = ActivationAction.FINISH
    CANCEL = ActivationAction.CANCEL


class ActivationService:
    """Carries out users' commands on their activations.

    Args:
        accounts: builds the client for the activation's provider.
        ledger: the activation ledger.
        clock: the source of "now".
        early_cancel_seconds: the provider's cancel lock after purchase, to tell the user
            when to expect cancelling to work (the provider stays the judge).
    """

    def __init__(
        self,
        accounts: AccountService,
        ledger: ActivationLedger,
        recorder: Recorder,
        *,
        clock: Clock,
        early_cancel_seconds: float = EARLY_CANCEL_SECONDS,
    ) -> None:
        self._accounts = accounts
        self._ledger = ledger
        self._recorder = recorder
        self._clock = clock
        self._early_cancel = early_cancel_seconds

    async def owned(self, user_id: int, ledger_id: int) -> Activation:
        """The user's own bought activation.

        Raises:
            NotYoursError: it does not exist, was never bought, or belongs to someone else.
        """
        return await owned_activation(self._ledger, user_id, ledger_id)

    async def act(self, user_id: int, ledger_id: int, command: Command) -> ActivationActionResult:
        """Sends the command to the provider and records its answer.

        Raises:
            NotYoursError: not the user's activation.
            AccountError: the key for the activation's provider is gone or unreadable.
            ProviderError: the provider could not be asked (nothing changed).
        """
        row = await self.owned(user_id, ledger_id)
        assert row.activation_id is not None
        client = await self._client(row)
        try:
            change = await client.set_status(
                row.activation_id, command.value, forward_phone=_forward_phone(row)
            )
        except EarlyCancelDeniedError:
            possible_at = (row.confirmed_at or row.created_at) + self._early_cancel
            at = max(possible_at, self._clock.now())
            return ActivationActionResult(Outcome.CANCEL_LATER, row, at)
        except (StateConflictError, NotFoundError) as refusal:
            log.info("setStatus %s refused for %s: %s", command.name, ledger_id, refusal.token)
            return await self._sync(client, row)
        await self._record(row, change)
        updated = await self._ledger.get(ledger_id)
        assert updated is not None
        return ActivationActionResult(Outcome.DONE, updated)

    async def schedule_cancel(self, user_id: int, ledger_id: int) -> ActivationActionResult:
        """Asks the watcher to cancel the activation as soon as the provider allows it."""
        row = await self.owned(user_id, ledger_id)
        at = (row.confirmed_at or row.created_at) + self._early_cancel
        if not await self._ledger.schedule_cancel(ledger_id, at):
            return ActivationActionResult(Outcome.ENDED, row)
        updated = await self._ledger.get(ledger_id)
        assert updated is not None
        return ActivationActionResult(Outcome.DONE, updated, at)

    async def refresh(self, user_id: int, ledger_id: int) -> ActivationActionResult:
        """Asks the provider for the activation's state and brings the ledger in line."""
        row = await self.owned(user_id, ledger_id)
        result = await self._sync(await self._client(row), row)
        if result.outcome is Outcome.REFUSED:  # still live: the refresh itself succeeded
            return ActivationActionResult(Outcome.DONE, result.activation)
        return result

    async def _client(self, row: Activation) -> ProviderClient:
        return await self._accounts.require_client(row.user_id, row.provider)

    async def _record(self, row: Activation, change: StatusChange) -> None:
        if change is StatusChange.RETRY_GET and row.state is ActivationState.CODE_RECEIVED:
            await self._ledger.mark_retry(row.ledger_id)
        elif change is StatusChange.FINISHED:
            await self._ledger.end(row.ledger_id, ActivationState.FINISHED)
        elif change is StatusChange.CANCELLED:
            final = ActivationState.FINISHED if row.code_count else ActivationState.CANCELLED
            await self._ledger.end(row.ledger_id, final)

    async def _sync(self, client: ProviderClient, row: Activation) -> ActivationActionResult:
        assert row.activation_id is not None
        try:
            status = await client.get_status(row.activation_id)
        except NotFoundError:
            await self._ledger.end(row.ledger_id, _ended_state(row))
            return ActivationActionResult(Outcome.ENDED, await self._reload(row))
        if status.kind is StatusKind.CANCELLED:
            await self._ledger.end(row.ledger_id, _ended_state(row))
            return ActivationActionResult(Outcome.ENDED, await self._reload(row))
        if status.kind is StatusKind.CODE_RECEIVED and status.code:
            # A code the watcher has not seen yet: recorded with its push, like the watcher's.
            await self._recorder.code(row, code=status.code, text=None)
            if row.options.get("verification"):
                # The call came: the provider refuses every status change from now on and
                # ends the activation itself, charge kept (PROTOCOL.md §3.9).
                await self._ledger.end(row.ledger_id, ActivationState.FINISHED)
                return ActivationActionResult(Outcome.ENDED, await self._reload(row))
        return ActivationActionResult(Outcome.REFUSED, await self._reload(row))

    async def _reload(self, row: Activation) -> Activation:
        fresh = await self._ledger.get(row.ledger_id)
        assert fresh is not None
        return fresh


def _ended_state(row: Activation) -> ActivationState:
    """How an activation the provider no longer runs ended: kept if a code came, else refunded."""
    return ActivationState.FINISHED if row.code_count else ActivationState.CANCELLED


def _forward_phone(row: Activation) -> str | None:
    """The number calls go to, for a number bought with forwarding: the protocol wants it on
    every setStatus of such an activation."""
    if not row.options.get("forward"):
        return None
    number = row.options.get("forward_number")
    return str(number) if number else None


async def owned_activation(ledger: ActivationLedger, user_id: int, ledger_id: int) -> Activation:
    """The user's own bought activation: every press and paid extra names a ledger row, and a
    row that is not the presser's is refused before the provider is asked anything.

    Raises:
        NotYoursError: it does not exist, was never bought, or belongs to someone else.
    """
    row = await ledger.get(ledger_id)
    if row is None or row.user_id != user_id or row.activation_id is None:
        raise NotYoursError(ledger_id)
    return row

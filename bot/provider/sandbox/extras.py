"""Purchases built on an earlier activation, and outgoing calls (PROTOCOL.md §3.19-3.23).

getAdditionalService   another service on a forwarded number, after its first SMS (5 RUB)
get/checkExtraActivation   the same number again, after a successful activation
createTaskForCall / getOutgoingCalls   an outgoing call from an activation's number
"""

from __future__ import annotations

from decimal import Decimal

from bot.core.clock import Clock

from .activations import ActivationBook
from .config import SandboxConfig
from .errors import ProtocolError
from .fixtures import Catalog
from .formats import date_text
from .models import Account, Activation, ActivationState, CallTask


def buy_additional(
    book: ActivationBook,
    catalog: Catalog,
    config: SandboxConfig,
    account: Account,
    parent_id: str | None,
    service: str | None,
) -> Activation:
    """getAdditionalService: a new activation of ``service`` on the parent's forwarded number.

    Raises:
        ProtocolError: ``WRONG_ACTIVATION_ID`` (no such parent of this account),
            ``WRONG_ADDITIONAL_SERVICE`` (not a forwarding service), ``WRONG_SECURITY`` (the
            parent is not forwarded, has ended, or has had no SMS yet),
            ``REPEAT_ADDITIONAL_SERVICE`` (already bought on this parent), ``NO_BALANCE``.
    """
    parent = book.owned(account, parent_id, "WRONG_ACTIVATION_ID")
    chosen = catalog.services.get((service or "").strip())
    if chosen is None or not chosen.forward:
        raise ProtocolError("WRONG_ADDITIONAL_SERVICE")
    if not parent.forward or parent.state.terminal or not parent.messages:
        raise ProtocolError("WRONG_SECURITY")
    if chosen.code == parent.service or chosen.code in parent.additional_services:
        raise ProtocolError("REPEAT_ADDITIONAL_SERVICE")
    child = book.open(
        account,
        service=chosen.code,
        country=parent.country,
        operator=parent.operator,
        phone=parent.phone,
        cost=config.additional_service_price,
        reason="additional service",
        parent_id=parent.id,
    )
    parent.additional_services.add(chosen.code)
    return child


def extra_quote(
    book: ActivationBook, catalog: Catalog, account: Account, parent_id: str | None
) -> tuple[Activation, Decimal]:
    """checkExtraActivation: the parent and the price of buying its number again.

    Raises:
        ProtocolError: ``WRONG_ACTIVATION_ID`` (no such parent of this account),
            ``RENEW_ACTIVATION_NOT_AVAILABLE`` (the parent did not finish with a code),
            ``NEW_ACTIVATION_IMPOSSIBLE`` (the number is busy with a live activation).
    """
    parent = book.owned(account, parent_id, "WRONG_ACTIVATION_ID")
    if parent.state is not ActivationState.FINISHED or parent.code is None:
        raise ProtocolError("RENEW_ACTIVATION_NOT_AVAILABLE")
    if any(a.phone == parent.phone for a in book.live()):
        raise ProtocolError("NEW_ACTIVATION_IMPOSSIBLE")
    return parent, catalog.price(parent.country, parent.service)


def buy_extra(
    book: ActivationBook, catalog: Catalog, account: Account, parent_id: str | None
) -> Activation:
    """getExtraActivation: the parent's number again, for its service, at the quoted price.

    Raises:
        ProtocolError: those of :func:`extra_quote`, and ``NO_BALANCE``.
    """
    parent, price = extra_quote(book, catalog, account, parent_id)
    return book.open(
        account,
        service=parent.service,
        country=parent.country,
        operator=parent.operator,
        phone=parent.phone,
        cost=price,
        reason="extra activation",
        repeated=True,
        parent_id=parent.id,
    )


class CallTasks:
    """Outgoing-call tasks, one per activation at most."""

    __slots__ = ("_clock", "_tasks")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tasks: dict[int, CallTask] = {}

    def create(
        self, book: ActivationBook, account: Account, activation_id: str | None, phone: str | None
    ) -> CallTask:
        """createTaskForCall. ``phone`` (the number to call) is optional: [PY] never sends it.

        Raises:
            ProtocolError: ``WRONG_ACTIVATION_ID`` (no such activation of this account),
                ``NUMBER_NOT_EXIST`` (the activation has ended, or ``phone`` is not a number),
                ``CALL_TASK_ALREADY_EXIST``.
        """
        activation = book.owned(account, activation_id, "WRONG_ACTIVATION_ID")
        target = (phone or "").strip().lstrip("+") or None
        if activation.state.terminal or (target is not None and not target.isdigit()):
            raise ProtocolError("NUMBER_NOT_EXIST")
        if activation.id in self._tasks:
            raise ProtocolError("CALL_TASK_ALREADY_EXIST")
        task = CallTask(activation.id, account.name, activation.phone, target, self._clock.now())
        self._tasks[activation.id] = task
        return task

    def list(self, account: Account, activation_id: int | None, day: str | None) -> list[CallTask]:
        """getOutgoingCalls: the account's tasks made on ``day`` (UTC; default today)."""
        wanted = day or date_text(self._clock.now())
        return [
            t
            for t in self._tasks.values()
            if t.account == account.name
            and activation_id in (None, t.activation_id)
            and date_text(t.created_at) == wanted
        ]

"""AccountBook: API keys, balances, bans, and the one place money moves."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from bot.core.clock import Clock

from .errors import ControlError, ProtocolError
from .formats import banned_text
from .models import Account, LedgerEntry


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """An account to create: key, opening balance, and optionally a name and a ban.

    Attributes:
        name: what logs and the control API call the account; defaults to ``account-<n>``.
        banned_until: Unix time the ban ends; purchases answer ``BANNED:<when>`` until then.
    """

    api_key: str
    balance: Decimal
    name: str | None = None
    banned_until: float | None = None
    cashback: Decimal = Decimal("0")

    def __repr__(self) -> str:
        # The key is a secret even in a test's failure output.
        return f"AccountSpec(name={self.name!r}, balance={self.balance!r})"


class AccountBook:
    """Accounts by key and by name. Balances change only through :meth:`debit`/:meth:`credit`."""

    __slots__ = ("_by_key", "_by_name", "_clock")

    def __init__(self, clock: Clock, specs: Iterable[AccountSpec] = ()) -> None:
        self._clock = clock
        self._by_key: dict[str, Account] = {}
        self._by_name: dict[str, Account] = {}
        for spec in specs:
            self.upsert(spec)

    def __iter__(self) -> Iterator[Account]:
        return iter(list(self._by_name.values()))

    def upsert(self, spec: AccountSpec) -> Account:
        """Creates the account of ``spec.api_key``, or resets its balance, ban and cashback.

        Raises:
            ControlError: an empty key, a negative balance, or a name another key holds.
        """
        if not spec.api_key:
            raise ControlError("api_key must not be empty")
        if spec.balance < 0 or spec.cashback < 0:
            raise ControlError("balance and cashback must not be negative")
        account = self._by_key.get(spec.api_key)
        if account is None:
            name = spec.name or f"account-{len(self._by_key) + 1}"
            if name in self._by_name:
                raise ControlError(f"account name {name!r} is taken")
            account = Account(name=name, api_key=spec.api_key, balance=Decimal(0))
            self._by_key[spec.api_key] = account
            self._by_name[name] = account
        self.credit(account, spec.balance - account.balance, "set-balance")
        account.cashback = spec.cashback
        account.banned_until = spec.banned_until
        return account

    def by_key(self, api_key: str) -> Account | None:
        """The account that owns ``api_key``, or ``None``."""
        return self._by_key.get(api_key)

    def by_name(self, name: str) -> Account | None:
        return self._by_name.get(name)

    def find(self, name_or_key: str) -> Account:
        """The account with that name, else with that key.

        Raises:
            ControlError: (404) neither matches.
        """
        account = self._by_name.get(name_or_key) or self._by_key.get(name_or_key)
        if account is None:
            raise ControlError("no such account", 404)
        return account

    def check_not_banned(self, account: Account) -> None:
        """Raises ``BANNED:<Y-m-d H-i-s>`` while the account's ban lasts (judged by the clock)."""
        until = account.banned_until
        if until is not None and until > self._clock.now():
            raise ProtocolError("BANNED", payload=banned_text(until))

    def debit(self, account: Account, amount: Decimal, reason: str, ref: int | None = None) -> None:
        """Charges ``amount``; raises ``NO_BALANCE`` (and charges nothing) if it is short."""
        if amount > account.balance:
            raise ProtocolError("NO_BALANCE")
        account.balance -= amount
        account.ledger.append(LedgerEntry(self._clock.now(), -amount, reason, ref))

    def credit(
        self, account: Account, amount: Decimal, reason: str, ref: int | None = None
    ) -> None:
        """Adds ``amount`` (a refund) to the balance."""
        account.balance += amount
        account.ledger.append(LedgerEntry(self._clock.now(), amount, reason, ref))

    def owner(self, name: str) -> Account:
        """The account called ``name``; records refer to accounts by name."""
        return self._by_name[name]

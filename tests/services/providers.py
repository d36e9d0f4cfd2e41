"""Two or three in-process sandbox providers over loopback HTTP, and one user's keys at them.

Each sandbox sells the same catalogue at its own price level (``price_factor``) and stock, so
a test can tell which provider sold a number and at what price.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from decimal import Decimal

from bot.core.clock import ManualClock
from bot.core.secret import Secret
from bot.provider import ProviderTransport, resolve_endpoint
from bot.provider.sandbox import Catalog, Sandbox, SandboxServer, load_catalog
from bot.provider.sandbox.testing import ALICE_KEY, default_test_accounts
from bot.provider.transport import RetryPolicy
from bot.services.accounts import AccountService
from bot.services.purchases import PurchaseRequest, PurchaseService
from bot.services.reconciliation import ActivationSource, Reconciler
from bot.services.spending import SpendingGuard
from storage.activations import ActivationLedger
from storage.db import Database
from storage.keyring import Keyring
from storage.rents import RentLedger
from storage.spending import SpendingLedger
from storage.users import UserStore
from storage.vault import KeyVault

USER = 7
SERVICE = "tg"
COUNTRY = 6


def priced_catalog(factor: str) -> Catalog:
    """The shipped catalogue with every service's base price times ``factor``."""
    base = load_catalog()
    services = {
        code: replace(s, price=s.price * Decimal(factor)) for code, s in base.services.items()
    }
    return Catalog(services=services, countries=base.countries, operators=base.operators)


@dataclass
class Providers:
    servers: list[SandboxServer]
    accounts: AccountService
    transport: ProviderTransport
    vault: KeyVault
    db: Database

    def key(self, index: int) -> str:
        """The provider key (its URL) of sandbox ``index``."""
        return resolve_endpoint(self.servers[index].url).key

    def sandbox(self, index: int) -> Sandbox:
        return self.servers[index].sandbox

    def price(self, index: int) -> Decimal:
        return self.sandbox(index).catalog.price(COUNTRY, SERVICE)

    def bought(self, index: int) -> int:
        """getNumber* calls sandbox ``index`` answered."""
        return sum(
            1 for r in self.sandbox(index).request_log if r.action in ("getNumber", "getNumberV2")
        )

    def purchases(self) -> PurchaseService:
        """The real purchase path (with spending caps) over the sandboxes."""

        async def source_for(user_id: int, provider: str) -> ActivationSource | None:
            return await self.accounts.client_for_provider(user_id, provider)

        db = self.db
        activations = ActivationLedger(db)
        reconciler = Reconciler(activations, RentLedger(db), source_for, clock=db.clock)
        spending = SpendingGuard(UserStore(db), SpendingLedger(db), clock=db.clock)
        return PurchaseService(
            self.accounts, activations, reconciler, clock=db.clock, spending=spending
        )


@asynccontextmanager
async def providers(
    db: Database, factors: Sequence[str], *, keys: Sequence[str] | None = None
) -> AsyncIterator[Providers]:
    """Starts one sandbox per price factor and gives USER a key at each (``keys`` picks which
    test account; ALICE_KEY by default)."""
    async with AsyncExitStack() as stack:
        servers = []
        for factor in factors:
            sandbox = Sandbox(
                clock=ManualClock(), accounts=default_test_accounts(),
                catalog=priced_catalog(factor),
            )
            servers.append(
                await stack.enter_async_context(SandboxServer(sandbox, host="127.0.0.1", port=0))
            )
        transport = ProviderTransport(retry=RetryPolicy(attempts=1))
        stack.push_async_callback(transport.aclose)
        vault = KeyVault(db, Keyring.generate("t"))
        activations = ActivationLedger(db)
        accounts = AccountService(
            UserStore(db), vault, transport, activations,
            default_provider=resolve_endpoint(servers[0].url).key, clock=db.clock,
            rents=RentLedger(db), custom_providers="any",
        )
        found = Providers(servers, accounts, transport, vault, db)
        for index, key in enumerate(keys or [ALICE_KEY] * len(servers)):
            await vault.put(USER, found.key(index), Secret(key))
        yield found


def request(price: Decimal) -> PurchaseRequest:
    return PurchaseRequest(service=SERVICE, country=COUNTRY, operator=None, shown_price=price)

"""Accounts: each user's provider, their encrypted API keys, and provider clients built from them.

PTB-free. The key a user sends is checked with ``getBalance`` before it is stored, attempts
are rate-limited per user, and a key never leaves this module except inside a
:class:`~bot.provider.ProviderClient` (or masked, for the user's own eyes).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from bot.core.clock import Clock
from bot.core.secret import Secret
from bot.provider import (
    AuthenticationError,
    ProviderClient,
    ProviderEndpoint,
    ProviderError,
    ProviderTransport,
    resolve_endpoint,
)
from bot.provider.currency import alpha_code
from bot.provider.resolver import AddressGuard, AddressRefused
from bot.services.account_errors import (
    CustomProviderPolicy,
    CustomProviderRefusedError,
    KeyNeedsReentryError,
    KeyRejectedError,
    LiveNumbersError,
    MalformedKeyError,
    NoApiKeyError,
    TooManyKeyAttemptsError,
)
from storage.activations import ActivationLedger
from storage.errors import VaultKeyUnreadable
from storage.rents import RentLedger
from storage.users import User, UserStore
from storage.vault import KeyVault

log = logging.getLogger(__name__)

_KEY_SHAPE: Final = re.compile(r"^[\x21-\x7e]{8,256}$")  # printable ASCII, no spaces


@dataclass(frozen=True, slots=True)
class Balance:
    """A user's balance at their provider."""

    balance: Decimal
    with_cashback: Decimal

    @property
    def cashback(self) -> Decimal:
        return max(Decimal(0), self.with_cashback - self.balance)


class AccountService:
    """Users' providers and keys.

    Args:
        users: the user store.
        vault: the encrypted key store.
        transport: the shared provider transport.
        default_provider: the provider of a user who never chose one.
        clock: for the attempt limit.
        custom_providers: which provider URLs users may type: "off" (presets only), "public"
            (URLs whose host resolves only to public addresses, so the bot cannot be pointed at
            its own network) or "any". The operator's default provider is always allowed.
        max_key_attempts: attempts allowed per ``attempt_window`` seconds.
    """

    def __init__(
        self,
        users: UserStore,
        vault: KeyVault,
        transport: ProviderTransport,
        activations: ActivationLedger,
        *,
        default_provider: str,
        clock: Clock,
        rents: RentLedger | None = None,
        custom_providers: CustomProviderPolicy = "public",
        max_key_attempts: int = 5,
        attempt_window: float = 600.0,
        default_title: str | None = None,
        titles: Mapping[str, str] | None = None,
    ) -> None:
        self._default_title = default_title
        self._titles = dict(titles or {})
        self._users = users
        self._vault = vault
        self._activations = activations
        self._rents = rents
        # Each key's client, once its key was read: the watchers ask for every key every tick,
        # and reading and decrypting 2,000 keys a tick was most of the bot's CPU (bench/push.py).
        # Only this service writes keys, and it drops the entry when it does.
        self._clients: dict[tuple[int, str], ProviderClient] = {}
        self._transport = transport
        self._default_provider = default_provider
        self._clock = clock
        self._custom_providers = custom_providers
        self._address_guard = transport.address_guard or AddressGuard((default_provider,))
        self._max_attempts = max_key_attempts
        self._window = attempt_window
        self._attempts: defaultdict[int, deque[float]] = defaultdict(deque)

    async def user(self, user_id: int) -> User:
        return await self._users.ensure(user_id)

    async def endpoint_of(self, user_id: int) -> ProviderEndpoint:
        """The user's current provider (the operator's default until they choose)."""
        user = await self._users.get(user_id)
        setting = (user.current_provider if user else None) or self._default_provider
        return self.titled(resolve_endpoint(setting))

    def titled(self, endpoint: ProviderEndpoint) -> ProviderEndpoint:
        """The endpoint with the operator's title when it gave one (the default provider's,
        or another's by its key)."""
        title = self.title_of(endpoint.key)
        return endpoint if title is None else replace(endpoint, title=title)

    def title_of(self, provider: str) -> str | None:
        """The operator's name for a provider key, or None when it gave none."""
        if self._default_title is not None and provider == self._default_key:
            return self._default_title
        return self._titles.get(provider)

    @property
    def _default_key(self) -> str:
        return resolve_endpoint(self._default_provider).key

    async def currency_of(self, user_id: int) -> str | None:
        """The currency the user's provider bills in: the ISO code its replies named, else its
        preset's (None when neither tells)."""
        endpoint = await self.endpoint_of(user_id)
        client = self._clients.get((user_id, endpoint.key))
        reported = alpha_code(client.reported_currency if client is not None else None)
        return reported or endpoint.currency

    async def set_provider(self, user_id: int, setting: str) -> ProviderEndpoint:
        """Makes a preset or URL the user's current provider.

        Raises:
            InvalidEndpointError: not a preset nor a usable URL.
            CustomProviderRefusedError: a URL the operator's policy does not allow.
        """
        endpoint = resolve_endpoint(setting, new=True)
        if endpoint.name == "custom" and endpoint.key != self._default_provider:
            await self._check_custom(endpoint)
        await self._users.set_current_provider(user_id, endpoint.key)
        return self.titled(endpoint)

    async def _check_custom(self, endpoint: ProviderEndpoint) -> None:
        if self._custom_providers == "any":
            return
        if self._custom_providers == "off":
            raise CustomProviderRefusedError("off")
        # The same judge as every later connection to it (bot/provider/resolver.py): this
        # check alone would not hold, a name can resolve elsewhere a second later.
        try:
            await self._address_guard.check_host(endpoint.url)
        except AddressRefused:
            raise CustomProviderRefusedError("private") from None

    async def providers_with_keys(self, user_id: int) -> list[str]:
        return await self._vault.providers(user_id)

    async def usable_providers(self, user_id: int) -> list[ProviderEndpoint]:
        """The providers whose stored key the bot can read (a key that needs re-entry is left
        out), as endpoints with their titles, in the vault's order."""
        providers = await self._vault.providers(user_id)
        readable = await self._vault.get_many((user_id, provider) for provider in providers)
        return [self.titled(resolve_endpoint(p)) for p in providers if (user_id, p) in readable]

    async def client_for(self, user_id: int) -> ProviderClient:
        """A client for the user's current provider, with their key.

        Raises:
            NoApiKeyError: no key stored for that provider.
            KeyNeedsReentryError: the stored key cannot be read.
        """
        endpoint = await self.endpoint_of(user_id)
        client = await self.client_for_provider(user_id, endpoint.key)
        if client is None:
            raise NoApiKeyError(endpoint.title)
        return client

    async def client_at(self, user_id: int, provider: str | None) -> ProviderClient:
        """A client for ``provider`` (one of the user's; None: their current one), for a paid
        call made where a comparison's chosen row sells.

        Raises:
            NoApiKeyError: no key stored for that provider.
            KeyNeedsReentryError: the stored key cannot be read.
        """
        if provider is None:
            return await self.client_for(user_id)
        return await self.require_client(user_id, provider)

    async def client_for_provider(self, user_id: int, provider: str) -> ProviderClient | None:
        """A client for one of the user's providers, or None when no key is stored for it.

        Raises:
            KeyNeedsReentryError: the stored key cannot be read.
        """
        cached = self._clients.get((user_id, provider))
        if cached is not None:
            return cached
        try:
            key = await self._vault.get(user_id, provider)
        except VaultKeyUnreadable:
            log.warning("the stored key of user %s for %r cannot be read", user_id, provider)
            raise KeyNeedsReentryError(provider) from None
        if key is None:
            return None
        client = ProviderClient(self._transport, resolve_endpoint(provider), key)
        self._clients[(user_id, provider)] = client
        return client

    async def require_client(self, user_id: int, provider: str) -> ProviderClient:
        """A client for one of the user's providers whose key must be there (the one a ledger
        row was bought at, or the one the user chose).

        Raises:
            NoApiKeyError: no key is stored for it (now).
            KeyNeedsReentryError: the stored key cannot be read.
        """
        client = await self.client_for_provider(user_id, provider)
        if client is None:
            raise NoApiKeyError(provider)
        return client

    async def prime(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Readies the clients of many keys at once (one vault query per few hundred keys
        rather than one per key): the watcher calls it before a tick polls them all."""
        missing = [pair for pair in pairs if pair not in self._clients]
        if not missing:
            return
        for (user_id, provider), key in (await self._vault.get_many(missing)).items():
            endpoint = resolve_endpoint(provider)
            self._clients[(user_id, provider)] = ProviderClient(self._transport, endpoint, key)

    async def set_key(self, user_id: int, key_text: str) -> Balance:
        """Checks a key with the user's current provider and stores it, encrypted.

        Returns:
            The balance the key showed.

        Raises:
            TooManyKeyAttemptsError: the attempt limit was reached.
            MalformedKeyError: the text cannot be a key.
            KeyRejectedError: the provider refused the key.
            ProviderError: the provider could not be asked (the key is not stored).
        """
        return await self._store_key(user_id, await self.endpoint_of(user_id), key_text)

    async def set_key_for(self, user_id: int, setting: str, key_text: str) -> Balance:
        """Like :meth:`set_key`, for a provider other than the current one (a preset name or
        URL, under the same URL policy as :meth:`set_provider`); the current provider stays.

        Raises:
            InvalidEndpointError, CustomProviderRefusedError: as :meth:`set_provider`.
            TooManyKeyAttemptsError, MalformedKeyError, KeyRejectedError, ProviderError:
                as :meth:`set_key`.
        """
        endpoint = resolve_endpoint(setting)
        if endpoint.name == "custom" and endpoint.key != self._default_provider:
            await self._check_custom(endpoint)
        return await self._store_key(user_id, endpoint, key_text)

    async def _store_key(
        self, user_id: int, endpoint: ProviderEndpoint, key_text: str
    ) -> Balance:
        self._count_attempt(user_id)
        candidate = key_text.strip()
        if not _KEY_SHAPE.match(candidate):
            raise MalformedKeyError
        key = Secret(candidate)
        await self._refuse_if_live(user_id, endpoint.key, key)
        client = ProviderClient(self._transport, endpoint, key)
        try:
            balance = await self._balance(client)
        except AuthenticationError:
            raise KeyRejectedError(endpoint.title) from None
        await self._users.ensure(user_id)
        await self._vault.put(user_id, endpoint.key, key)
        self._clients.pop((user_id, endpoint.key), None)
        self._attempts.pop(user_id, None)
        return balance

    async def key_to_forget(self, user_id: int) -> ProviderEndpoint | None:
        """The provider whose key /forgetkey would delete, or None when none is stored.

        Raises:
            LiveNumbersError: live numbers bought with that key need it.
        """
        endpoint = await self.endpoint_of(user_id)
        await self._refuse_if_live(user_id, endpoint.key, None)
        if endpoint.key not in await self.providers_with_keys(user_id):
            return None
        return endpoint

    async def forget_key(self, user_id: int) -> bool:
        """Deletes the key of the user's current provider; False when there was none."""
        endpoint = await self.endpoint_of(user_id)
        await self._refuse_if_live(user_id, endpoint.key, None)
        self._clients.pop((user_id, endpoint.key), None)
        return await self._vault.delete(user_id, endpoint.key)

    async def _refuse_if_live(self, user_id: int, provider: str, new_key: Secret | None) -> None:
        """Raises LiveNumbersError if live activations or rents on ``provider`` need the stored
        key (they are watched, cancelled and refunded with it)."""
        live = any(a.provider == provider for a in await self._activations.active_for_user(user_id))
        if not live and self._rents is not None:
            rents = await self._rents.active_for_user(user_id)
            live = any(r.provider == provider for r in rents)
        if not live:
            return
        try:
            current = await self._vault.get(user_id, provider)
        except VaultKeyUnreadable:
            return  # nothing usable to protect; a new key is the only way forward
        if current is not None and current != new_key:
            raise LiveNumbersError(provider)

    async def masked_key(self, user_id: int) -> str | None:
        """The current provider's key, masked, or None when none is stored."""
        endpoint = await self.endpoint_of(user_id)
        try:
            key = await self._vault.get(user_id, endpoint.key)
        except VaultKeyUnreadable:
            raise KeyNeedsReentryError(endpoint.title) from None
        return None if key is None else key.masked()

    async def balance(self, user_id: int) -> Balance:
        """The user's balance and cashback at their current provider."""
        return await self._balance(await self.client_for(user_id))

    @staticmethod
    async def _balance(client: ProviderClient) -> Balance:
        balance = await client.get_balance()
        try:
            with_cashback = await client.get_balance_and_cashback()
        except AuthenticationError:
            raise
        except ProviderError:  # a provider without cashback: show the balance alone
            with_cashback = balance
        return Balance(balance, with_cashback)

    def _count_attempt(self, user_id: int) -> None:
        now = self._clock.now()
        attempts = self._attempts[user_id]
        while attempts and attempts[0] <= now - self._window:
            attempts.popleft()
        if len(attempts) >= self._max_attempts:
            raise TooManyKeyAttemptsError(attempts[0] + self._window - now)
        attempts.append(now)

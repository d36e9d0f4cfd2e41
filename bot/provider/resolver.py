"""Public addresses only, for providers users choose: judged on every connection, not once.

A user's provider URL is checked when ``/provider`` sets it, but a name can resolve to a
public address then and to ``127.0.0.1`` a second later (DNS rebinding). So the HTTP
connector of user-chosen providers resolves through :class:`PublicOnlyResolver`, which refuses
any answer that is not on the public internet, and an address typed as a literal (which
aiohttp never hands to a resolver) is judged by :meth:`AddressGuard.check_url` before
connecting. Presets and the operator's own provider are trusted as configured.

An IPv6 address that carries an IPv4 one (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo)
is judged by the IPv4 address it leads to; other IPv6 addresses must be global unicast.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from typing import Final
from urllib.parse import urlsplit

from aiohttp import DefaultResolver
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.provider.presets import ProviderEndpoint

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_IPV4_COMPATIBLE: Final = ipaddress.IPv6Network("::/96")
_NAT64: Final = (
    ipaddress.IPv6Network("64:ff9b::/96"),  # RFC 6052, the well-known prefix
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # RFC 8215, local use (read as its /96 form)
)
_SIX_TO_FOUR: Final = ipaddress.IPv6Network("2002::/16")
_TEREDO: Final = ipaddress.IPv6Network("2001::/32")


class AddressRefused(OSError):
    """A provider host that is not on the public internet (raised inside the connector;
    aiohttp wraps it in ``ClientConnectorDNSError``, whose ``os_error`` it stays).

    Attributes:
        host: the host name or literal that was refused.
    """

    def __init__(self, host: str) -> None:
        super().__init__(f"{host!r} is not on the public internet")
        self.host = host


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address leads to, or ``()`` if it carries none."""
    packed = int(address)
    low32 = ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address in _IPV4_COMPATIBLE and packed > 1:  # ::a.b.c.d, but not :: nor ::1
        return (low32,)
    if any(address in prefix for prefix in _NAT64):
        return (low32,)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        server, client = address.teredo
        return (server, client)
    return ()


def is_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local (cloud
    metadata), site-local, shared, multicast, reserved or unspecified, nor an IPv6 form of
    such an IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        address = ipaddress.IPv6Address(int(address))  # without any %scope
        carried = embedded_ipv4(address)
        if carried:
            return all(is_public(ipv4) for ipv4 in carried)
        if address.is_site_local:
            return False
    return not (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def literal_address(host: str) -> IPAddress | None:
    """The address a host names when it is an IP literal, else None."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


class PublicOnlyResolver(AbstractResolver):
    """Resolves with another resolver and refuses any host with a non-public answer.

    One private answer refuses the whole host: a name that resolves to both a public and a
    private address is a rebinding attempt, not a provider.

    Args:
        inner: the resolver asked (default: aiohttp's, made on first use in the loop).
    """

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Raises:
        AddressRefused: an answer is not public, or there was none.
        OSError: the name could not be resolved.
        """
        if self._inner is None:
            self._inner = DefaultResolver()
        answers = await self._inner.resolve(host, port, family)
        addresses = [literal_address(answer["host"]) for answer in answers]
        if not addresses or not all(a is not None and is_public(a) for a in addresses):
            raise AddressRefused(host)
        return answers

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()


class AddressGuard:
    """Which endpoints may reach public addresses only, and the check of their hosts.

    Args:
        trusted: endpoint keys reached as configured (the operator's own provider); presets
            are always trusted.
        resolver: the resolver whose answers are judged (tests pass a fake).
    """

    def __init__(
        self, trusted: Collection[str] = (), resolver: AbstractResolver | None = None
    ) -> None:
        self._trusted = frozenset(trusted)
        self.resolver = PublicOnlyResolver(resolver)

    def guards(self, endpoint: ProviderEndpoint) -> bool:
        """Whether calls to this endpoint must reach public addresses only."""
        return endpoint.name == "custom" and endpoint.key not in self._trusted

    def check_url(self, url: str) -> None:
        """Refuses a URL whose host is a non-public IP literal (no resolver ever sees those).

        Raises:
            AddressRefused: it is one.
        """
        host = urlsplit(url).hostname or ""
        address = literal_address(host)
        if address is not None and not is_public(address):
            raise AddressRefused(host)

    async def check_host(self, url: str) -> None:
        """Refuses a URL whose host is, or resolves to, anything but public addresses.

        Raises:
            AddressRefused: it does, or it cannot be resolved.
        """
        self.check_url(url)
        host = urlsplit(url).hostname or ""
        if literal_address(host) is not None:
            return
        try:
            await self.resolver.resolve(host, 0, socket.AF_UNSPEC)
        except AddressRefused:
            raise
        except (OSError, UnicodeError, ValueError):  # no such name, or none IDNA can encode
            raise AddressRefused(host) from None

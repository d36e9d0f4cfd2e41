"""Provider endpoints: the presets for known compatible providers, and custom URLs."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import urlsplit

HttpMethod = Literal["POST", "GET"]


@dataclass(frozen=True, slots=True)
class ProviderEndpoint:
    """Where and how to reach one handler_api.php provider.

    Attributes:
        name: the preset's name, or "custom" for a URL given by hand.
        title: a human name for menus.
        url: the full ``…/stubs/handler_api.php`` URL (never carries a key).
        method: POST sends every parameter, the key included, in a form body, so no key ever
            sits in a URL; GET is for providers that only read the query string.
        currency: the ISO 4217 code the provider bills in, shown with prices until its replies
            name one (None: unknown, as for a custom URL).
    """

    name: str
    title: str
    url: str
    method: HttpMethod = "POST"
    currency: str | None = None

    @property
    def key(self) -> str:
        """How a user's choice is stored: the preset name, or the URL of a custom endpoint."""
        return self.name if self.name != "custom" else self.url


PRESETS: Final[dict[str, ProviderEndpoint]] = {
    preset.name: preset
    for preset in (
        # Closed at the end of 2025; kept so old configurations still name it.
        ProviderEndpoint(
            "sms-activate",
            "SMS-Activate",
            "https://api.sms-activate.org/stubs/handler_api.php",
            currency="RUB",
        ),
        ProviderEndpoint(
            "herosms", "HeroSMS", "https://hero-sms.com/stubs/handler_api.php", currency="USD"
        ),
        ProviderEndpoint(
            "grizzlysms",
            "GrizzlySMS",
            "https://api.grizzlysms.com/stubs/handler_api.php",
            currency="RUB",
        ),
        ProviderEndpoint(
            "smsbower", "SMSBower", "https://smsbower.online/stubs/handler_api.php", currency="RUB"
        ),
        ProviderEndpoint(
            "smshub", "SMSHub", "https://smshub.org/stubs/handler_api.php", currency="RUB"
        ),
        ProviderEndpoint(
            "vak-sms", "Vak-SMS", "https://vak-sms.com/stubs/handler_api.php", currency="RUB"
        ),
        # DaisySMS documents the key as a query parameter only.
        ProviderEndpoint(
            "daisysms",
            "DaisySMS",
            "https://daisysms.com/stubs/handler_api.php",
            method="GET",
            currency="USD",
        ),
    )
}

DEFAULT_PRESET: Final = "sms-activate"
MAX_URL_CHARS: Final = 512


def _is_host_name(host: str) -> bool:
    """Whether a host can be looked up: an IP literal, or a name IDNA can encode (labels of
    at most 63 characters, 253 in all). Anything else fails deep in the resolver."""
    if ":" in host:  # an IPv6 literal (urlsplit keeps no brackets)
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            return False
        return True
    if any(char.isspace() or not char.isprintable() or char in '<>"{}|\\^`%' for char in host):
        return False
    try:
        encoded = host.encode("idna")
    except UnicodeError:
        return False
    return 0 < len(encoded) <= 253 and all(0 < len(label) <= 63 for label in encoded.split(b"."))


class InvalidEndpointError(ValueError):
    """A provider setting that is neither a preset name nor a usable http(s) URL."""


def resolve_endpoint(
    setting: str, *, method: HttpMethod = "POST", new: bool = False
) -> ProviderEndpoint:
    """Turns a preset name or a URL into an endpoint.

    Args:
        setting: a preset name (case-insensitive) or a full ``http(s)://…`` URL. A URL equal to
            a preset's resolves to that preset, so it keeps the preset's quirks.
        method: the HTTP method for a custom URL.
        new: a URL being chosen now (typed by a user, or configured), not one read back: its
            length and host are checked too, so what is stored can always be looked up.

    Raises:
        InvalidEndpointError: the setting is neither.
    """
    value = setting.strip()
    preset = PRESETS.get(value.lower())
    if preset is not None:
        return preset
    if new and len(value) > MAX_URL_CHARS:
        raise InvalidEndpointError(f"a provider URL is at most {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(value)
        port = parts.port if new else None  # a port out of range or not a number raises
    except ValueError:
        raise InvalidEndpointError("not a usable http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        names = ", ".join(PRESETS)
        raise InvalidEndpointError(f"not a provider preset ({names}) nor an http(s) URL")
    if new and (not _is_host_name(parts.hostname) or port == 0):
        raise InvalidEndpointError("the URL's host is not a usable host name")
    if parts.username or parts.password or parts.query or parts.fragment:
        # A key pasted into the URL would be logged and stored in plain text: refuse it.
        raise InvalidEndpointError("a provider URL must not carry credentials or a query")
    url = value.rstrip("/")
    if not parts.path.rstrip("/"):
        url += "/stubs/handler_api.php"
    for known in PRESETS.values():
        if known.url == url:
            return known
    return ProviderEndpoint("custom", parts.hostname, url, method)

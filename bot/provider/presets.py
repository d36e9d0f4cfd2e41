"""Provider endpoints: the presets for known compatible providers, and custom URLs."""

from __future__ import annotations

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
    """

    name: str
    title: str
    url: str
    method: HttpMethod = "POST"

    @property
    def key(self) -> str:
        """How a user's choice is stored: the preset name, or the URL of a custom endpoint."""
        return self.name if self.name != "custom" else self.url


PRESETS: Final[dict[str, ProviderEndpoint]] = {
    preset.name: preset
    for preset in (
        # Closed at the end of 2025; kept so old configurations still name it.
        ProviderEndpoint(
            "sms-activate", "SMS-Activate", "https://api.sms-activate.org/stubs/handler_api.php"
        ),
        ProviderEndpoint("herosms", "HeroSMS", "https://hero-sms.com/stubs/handler_api.php"),
        ProviderEndpoint(
            "grizzlysms", "GrizzlySMS", "https://api.grizzlysms.com/stubs/handler_api.php"
        ),
        ProviderEndpoint("smsbower", "SMSBower", "https://smsbower.online/stubs/handler_api.php"),
        ProviderEndpoint("smshub", "SMSHub", "https://smshub.org/stubs/handler_api.php"),
        ProviderEndpoint("vak-sms", "Vak-SMS", "https://vak-sms.com/stubs/handler_api.php"),
        # DaisySMS documents the key as a query parameter only.
        ProviderEndpoint(
            "daisysms", "DaisySMS", "https://daisysms.com/stubs/handler_api.php", method="GET"
        ),
    )
}

DEFAULT_PRESET: Final = "sms-activate"


class InvalidEndpointError(ValueError):
    """A provider setting that is neither a preset name nor a usable http(s) URL."""


def resolve_endpoint(setting: str, *, method: HttpMethod = "POST") -> ProviderEndpoint:
    """Turns a preset name or a URL into an endpoint.

    Args:
        setting: a preset name (case-insensitive) or a full ``http(s)://…`` URL. A URL equal to
            a preset's resolves to that preset, so it keeps the preset's quirks.
        method: the HTTP method for a custom URL.

    Raises:
        InvalidEndpointError: the setting is neither.
    """
    value = setting.strip()
    preset = PRESETS.get(value.lower())
    if preset is not None:
        return preset
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        names = ", ".join(PRESETS)
        raise InvalidEndpointError(f"not a provider preset ({names}) nor an http(s) URL")
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

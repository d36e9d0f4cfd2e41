"""Phone numbers the sandbox hands out: realistic for the country, never two live at once."""

from __future__ import annotations

import random
from collections.abc import Container, Sequence

from .errors import ProtocolError
from .fixtures import Country

_ATTEMPTS = 200


def parse_exceptions(raw: str, country: Country) -> tuple[str, ...]:
    """Parses ``phoneException``: comma-separated prefixes, the country code plus 3-6 digits.

    Raises:
        ProtocolError: ``WRONG_EXCEPTION_PHONE`` for an item that is not of that form.
    """
    prefixes = []
    for item in raw.split(","):
        prefix = item.strip().lstrip("+")
        national = prefix.removeprefix(country.phone_code)
        if (
            not prefix.isdigit()
            or not prefix.startswith(country.phone_code)
            or not 3 <= len(national) <= 6
        ):
            raise ProtocolError("WRONG_EXCEPTION_PHONE")
        prefixes.append(prefix)
    return tuple(prefixes)


def new_phone(
    country: Country,
    rng: random.Random,
    *,
    avoid_prefixes: Sequence[str] = (),
    in_use: Container[str] = (),
) -> str:
    """Draws a mobile number of ``country`` (digits, calling code first, no ``+``).

    Raises:
        ProtocolError: ``NO_NUMBERS`` when the exclusions leave nothing to draw from (every
            candidate tried started with an excluded prefix or was already in use).
    """
    for _ in range(_ATTEMPTS):
        lead = rng.choice(country.mobile_prefixes)
        rest = "".join(rng.choice("0123456789") for _ in range(country.national_length - len(lead)))
        phone = country.phone_code + lead + rest
        if phone not in in_use and not phone.startswith(tuple(avoid_prefixes)):
            return phone
    raise ProtocolError("NO_NUMBERS")

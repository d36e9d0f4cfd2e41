"""Country flags: the emoji of a country's ISO 3166 code, found by its English name.

``getCountries`` gives ids and names, no ISO codes. The code is looked up by the English name
in CLDR's territory names (babel, already a dependency), with the spellings providers use that
CLDR words differently; a country found nowhere shows no flag.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Final

from babel import Locale

# Providers' English names that CLDR spells otherwise (casefolded) → ISO 3166-1 alpha-2.
_ALIASES: Final[Mapping[str, str]] = MappingProxyType({
    "usa": "US",
    "usa (virtual)": "US",
    "united states": "US",
    "england": "GB",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "dr congo": "CD",
    "congo": "CG",
    "ivory coast": "CI",
    "myanmar": "MM",
    "czech republic": "CZ",
    "uae": "AE",
    "south korea": "KR",
    "north macedonia": "MK",
    "bosnia and herzegovina": "BA",
    "palestine": "PS",
    "taiwan": "TW",
    "laos": "LA",
    "gambia": "GM",
})
_LETTERS: Final = re.compile(r"[A-Z]{2}")


def iso_code(english_name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country named in English, or None if not known."""
    key = english_name.strip().casefold()
    return _ALIASES.get(key) or _by_name().get(key)


def flag(english_name: str) -> str:
    """The country's flag emoji and a space ("🇷🇺 "), or "" when its code is not known."""
    code = iso_code(english_name)
    if code is None or not _LETTERS.fullmatch(code):
        return ""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code) + " "


@cache
def _by_name() -> dict[str, str]:
    """CLDR's English territory names, casefolded, to their two-letter codes (regions such as
    "Europe" have numeric codes and are left out)."""
    names: dict[str, str] = {}
    for code, name in Locale("en").territories.items():
        if _LETTERS.fullmatch(code):
            names[name.casefold()] = code
            names[re.sub(r"\s*\(.*\)$", "", name).casefold()] = code  # "Myanmar (Burma)"
    return names

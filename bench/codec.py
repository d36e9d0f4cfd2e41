"""Per-update parsing cost: buttons built, packed and parsed, and the user's flow read back.

Run: ``python bench/codec.py [--buttons 20000] [--flows 5000]``

Every keyboard the bot draws builds and packs its buttons, every press parses one, and every
update that looks at what the user is in the middle of parses their flow from ``user_data``.
Prints the microseconds each takes.
"""

from __future__ import annotations

import argparse
import time

import _rootpath  # noqa: F401 - first: the repository root, not bench/, on sys.path

from bot.telegram import flows
from bot.telegram.buttons.offers import PinOffer
from bot.telegram.callbacks import parse_callback
from bot.telegram.flow_types import BuyDraft


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buttons", type=int, default=20_000)
    parser.add_argument("--flows", type=int, default=5_000)
    args = parser.parse_args()

    started = time.perf_counter()
    for i in range(args.buttons):
        parse_callback(PinOffer(i % 5, "0a1b2c3d").pack())
    buttons = time.perf_counter() - started

    draft = BuyDraft(user=1, provider="p", country_names={"en": "Indonesia"})
    raw = flows.to_json(draft)
    started = time.perf_counter()
    for _ in range(args.flows):
        flows.from_json(raw)
    parses = time.perf_counter() - started

    print(f"button built, packed and parsed: {buttons / args.buttons * 1e6:.1f} µs")
    print(f"flow read back from user_data:   {parses / args.flows * 1e6:.1f} µs")


if __name__ == "__main__":
    main()

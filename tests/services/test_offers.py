"""OfferService: one service in one country compared across two or three sandbox providers."""

from __future__ import annotations

import time
from decimal import Decimal

from bot.core.clock import ManualClock
from bot.core.secret import Secret
from bot.provider.sandbox.testing import ALICE_BALANCE, ALICE_KEY, BOB_BALANCE, BOB_KEY
from bot.services.catalog import CatalogService
from bot.services.offer_aliases import DEFAULT_ALIASES, OfferAliases
from bot.services.offer_model import CodeRatePolicy, Comparison, DropReason
from bot.services.offers import RATE_TTL, OfferService
from bot.services.purchases import PurchaseStatus
from storage.code_rates import CodeRateStore
from storage.db import Database
from storage.keyring import Keyring
from storage.vault import KeyVault
from tests.services.providers import COUNTRY, SERVICE, USER, Providers, providers, request
from tests.storage.ledger_seed import bought


def _offers(
    found: Providers, db: Database, *, deadline: float = 5.0, policy: CodeRatePolicy | None = None,
    aliases: OfferAliases = DEFAULT_ALIASES,
) -> OfferService:
    return OfferService(
        found.accounts, CatalogService(db.clock), CodeRateStore(db), clock=db.clock,
        policy=policy, aliases=aliases, deadline=deadline,
    )


async def _compared_with_rates(
    found: Providers, db: Database, *, enabled: bool, min_sample: int
) -> Comparison:
    """USER's comparison under a code-rate policy over the last 30 days."""
    policy = CodeRatePolicy(enabled=enabled, min_sample=min_sample, days=30)
    return await _offers(found, db, policy=policy).compare(USER, SERVICE, COUNTRY)


def _assert_ranked_by_price_alone(found: Providers, comparison: Comparison) -> None:
    """The cheaper provider (1) first, and no code rate shown or used."""
    assert [o.provider for o in comparison.offers] == [found.key(1), found.key(0)]
    assert all(o.code_rate is None for o in comparison.offers)


def _prices_asked(found: Providers, index: int) -> int:
    return sum(1 for r in found.sandbox(index).request_log if r.action == "getPrices")


async def test_three_providers_ranked_by_price_each_row_naming_its_provider(db: Database) -> None:
    async with providers(db, ["1.0", "0.8", "1.3"]) as found:
        comparison = await _offers(found, db).compare(USER, SERVICE, COUNTRY)

    assert [o.provider for o in comparison.offers] == [found.key(1), found.key(0), found.key(2)]
    assert [o.price for o in comparison.offers] == [found.price(1), found.price(0), found.price(2)]
    assert found.price(1) < found.price(0) < found.price(2)
    stock = found.sandbox(1).stock.count(COUNTRY, SERVICE)
    assert comparison.best is not None and comparison.best.stock == stock > 0
    assert comparison.dropouts == ()


async def test_a_sold_out_provider_ranks_last_however_cheap(db: Database) -> None:
    async with providers(db, ["1.0", "0.5"]) as found:
        found.sandbox(1).set_stock(COUNTRY, SERVICE, 0)
        comparison = await _offers(found, db).compare(USER, SERVICE, COUNTRY)

    assert [(o.provider, o.stock) for o in comparison.offers][-1] == (found.key(1), 0)
    assert comparison.best is not None and comparison.best.provider == found.key(0)


async def test_a_slow_provider_drops_out_within_its_deadline(db: Database) -> None:
    async with providers(db, ["1.0", "0.8", "1.2"]) as found:
        found.sandbox(1).inject_fault("getPrices", "slow", delay=10.0)
        started = time.monotonic()
        comparison = await _offers(found, db, deadline=1.0).compare(USER, SERVICE, COUNTRY)
        took = time.monotonic() - started

    assert took < 8.0  # the slow one would have taken 10 s
    assert [(d.provider, d.reason) for d in comparison.dropouts] == [
        (found.key(1), DropReason.TIMEOUT)
    ]
    assert [o.provider for o in comparison.offers] == [found.key(0), found.key(2)]


async def test_a_provider_refusing_the_key_is_reported_as_such(db: Database) -> None:
    async with providers(db, ["1.0", "0.8"], keys=["test-key-alice", "test-key-nobody"]) as found:
        comparison = await _offers(found, db).compare(USER, SERVICE, COUNTRY)

    assert [(d.provider, d.reason) for d in comparison.dropouts] == [
        (found.key(1), DropReason.KEY_REFUSED)
    ]
    assert [o.provider for o in comparison.offers] == [found.key(0)]


async def test_prices_are_cached_per_provider_for_a_short_time(
    db: Database, clock: ManualClock
) -> None:
    async with providers(db, ["1.0", "0.8"]) as found:
        offers = _offers(found, db)
        await offers.compare(USER, SERVICE, COUNTRY)
        await offers.compare(USER, SERVICE, COUNTRY)
        asked_twice = [_prices_asked(found, 0), _prices_asked(found, 1)]
        clock.advance(31)
        await offers.compare(USER, SERVICE, COUNTRY)
        asked_after = [_prices_asked(found, 0), _prices_asked(found, 1)]

    assert asked_twice == [1, 1]
    assert asked_after == [2, 2]


async def test_the_alias_table_translates_a_providers_own_codes(db: Database) -> None:
    async with providers(db, ["1.0", "0.8"]) as found:
        aliases = OfferAliases(services={found.key(1): {SERVICE: "wa"}}, countries={})
        comparison = await _offers(found, db, aliases=aliases).compare(USER, SERVICE, COUNTRY)

    by_provider = {o.provider: o for o in comparison.offers}
    assert by_provider[found.key(1)].service == "wa"
    assert by_provider[found.key(1)].price == found.sandbox(1).catalog.price(COUNTRY, "wa")
    assert by_provider[found.key(0)].service == SERVICE


def test_the_shipped_alias_table_is_well_formed() -> None:
    for table in DEFAULT_ALIASES.services.values():
        assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in table.items())
    for countries in DEFAULT_ALIASES.countries.values():
        assert all(isinstance(k, int) and isinstance(v, int) for k, v in countries.items())
    assert DEFAULT_ALIASES.service_for("herosms", "tg") == DEFAULT_ALIASES.services.get(
        "herosms", {}
    ).get("tg", "tg")


async def test_a_known_code_rate_outranks_a_lower_price(db: Database) -> None:
    async with providers(db, ["1.0", "0.8"]) as found:
        cheap, dear = found.key(1), found.key(0)
        for index in range(4):  # the cheap one: 1 code in 4
            await bought(db, provider=cheap, coded=index == 0)
        for _ in range(4):  # the dear one: 4 in 4
            await bought(db, provider=dear, coded=True, seconds=30)
        comparison = await _compared_with_rates(found, db, enabled=True, min_sample=4)

    first, second = comparison.offers
    assert first.provider == dear and second.provider == cheap
    assert first.code_rate is not None and (first.code_rate.coded, first.code_rate.bought) == (4, 4)
    assert first.code_rate.median_seconds == 30.0
    assert second.expected_cost == (found.price(1) * 4).quantize(Decimal("0.01"))


async def test_a_rate_below_the_minimum_sample_is_hidden_and_not_used(db: Database) -> None:
    async with providers(db, ["1.0", "0.8"]) as found:
        for index in range(4):
            await bought(db, provider=found.key(1), coded=index == 0)
        comparison = await _compared_with_rates(found, db, enabled=True, min_sample=5)

    _assert_ranked_by_price_alone(found, comparison)


async def test_the_aggregate_can_be_turned_off(db: Database) -> None:
    async with providers(db, ["1.0", "0.8"]) as found:
        for _ in range(5):
            await bought(db, provider=found.key(1), coded=False)
        comparison = await _compared_with_rates(found, db, enabled=False, min_sample=1)

    _assert_ranked_by_price_alone(found, comparison)


async def test_the_tie_break_is_the_time_lost_to_numbers_without_a_code(db: Database) -> None:
    async with providers(db, ["1.0", "1.0"]) as found:
        for provider, lost in ((found.key(0), 900.0), (found.key(1), 60.0)):
            await bought(db, provider=provider, coded=True)
            await bought(db, provider=provider, coded=False, seconds=lost)
        comparison = await _compared_with_rates(found, db, enabled=True, min_sample=2)

    assert comparison.offers[0].expected_cost == comparison.offers[1].expected_cost
    assert [o.provider for o in comparison.offers] == [found.key(1), found.key(0)]


async def test_the_best_row_is_bought_with_that_providers_key(db: Database) -> None:
    async with providers(db, ["1.0", "0.8"], keys=[ALICE_KEY, BOB_KEY]) as found:
        best = (await _offers(found, db).compare(USER, SERVICE, COUNTRY)).best
        assert best is not None
        result = await found.purchases().buy(
            USER, USER, request(best.price), "best-1", provider=best.provider
        )
        bob_after = found.sandbox(1).balance("bob")
        alice_elsewhere = found.sandbox(0).balance("alice")
        calls_elsewhere = found.bought(0)

    assert best.provider == found.key(1)
    assert result.status is PurchaseStatus.BOUGHT and result.activation is not None
    assert result.activation.provider == found.key(1)
    assert bob_after == BOB_BALANCE - found.price(1)
    assert (alice_elsewhere, calls_elsewhere) == (ALICE_BALANCE, 0)


async def test_a_key_that_cannot_be_read_is_reported_as_such(db: Database) -> None:
    async with providers(db, ["1.0", "0.8"], keys=[ALICE_KEY]) as found:
        await KeyVault(db, Keyring.generate("lost")).put(USER, found.key(1), Secret(BOB_KEY))
        comparison = await _offers(found, db).compare(USER, SERVICE, COUNTRY)

    assert [(d.provider, d.reason) for d in comparison.dropouts] == [
        (found.key(1), DropReason.KEY_UNREADABLE)
    ]
    assert [o.provider for o in comparison.offers] == [found.key(0)]


async def test_code_rates_are_kept_for_a_few_minutes(db: Database, clock: ManualClock) -> None:
    async with providers(db, ["1.0"]) as found:
        offers = _offers(found, db, policy=CodeRatePolicy(enabled=True, min_sample=1, days=30))
        await bought(db, provider=found.key(0), coded=True)
        first = await offers.code_rates(SERVICE, COUNTRY)
        await bought(db, provider=found.key(0), coded=False)
        kept = await offers.code_rates(SERVICE, COUNTRY)
        clock.advance(RATE_TTL)
        fresh = await offers.code_rates(SERVICE, COUNTRY)

    assert first[found.key(0)].bought == kept[found.key(0)].bought == 1
    assert (fresh[found.key(0)].bought, fresh[found.key(0)].coded) == (2, 1)


async def test_a_rent_is_compared_by_its_price_for_the_duration_at_each_provider(
    db: Database,
) -> None:
    async with providers(db, ["1.0", "0.8", "1.3"]) as found:
        found.sandbox(2).set_rent_stock(COUNTRY, SERVICE, 0)
        comparison = await _offers(found, db).compare_rent(USER, SERVICE, COUNTRY, 12)
        prices = [found.sandbox(i).catalog.rent_price(COUNTRY, SERVICE, 12) for i in range(3)]

    assert [(o.provider, o.price) for o in comparison.offers] == [
        (found.key(1), prices[1]), (found.key(0), prices[0]), (found.key(2), prices[2])
    ]
    assert comparison.offers[-1].stock == 0  # sold out: last, however priced
    assert comparison.best is not None and comparison.best.provider == found.key(1)


async def test_one_number_for_several_services_is_compared_by_the_sum_of_their_prices(
    db: Database,
) -> None:
    async with providers(db, ["1.0", "0.8"]) as found:
        found.sandbox(1).set_stock(COUNTRY, "wa", 3)
        comparison = await _offers(found, db).compare_multi(USER, [SERVICE, "wa"], COUNTRY)
        expected = [
            found.sandbox(i).catalog.price(COUNTRY, SERVICE)
            + found.sandbox(i).catalog.price(COUNTRY, "wa")
            for i in range(2)
        ]

    best = comparison.best
    assert best is not None and best.provider == found.key(1)
    assert [o.price for o in comparison.offers] == [expected[1], expected[0]]
    assert best.services == (SERVICE, "wa") and best.stock == 3  # the least of the two
    assert sum(best.parts) == best.price


async def test_rows_in_another_currency_are_marked_and_not_ranked_against_the_others(
    db: Database,
) -> None:
    async with providers(db, ["1.0", "0.5", "1.3"]) as found:
        # Sandbox 1 (the cheapest by its figures) told it bills in dollars; 0 and 2 in roubles.
        for index, numeric in ((0, 643), (1, 840), (2, 643)):
            client = await found.accounts.client_for_provider(USER, found.key(index))
            assert client is not None
            client.reported_currency = numeric
        comparison = await _offers(found, db).compare(USER, SERVICE, COUNTRY)

    assert comparison.currency == "RUB"
    assert [(o.provider, o.foreign) for o in comparison.offers] == [
        (found.key(0), False), (found.key(2), False), (found.key(1), True)
    ]
    assert comparison.best is not None and comparison.best.provider == found.key(0)

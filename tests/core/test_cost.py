"""Cost arithmetic against numbers worked out by hand.

The running example: a $1,460 card used 4 years costs 1460 / (4 × 365) = $1.00 a day; at
500 W for 8 hours and $0.25/kWh its electricity is 4 kWh = $1.00 a day. At 100 tokens/s it
writes 360,000 tokens an hour, 2,880,000 in 8 hours; 720,000 tokens take it 2 hours.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from runlocal.cost import (
    DAYS_PER_MONTH,
    LocalUse,
    amortized_usd_per_day,
    api_usd,
    break_even_months,
    cumulative_usd,
    kwh,
    local_cost,
    local_day,
    power_usd,
    rental_usd_per_day,
    rental_usd_per_million_tokens,
    tok_s_per_watt,
    usd_per_gib,
    usd_per_million_tokens,
    usd_per_tok_s,
)
from runlocal.errors import InputError

USE = LocalUse(
    purchase_usd=1460.0,
    watts=500.0,
    usd_per_kwh=0.25,
    hours_per_day=8.0,
    years=4.0,
    tokens_per_day=720_000.0,
)


def test_it_converts_watts_and_hours_to_kwh_and_dollars() -> None:
    assert kwh(500, 8) == 4.0
    assert power_usd(500, 8, 0.25) == 1.0
    assert power_usd(None, 8, 0.25) is None
    assert power_usd(500, 8, None) is None


def test_it_spreads_the_purchase_over_days_of_use() -> None:
    assert amortized_usd_per_day(1460, 4) == 1.0
    assert amortized_usd_per_day(None, 4) is None
    with pytest.raises(InputError):
        amortized_usd_per_day(1460, 0)


def test_it_prices_tokens_per_million() -> None:
    assert usd_per_million_tokens(2.0, 500_000) == 4.0
    assert usd_per_million_tokens(None, 500_000) is None
    assert usd_per_million_tokens(2.0, 0) is None
    # $0.36 an hour at 100 tokens/s: 360,000 tokens for $0.36 = $1.00 per million.
    assert rental_usd_per_million_tokens(0.36, 100) == pytest.approx(1.0)
    assert rental_usd_per_million_tokens(0.36, None) is None
    assert rental_usd_per_million_tokens(0.36, 0) is None
    # 720,000 tokens at 100 tokens/s: 2 hours of rental at $0.36.
    assert rental_usd_per_day(720_000, 100, 0.36) == pytest.approx(0.72)
    assert rental_usd_per_day(720_000, None, 0.36) is None
    assert api_usd(720_000, 0.2) == pytest.approx(0.144)
    assert api_usd(720_000, None) is None


def test_it_works_out_a_day_with_power_all_hours_on() -> None:
    day = local_day(USE, 100.0, power_all_hours=True)
    assert day.capacity_tokens_per_day == 2_880_000
    assert day.tokens_per_day == 720_000
    assert day.busy_hours_per_day == 2.0
    assert day.utilisation == 0.25
    assert day.power_usd_per_day == 1.0
    assert day.amortized_usd_per_day == 1.0
    assert day.usd_per_day == 2.0
    assert day.usd_per_million_tokens == pytest.approx(2.0 / 0.72)  # $2.78
    assert not day.capped


def test_it_works_out_a_day_with_power_only_while_writing() -> None:
    day = local_day(USE, 100.0, power_all_hours=False)
    # 2 hours × 500 W = 1 kWh = $0.25.
    assert day.power_usd_per_day == 0.25
    assert day.usd_per_million_tokens == pytest.approx(1.25 / 0.72)  # $1.74


def test_it_caps_the_tokens_at_what_the_hours_allow() -> None:
    use = LocalUse(1460.0, 500.0, 0.25, 8.0, 4.0, tokens_per_day=4_000_000.0)
    day = local_day(use, 100.0, power_all_hours=True)
    assert day.capped
    assert day.tokens_per_day == 2_880_000
    assert day.busy_hours_per_day == 8.0
    assert day.utilisation == 1.0
    assert day.usd_per_million_tokens == pytest.approx(2.0 / 2.88)


def test_it_gives_the_range_from_the_decode_range_and_utilisation() -> None:
    cost = local_cost(USE, 80.0, 100.0, 125.0)
    # Low: 125 tokens/s → 450,000 an hour → 1.6 hours → 0.8 kWh = $0.20 + $1.00.
    assert cost.low.decode_tok_s == 125.0
    assert cost.low.busy_hours_per_day == pytest.approx(1.6)
    assert cost.low.usd_per_million_tokens == pytest.approx(1.2 / 0.72)  # $1.67
    # Central: 100 tokens/s → 2 hours of writing → 1 kWh = $0.25 + $1.00.
    assert cost.central.busy_hours_per_day == pytest.approx(2.0)
    assert cost.central.usd_per_million_tokens == pytest.approx(1.25 / 0.72)
    # High: 80 tokens/s → 2.5 hours of writing, power paid for all 8 hours.
    assert cost.high.decode_tok_s == 80.0
    assert cost.high.busy_hours_per_day == pytest.approx(2.5)
    assert cost.high.usd_per_million_tokens == pytest.approx(2.0 / 0.72)
    low, central, high = (
        cost.low.usd_per_million_tokens,
        cost.central.usd_per_million_tokens,
        cost.high.usd_per_million_tokens,
    )
    assert low < central < high  # a range, not two equal columns


def test_it_leaves_unknown_what_it_cannot_know() -> None:
    no_price = LocalUse(None, 500.0, 0.25, 8.0, 4.0, 720_000.0)
    day = local_day(no_price, 100.0, power_all_hours=True)
    assert day.power_usd_per_day == 1.0
    assert day.usd_per_day is None and day.usd_per_million_tokens is None
    no_speed = local_day(USE, None, power_all_hours=False)
    assert no_speed.decode_tok_s is None
    assert no_speed.capacity_tokens_per_day is None and no_speed.utilisation is None
    # Without a speed it assumes the machine writes what is asked, power for all hours.
    assert no_speed.tokens_per_day == 720_000
    assert no_speed.power_usd_per_day == 1.0
    no_kwh = LocalUse(1460.0, 500.0, None, 8.0, 4.0, 720_000.0)
    assert local_day(no_kwh, 100.0, power_all_hours=True).usd_per_million_tokens is None


@pytest.mark.parametrize(
    "field, value",
    [
        ("hours_per_day", 0.0),
        ("hours_per_day", 24.5),
        ("years", 0.0),
        ("watts", -1.0),
        ("usd_per_kwh", math.nan),
        ("purchase_usd", math.inf),
        ("tokens_per_day", -5.0),
    ],
)
def test_it_rejects_impossible_inputs(field: str, value: float) -> None:
    with pytest.raises(InputError):
        local_day(replace(USE, **{field: value}), 100.0, power_all_hours=True)


def test_it_adds_up_spending_by_month_and_finds_the_break_even() -> None:
    assert cumulative_usd(1000, 50, 3) == [1000, 1050, 1100, 1150]
    assert cumulative_usd(0, 10, 0) == [0]
    with pytest.raises(InputError):
        cumulative_usd(0, 10, -1)
    # Buying saves $50 a month against renting: $1,000 back after 20 months.
    assert break_even_months(1000, 10, 60) == 20.0
    assert break_even_months(1000, 60, 10) is None
    assert break_even_months(1000, 10, 10) is None
    assert break_even_months(None, 10, 60) is None
    assert DAYS_PER_MONTH * 12 == 365


def test_it_works_out_value_figures() -> None:
    assert usd_per_gib(1599, 24) == pytest.approx(66.625)
    assert usd_per_gib(None, 24) is None
    assert usd_per_gib(1599, 0) is None
    assert usd_per_tok_s(1600, 100) == 16.0
    assert usd_per_tok_s(1600, None) is None
    assert tok_s_per_watt(100, 400) == 0.25
    assert tok_s_per_watt(100, None) is None

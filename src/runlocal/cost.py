"""What running a model locally costs, against renting a GPU or paying a hosted API.

Pure arithmetic with the unit in every name. An input that is not known gives None, never 0:
a local cost without a purchase price or an electricity price is unknown, not free.

The model of a day of local use:

- the machine is on `hours_per_day` hours and draws `watts` while on (the catalog's TDP is
  the default: an upper bound, since decoding is memory-bound and rarely reaches it);
- it writes `tokens_per_day` tokens, at most `decode_tok_s × 3600 × hours_per_day`;
- the purchase is spread evenly over `years` of 365 days (no resale value, no interest).

The range: the low end writes at the fast end of the engine's decode range and pays for power
only while writing (an idle GPU draws a small share of its TDP); the high end writes at the
slow end and pays for power all the hours the machine is on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import InputError

DAYS_PER_YEAR = 365.0
MONTHS_PER_YEAR = 12
DAYS_PER_MONTH = DAYS_PER_YEAR / MONTHS_PER_YEAR
SECONDS_PER_HOUR = 3600.0
WATTS_PER_KILOWATT = 1000.0
TOKENS_PER_MILLION = 1_000_000.0


def _finite(name: str, value: float | None, low: float, high: float) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not math.isfinite(value) or not low <= value <= high:
        raise InputError(f"{name} must be between {low:g} and {high:g}, not {value!r}")


def kwh(watts: float, hours: float) -> float:
    """Energy drawn by `watts` for `hours`: 500 W for 8 h is 4 kWh."""
    return watts * hours / WATTS_PER_KILOWATT


def power_usd(watts: float | None, hours: float, usd_per_kwh: float | None) -> float | None:
    """The electricity bill for `watts` drawn during `hours`; None when either is unknown."""
    if watts is None or usd_per_kwh is None:
        return None
    return kwh(watts, hours) * usd_per_kwh


def usd_per_million_tokens(usd: float | None, tokens: float | None) -> float | None:
    """`usd` spent on `tokens`, per million tokens; None when either is unknown or no tokens."""
    if usd is None or tokens is None or tokens <= 0:
        return None
    return usd / tokens * TOKENS_PER_MILLION


def tokens_per_hour(decode_tok_s: float) -> float:
    return decode_tok_s * SECONDS_PER_HOUR


def rental_usd_per_million_tokens(
    usd_per_hour: float | None, decode_tok_s: float | None
) -> float | None:
    """A rented machine writing without pause: $/h ÷ tokens per hour, per million tokens."""
    if usd_per_hour is None or decode_tok_s is None or decode_tok_s <= 0:
        return None
    return usd_per_million_tokens(usd_per_hour, tokens_per_hour(decode_tok_s))


def rental_usd_per_day(
    tokens_per_day: float, decode_tok_s: float | None, usd_per_hour: float | None
) -> float | None:
    """Renting only while writing (per-second billing): hours needed × $/h."""
    if usd_per_hour is None or decode_tok_s is None or decode_tok_s <= 0:
        return None
    return tokens_per_day / tokens_per_hour(decode_tok_s) * usd_per_hour


def api_usd(tokens: float, usd_per_million: float | None) -> float | None:
    """What a hosted API charges for `tokens` at `usd_per_million`."""
    if usd_per_million is None:
        return None
    return tokens / TOKENS_PER_MILLION * usd_per_million


def amortized_usd_per_day(purchase_usd: float | None, years: float) -> float | None:
    """The purchase spread evenly over `years` of 365 days."""
    if purchase_usd is None:
        return None
    if years <= 0:
        raise InputError("years of use must be more than 0")
    return purchase_usd / (years * DAYS_PER_YEAR)


@dataclass(frozen=True)
class LocalUse:
    """How the local machine is used, and what it costs to buy and power."""

    purchase_usd: float | None
    watts: float | None
    usd_per_kwh: float | None
    hours_per_day: float
    years: float
    tokens_per_day: float

    def validate(self) -> None:
        _finite("the purchase price (USD)", self.purchase_usd, 0, 10_000_000)
        _finite("power (W)", self.watts, 0, 100_000)
        _finite("the electricity price (USD/kWh)", self.usd_per_kwh, 0, 100)
        _finite("hours per day", self.hours_per_day, 0, 24)
        _finite("years of use", self.years, 0, 100)
        _finite("tokens per day", self.tokens_per_day, 0, 1e12)
        if self.hours_per_day <= 0:
            raise InputError("hours per day must be more than 0")
        if self.years <= 0:
            raise InputError("years of use must be more than 0")


@dataclass(frozen=True)
class LocalDay:
    """One day of local use at one decode speed."""

    decode_tok_s: float | None
    capacity_tokens_per_day: float | None  # what it could write in hours_per_day
    tokens_per_day_asked: float  # the demand
    tokens_per_day: float  # what it writes: the demand, capped by the capacity
    busy_hours_per_day: float | None
    utilisation: float | None  # busy hours ÷ hours on
    power_usd_per_day: float | None
    amortized_usd_per_day: float | None
    usd_per_day: float | None
    usd_per_million_tokens: float | None

    @property
    def capped(self) -> bool:
        """True when the demand is more than the machine can write in its hours."""
        cap = self.capacity_tokens_per_day
        return cap is not None and cap < self.tokens_per_day_asked


def local_day(use: LocalUse, decode_tok_s: float | None, *, power_all_hours: bool) -> LocalDay:
    """A day of local use: power for all hours on, or only for the hours spent writing."""
    use.validate()
    amortized = amortized_usd_per_day(use.purchase_usd, use.years)
    if decode_tok_s is not None and decode_tok_s > 0:
        capacity = tokens_per_hour(decode_tok_s) * use.hours_per_day
        served = min(use.tokens_per_day, capacity)
        busy = served / tokens_per_hour(decode_tok_s)
        utilisation: float | None = busy / use.hours_per_day
    else:
        capacity, busy, utilisation = None, None, None
        served = use.tokens_per_day
    hours_paid = use.hours_per_day if power_all_hours or busy is None else busy
    power = power_usd(use.watts, hours_paid, use.usd_per_kwh)
    total = None if power is None or amortized is None else power + amortized
    return LocalDay(
        decode_tok_s=decode_tok_s if decode_tok_s and decode_tok_s > 0 else None,
        capacity_tokens_per_day=capacity,
        tokens_per_day_asked=use.tokens_per_day,
        tokens_per_day=served,
        busy_hours_per_day=busy,
        utilisation=utilisation,
        power_usd_per_day=power,
        amortized_usd_per_day=amortized,
        usd_per_day=total,
        usd_per_million_tokens=usd_per_million_tokens(total, served),
    )


@dataclass(frozen=True)
class LocalCost:
    low: LocalDay  # fast end of the decode range, power only while writing
    central: LocalDay  # the engine's decode speed, power only while writing
    high: LocalDay  # slow end of the decode range, power all the hours on


def local_cost(
    use: LocalUse,
    decode_tok_s_low: float | None,
    decode_tok_s: float | None,
    decode_tok_s_high: float | None,
) -> LocalCost:
    """The local cost as a range; the speeds are the engine's decode range (tokens/s).

    Two things vary: the speed and whether the machine draws board power while idle. The
    central estimate takes the engine's speed and power while writing, so it sits between
    the cheap end (fast, power while writing) and the dear end (slow, power all hours on)."""
    return LocalCost(
        low=local_day(use, decode_tok_s_high, power_all_hours=False),
        central=local_day(use, decode_tok_s, power_all_hours=False),
        high=local_day(use, decode_tok_s_low, power_all_hours=True),
    )


def cumulative_usd(upfront_usd: float, usd_per_month: float, months: int) -> list[float]:
    """Money spent by the end of each month 0…months: the upfront cost, then monthly costs."""
    if months < 0:
        raise InputError("months must be 0 or more")
    return [upfront_usd + usd_per_month * m for m in range(months + 1)]


def break_even_months(
    upfront_usd: float | None, usd_per_month: float | None, other_usd_per_month: float | None
) -> float | None:
    """Months after which buying (upfront + monthly) has cost less than the other option's
    monthly bill; None when it never does (or something is unknown)."""
    if upfront_usd is None or usd_per_month is None or other_usd_per_month is None:
        return None
    saving = other_usd_per_month - usd_per_month
    if saving <= 0:
        return None
    return upfront_usd / saving


def usd_per_gib(price_usd: float | None, memory_gib: float | None) -> float | None:
    """Price per GiB of (V)RAM."""
    if price_usd is None or not memory_gib or memory_gib <= 0:
        return None
    return price_usd / memory_gib


def usd_per_tok_s(price_usd: float | None, decode_tok_s: float | None) -> float | None:
    """Price per token/s of decode speed: what each unit of speed costs to buy."""
    if price_usd is None or decode_tok_s is None or decode_tok_s <= 0:
        return None
    return price_usd / decode_tok_s


def tok_s_per_watt(decode_tok_s: float | None, watts: float | None) -> float | None:
    """Decode speed per watt of board power."""
    if decode_tok_s is None or watts is None or watts <= 0:
        return None
    return decode_tok_s / watts

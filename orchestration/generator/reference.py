"""Partners, products and daily FX rates: the reference data deals point at.

These tables are small (partners grow with the number of deals, about one per
200), so they are built in memory with :class:`random.Random` and written with
the standard ``csv`` module.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orchestration.contract import LANDING_TABLES, TIERS
from orchestration.generator.catalog import (
    COUNTRIES,
    CURRENCIES,
    CURRENCY_INDEX,
    NAME_STEMS,
    NAME_TRADES,
    PARTNER_TYPE_WEIGHTS,
    PRODUCTS,
    REGION_WEIGHTS,
    TIER_ACTIVITY,
    TIER_WEIGHTS,
    USD_BILLING_PERCENT,
    Country,
)
from orchestration.generator.output import open_csv
from orchestration.generator.timeline import (
    DAY_SECONDS,
    Timeline,
    add_months,
    date_of,
    day_number,
    timestamp_text,
)

DEALS_PER_PARTNER = 200
MIN_PARTNERS = 20
# Three in four partners were enrolled before the history starts; the others
# join during its first year and a half.
VETERAN_SHARE = (3, 4)
MAX_VETERAN_YEARS = 6
UPGRADE_PERCENT = 15
DOWNGRADE_PERCENT = 3
# Share (percent) of unchanged partners that the later partners batch re-sends;
# the others are simply absent from it, which does not delete them.
RESENT_PERCENT = 75


@dataclass(frozen=True)
class TierChange:
    """A later version of a partner: a new tier from ``updated_seconds`` on."""

    tier: str
    updated_seconds: int


@dataclass(frozen=True)
class Partners:
    """All partners, ordered by enrolment (partner ``i`` is ``P{i+1:06d}``)."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    regions: tuple[str, ...]
    countries: tuple[str, ...]
    tiers: tuple[str, ...]  # tier of the first version
    types: tuple[str, ...]
    currency_index: np.ndarray  # int64, index into CURRENCIES
    enrolled_seconds: np.ndarray  # int64, ascending
    activity: np.ndarray  # int64, relative share of deals
    changes: dict[int, TierChange]
    first_export_seconds: int  # partners enrolled later first arrive in the later batch
    veterans: int  # partners 0 .. veterans-1 were enrolled before the first deal

    def __len__(self) -> int:
        return len(self.ids)

    def tier_at(self, index: int, seconds: int) -> str:
        """The partner's tier at a moment, following its version history."""
        change = self.changes.get(index)
        if change is not None and change.updated_seconds <= seconds:
            return change.tier
        return self.tiers[index]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


def _country(rng: random.Random, region: str) -> Country:
    options = [c for c in COUNTRIES if c.region == region]
    return rng.choices(options, weights=[c.weight for c in options])[0]


def _tier_change(
    rng: random.Random, tier: str, enrolled_seconds: int, timeline: Timeline
) -> TierChange | None:
    """Maybe move a partner one tier up (or, rarely, down) on the first of a month."""
    roll = rng.randrange(100)
    if roll < UPGRADE_PERCENT:
        step = 1
    elif roll < UPGRADE_PERCENT + DOWNGRADE_PERCENT:
        step = -1
    else:
        return None
    position = TIERS.index(tier) + step
    if not 0 <= position < len(TIERS):
        return None
    new_tier = TIERS[position]
    earliest = max(
        date_of(enrolled_seconds // DAY_SECONDS + 60), timeline.start + dt.timedelta(days=28)
    )
    latest = timeline.end - dt.timedelta(days=60)
    months: list[dt.date] = []
    first = add_months(earliest, 1)
    while first <= latest:
        months.append(first)
        first = add_months(first, 1)
    if not months:
        return None
    return TierChange(new_tier, day_number(rng.choice(months)) * DAY_SECONDS)


@dataclass(frozen=True, order=True)
class _Draft:
    enrolled_seconds: int
    draw: int  # breaks ties between equal enrolment moments
    name: str
    region: str
    country: str
    currency: str
    tier: str
    partner_type: str
    activity: int


def _draft(rng: random.Random, draw: int, enrolled_day: int) -> _Draft:
    region = _weighted(rng, REGION_WEIGHTS)
    country = _country(rng, region)
    billed_in_usd = rng.randrange(100) < USD_BILLING_PERCENT
    tier = _weighted(rng, TIER_WEIGHTS)
    partner_type = _weighted(rng, PARTNER_TYPE_WEIGHTS)
    low, high = TIER_ACTIVITY[tier]
    return _Draft(
        enrolled_seconds=enrolled_day * DAY_SECONDS + rng.randint(7 * 3600, 18 * 3600),
        draw=draw,
        name=f"{rng.choice(NAME_STEMS)} {rng.choice(NAME_TRADES)} {country.legal_suffix}",
        region=region,
        country=country.code,
        currency="USD" if billed_in_usd else country.currency,
        tier=tier,
        partner_type=partner_type,
        activity=rng.randint(low, high) * (2 if partner_type == "distributor" else 1),
    )


def make_partners(seed: int, n_deals: int, timeline: Timeline) -> Partners:
    """Draw the partners for a landing folder of ``n_deals`` deals."""
    rng = random.Random(f"partners/{seed}")
    count = max(MIN_PARTNERS, round(n_deals / DEALS_PER_PARTNER))
    veterans = math.ceil(count * VETERAN_SHARE[0] / VETERAN_SHARE[1])
    history_day = day_number(timeline.history_start)
    joining_days = (timeline.end - timeline.history_start).days * 3 // 4
    drafts: list[_Draft] = []
    for draw in range(count):
        if draw < veterans:
            enrolled_day = history_day - rng.randint(1, MAX_VETERAN_YEARS * 365)
        else:
            enrolled_day = history_day + rng.randint(0, joining_days)
        drafts.append(_draft(rng, draw, enrolled_day))
    drafts.sort()

    first_export = timeline.start_seconds + 365 * DAY_SECONDS
    change_rng = random.Random(f"partner-tiers/{seed}")
    changes: dict[int, TierChange] = {}
    for index, draft in enumerate(drafts):
        if draft.enrolled_seconds < first_export:
            change = _tier_change(change_rng, draft.tier, draft.enrolled_seconds, timeline)
            if change is not None:
                changes[index] = change
    return Partners(
        ids=tuple(f"P{i + 1:06d}" for i in range(count)),
        names=tuple(d.name for d in drafts),
        regions=tuple(d.region for d in drafts),
        countries=tuple(d.country for d in drafts),
        tiers=tuple(d.tier for d in drafts),
        types=tuple(d.partner_type for d in drafts),
        currency_index=np.array([CURRENCY_INDEX[d.currency] for d in drafts], dtype=np.int64),
        enrolled_seconds=np.array([d.enrolled_seconds for d in drafts], dtype=np.int64),
        activity=np.array([d.activity for d in drafts], dtype=np.int64),
        changes=changes,
        first_export_seconds=first_export,
        veterans=veterans,
    )


def write_partners(folder: Path, partners: Partners, seed: int) -> int:
    """Write two partner batches; return the number of rows.

    ``batch-0001`` is the export at the end of the first year: every partner
    enrolled by then, in its first version. ``batch-0002`` is the export at the
    end: partners enrolled since, the new version of partners whose tier
    changed, and most of the others re-sent unchanged. The rest are absent from
    it, which does not delete them.
    """
    rng = random.Random(f"partner-batches/{seed}")
    first: list[list[str]] = []
    later: list[list[str]] = []
    for i in range(len(partners)):
        row = _partner_row(partners, i, partners.tiers[i], int(partners.enrolled_seconds[i]))
        change = partners.changes.get(i)
        if partners.enrolled_seconds[i] >= partners.first_export_seconds:
            later.append(row)
        else:
            first.append(row)
            if change is None and rng.randrange(100) < RESENT_PERCENT:
                later.append(row)
        if change is not None:
            later.append(_partner_row(partners, i, change.tier, change.updated_seconds))
    columns = LANDING_TABLES["partners"].column_names
    for name, rows in (("batch-0001.csv", first), ("batch-0002.csv", later)):
        with open_csv(folder / name, columns) as writer:
            writer.writerows(rows)
    return len(first) + len(later)


def _partner_row(partners: Partners, i: int, tier: str, updated_seconds: int) -> list[str]:
    return [
        partners.ids[i],
        partners.names[i],
        partners.regions[i],
        partners.countries[i],
        tier,
        partners.types[i],
        timestamp_text(int(partners.enrolled_seconds[i])),
        timestamp_text(updated_seconds),
    ]


def write_products(path: Path) -> int:
    """Write the product catalogue; return the number of rows."""
    with open_csv(path, LANDING_TABLES["products"].column_names) as writer:
        for p in PRODUCTS:
            writer.writerow([p.product_id, p.name, p.family, f"{p.list_price_usd:.2f}"])
    return len(PRODUCTS)


# FX rates are kept as integers of 1e-8 USD and written with eight decimals.
RATE_DECIMALS = 8
RATE_SCALE = 10**RATE_DECIMALS
# Daily moves are uniform within +/- this many parts per billion (0.5%), and
# each day a hundredth of the distance to the reference rate is recovered.
FX_DAILY_MOVE_PPB = 5_000_000
FX_REVERSION_DIVISOR = 100


def write_fx_rates(path: Path, timeline: Timeline, seed: int) -> int:
    """Write a rate per weekday and currency (no weekend rows); return the number of rows.

    Each currency follows a mean-reverting random walk around its reference
    rate, in integer arithmetic so the text is exact and the same everywhere.
    A deal closed on a weekend uses the Friday rate.
    """
    rng = random.Random(f"fx/{seed}")
    currencies = [c for c in CURRENCIES if c.code != "USD"]
    reference = [int(c.usd_per_unit * RATE_SCALE) for c in currencies]
    rates = list(reference)
    first = timeline.history_start - dt.timedelta(days=7)
    rows = 0
    with open_csv(path, LANDING_TABLES["fx_rates"].column_names) as writer:
        for offset in range((timeline.end - first).days):
            day = first + dt.timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for k, currency in enumerate(currencies):
                move = rng.randint(-FX_DAILY_MOVE_PPB, FX_DAILY_MOVE_PPB)
                rate = rates[k]
                rate += rate * move // 10**9 + (reference[k] - rate) // FX_REVERSION_DIVISOR
                rates[k] = rate
                writer.writerow([day.isoformat(), currency.code, _rate_text(rate)])
                rows += 1
    return rows


def _rate_text(rate: int) -> str:
    return f"{rate // RATE_SCALE}.{rate % RATE_SCALE:0{RATE_DECIMALS}d}"

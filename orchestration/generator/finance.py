"""Quotas, payouts and MDF claims, sized from each partner's won revenue.

The generator does not compute earnings (that is the warehouse's job); it
only keeps, per partner and quarter, the USD value of the deals it generated as
won for good. Quotas are set around a partner's average quarter, payouts are
plausible approximations of what the programs pay (so balances show both
unpaid and over-paid amounts), and MDF claims spend part of the accrual.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

from orchestration.contract import LANDING_TABLES
from orchestration.generator.output import open_csv
from orchestration.generator.reference import Partners
from orchestration.generator.timeline import DAY_SECONDS, Timeline, day_number, timestamp_text

CENT = Decimal("0.01")
# Share (percent) of partners with quotas: most tiered partners, fewer registered.
QUOTA_PERCENT = {"registered": 45, "silver": 92, "gold": 92, "platinum": 92}
QUOTA_STEP_USD = 5_000
MIN_QUOTA_USD = 10_000
QUOTA_GROWTH_PERCENT_PER_QUARTER = 2
PAYOUT_PERCENT = 85  # share of payable partner-quarters already paid
# Approximate program terms, mirroring programs.yml closely enough for payouts.
RESALE_BANDS = ((Decimal(0), Decimal("0.04")), (Decimal(100_000), Decimal("0.06")))
RESALE_CAP = Decimal(40_000)
RESALE_TYPES = ("reseller", "msp", "distributor")
REFERRAL_RATE = Decimal("0.08")
REBATE_BANDS = ((Decimal(250_000), Decimal("0.02")), (Decimal(500_000), Decimal("0.03")))
MDF_RATE = Decimal("0.02")
MDF_CLAIM_PERCENT = 40
MDF_APPROVED_PERCENT = 85
MIN_MDF_CLAIM_USD = 500


def _won_usd(won_usd_cents: list[list[int]], partner: int, quarter: int) -> Decimal:
    return Decimal(won_usd_cents[partner][quarter]) / 100


def _quarter_end_seconds(timeline: Timeline, quarter: int) -> int:
    return (day_number(timeline.quarters[quarter].last_day) + 1) * DAY_SECONDS


def write_quotas(
    path: Path, partners: Partners, timeline: Timeline, won_usd_cents: np.ndarray, seed: int
) -> int:
    """Write a quarterly quota for most partners, from enrolment on; return the row count.

    A quota is the partner's average won quarter times an ambition of 85-125%,
    growing 2% a quarter, rounded to 5,000 USD.
    """
    rng = random.Random(f"quotas/{seed}")
    won = won_usd_cents.tolist()
    rows = 0
    with open_csv(path, LANDING_TABLES["quotas"].column_names) as writer:
        for i, partner_id in enumerate(partners.ids):
            if rng.randrange(100) >= QUOTA_PERCENT[partners.tiers[i]]:
                continue
            active = [
                k
                for k in range(len(timeline.quarters))
                if partners.enrolled_seconds[i] < _quarter_end_seconds(timeline, k)
            ]
            if not active:
                continue
            total_cents = sum(won[i][k] for k in active)
            average_usd = total_cents // 100 // len(active)
            ambition = rng.randint(85, 125)
            for k in active:
                growth = 100 + QUOTA_GROWTH_PERCENT_PER_QUARTER * k
                quota = average_usd * ambition * growth * rng.randint(95, 105) // 1_000_000
                quota = (quota + QUOTA_STEP_USD // 2) // QUOTA_STEP_USD * QUOTA_STEP_USD
                writer.writerow([partner_id, timeline.quarters[k].label, max(MIN_QUOTA_USD, quota)])
                rows += 1
    return rows


def _marginal(revenue: Decimal) -> Decimal:
    earned = Decimal(0)
    for n, (start, rate) in enumerate(RESALE_BANDS):
        upper = RESALE_BANDS[n + 1][0] if n + 1 < len(RESALE_BANDS) else revenue
        if revenue > start:
            earned += (min(revenue, upper) - start) * rate
    return min(earned, RESALE_CAP)


def _rebate(revenue: Decimal) -> Decimal:
    rate = Decimal(0)
    for start, band_rate in REBATE_BANDS:
        if revenue >= start:
            rate = band_rate
    return revenue * rate


def _estimated_earnings(
    partners: Partners, i: int, tier: str, revenue: Decimal
) -> list[tuple[str, Decimal]]:
    """Rough earnings per band program for one partner-quarter (program_id, USD)."""
    estimates: list[tuple[str, Decimal]] = []
    if partners.types[i] in RESALE_TYPES and tier != "registered":
        estimates.append(("RESALE", _marginal(revenue)))
    if partners.types[i] == "referral":
        estimates.append(("REFERRAL", revenue * REFERRAL_RATE))
    if tier in ("gold", "platinum"):
        estimates.append(("VOLUME-REBATE", _rebate(revenue)))
    return estimates


def write_payouts(
    path: Path, partners: Partners, timeline: Timeline, won_usd_cents: np.ndarray, seed: int
) -> int:
    """Write payouts for quarters already paid out; return the row count.

    Payouts are made 20-45 days after a quarter ends, for most partners and
    programs with something to pay, at 85-100% of an estimate of the earnings.
    """
    rng = random.Random(f"payouts/{seed}")
    won = won_usd_cents.tolist()
    rows = 0
    with open_csv(path, LANDING_TABLES["payouts"].column_names) as writer:
        for k, quarter in enumerate(timeline.quarters):
            quarter_end = _quarter_end_seconds(timeline, k)
            for i, partner_id in enumerate(partners.ids):
                revenue = _won_usd(won, i, k)
                if revenue <= 0:
                    continue
                tier = partners.tier_at(i, quarter_end - 1)
                for program_id, estimate in _estimated_earnings(partners, i, tier, revenue):
                    if estimate <= 0 or rng.randrange(100) >= PAYOUT_PERCENT:
                        continue
                    paid_at = quarter_end + rng.randrange(20 * DAY_SECONDS, 46 * DAY_SECONDS)
                    if paid_at >= timeline.end_seconds:
                        continue
                    share = rng.randint(85, 100)
                    amount = (estimate * share / 100).quantize(CENT, ROUND_HALF_UP)
                    rows += 1
                    writer.writerow(
                        [
                            f"PO-{rows:07d}",
                            partner_id,
                            program_id,
                            quarter.label,
                            f"{amount:.2f}",
                            timestamp_text(paid_at),
                        ]
                    )
    return rows


@dataclass(frozen=True)
class _Claim:
    claim_id: str
    partner_id: str
    amount_usd: int
    submitted_at: int

    def version(self, status: str, decided_at: int | None, updated_at: int) -> list[str]:
        """One version of the claim as a landing row."""
        return [
            self.claim_id,
            self.partner_id,
            "MDF",
            f"{self.amount_usd}.00",
            status,
            timestamp_text(self.submitted_at),
            "" if decided_at is None else timestamp_text(decided_at),
            timestamp_text(updated_at),
        ]


def write_mdf_claims(
    folder: Path, partners: Partners, timeline: Timeline, won_usd_cents: np.ndarray, seed: int
) -> int:
    """Write MDF claims in two batches; return the row count.

    A claim spends part of the previous quarter's accrual. It is submitted,
    then approved or rejected, then (when approved) paid; each step is a new
    version with a later ``updated_at``. ``batch-0001`` holds the versions
    updated in the first year, ``batch-0002`` the rest.
    """
    rng = random.Random(f"mdf/{seed}")
    won = won_usd_cents.tolist()
    cutoff = timeline.start_seconds + 365 * DAY_SECONDS
    columns = LANDING_TABLES["mdf_claims"].column_names
    claims = rows = 0
    with (
        open_csv(folder / "batch-0001.csv", columns) as first_year,
        open_csv(folder / "batch-0002.csv", columns) as later,
    ):

        def write(row: list[str], updated_at: int) -> None:
            (first_year if updated_at < cutoff else later).writerow(row)

        for k in range(1, len(timeline.quarters)):
            quarter_start = day_number(timeline.quarters[k].first_day) * DAY_SECONDS
            for i, partner_id in enumerate(partners.ids):
                if partners.tier_at(i, quarter_start) == "registered":
                    continue
                accrued = _won_usd(won, i, k - 1) * MDF_RATE
                if accrued < MIN_MDF_CLAIM_USD or rng.randrange(100) >= MDF_CLAIM_PERCENT:
                    continue
                amount = max(
                    MIN_MDF_CLAIM_USD, int(accrued * rng.randint(30, 100) / 100) // 10 * 10
                )
                submitted = quarter_start + rng.randint(3 * DAY_SECONDS, 75 * DAY_SECONDS)
                decided = submitted + rng.randint(3 * DAY_SECONDS, 21 * DAY_SECONDS)
                approved = rng.randrange(100) < MDF_APPROVED_PERCENT
                paid = decided + rng.randint(10 * DAY_SECONDS, 40 * DAY_SECONDS)
                if submitted >= timeline.end_seconds:
                    continue
                claims += 1
                claim = _Claim(f"MDF-{claims:07d}", partner_id, amount, submitted)
                write(claim.version("submitted", None, submitted), submitted)
                rows += 1
                if decided >= timeline.end_seconds:
                    continue
                write(
                    claim.version("approved" if approved else "rejected", decided, decided), decided
                )
                rows += 1
                if approved and paid < timeline.end_seconds:
                    write(claim.version("paid", decided, paid), paid)
                    rows += 1
    return rows

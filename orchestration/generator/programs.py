"""``programs.yml``: one program of every type, dated from the folder's start.

The set covers what the incentive rules describe: a marginal commission with a
cap and tier eligibility whose plan changes in the middle of a quarter, a
retroactive rebate with a zero first band, two SPIFFs (per unit and per deal),
a retroactive units bonus on a few products, a referral fee and an MDF accrual.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from orchestration.generator.output import written_atomically
from orchestration.generator.timeline import Timeline, add_months, quarter_start

STAGE_PROBABILITY = {
    "prospecting": Decimal("0.10"),
    "qualification": Decimal("0.25"),
    "proposal": Decimal("0.50"),
    "negotiation": Decimal("0.75"),
}
CLAWBACK_DAYS = 90
PARTNER_TIERS_ABOVE_REGISTERED = ["silver", "gold", "platinum"]


class _Dumper(yaml.SafeDumper):
    """Writes ``Decimal`` as a plain YAML number, exactly as its text, and never uses aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))


_Dumper.add_representer(Decimal, _decimal)


def _bands(*bands: tuple[int, str]) -> list[dict[str, Any]]:
    return [{"from": start, "rate": Decimal(rate)} for start, rate in bands]


def program_document(timeline: Timeline) -> dict[str, Any]:
    """The programs as the YAML document's data (dates follow ``timeline.start``)."""
    q1 = quarter_start(timeline.start)
    # The resale plan changes on the 16th of the second month of the second quarter.
    plan_change = add_months(q1, 4) + dt.timedelta(days=15)
    spiff_units_quarter = add_months(q1, 6)
    spiff_deals_quarter = add_months(q1, 15)
    commission_eligibility = {
        "tiers": PARTNER_TIERS_ABOVE_REGISTERED,
        "partner_types": ["reseller", "msp", "distributor"],
    }
    return {
        "fiscal_year_start_month": 1,
        "attainment_period": "quarter",
        "clawback_days": CLAWBACK_DAYS,
        "stage_probability": dict(STAGE_PROBABILITY),
        "programs": [
            {
                "program_id": "RESALE",
                "name": "Resale commission",
                "type": "commission",
                "description": "Marginal commission on resold revenue, capped per quarter; "
                "the plan was revised mid-quarter with higher bands.",
                "versions": [
                    {
                        "version": 1,
                        "effective_from": q1,
                        "effective_to": plan_change - dt.timedelta(days=1),
                        "period": "quarter",
                        "basis": "revenue",
                        "tiering": "marginal",
                        "bands": _bands((0, "0.04"), (100_000, "0.06"), (250_000, "0.08")),
                        "cap_usd": 40_000,
                        "eligible": commission_eligibility,
                    },
                    {
                        "version": 2,
                        "effective_from": plan_change,
                        "period": "quarter",
                        "basis": "revenue",
                        "tiering": "marginal",
                        "bands": _bands((0, "0.045"), (150_000, "0.065"), (400_000, "0.09")),
                        "cap_usd": 60_000,
                        "eligible": commission_eligibility,
                    },
                ],
            },
            {
                "program_id": "REFERRAL",
                "name": "Referral fee",
                "type": "commission",
                "description": "Flat share of the revenue of deals a referral partner brings.",
                "versions": [
                    {
                        "version": 1,
                        "effective_from": q1,
                        "period": "quarter",
                        "basis": "revenue",
                        "tiering": "marginal",
                        "bands": _bands((0, "0.08")),
                        "eligible": {"partner_types": ["referral"]},
                    }
                ],
            },
            {
                "program_id": "VOLUME-REBATE",
                "name": "Quarterly volume rebate",
                "type": "rebate",
                "description": "Past a quarterly revenue threshold, a rebate on all of it.",
                "versions": [
                    {
                        "version": 1,
                        "effective_from": q1,
                        "period": "quarter",
                        "basis": "revenue",
                        "tiering": "retroactive",
                        "bands": _bands((0, "0"), (250_000, "0.02"), (500_000, "0.03")),
                        "eligible": {"tiers": ["gold", "platinum"]},
                    }
                ],
            },
            {
                "program_id": "SPIFF-SECURITY",
                "name": "Security SPIFF",
                "type": "spiff",
                "description": "A fixed amount per Security unit sold during one quarter.",
                "versions": [
                    {
                        "version": 1,
                        "effective_from": spiff_units_quarter,
                        "effective_to": add_months(spiff_units_quarter, 3) - dt.timedelta(days=1),
                        "amount_per_unit": 25,
                        "eligible": {"families": ["Security"]},
                    }
                ],
            },
            {
                "program_id": "SPIFF-SOFTWARE",
                "name": "Software deal SPIFF",
                "type": "spiff",
                "description": "A fixed amount per Software deal closed during one quarter.",
                "versions": [
                    {
                        "version": 1,
                        "effective_from": spiff_deals_quarter,
                        "effective_to": add_months(spiff_deals_quarter, 3) - dt.timedelta(days=1),
                        "amount_per_deal": 250,
                        "eligible": {"families": ["Software"], "regions": ["EMEA", "APAC"]},
                    }
                ],
            },
            {
                "program_id": "SERVER-UNITS",
                "name": "Server units bonus",
                "type": "bonus",
                "description": "A bonus on server revenue, unlocked by the number of "
                "servers sold in the quarter.",
                "versions": [
                    {
                        "version": 1,
                        "effective_from": q1,
                        "period": "quarter",
                        "basis": "units",
                        "tiering": "retroactive",
                        "bands": _bands((0, "0"), (10, "0.02"), (25, "0.04")),
                        "eligible": {"products": ["CMP-100", "CMP-200", "CMP-600"]},
                    }
                ],
            },
            {
                "program_id": "MDF",
                "name": "Market development funds",
                "type": "mdf",
                "description": "An accrual on credited revenue, claimed for marketing.",
                "versions": [
                    {
                        "version": 1,
                        "effective_from": q1,
                        "period": "quarter",
                        "accrual_rate": Decimal("0.02"),
                        "eligible": {"tiers": PARTNER_TIERS_ABOVE_REGISTERED},
                    }
                ],
            },
        ],
    }


def write_programs(path: Path, timeline: Timeline) -> int:
    """Write ``programs.yml``; return the number of program versions."""
    document = program_document(timeline)
    text = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=None,
        allow_unicode=True,
        width=100,
    )
    header = "# Incentive programs of a synthetic landing folder.\n"
    with written_atomically(path) as temporary:
        temporary.write_text(header + text, encoding="utf-8")
    return sum(len(p["versions"]) for p in document["programs"])

"""Partners, products, FX, programs, quotas, payouts and MDF claims of a generated folder."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from itertools import pairwise

import yaml
from generated_landing import Generated, header, read_table, table_files

from orchestration.contract import (
    LANDING_TABLES,
    MDF_CLAIM_STATUSES,
    OPEN_STAGES,
    PARTNER_TYPES,
    REGIONS,
    TIERS,
)
from orchestration.generator.catalog import COUNTRIES

PROGRAM_TYPES = {"commission", "rebate", "spiff", "bonus", "mdf"}
QUARTER = re.compile(r"^\d{4}-Q[1-4]$")


def _programs(generated: Generated) -> dict:
    return yaml.safe_load((generated.folder / "programs.yml").read_text(encoding="utf-8"))


def test_single_file_tables_have_the_contract_header(generated: Generated) -> None:
    for table in ("products", "fx_rates", "quotas", "payouts", "partners", "mdf_claims"):
        for path in table_files(generated.folder, table):
            assert header(path) == list(LANDING_TABLES[table].column_names), path


def test_partners_scale_with_deals_and_have_consistent_attributes(generated: Generated) -> None:
    rows = read_table(generated.folder, "partners")
    region_of_country = {c.code: c.region for c in COUNTRIES}
    ids = {r["partner_id"] for r in rows}

    assert len(ids) == generated.summary.partners == 20  # 3,000 deals: the minimum
    for row in rows:
        assert row["region"] in REGIONS
        assert row["tier"] in TIERS
        assert row["partner_type"] in PARTNER_TYPES
        assert region_of_country[row["country"]] == row["region"]
        assert row["enrolled_at"] <= row["updated_at"]
    assert {r["region"] for r in rows} == set(REGIONS)


def test_a_later_partner_batch_changes_tiers_and_omits_some_partners(
    generated: Generated,
) -> None:
    rows = read_table(generated.folder, "partners")
    first = {r["partner_id"]: r for r in rows if r["_file"] == "batch-0001.csv"}
    later = [r for r in rows if r["_file"] == "batch-0002.csv"]
    changes = [
        r
        for r in later
        if r["partner_id"] in first
        and r["tier"] != first[r["partner_id"]]["tier"]
        and r["updated_at"] > first[r["partner_id"]]["updated_at"]
    ]

    assert changes
    kept = ("partner_id", "partner_name", "region", "country", "partner_type", "enrolled_at")
    for row in changes:
        before = first[row["partner_id"]]
        assert [row[k] for k in kept] == [before[k] for k in kept]
        assert row["updated_at"].endswith("-01T00:00:00Z")  # tier reviews on the 1st
    assert set(first) - {r["partner_id"] for r in later}  # absent, not deleted


def test_products_span_the_families_with_list_prices(generated: Generated) -> None:
    rows = read_table(generated.folder, "products")
    families = {r["family"] for r in rows}

    assert len(rows) >= 24
    assert {"Networking", "Security", "Storage", "Compute", "Software", "Services"} == families
    assert all(Decimal(r["list_price_usd"]) > 0 for r in rows)
    assert len({r["product_id"] for r in rows}) == len(rows)


def test_fx_has_a_rate_for_every_weekday_and_none_on_weekends(generated: Generated) -> None:
    rows = read_table(generated.folder, "fx_rates")
    by_currency = defaultdict(set)
    for row in rows:
        day = dt.date.fromisoformat(row["rate_date"])
        assert day.weekday() < 5, row
        assert len(row["usd_per_unit"].split(".")[1]) >= 6
        assert Decimal(row["usd_per_unit"]) > 0
        by_currency[row["currency"]].add(day)

    assert "USD" not in by_currency
    assert {"EUR", "GBP", "JPY", "AUD", "CAD", "BRL"} <= set(by_currency)
    first = min(min(days) for days in by_currency.values())
    last = generated.summary.last_date
    weekdays = {
        first + dt.timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + dt.timedelta(days=n)).weekday() < 5
    }
    assert first <= generated.summary.first_date
    for days in by_currency.values():
        assert days == weekdays
    deal_currencies = {r["currency"] for r in read_table(generated.folder, "deals")}
    assert deal_currencies - {"USD"} <= set(by_currency)
    assert len(deal_currencies) >= 5


def test_rates_are_plausible(generated: Generated) -> None:
    rates = defaultdict(list)
    for row in read_table(generated.folder, "fx_rates"):
        rates[row["currency"]].append(Decimal(row["usd_per_unit"]))

    assert Decimal("0.9") < min(rates["EUR"]) <= max(rates["EUR"]) < Decimal("1.25")
    assert Decimal("0.005") < min(rates["JPY"]) <= max(rates["JPY"]) < Decimal("0.008")


def test_programs_cover_every_type_in_the_documented_shape(generated: Generated) -> None:
    document = _programs(generated)
    products = {r["product_id"] for r in read_table(generated.folder, "products")}
    families = {r["family"] for r in read_table(generated.folder, "products")}

    assert document["fiscal_year_start_month"] == 1
    assert document["clawback_days"] == 90
    assert set(document["stage_probability"]) == set(OPEN_STAGES)
    programs = document["programs"]
    assert {p["type"] for p in programs} == PROGRAM_TYPES
    for program in programs:
        versions = program["versions"]
        assert [v["version"] for v in versions] == list(range(1, len(versions) + 1))
        assert len({v.get("period", "quarter") for v in versions}) == 1
        for earlier, later in pairwise(versions):
            assert earlier["effective_to"] < later["effective_from"]
        for version in versions:
            starts = [band["from"] for band in version.get("bands", [])]
            if program["type"] in {"commission", "rebate", "bonus"}:
                assert starts[0] == 0
                assert starts == sorted(set(starts))
            eligible = version.get("eligible", {})
            assert set(eligible) <= {"tiers", "regions", "partner_types", "families", "products"}
            assert set(eligible.get("tiers", [])) <= set(TIERS)
            assert set(eligible.get("regions", [])) <= set(REGIONS)
            assert set(eligible.get("partner_types", [])) <= set(PARTNER_TYPES)
            assert set(eligible.get("families", [])) <= families
            assert set(eligible.get("products", [])) <= products


def test_programs_include_each_documented_case(generated: Generated) -> None:
    programs = _programs(generated)["programs"]
    first_versions = {p["program_id"]: (p["type"], p["versions"][0]) for p in programs}
    kinds = set()
    for kind, version in first_versions.values():
        if kind == "commission" and version["tiering"] == "marginal" and "cap_usd" in version:
            kinds.add("capped marginal commission by tier")
        if kind == "rebate" and version["tiering"] == "retroactive":
            assert version["bands"][0]["rate"] == 0
            kinds.add("retroactive rebate")
        if kind == "spiff" and "amount_per_unit" in version:
            assert "families" in version["eligible"]
            assert version["effective_to"] - version["effective_from"] < dt.timedelta(days=92)
            kinds.add("unit spiff")
        if kind == "bonus" and version["basis"] == "units":
            assert version["tiering"] == "retroactive"
            assert version["eligible"]["products"]
            kinds.add("units bonus")
        if kind == "mdf":
            assert 0 < version["accrual_rate"] < 1
            kinds.add("mdf")
    assert len(kinds) == 5


def test_one_program_changes_plan_in_the_middle_of_a_quarter(generated: Generated) -> None:
    changes = []
    for program in _programs(generated)["programs"]:
        for earlier, later in pairwise(program["versions"]):
            changes.append((earlier, later))

    assert changes
    earlier, later = changes[0]
    assert later["effective_from"] == earlier["effective_to"] + dt.timedelta(days=1)
    assert later["effective_from"].month % 3 != 1 or later["effective_from"].day != 1
    assert earlier["bands"] != later["bands"]
    assert earlier["period"] == later["period"]


def test_quotas_are_quarterly_for_most_partners(generated: Generated) -> None:
    rows = read_table(generated.folder, "quotas")
    partners = {r["partner_id"] for r in read_table(generated.folder, "partners")}
    with_quota = {r["partner_id"] for r in rows}

    assert all(QUARTER.match(r["period"]) for r in rows)
    assert all(Decimal(r["quota_usd"]) > 0 for r in rows)
    assert len({(r["partner_id"], r["period"]) for r in rows}) == len(rows)
    assert with_quota < partners
    assert len(with_quota) > len(partners) / 2
    assert {r["period"] for r in rows} == {
        f"{year}-Q{q}" for year in (2025, 2026) for q in range(1, 5)
    }


def test_payouts_are_for_past_quarters_and_known_programs(generated: Generated) -> None:
    rows = read_table(generated.folder, "payouts")
    program_ids = {p["program_id"] for p in _programs(generated)["programs"]}

    assert rows
    assert len({r["payout_id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["program_id"] in program_ids
        year, quarter = row["period"].split("-Q")
        quarter_end = dt.date(int(year), int(quarter) * 3, 1)
        assert row["paid_at"][:10] > quarter_end.isoformat()
        assert re.match(r"^\d+\.\d{2}$", row["amount_usd"])
    assert row["paid_at"][:10] <= generated.summary.last_date.isoformat()


def test_mdf_claims_move_through_their_statuses(generated: Generated) -> None:
    rows = read_table(generated.folder, "mdf_claims")
    versions = defaultdict(list)
    for row in rows:
        assert row["status"] in MDF_CLAIM_STATUSES
        assert row["program_id"] == "MDF"
        versions[row["claim_id"]].append(row)

    order = {"submitted": 0, "approved": 1, "rejected": 1, "paid": 2}
    statuses = set()
    for claim in versions.values():
        claim.sort(key=lambda r: r["updated_at"])
        assert claim[0]["status"] == "submitted"
        assert [order[r["status"]] for r in claim] == list(range(len(claim)))
        assert all(r["decided_at"] for r in claim[1:])
        statuses |= {r["status"] for r in claim}
    assert statuses == set(MDF_CLAIM_STATUSES)
    assert any(len(claim) > 1 for claim in versions.values())
    assert {r["_file"] for r in rows} == {"batch-0001.csv", "batch-0002.csv"}

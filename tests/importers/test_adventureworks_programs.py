"""The default programs.yml written with the AdventureWorks import."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import yaml

from orchestration.contract import PARTNER_TYPES, REGIONS, TIERS
from orchestration.importers.adventureworks import ImportSummary

Imported = tuple[ImportSummary, Path]
BAND_TYPES = {"commission", "rebate", "bonus"}


def load_programs(out_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((out_dir / "programs.yml").read_text(encoding="utf-8"))


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_programs_yml_has_every_program_type_and_calendar_quarters(imported: Imported) -> None:
    _, out_dir = imported
    programs = load_programs(out_dir)
    assert programs["fiscal_year_start_month"] == 1
    assert programs["clawback_days"] == 90
    assert set(programs["stage_probability"]) == {
        "prospecting",
        "qualification",
        "proposal",
        "negotiation",
    }
    types = [program["type"] for program in programs["programs"]]
    assert set(types) == {"commission", "rebate", "spiff", "bonus", "mdf"}
    ids = [program["program_id"] for program in programs["programs"]]
    assert len(ids) == len(set(ids))


def test_band_programs_follow_the_band_rules(imported: Imported) -> None:
    _, out_dir = imported
    for program in load_programs(out_dir)["programs"]:
        if program["type"] not in BAND_TYPES:
            continue
        versions = program["versions"]
        assert len({version.get("period", "quarter") for version in versions}) == 1
        for version in versions:
            starts = [band["from"] for band in version["bands"]]
            assert starts[0] == 0, program["program_id"]
            assert all(a < b for a, b in itertools.pairwise(starts))
            assert version["tiering"] in {"marginal", "retroactive"}
            assert version["basis"] in {"revenue", "units"}
        if program["type"] == "rebate":
            assert versions[0]["tiering"] == "retroactive"
            assert versions[0]["bands"][0]["rate"] == 0
        if program["type"] == "bonus":
            assert (versions[0]["tiering"], versions[0]["basis"]) == ("retroactive", "units")
            assert versions[0]["eligible"]["families"] == ["Bikes"]


def test_versions_do_not_overlap_and_the_commission_changes_mid_quarter(
    imported: Imported,
) -> None:
    _, out_dir = imported
    programs = {p["program_id"]: p for p in load_programs(out_dir)["programs"]}
    for program in programs.values():
        versions = sorted(program["versions"], key=lambda v: v["effective_from"])
        for earlier, later in itertools.pairwise(versions):
            assert earlier["effective_to"] < later["effective_from"]
    first, second = programs["RESALE"]["versions"]
    assert second["version"] == 2
    change: dt.date = second["effective_from"]
    assert change.day != 1 or change.month not in (1, 4, 7, 10)
    assert first["effective_to"] == change - dt.timedelta(days=1)
    assert "cap_usd" in first and "cap_usd" in second
    assert first["tiering"] == "marginal"


def test_every_program_finds_eligible_deals_in_the_imported_data(imported: Imported) -> None:
    _, out_dir = imported
    partners = {row["partner_id"]: row for row in read_rows(out_dir / "partners.csv")}
    families = {row["product_id"]: row["family"] for row in read_rows(out_dir / "products.csv")}
    deals = read_rows(out_dir / "deals.csv")
    known = {
        "tiers": set(TIERS),
        "regions": set(REGIONS),
        "partner_types": set(PARTNER_TYPES),
        "families": set(families.values()),
        "products": set(families),
    }
    for program in load_programs(out_dir)["programs"]:
        for version in program["versions"]:
            eligible = version.get("eligible", {})
            for dimension, values in eligible.items():
                assert set(values) <= known[dimension], (program["program_id"], dimension)
            start = version["effective_from"].isoformat()
            end = version.get("effective_to", dt.date.max).isoformat()

            def matches(deal: dict[str, str], eligible: dict[str, list[str]] = eligible) -> bool:
                partner = partners[deal["partner_id"]]
                values = {
                    "tiers": partner["tier"],
                    "regions": partner["region"],
                    "partner_types": partner["partner_type"],
                    "families": families[deal["product_id"]],
                    "products": deal["product_id"],
                }
                return all(values[dim] in allowed for dim, allowed in eligible.items())

            assert any(
                start <= deal["closed_at"][:10] <= end and matches(deal) for deal in deals
            ), (program["program_id"], version["version"])

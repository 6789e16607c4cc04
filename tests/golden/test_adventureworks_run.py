"""The AdventureWorks reseller sample, imported and run end to end.

The credited revenue must equal the source's reseller sales with each line
rounded half away from zero to the cent, and every public mart and column of
the public interface must be readable with plain DuckDB.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import duckdb
import pytest

from orchestration.importers import import_adventureworks
from orchestration.pipeline import PipelineResult, run_pipeline
from orchestration.settings import PROJECT_ROOT, Settings

SOURCE = PROJECT_ROOT.parent / "shared" / "data" / "adventureworks_reseller"
MARTS_SPEC = PROJECT_ROOT.parent / "shared" / "spec" / "marts.md"

# The public interface: relation -> columns that must exist.
PUBLIC_MARTS: dict[str, tuple[str, ...]] = {
    "fct_incentive_earnings": (
        "deal_id", "partner_id", "program_id", "program_version", "program_type", "period",
        "closed_at", "credited_usd", "credited_units", "band_rate", "earned_usd", "explanation",
    ),
    "fct_deal_log": ("deal_id", "partner_id", "program_id", "counted", "reason"),
    "mart_partner_attainment": (
        "partner_id", "period", "won_usd", "quota_usd", "attainment_pct",
        "projected_revenue_usd", "rank_in_region",
    ),
    "mart_partner_earnings": (
        "partner_id", "program_id", "period", "earned_usd", "paid_usd", "unpaid_usd",
        "projected_earned_usd", "gap_to_next_band", "next_band_rate",
    ),
    "mart_program_performance": (
        "program_id", "region", "partner_type", "family", "period", "incentive_cost_usd",
        "credited_revenue_usd", "partners_earning", "cost_to_revenue",
    ),
    "quarantine": (
        "batch_id", "source_file", "row_number", "table_name", "reason", "raw_values",
    ),
    "ingest_batches": (
        "batch_id", "source_file", "table_name", "rows_read", "rows_loaded",
        "rows_quarantined", "loaded_at",
    ),
}  # fmt: skip

pytestmark = pytest.mark.skipif(not SOURCE.is_dir(), reason=f"no sample data at {SOURCE}")


@pytest.fixture(scope="module")
def adventureworks_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineResult:
    work = tmp_path_factory.mktemp("adventureworks")
    import_adventureworks(SOURCE, work / "landing")
    settings = Settings(
        landing_dir=work / "landing",
        warehouse=work / "warehouse" / "aw.duckdb",
        as_of=dt.date(2014, 6, 30),
    )
    return run_pipeline(settings, log_level="WARNING")


def test_the_adventureworks_run_succeeds_and_publishes(adventureworks_run: PipelineResult) -> None:
    assert adventureworks_run.success, adventureworks_run.failures
    assert adventureworks_run.published
    assert adventureworks_run.rows_quarantined == 0


def test_credited_revenue_equals_the_source_sales_rounded_per_line(
    adventureworks_run: PipelineResult,
) -> None:
    with duckdb.connect(str(adventureworks_run.warehouse), read_only=True) as con:
        (won,) = con.execute("select sum(won_usd) from mart_partner_attainment").fetchone()
        (lines,) = con.execute(
            "select count(distinct deal_id) from fct_deal_log where deal_status = 'won'"
        ).fetchone()
    assert won == Decimal("80450596.11")
    assert lines == 60_855


def test_every_public_mart_and_column_is_readable_with_plain_duckdb(
    adventureworks_run: PipelineResult,
) -> None:
    with duckdb.connect(str(adventureworks_run.warehouse), read_only=True) as con:
        for relation, columns in PUBLIC_MARTS.items():
            present = {
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = 'main' and table_name = ?",
                    [relation],
                ).fetchall()
            }
            assert set(columns) <= present, (relation, set(columns) - present)
            con.execute(f"select * from {relation} limit 1").fetchall()


@pytest.mark.skipif(not MARTS_SPEC.exists(), reason="the public interface document is not here")
def test_the_public_column_list_matches_the_interface_document() -> None:
    documented: dict[str, set[str]] = {}
    for line in MARTS_SPEC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`\w+`", cells[0]):
            documented[cells[0].strip("`")] = {c.split("(")[0].strip() for c in cells[2].split(",")}
    assert documented == {name: set(cols) for name, cols in PUBLIC_MARTS.items()}

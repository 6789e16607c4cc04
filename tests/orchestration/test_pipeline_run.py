"""A whole run publishes a readable warehouse; a failed batch publishes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    Failure,
    MaterializeResult,
    asset,
    materialize,
)
from pipeline_cases import PublishedRun, copy_landing, settings_for

from orchestration.defs.dbt import mart_asset_keys
from orchestration.pipeline import run_pipeline, summarize
from orchestration.settings import Settings


def _copy_of(published_run: PublishedRun, tmp_path: Path) -> Settings:
    """Settings over copies of the published run's landing folder and warehouses.

    A run on them loads only the files a test adds, and other tests keep theirs.
    """
    settings = settings_for(
        tmp_path, copy_landing(published_run.settings.landing_dir, tmp_path / "landing")
    )
    settings.warehouse.parent.mkdir(parents=True)
    shutil.copyfile(published_run.settings.warehouse, settings.warehouse)
    shutil.copyfile(published_run.settings.build_path, settings.build_path)
    return settings


def _landing_files(landing: Path) -> int:
    return sum(1 for path in landing.rglob("*") if path.is_file())


def test_the_run_succeeds_and_publishes(published_run: PublishedRun) -> None:
    assert published_run.exit_code == 0, published_run.stderr
    assert published_run.settings.warehouse.is_file()


def test_the_published_warehouse_opens_read_only_with_raw_tables_and_marts(
    published_run: PublishedRun,
) -> None:
    settings = published_run.settings
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        batches = con.execute(
            "select status, count(*) from raw.ingest_batches group by status"
        ).fetchall()
        assert batches == [("loaded", _landing_files(settings.landing_dir))]
        assert con.execute("select count(*) from raw.deals").fetchone()[0] > 0
        relations = {
            (schema, name)
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables()"
                " union all select schema_name, view_name from duckdb_views()"
            ).fetchall()
        }
    finally:
        con.close()
    missing = {tuple(key.path) for key in mart_asset_keys()} - relations
    assert not missing


def test_a_failing_batch_fails_the_run_and_keeps_the_published_warehouse(
    published_run: PublishedRun, tmp_path: Path
) -> None:
    settings = _copy_of(published_run, tmp_path)
    published_before = settings.warehouse.read_bytes()

    # A truncated Parquet batch of deals, and a partners batch without a required column.
    parquet = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"deal_id": ["D900"], "partner_id": ["P1"]}), parquet)
    (settings.landing_dir / "deals").mkdir()
    whole = parquet.read_bytes()
    (settings.landing_dir / "deals" / "2026-06-01.parquet").write_bytes(whole[: len(whole) // 2])
    (settings.landing_dir / "partners").mkdir()
    (settings.landing_dir / "partners" / "late.csv").write_text(
        "partner_id,partner_name,tier,partner_type,updated_at\n"
        "P9,Late Partner,gold,reseller,2026-06-01T00:00:00Z\n"
    )

    result = run_pipeline(settings)

    assert not result.success and not result.published
    assert result.failed_batches == 2
    assert any("deals/2026-06-01.parquet" in line for line in result.failures)
    assert any("partners/late.csv" in line for line in result.failures)
    assert settings.warehouse.read_bytes() == published_before
    # What loaded before stays loaded, and the failed batches are on record.
    con = duckdb.connect(str(settings.build_path), read_only=True)
    try:
        statuses = dict(
            con.execute(
                "select status, count(*) from raw.ingest_batches group by status"
            ).fetchall()
        )
    finally:
        con.close()
    files_before = _landing_files(published_run.settings.landing_dir)
    # The rerun skipped the files it had already loaded: nothing new about them.
    assert statuses == {"failed": 2, "loaded": files_before}


def test_the_summary_gives_one_line_per_failed_check_and_step(tmp_path: Path) -> None:
    @asset(
        check_specs=[
            AssetCheckSpec("positive", asset="numbers"),
            AssetCheckSpec("small", asset="numbers"),
        ]
    )
    def numbers() -> MaterializeResult:
        return MaterializeResult(
            check_results=[
                AssetCheckResult(check_name="positive", passed=False, description="-1 < 0"),
                AssetCheckResult(
                    check_name="small",
                    passed=False,
                    severity=AssetCheckSeverity.WARN,
                    description="1000 > 100",
                ),
            ]
        )

    @asset
    def boom() -> None:
        raise Failure("disk full")

    result = materialize([numbers, boom], raise_on_error=False)
    summary = summarize(result, settings_for(tmp_path, tmp_path / "landing"))

    assert not summary.success and not summary.published
    assert summary.failures == (
        "check positive on numbers failed (-1 < 0)",
        "step boom failed: disk full",
        f"nothing published; {tmp_path / 'warehouse' / 'incentives.duckdb'} is unchanged",
    )
    assert summary.warnings == ("check small on numbers failed (1000 > 100)",)


def test_a_rejected_batch_fails_every_run_until_it_is_replaced(
    published_run: PublishedRun, tmp_path: Path
) -> None:
    settings = _copy_of(published_run, tmp_path)
    published_before = settings.warehouse.read_bytes()
    header = (
        "deal_id,partner_id,product_id,quantity,amount,currency,stage,created_at,"
        "expected_close_date,closed_at,cancelled_at,updated_at\n"
    )
    won = "{id},P1,{product},1,1000.00,{currency},won,2026-02-01,,2026-02-02,,2026-02-02\n"
    product = "A-100"
    (settings.landing_dir / "deals").mkdir()
    late = settings.landing_dir / "deals" / "late.csv"
    late.write_text(
        header
        + won.format(id="D901", product=product, currency="USD")
        + won.format(id="D902", product=product, currency="US")
        + won.format(id="D903", product=product, currency="US")
    )

    for _ in range(2):
        result = run_pipeline(settings)
        assert not result.success and not result.published
        assert any(
            "deals/late.csv: 2 of 3 rows failed their checks" in line for line in result.failures
        ), result.failures
        assert settings.warehouse.read_bytes() == published_before

    con = duckdb.connect(str(settings.build_path), read_only=True)
    try:
        assert con.execute(
            "select count(*) from raw.deals where _source_file = 'deals/late.csv'"
        ).fetchone() == (0,)
        assert con.execute(
            "select count(*) from raw.quarantine where source_file = 'deals/late.csv'"
        ).fetchone() == (3,)
    finally:
        con.close()


def test_the_deal_log_names_a_quarantined_update_of_a_deal_that_still_counts(
    published_run: PublishedRun, tmp_path: Path
) -> None:
    settings = _copy_of(published_run, tmp_path)
    (settings.landing_dir / "deals").mkdir()
    (settings.landing_dir / "deals" / "update.csv").write_text(
        "deal_id,partner_id,product_id,quantity,amount,currency,stage,created_at,"
        "expected_close_date,closed_at,cancelled_at,updated_at\n"
        # A cancellation without cancelled_at: quarantined, so D001 stays won.
        "D001,P1,A-100,90,90000.00,USD,cancelled,2025-12-15T09:00:00Z,,"
        "2026-01-10T15:00:00Z,,2026-03-01T10:00:00Z\n"
        "D003,P1,B-200,400,200000.00,USD,won,2025-12-15T09:00:00Z,,"
        "2026-02-15T10:00:00Z,,2026-03-01T10:00:00Z\n"
    )

    result = run_pipeline(settings)

    assert result.success, result.failures
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        log = dict(
            con.execute(
                "select deal_id, quarantined_update_reason from fct_deal_log"
                " where program_id = 'RESALE' and deal_id in ('D001', 'D003')"
            ).fetchall()
        )
        counted = con.execute(
            "select counted from fct_deal_log where deal_id = 'D001' and program_id = 'RESALE'"
        ).fetchone()
    finally:
        con.close()
    assert counted == (True,)
    assert log["D003"] is None
    assert "cancelled_at" in log["D001"], log

"""The Great Expectations checks inside a pipeline run: clean data passes, broken marts block."""

from __future__ import annotations

import datetime as dt

import duckdb
from dagster import AssetCheckKey, AssetKey, DagsterInstance
from quality_run import CleanRun

from orchestration.defs.factory import build_definitions
from orchestration.defs.jobs import JOB_NAME
from orchestration.defs.warehouse import PUBLISHED_WAREHOUSE
from orchestration.quality import frames, suites
from orchestration.quality.checks import (
    BLOCKING_CHECK,
    MART_CHECKED,
    RAW_CHECKED,
    data_docs_index_for,
    run_checks,
)
from orchestration.quality.validate import validate_frame
from orchestration.settings import Settings

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def test_every_suite_passes_on_a_clean_run_and_data_docs_are_built(clean_run: CleanRun) -> None:
    assert clean_run.result.success, clean_run.result.failures
    assert clean_run.result.published
    assert not [w for w in clean_run.result.warnings if "gx_" in w]

    report = run_checks(clean_run.settings, [*RAW_CHECKED, *MART_CHECKED], since=EPOCH)
    assert report.passed, [o.line() for o in report.blocking_failures]
    assert not report.warnings, [o.line() for o in report.warnings]
    judged = {o.suite for o in report.outcomes}
    for name in ("partners", "products", "deals", "fx_rates", "quotas"):
        assert {f"raw_{name}_schema", f"raw_{name}_rows", f"raw_{name}_batches"} <= judged
    assert {suite.name for suite in suites.programs_suites()} <= judged
    assert {
        suites.PARTNER_EARNINGS_SUITE.name,
        suites.PARTNER_ATTAINMENT_SUITE.name,
        suites.PROGRAM_PERFORMANCE_SUITE.name,
        suites.KEY_COUNTS_SUITE.name,
        suites.DEAL_LOG_SUITE.name,
        suites.DIM_PARTNERS_KEYS_SUITE.name,
        suites.DIM_PARTNERS_CODES_SUITE.name,
        suites.INCENTIVE_EARNINGS_SUITE.name,
        suites.PARTNER_MDF_SUITE.name,
        suites.QUARANTINE_SUITE.name,
        suites.INGEST_BATCHES_SUITE.name,
    } <= judged

    index = data_docs_index_for(clean_run.settings)
    assert report.data_docs_index == index
    assert index.is_file()
    assert suites.PARTNER_EARNINGS_SUITE.name in index.read_text(encoding="utf-8")


def test_broken_reconciliations_are_blocking_failures(build_copy: Settings) -> None:
    con = duckdb.connect(str(build_copy.build_path))
    try:
        con.execute(
            "update main.mart_partner_earnings set unpaid_usd = unpaid_usd + 0.01"
            " where partner_id = (select min(partner_id) from main.mart_partner_earnings)"
        )
        con.execute(
            "update main.mart_partner_attainment set attainment_pct = attainment_pct + 0.01"
            " where quota_usd > 0"
        )
        con.execute(
            "update main.mart_program_performance"
            " set credited_revenue_usd = credited_revenue_usd + 1"
        )
    finally:
        con.close()

    report = run_checks(build_copy, MART_CHECKED, since=EPOCH)

    failed = {o.description for o in report.blocking_failures}
    assert not report.passed
    assert "earned_usd - paid_usd = unpaid_usd" in failed
    assert any(d.startswith("attainment_pct = 100 x won_usd / quota_usd") for d in failed)
    assert any(d.startswith("credited_revenue_usd sums to the credited_usd") for d in failed)
    # The earning lines still match the untouched earned_usd column.
    assert not any(d.startswith("the earning lines of fct_incentive_earnings") for d in failed)


def test_a_failed_blocking_mart_check_prevents_publishing(build_copy: Settings) -> None:
    job = build_definitions(build_copy).resolve_job_def(JOB_NAME)
    mart_checks = {
        AssetCheckKey(target.asset_key, spec.name)
        for target in MART_CHECKED
        for spec in target.specs()
    }
    publish_only = job.get_subset(
        asset_selection={AssetKey(PUBLISHED_WAREHOUSE)}, asset_check_selection=mart_checks
    )

    with DagsterInstance.ephemeral() as instance:
        clean = publish_only.execute_in_process(instance=instance, raise_on_error=False)
    assert clean.success
    published_bytes = build_copy.warehouse.read_bytes()

    con = duckdb.connect(str(build_copy.build_path))
    try:
        con.execute("update main.mart_partner_earnings set earned_usd = earned_usd + 5")
    finally:
        con.close()
    with DagsterInstance.ephemeral() as instance:
        broken = publish_only.execute_in_process(instance=instance, raise_on_error=False)

    assert not broken.success
    failed = [e for e in broken.get_asset_check_evaluations() if not e.passed]
    assert [(e.asset_key, e.check_name) for e in failed] == [
        (AssetKey(["main", "mart_partner_earnings"]), BLOCKING_CHECK)
    ]
    assert "earning lines of fct_incentive_earnings sum to earned_usd" in failed[0].description
    assert not broken.get_asset_materialization_events()
    assert build_copy.warehouse.read_bytes() == published_bytes


def test_a_bad_value_in_an_arriving_batch_is_a_blocking_failure(clean_run: CleanRun) -> None:
    con = duckdb.connect(str(clean_run.settings.build_path), read_only=True)
    try:
        batch_ids = frames.batch_ids_loaded_since(con, "deals", EPOCH)
        rows = frames.raw_rows_frame(con, "deals", batch_ids)
    finally:
        con.close()
    assert len(rows) > 2
    rows.loc[0, "stage"] = "bogus"
    rows.loc[1, "deal_id"] = None
    rows.loc[2, ["stage", "closed_at"]] = ["won", None]

    report = validate_frame(suites.raw_rows_suite("deals"), rows)

    assert {o.description for o in report.blocking_failures} == {
        "stage is one of prospecting, qualification, proposal, negotiation, won, lost, cancelled",
        "deal_id is never missing",
        "a won or cancelled deal has closed_at",
    }


def test_only_this_runs_batches_are_judged_and_a_row_count_swing_only_warns(
    build_copy: Settings,
) -> None:
    since = dt.datetime.now(dt.UTC)
    con = duckdb.connect(str(build_copy.build_path))
    try:
        (earlier_rows,) = con.execute(
            "select avg(rows_read) from raw.ingest_batches where table_name = 'deals'"
        ).fetchone()
        # A new deals batch ten times the size of the earlier ones, with one valid row.
        con.execute(
            "insert into raw.ingest_batches select 9001, 'hash', 'deals/big.csv', 'deals', 'csv',"
            " 'loaded', ? * 10, ? * 10, 0, null, ? from range(1)",
            [earlier_rows, earlier_rows, since.replace(tzinfo=None) + dt.timedelta(seconds=1)],
        )
        con.execute(
            "insert into raw.deals select * replace (9001 as _batch_id)"
            " from raw.deals where stage = 'won' limit 1"
        )
    finally:
        con.close()
    deals = next(t for t in RAW_CHECKED if t.asset_key == AssetKey(["raw", "deals"]))

    report = run_checks(build_copy, [deals], since=since)

    assert report.passed
    assert [o.suite for o in report.warnings] == ["raw_deals_batches"]
    rows_outcomes = [o for o in report.outcomes if o.suite == "raw_deals_rows"]
    assert rows_outcomes and all(o.passed for o in rows_outcomes)
    assert report.warnings[0].detail == "1 unexpected: 10.0"

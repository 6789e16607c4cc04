"""Every expectation outcome is kept in main.data_quality_results and reaches the published file."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
from quality_run import CleanRun, settings_for

from orchestration.quality import suites
from orchestration.quality.checks import (
    MART_CHECKED,
    RAW_CHECKED,
    CheckedAsset,
    data_docs_index_for,
    mart_key,
    run_checks,
)
from orchestration.quality.results import DATA_QUALITY_RESULTS_TABLE
from orchestration.settings import Settings

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
COLUMNS = "asset, suite, expectation, description, severity, success, observed, data_docs_path"


def _mart(name: str) -> CheckedAsset:
    return next(t for t in MART_CHECKED if t.asset_key == mart_key(name))


def _recorded(path: Path, run_id: str) -> list[dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute(
            f"select {COLUMNS} from {DATA_QUALITY_RESULTS_TABLE} where run_id = $run_id"
            " order by asset, suite, expectation, description",
            {"run_id": run_id},
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _expected(target: CheckedAsset) -> list[tuple[str, str, str, str, str]]:
    """(asset, suite, expectation type, description, severity) of every expectation."""
    return sorted(
        (
            target.asset_key.to_user_string(),
            suite.name,
            spec.expectation.expectation_type,
            spec.description,
            spec.severity,
        )
        for suite in target.suites
        for spec in suite.expectations
    )


def test_each_expectation_is_recorded_with_its_severity_and_verdict(build_copy: Settings) -> None:
    con = duckdb.connect(str(build_copy.build_path))
    try:
        con.execute("update main.mart_partner_earnings set unpaid_usd = unpaid_usd + 0.01")
        (broken_rows,) = con.execute("select count(*) from main.mart_partner_earnings").fetchone()
    finally:
        con.close()

    def unreadable(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> list:
        raise RuntimeError("the performance frame is broken")

    earnings = _mart("mart_partner_earnings")
    deal_log = _mart("fct_deal_log")
    performance = dataclasses.replace(_mart("mart_program_performance"), read=unreadable)

    report = run_checks(build_copy, [earnings, deal_log, performance], EPOCH, run_id="run-a")
    rows = _recorded(build_copy.build_path, "run-a")

    expected = sorted(_expected(earnings) + _expected(deal_log) + _expected(performance))
    assert len(rows) == len(report.outcomes) == len(expected)
    assert (
        sorted(
            (r["asset"], r["suite"], r["expectation"], r["description"], r["severity"])
            for r in rows
        )
        == expected
    )
    assert {r["severity"] for r in rows} == {suites.BLOCKING, suites.WARNING}

    failed = {(r["asset"], r["description"]) for r in rows if not r["success"]}
    assert ("main/mart_partner_earnings", "earned_usd - paid_usd = unpaid_usd") in failed
    earnings_rows = [r for r in rows if r["asset"] == "main/mart_partner_earnings"]
    assert any(r["success"] for r in earnings_rows)
    assert all(r["success"] for r in rows if r["asset"] == "main/fct_deal_log")

    broken = [r for r in rows if r["asset"] == "main/mart_program_performance"]
    assert broken and not any(r["success"] for r in broken)
    assert all("the performance frame is broken" in r["observed"] for r in broken)

    unpaid = next(
        r for r in earnings_rows if r["description"] == "earned_usd - paid_usd = unpaid_usd"
    )
    assert unpaid["observed"].startswith(f"{broken_rows} unexpected: -0.01")
    assert {r["data_docs_path"] for r in rows} == {str(data_docs_index_for(build_copy))}


def test_history_is_kept_and_an_id_is_made_up_outside_a_run(build_copy: Settings) -> None:
    deal_log = _mart("fct_deal_log")
    run_checks(build_copy, [deal_log], EPOCH, run_id="run-a")
    run_checks(build_copy, [deal_log], EPOCH)

    con = duckdb.connect(str(build_copy.build_path), read_only=True)
    try:
        runs = con.execute(
            f"select run_id, count(*), min(checked_at) from {DATA_QUALITY_RESULTS_TABLE}"
            " group by run_id order by min(checked_at)"
        ).fetchall()
        (tz_free,) = con.execute(
            f"select typeof(checked_at) from {DATA_QUALITY_RESULTS_TABLE} limit 1"
        ).fetchone()
    finally:
        con.close()
    # The copied build already holds the clean run's own outcomes; these two come after them.
    assert runs[-2][0] == "run-a"
    assert runs[-1][0].startswith("checks-")
    assert runs[-1][1] == runs[-2][1] == len(_expected(deal_log))
    assert tz_free == "TIMESTAMP"


def test_the_published_warehouse_holds_the_outcomes_of_the_run_that_built_it(
    clean_run: CleanRun,
) -> None:
    con = duckdb.connect(str(clean_run.settings.warehouse), read_only=True)
    try:
        (published_run,) = con.execute("select run_id from main.pipeline_runs").fetchone()
        rows = con.execute(
            f"select asset, success from {DATA_QUALITY_RESULTS_TABLE} where run_id = $run_id",
            {"run_id": published_run},
        ).fetchall()
    finally:
        con.close()

    assert published_run == clean_run.result.run_id
    # Raw outcomes are written before dbt builds schema main: the table survives dbt build.
    assets = {asset for asset, _ in rows}
    assert {t.asset_key.to_user_string() for t in (*RAW_CHECKED, *MART_CHECKED)} <= assets
    assert all(success for _, success in rows)


def test_nothing_is_written_without_a_build_warehouse(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    report = run_checks(settings, MART_CHECKED, since=EPOCH, run_id="run-x")
    assert not report.passed
    assert not settings.build_path.exists()

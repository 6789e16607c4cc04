"""The quality checks are part of the job, between ingestion, dbt and the publish."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetCheckSeverity
from quality_run import settings_for

from orchestration.defs.dbt import dbt_models
from orchestration.defs.factory import build_definitions
from orchestration.defs.jobs import JOB_NAME
from orchestration.defs.warehouse import published_warehouse
from orchestration.quality import suites, validate
from orchestration.quality.checks import (
    BLOCKING_CHECK,
    MART_CHECKED,
    RAW_CHECKED,
    WARNING_CHECK,
    check_result,
    mart_quality_checks,
    raw_quality_checks,
    run_checks,
)
from orchestration.quality.validate import ExpectationOutcome


def test_checks_run_in_the_job_after_ingestion_before_dbt_and_before_publishing(
    tmp_path: Path,
) -> None:
    job = build_definitions(settings_for(tmp_path)).resolve_job_def(JOB_NAME)
    check_keys = job.asset_layer.asset_graph.asset_check_keys
    for target in (*RAW_CHECKED, *MART_CHECKED):
        assert {spec.key for spec in target.specs()} <= check_keys
        assert target.asset_key in job.asset_layer.asset_graph.get_all_asset_keys()

    dependencies = job.graph.dependency_structure
    upstream = {
        node: {h.node_name for h in dependencies.all_upstream_outputs_from_node(node)}
        for node in (dbt_models.op.name, published_warehouse.op.name)
    }
    # A failed blocking check fails its step, and the steps after it do not run.
    assert raw_quality_checks.op.name in upstream[dbt_models.op.name]
    assert mart_quality_checks.op.name in upstream[published_warehouse.op.name]


def test_blocking_and_warning_expectations_map_to_check_severities() -> None:
    specs = {
        (target.asset_key.to_user_string(), spec.name): spec
        for target in (*RAW_CHECKED, *MART_CHECKED)
        for spec in target.specs()
    }
    assert specs[("raw/deals", BLOCKING_CHECK)].blocking
    assert not specs[("raw/deals", WARNING_CHECK)].blocking
    assert specs[("main/mart_partner_earnings", BLOCKING_CHECK)].blocking
    assert ("main/mart_partner_earnings", WARNING_CHECK) not in specs
    assert not specs[("main/fct_deal_log", WARNING_CHECK)].blocking

    deal_log = next(t for t in MART_CHECKED if t.asset_key.path[-1] == "fct_deal_log")
    gap = ExpectationOutcome(
        suites.DEAL_LOG_SUITE.name,
        "x",
        suites.WARNING,
        "fx gaps",
        passed=False,
        detail="observed 2",
    )
    warning = check_result(deal_log, suites.WARNING, [gap], None)
    assert (warning.passed, warning.severity) == (False, AssetCheckSeverity.WARN)
    assert warning.description == f"{suites.DEAL_LOG_SUITE.name}: fx gaps (observed 2)"
    blocking = check_result(deal_log, suites.BLOCKING, [gap], None)
    assert (blocking.passed, blocking.severity) == (True, AssetCheckSeverity.ERROR)


def test_data_docs_keep_a_bounded_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "KEEP_RESULTS_PER_SUITE", 2)
    suite = suites.raw_batches_suite("deals")
    frame = pd.DataFrame({"ratio_to_earlier_average": [1.0]})
    for _ in range(3):
        report = validate.validate_frame(suite, frame, docs_dir=tmp_path)
    assert report.data_docs_index is not None
    pages = list((tmp_path / "site" / "validations" / suite.name).rglob("*.html"))
    assert len(pages) == 2


def test_checks_that_cannot_read_their_data_fail(tmp_path: Path) -> None:
    report = run_checks(settings_for(tmp_path), MART_CHECKED, since=dt.datetime.now(dt.UTC))
    assert len(report.outcomes) == sum(
        len(suite.expectations) for target in MART_CHECKED for suite in target.suites
    )
    assert not any(o.passed for o in report.outcomes)
    assert not report.passed
    assert all("could not read the data" in (o.detail or "") for o in report.outcomes)

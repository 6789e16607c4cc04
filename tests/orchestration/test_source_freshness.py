"""dbt source freshness: declared on every raw source, checked after ingestion, warning only."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckSeverity,
    AssetKey,
    DagsterInstance,
    Definitions,
)
from pipeline_cases import CASE_LANDING, copy_landing, settings_for

from orchestration.contract import LOAD_ORDER
from orchestration.defs.dbt import translator
from orchestration.defs.factory import build_definitions
from orchestration.defs.freshness import (
    ERROR,
    FRESHNESS_CHECK,
    FRESHNESS_SOURCES,
    PASS,
    RUNTIME_ERROR,
    WARN,
    freshness_check_result,
    read_freshness,
)
from orchestration.defs.ingestion import BATCHES_CHECK, RAW_ASSET_KEYS, raw_asset_key
from orchestration.defs.jobs import JOB_NAME
from orchestration.defs.project import dbt_project
from orchestration.defs.warehouse import PUBLISHED_WAREHOUSE
from orchestration.settings import Settings

FRESHNESS_KEYS = {AssetCheckKey(key, FRESHNESS_CHECK) for key in FRESHNESS_SOURCES}
DEALS = AssetKey(["raw", "deals"])


def _manifest_sources() -> list[dict]:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return [s for s in manifest["sources"].values() if s["schema"] == "raw"]


def test_every_raw_source_declares_freshness_on_its_newest_batch() -> None:
    for source in _manifest_sources():
        config = source["config"]
        assert config["freshness"]["warn_after"] == {"count": 24, "period": "hour"}
        assert config["freshness"]["error_after"] == {"count": 72, "period": "hour"}
        # The newest batch in raw.ingest_batches, directly or through raw_batch_loaded_at().
        query = source["loaded_at_query"] or ""
        assert "ingest_batches" in query or "raw_batch_loaded_at(" in query, source["unique_id"]
    declared = {uid for uids in FRESHNESS_SOURCES.values() for uid in uids}
    assert declared == {source["unique_id"] for source in _manifest_sources()}


def test_each_raw_asset_has_one_non_blocking_freshness_check() -> None:
    assert set(FRESHNESS_SOURCES) == set(RAW_ASSET_KEYS)
    assert {translator.get_asset_key(s) for s in _manifest_sources()} == set(FRESHNESS_SOURCES)


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> Definitions:
    root = tmp_path_factory.mktemp("freshness_defs")
    return build_definitions(settings_for(root, root / "landing"))


def test_the_freshness_checks_follow_ingestion_and_never_gate_the_publish(
    defs: Definitions,
) -> None:
    graph = defs.resolve_asset_graph()
    assert set(graph.asset_check_keys) >= FRESHNESS_KEYS
    for key in FRESHNESS_KEYS:
        assert not graph.get_check_spec(key).blocking
    job = defs.resolve_job_def(JOB_NAME)
    upstream = job.graph.dependency_structure.input_to_upstream_outputs_for_node("source_freshness")
    assert {output.node_name for outputs in upstream.values() for output in outputs} == {
        "ingest_landing"
    }
    # The publish waits for assets only; a check that is not blocking cannot hold it back.
    assert not any(
        parent in FRESHNESS_SOURCES
        for parent in graph.get(AssetKey(PUBLISHED_WAREHOUSE)).parent_keys
    )


def _result(unique_id: str, status: str = PASS, **fields: object) -> dict:
    return {"unique_id": unique_id, "status": status, **fields}


def test_error_and_runtime_error_fail_with_severity_warn_and_warn_passes() -> None:
    deals = "source.partner_incentives.crm.deals"
    criteria = {
        "warn_after": {"count": 24, "period": "hour"},
        "error_after": {"count": 72, "period": "hour"},
    }
    cases = {
        PASS: (True, {"max_loaded_at_time_ago_in_s": 60.0}),
        WARN: (True, {"max_loaded_at_time_ago_in_s": 30 * 3600.0}),
        ERROR: (False, {"max_loaded_at_time_ago_in_s": 100 * 3600.0}),
        RUNTIME_ERROR: (False, {"error": "Catalog Error: Table raw.ingest_batches"}),
    }
    for status, (passed, fields) in cases.items():
        if status != RUNTIME_ERROR:
            fields = {**fields, "max_loaded_at": "2026-12-01T10:00:00+00:00", "criteria": criteria}
        tables = read_freshness({"results": [_result(deals, status, **fields)]}, [deals])
        result = freshness_check_result(DEALS, list(tables.values()))
        assert result.passed is passed, status
        assert result.severity == AssetCheckSeverity.WARN
        assert result.metadata["status"].value == status
    runtime = read_freshness({"results": [_result(deals, RUNTIME_ERROR, error="boom")]}, [deals])
    assert "boom" in freshness_check_result(DEALS, list(runtime.values())).description


def test_a_source_dbt_left_out_or_never_loaded_fails() -> None:
    deals, splits = "source.x.crm.deals", "source.x.crm.deal_splits"
    never = _result(
        splits,
        ERROR,
        max_loaded_at="0001-01-01T00:00:00+00:00",
        max_loaded_at_time_ago_in_s=6.4e10,
    )
    tables = read_freshness({"results": [never]}, [deals, splits])
    assert tables[deals].status == RUNTIME_ERROR
    assert tables[splits].max_loaded_at is None and tables[splits].age_hours is None
    result = freshness_check_result(DEALS, list(tables.values()))
    assert not result.passed
    assert result.metadata["status"].value == RUNTIME_ERROR
    assert "no batch of this table loaded yet" in result.description


def test_an_optional_table_never_delivered_passes_but_a_required_one_fails() -> None:
    never = {
        "status": ERROR,
        "max_loaded_at": "0001-01-01T00:00:00+00:00",
        "max_loaded_at_time_ago_in_s": 6.4e10,
    }
    for table, required in (("deal_splits", False), ("deals", True)):
        unique_id = f"source.x.crm.{table}"
        tables = read_freshness({"results": [_result(unique_id, **never)]}, [unique_id])
        result = freshness_check_result(AssetKey(["raw", table]), list(tables.values()))
        assert result.passed is not required, table
        assert result.metadata["status"].value == ERROR


def _ingest_and_check(settings: Settings) -> dict[AssetKey, AssetCheckEvaluation]:
    """Run ingestion and the freshness checks only (no dbt build); their evaluations by asset."""
    defs = build_definitions(settings)
    job = defs.resolve_job_def(JOB_NAME).get_subset(
        asset_selection=set(RAW_ASSET_KEYS),
        asset_check_selection=FRESHNESS_KEYS
        | {AssetCheckKey(raw_asset_key(table), BATCHES_CHECK) for table in LOAD_ORDER},
    )
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert result.success
    return {
        evaluation.asset_key: evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.check_name == FRESHNESS_CHECK
    }


def test_fresh_after_a_load_then_an_error_warning_once_batches_are_100_hours_old(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path, copy_landing(CASE_LANDING, tmp_path / "landing"))

    fresh = _ingest_and_check(settings)
    assert set(fresh) == set(FRESHNESS_SOURCES)
    for key, evaluation in fresh.items():
        assert evaluation.passed, (key, evaluation.description)
    # Golden case 01 delivers no deal splits, payouts or MDF claims (optional tables).
    for key in (DEALS, AssetKey(["raw", "programs"]), AssetKey(["raw", "ingest_batches"])):
        assert fresh[key].metadata["status"].value == PASS
        assert fresh[key].metadata["age_hours"].value < 1

    con = duckdb.connect(str(settings.build_path))
    try:
        con.execute("update raw.ingest_batches set loaded_at = loaded_at - interval 100 hour")
    finally:
        con.close()

    # The same files again: nothing new arrives, so the data tables are 100 hours old.
    stale = _ingest_and_check(settings)
    evaluation = stale[DEALS]
    assert not evaluation.passed
    assert evaluation.severity == AssetCheckSeverity.WARN
    assert evaluation.metadata["status"].value == ERROR
    assert 100 <= evaluation.metadata["age_hours"].value < 101
    assert not stale[AssetKey(["raw", "programs"])].passed

"""The Dagster definitions load and are wired as the pipeline needs."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import pytest
from dagster import AssetKey, DefaultScheduleStatus, Definitions
from dagster_dbt import DbtProject
from pipeline_cases import settings_for

from orchestration.contract import LOAD_ORDER, PROGRAM_TABLES
from orchestration.defs.dbt import DBT_GROUPS, dbt_models, mart_asset_keys, translator
from orchestration.defs.factory import build_definitions
from orchestration.defs.ingestion import BATCHES_CHECK, RAW_ASSET_KEYS, raw_asset_key
from orchestration.defs.jobs import JOB_NAME
from orchestration.defs.project import dbt_project, manifest_is_stale
from orchestration.defs.resources import DuckDBWarehouse
from orchestration.defs.warehouse import PUBLISHED_WAREHOUSE


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> Definitions:
    root = tmp_path_factory.mktemp("defs")
    return build_definitions(settings_for(root, root / "landing"))


def test_every_landing_table_has_an_ingestion_asset_in_group_raw(defs: Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for table in LOAD_ORDER:
        node = graph.get(raw_asset_key(table))
        assert node.group_name == "raw"
        assert node.is_materializable
    check_keys = {(key.asset_key, key.name) for key in graph.asset_check_keys}
    assert {(raw_asset_key(t), BATCHES_CHECK) for t in LOAD_ORDER} <= check_keys


def test_dbt_models_are_assets_grouped_by_their_folder(defs: Definitions) -> None:
    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in dbt_models.keys}
    assert "staging" in groups
    assert groups <= {*DBT_GROUPS, "seeds", "snapshots"}
    # A model's key is its relation: <schema>/<name>.
    assert all(len(key.path) == 2 for key in dbt_models.keys)


def test_every_raw_dbt_source_is_an_ingestion_asset() -> None:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    raw_sources = [s for s in manifest["sources"].values() if s["schema"] == "raw"]
    assert raw_sources
    for source in raw_sources:
        assert translator.get_asset_key(source) in RAW_ASSET_KEYS, source["unique_id"]


@pytest.mark.parametrize("table", sorted(PROGRAM_TABLES))
def test_program_sources_map_to_the_programs_asset(table: str) -> None:
    source = {"resource_type": "source", "schema": "raw", "name": table, "source_name": "x"}
    assert translator.get_asset_key(source) == AssetKey(["raw", "programs"])


def test_staging_models_depend_on_the_ingestion_assets(defs: Definitions) -> None:
    graph = defs.resolve_asset_graph()
    staging_parents = {
        parent
        for key in dbt_models.keys
        if graph.get(key).group_name == "staging"
        for parent in graph.get(key).parent_keys
    }
    assert staging_parents & set(RAW_ASSET_KEYS)
    assert staging_parents <= set(RAW_ASSET_KEYS) | set(dbt_models.keys)


def test_publish_runs_after_the_marts(defs: Definitions) -> None:
    node = defs.resolve_asset_graph().get(AssetKey(PUBLISHED_WAREHOUSE))
    expected = set(mart_asset_keys()) or set(dbt_models.keys)
    assert set(node.parent_keys) == expected


def test_one_job_with_every_asset_a_schedule_and_a_sensor(defs: Definitions) -> None:
    job = defs.resolve_job_def(JOB_NAME)
    assert job.asset_layer.selected_asset_keys >= {
        *RAW_ASSET_KEYS,
        *dbt_models.keys,
        AssetKey(PUBLISHED_WAREHOUSE),
    }
    schedule = defs.resolve_schedule_def("hourly_rebuild")
    assert schedule.job_name == JOB_NAME
    assert schedule.default_status == DefaultScheduleStatus.STOPPED
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    assert sensor.job_name == JOB_NAME


def test_the_warehouse_connection_uses_utc(tmp_path: Path) -> None:
    warehouse = DuckDBWarehouse(path=str(tmp_path / "sub" / "build.duckdb"))
    with warehouse.connect() as con:
        assert con.execute("select current_setting('TimeZone')").fetchone()[0] == "UTC"


def test_manifest_is_stale_when_missing_or_older_than_a_model(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("name: tiny\nprofile: tiny\n")
    (tmp_path / "profiles.yml").write_text("tiny: {}\n")
    model = tmp_path / "models" / "m.sql"
    model.parent.mkdir()
    model.write_text("select 1 as x\n")
    project = DbtProject(project_dir=tmp_path, profiles_dir=tmp_path)
    assert manifest_is_stale(project)

    project.manifest_path.parent.mkdir()
    project.manifest_path.write_text("{}")
    old = project.manifest_path.stat().st_mtime - 10
    for path in (model, tmp_path / "dbt_project.yml", tmp_path / "profiles.yml"):
        os.utime(path, (old, old))
    assert not manifest_is_stale(project)

    os.utime(model, (old + 20, old + 20))
    assert manifest_is_stale(project)


def test_the_module_dagster_loads_builds_definitions_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCENTIVES_LANDING_DIR", str(tmp_path / "landing"))
    definitions = importlib.reload(importlib.import_module("orchestration.defs.definitions"))
    resource = definitions.defs.resources["settings"]
    assert resource.landing_dir == str(tmp_path / "landing")
    assert definitions.defs.resolve_job_def(JOB_NAME) is not None

"""The dbt models as Dagster assets, built with ``dbt build`` so dbt tests run as asset checks.

Asset keys follow the relations: a dbt source in schema ``raw`` is the
ingestion asset ``raw/<table>`` (every ``raw.program_*`` table comes from the
one asset ``raw/programs``), and a model is ``<schema>/<name>``, for example
``staging/stg_crm__deals`` or ``main/fct_incentive_earnings``. Groups follow
the dbt folders: staging, intermediate, marts.
"""

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.contract import PROGRAM_TABLES, RAW_SCHEMA
from orchestration.defs.ingestion import raw_asset_key
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import SettingsResource
from orchestration.publish import hold_build_lock
from orchestration.settings import Settings

# Top-level folders of models/, in data-flow order; each is an asset group.
DBT_GROUPS: tuple[str, ...] = ("staging", "intermediate", "marts")
MARTS_GROUP = "marts"


class IncentivesDbtTranslator(DagsterDbtTranslator):
    """Maps dbt sources onto the ingestion assets and models onto ``<schema>/<name>`` keys."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source" and dbt_resource_props.get("schema") == RAW_SCHEMA:
            table = dbt_resource_props.get("identifier") or dbt_resource_props["name"]
            return raw_asset_key("programs" if table in PROGRAM_TABLES else table)
        if resource_type in ("model", "seed", "snapshot"):
            relation = dbt_resource_props.get("alias") or dbt_resource_props["name"]
            return AssetKey([dbt_resource_props["schema"], relation])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props["resource_type"] == "model" and len(fqn) > 2 and fqn[1] in DBT_GROUPS:
            return fqn[1]
        if dbt_resource_props["resource_type"] in ("seed", "snapshot"):
            return f"{dbt_resource_props['resource_type']}s"
        return super().get_group_name(dbt_resource_props)


translator = IncentivesDbtTranslator(
    # Several raw.program_* sources share the asset raw/programs, and dbt tests on
    # sources become checks on the ingestion assets instead of bare observations.
    settings=DagsterDbtTranslatorSettings(
        enable_duplicate_source_asset_keys=True, enable_source_tests_as_checks=True
    )
)


@contextmanager
def _environment(overrides: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block.

    DbtCliResource passes this process's environment to dbt and takes no
    other; ``profiles.yml`` reads the build warehouse path and target from it.
    """
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_target_path(settings: Settings) -> Path:
    """Where dbt writes its artifacts for a build warehouse (run_results.json, dbt.log).

    One folder per build warehouse, reused run after run (the build lock keeps
    runs apart), so dbt can parse partially and the last run's logs stay at hand.
    """
    build = settings.build_path.resolve()
    return build.with_name(build.stem + "_dbt_target")


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="dbt_models",
)
def dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, settings: SettingsResource
) -> Iterator[Any]:
    """``dbt build`` the selected models into the build warehouse with the run's as-of date."""
    run_settings = settings.get()
    context.log.info(
        f"dbt build into {run_settings.build_path} as of {run_settings.effective_as_of}"
    )
    with hold_build_lock(run_settings.build_path):
        with _environment(run_settings.dbt_env()):
            invocation = dbt.cli(
                # Unit tests pin the rules on fixed inputs, not on this run's
                # data: the test suite runs them once instead of every build.
                [
                    "build",
                    "--exclude-resource-type",
                    "unit_test",
                    "--vars",
                    json.dumps(run_settings.dbt_vars()),
                ],
                context=context,
                target_path=dbt_target_path(run_settings),
            )
        yield from invocation.stream()


def mart_asset_keys() -> list[AssetKey]:
    """Keys of the models in the marts folder (the published, public relations)."""
    return [
        key for key in dbt_models.keys if dbt_models.specs_by_key[key].group_name == MARTS_GROUP
    ]

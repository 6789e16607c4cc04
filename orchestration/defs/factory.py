"""Build the Dagster definitions for one set of settings."""

from __future__ import annotations

from dagster import Definitions

from orchestration.defs.dbt import dbt_models
from orchestration.defs.freshness import source_freshness
from orchestration.defs.ingestion import ingest_landing
from orchestration.defs.jobs import incentives_job
from orchestration.defs.resources import build_resources
from orchestration.defs.schedules import hourly_rebuild
from orchestration.defs.sensors import landing_files_sensor
from orchestration.defs.warehouse import published_warehouse
from orchestration.quality.checks import QUALITY_CHECKS
from orchestration.settings import Settings


def build_definitions(settings: Settings) -> Definitions:
    """Assets, checks, job, schedule and sensor, with resources built from ``settings``."""
    return Definitions(
        assets=[ingest_landing, dbt_models, published_warehouse],
        asset_checks=[*QUALITY_CHECKS, source_freshness],
        jobs=[incentives_job],
        schedules=[hourly_rebuild],
        sensors=[landing_files_sensor],
        resources=build_resources(settings),
    )

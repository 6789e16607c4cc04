"""The one job: ingest the landing folder, build every dbt model, publish."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

JOB_NAME = "incentives_job"

incentives_job = define_asset_job(
    name=JOB_NAME,
    selection=AssetSelection.all(),
    description=(
        "Load new landing files into raw, dbt build staging, intermediate and marts (dbt tests"
        " run as asset checks), then publish the build warehouse if nothing failed."
    ),
)

"""An hourly rebuild, off until switched on in the Dagster UI.

The landing sensor already starts a run when files arrive; the schedule is
for deployments whose "today" moves on without new files (open periods,
forecasts and the deal log depend on the as-of date).
"""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.defs.jobs import incentives_job

hourly_rebuild = ScheduleDefinition(
    name="hourly_rebuild",
    job=incentives_job,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Rebuild and publish the warehouse at the start of every hour (UTC).",
)

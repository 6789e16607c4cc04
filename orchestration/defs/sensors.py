"""A sensor that starts the job when landing files appear or change.

Its cursor is a digest of every file's path, size and modification time
under the landing folder, so it fires once per change and not again until
the folder changes once more. While a run of the job is queued or in
progress it waits, without moving the cursor, so files that arrive during a
run are picked up by the next one.
"""

import hashlib
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from orchestration.defs.jobs import JOB_NAME, incentives_job
from orchestration.defs.resources import SettingsResource

_ACTIVE_STATUSES = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


def landing_digest(landing_dir: Path) -> str | None:
    """sha256 over (relative path, size, mtime) of every visible file; None when there is none.

    Names starting with a dot (editor and upload leftovers) are ignored, as
    ingestion ignores them.
    """
    if not landing_dir.is_dir():
        return None
    lines = []
    for path in sorted(landing_dir.rglob("*")):
        relative = path.relative_to(landing_dir)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        stat = path.stat()
        lines.append(f"{relative.as_posix()}\t{stat.st_size}\t{stat.st_mtime_ns}")
    if not lines:
        return None
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _job_is_active(context: SensorEvaluationContext) -> bool:
    runs = context.instance.get_runs(
        filters=RunsFilter(job_name=JOB_NAME, statuses=_ACTIVE_STATUSES), limit=1
    )
    return bool(runs)


@sensor(
    job=incentives_job,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Runs the pipeline when files in the landing folder are added or changed.",
)
def landing_files_sensor(
    context: SensorEvaluationContext, settings: SettingsResource
) -> SensorResult | SkipReason:
    """Request a run when the landing folder's digest differs from the cursor."""
    landing_dir = Path(settings.landing_dir)
    digest = landing_digest(landing_dir)
    if digest is None:
        return SkipReason(f"no landing files in {landing_dir}")
    if digest == context.cursor:
        return SkipReason(f"no new or changed files in {landing_dir}")
    if _job_is_active(context):
        return SkipReason(f"files changed in {landing_dir}; waiting for the current run to end")
    context.log.info(f"landing files changed in {landing_dir}; requesting a run")
    return SensorResult(
        run_requests=[RunRequest(run_key=digest, tags={"incentives/trigger": "landing_files"})],
        cursor=digest,
    )

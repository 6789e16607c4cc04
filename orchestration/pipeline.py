"""Run the whole pipeline once, in this process: what ``incentives run`` calls.

:func:`run_pipeline` executes the Dagster job ``incentives_job`` with
resources built from the settings, while holding the build warehouse's lock,
and condenses the outcome into a :class:`PipelineResult`: per-table load
counts, and one line per failure (failed batch, failed check, failed step).
The job publishes only when everything passed, so a failed run leaves the
published warehouse untouched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from pathlib import Path

from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    AssetKey,
    DagsterInstance,
    ExecuteInProcessResult,
)

from orchestration.defs.factory import build_definitions
from orchestration.defs.ingestion import (
    BATCHES_CHECK,
    IGNORED_FILES_METADATA,
    RAW_ASSET_KEYS,
    TableLoad,
    raw_asset_key,
)
from orchestration.defs.jobs import JOB_NAME
from orchestration.defs.warehouse import PUBLISHED_WAREHOUSE
from orchestration.publish import (
    LOCK_TIMEOUT_SECONDS,
    WarehouseLockedError,
    hold_build_lock,
    wait_until_build_file_is_free,
)
from orchestration.settings import Settings

logger = logging.getLogger(__name__)

# Step failures that only repeat failed checks already reported one by one.
_CHECK_FAILURE_ERRORS = frozenset({"DagsterAssetCheckFailedError"})
_MAX_REASON_CHARS = 400
# DagsterDbtCliRuntimeError lists the errors dbt logged after this line.
_DBT_ERRORS_MARKER = "Errors parsed from dbt logs:"


@dataclasses.dataclass(frozen=True)
class PipelineResult:
    """The outcome of one run."""

    success: bool
    published: bool
    warehouse: Path
    build_warehouse: Path
    as_of: dt.date
    tables: tuple[TableLoad, ...] = ()
    failures: tuple[str, ...] = ()  # one line each; empty when the run succeeded
    # Landing files no table loads, and failed checks of severity WARN; neither blocks.
    warnings: tuple[str, ...] = ()
    run_id: str | None = None

    @property
    def batches(self) -> int:
        return sum(t.batches for t in self.tables)

    @property
    def failed_batches(self) -> int:
        return sum(t.failed_batches for t in self.tables)

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.tables)

    @property
    def rows_loaded(self) -> int:
        return sum(t.rows_loaded for t in self.tables)

    @property
    def rows_quarantined(self) -> int:
        return sum(t.rows_quarantined for t in self.tables)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_REASON_CHARS else line[: _MAX_REASON_CHARS - 1] + "…"


def _table_loads(result: ExecuteInProcessResult) -> tuple[TableLoad, ...]:
    loads = []
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        key = materialization.asset_key
        if key in RAW_ASSET_KEYS and "batches" in materialization.metadata:
            loads.append(TableLoad.from_metadata(key.path[-1], materialization.metadata))
    return tuple(loads)


def _ignored_files(result: ExecuteInProcessResult) -> list[str]:
    """The warning lines ingestion gave for landing files that no table loads."""
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        if materialization.asset_key == raw_asset_key("ingest_batches"):
            lines = materialization.metadata.get(IGNORED_FILES_METADATA)
            return list(getattr(lines, "value", None) or [])
    return []


def _check_line(evaluation: AssetCheckEvaluation) -> list[str]:
    """One line per cause of a failed check."""
    if evaluation.check_name == BATCHES_CHECK:
        lines = evaluation.metadata.get("failures")
        table = evaluation.asset_key.path[-1]
        return [
            f"{table}: {line}"
            for line in getattr(lines, "value", None) or [evaluation.description or "failed"]
        ]
    detail = evaluation.description or ""
    failed_rows = evaluation.metadata.get("dagster_dbt/failed_row_count")
    if failed_rows is not None:
        detail = f"{getattr(failed_rows, 'value', failed_rows)} failing rows"
    suffix = f" ({_one_line(detail)})" if detail else ""
    asset = evaluation.asset_key.to_user_string()
    return [f"check {evaluation.check_name} on {asset} failed{suffix}"]


def _failed_checks(result: ExecuteInProcessResult, severity: AssetCheckSeverity) -> list[str]:
    return [
        line
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == severity
        for line in _check_line(evaluation)
    ]


def _error_reason(cls_name: str, message: str) -> str:
    """The useful part of an error message: dbt's own errors rather than the command line."""
    message = re.sub(rf"^(?:[\w.]+\.)?{re.escape(cls_name)}:\s*", "", message.strip())
    head, marker, dbt_errors = message.partition(_DBT_ERRORS_MARKER)
    if not marker:
        return message
    exit_code = re.search(r"exit code `?(\d+)", head)
    log = re.search(r"dbt debug log: (\S+?)\.?(?:\s|$)", head)
    reason = f"dbt exited with code {exit_code.group(1) if exit_code else '?'}: {dbt_errors}"
    return reason + (f" (log: {log.group(1)})" if log else "")


def _step_failures(result: ExecuteInProcessResult) -> list[str]:
    failures = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        if error is None:
            failures.append(f"step {event.step_key} failed")
        elif error.cls_name not in _CHECK_FAILURE_ERRORS:
            reason = _one_line(_error_reason(error.cls_name or "", error.message))
            failures.append(f"step {event.step_key} failed: {reason}")
    return failures


def summarize(result: ExecuteInProcessResult, settings: Settings) -> PipelineResult:
    """Condense a finished run into a :class:`PipelineResult`."""
    published = any(
        event.materialization.asset_key == AssetKey(PUBLISHED_WAREHOUSE)
        for event in result.get_asset_materialization_events()
    )
    failures = _failed_checks(result, AssetCheckSeverity.ERROR) + _step_failures(result)
    if not result.success and not failures:
        failures.append("the run failed without a reported cause; see the log above")
    if not result.success and not published:
        failures.append(f"nothing published; {settings.warehouse} is unchanged")
    return PipelineResult(
        success=result.success,
        published=published,
        warehouse=settings.warehouse,
        build_warehouse=settings.build_path,
        as_of=settings.effective_as_of,
        tables=_table_loads(result),
        failures=tuple(failures),
        warnings=(*_ignored_files(result), *_failed_checks(result, AssetCheckSeverity.WARN)),
        run_id=result.run_id,
    )


def run_pipeline(
    settings: Settings,
    *,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
    log_level: str = "INFO",
) -> PipelineResult:
    """Ingest, build and publish once, in this process; never raises for a failed run.

    Waits up to ``lock_timeout`` seconds for another run on the same build
    warehouse to finish. ``log_level`` sets the Dagster console log level.
    """
    # One "today" for the whole run, even when it crosses midnight.
    settings = settings.model_copy(update={"as_of": settings.effective_as_of})
    defs = build_definitions(settings)
    job = defs.resolve_job_def(JOB_NAME)
    try:
        with (
            hold_build_lock(settings.build_path, timeout=lock_timeout),
            DagsterInstance.ephemeral() as instance,
        ):
            # A killed earlier run may have left its dbt process finishing on the file.
            wait_until_build_file_is_free(settings.build_path, timeout=lock_timeout)
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
                tags={"incentives/as_of": settings.effective_as_of.isoformat()},
            )
    except WarehouseLockedError as exc:
        return PipelineResult(
            success=False,
            published=False,
            warehouse=settings.warehouse,
            build_warehouse=settings.build_path,
            as_of=settings.effective_as_of,
            failures=(str(exc),),
        )
    outcome = summarize(result, settings)
    logger.info("run %s finished: success=%s", outcome.run_id, outcome.success)
    return outcome

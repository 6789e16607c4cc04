"""Source freshness as a warning-only asset check on every raw table.

The dbt sources declare their freshness (``config: freshness`` and
``loaded_at_query`` in ``dbt_project/models/staging/*/_*__sources.yml``): the
age of a table is the time since its newest loaded batch in
``raw.ingest_batches``, measured against the clock when the check runs (not
the run's as-of date). dbt warns after ``source_freshness_warn_after_hours``
and errors after ``source_freshness_error_after_hours`` (dbt vars, see
``dbt_project.yml``).

One check step runs ``dbt source freshness`` once per run, after ingestion,
under the build lock (the build warehouse has one writer at a time), and
reports the check ``source_freshness`` on each ``raw/<table>`` asset with the
status, newest load time and age of each of its source tables (``raw/programs``
has the six ``raw.program_*`` tables). A table older than the error threshold,
a required one that never received a batch, or a table dbt could not measure
fails the check with severity WARN. One older than the warn threshold passes
with status ``warn``, and so does an optional landing table never delivered.
The checks are not blocking: stale data never stops the models or the
publish. If dbt itself fails, every selected check fails, never passes.
"""

# No ``from __future__ import annotations`` here: Dagster reads the check function's
# ``context`` annotation at definition time.
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from orchestration.contract import LANDING_TABLES, RAW_SCHEMA
from orchestration.defs.dbt import dbt_target_path, translator
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import SettingsResource
from orchestration.publish import hold_build_lock
from orchestration.settings import Settings

FRESHNESS_CHECK = "source_freshness"
SOURCES_RESULT_FILE = "sources.json"

# dbt's freshness statuses, from best to worst.
PASS, WARN, ERROR, RUNTIME_ERROR = "pass", "warn", "error", "runtime error"
STATUS_ORDER: tuple[str, ...] = (PASS, WARN, ERROR, RUNTIME_ERROR)
# dbt reports a table without any load time as loaded at this instant.
_NEVER_LOADED_YEAR = 1

_HOURS_PER_PERIOD = {"minute": 1 / 60, "hour": 1, "day": 24}


def _threshold_hours(threshold: Mapping[str, Any] | None) -> float | None:
    if not threshold or threshold.get("count") is None or threshold.get("period") is None:
        return None
    return threshold["count"] * _HOURS_PER_PERIOD[threshold["period"]]


def _declares_freshness(source: Mapping[str, Any]) -> bool:
    freshness = source.get("freshness") or {}
    return any(_threshold_hours(freshness.get(key)) for key in ("warn_after", "error_after"))


def raw_freshness_sources(manifest: Mapping[str, Any]) -> dict[AssetKey, tuple[str, ...]]:
    """Unique ids of the raw sources that declare freshness, by the ingestion asset they map to."""
    by_key: dict[AssetKey, list[str]] = {}
    for unique_id, source in manifest.get("sources", {}).items():
        if source.get("schema") == RAW_SCHEMA and _declares_freshness(source):
            by_key.setdefault(translator.get_asset_key(source), []).append(unique_id)
    return {
        key: tuple(sorted(ids))
        for key, ids in sorted(by_key.items(), key=lambda item: item[0].to_user_string())
    }


@dataclasses.dataclass(frozen=True)
class SourceFreshness:
    """dbt's freshness result for one source table."""

    unique_id: str
    status: str
    max_loaded_at: str | None = None  # ISO 8601 in UTC; None when never loaded or unknown
    age_hours: float | None = None
    warn_after_hours: float | None = None
    error_after_hours: float | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        """``<source>.<table>``, as dbt prints it."""
        return ".".join(self.unique_id.split(".")[-2:])

    @property
    def fails(self) -> bool:
        return self.status not in (PASS, WARN)

    def summary(self) -> str:
        if self.status == RUNTIME_ERROR:
            reason = self.error or "no reason given"
            return f"{self.name}: dbt could not measure freshness: {reason}"
        if self.max_loaded_at is None:
            return f"{self.name}: no batch of this table loaded yet (freshness {self.status})"
        return f"{self.name}: {self.status}, newest batch loaded {self.age_hours:g} h ago"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.name,
            "status": self.status,
            "max_loaded_at": self.max_loaded_at,
            "age_hours": self.age_hours,
            "warn_after_hours": self.warn_after_hours,
            "error_after_hours": self.error_after_hours,
            "error": self.error,
        }

    @classmethod
    def from_result(cls, result: Mapping[str, Any]) -> "SourceFreshness":
        """Read one entry of ``results`` in dbt's ``sources.json``."""
        status = result.get("status") or RUNTIME_ERROR
        if status not in STATUS_ORDER:
            status = RUNTIME_ERROR
        criteria = result.get("criteria") or {}
        max_loaded_at = result.get("max_loaded_at")
        age_seconds = result.get("max_loaded_at_time_ago_in_s")
        error = result.get("error") or result.get("message")
        if max_loaded_at and dt.datetime.fromisoformat(max_loaded_at).year == _NEVER_LOADED_YEAR:
            max_loaded_at, age_seconds = None, None
        return cls(
            unique_id=result["unique_id"],
            status=status,
            max_loaded_at=max_loaded_at,
            age_hours=round(age_seconds / 3600, 2) if age_seconds is not None else None,
            warn_after_hours=_threshold_hours(criteria.get("warn_after")),
            error_after_hours=_threshold_hours(criteria.get("error_after")),
            error=error if status == RUNTIME_ERROR else None,
        )


def read_freshness(
    sources_json: Mapping[str, Any], unique_ids: Iterable[str]
) -> dict[str, SourceFreshness]:
    """The result of each source in ``unique_ids``; one dbt left out is a runtime error."""
    reported = {
        result["unique_id"]: SourceFreshness.from_result(result)
        for result in sources_json.get("results", [])
    }
    return {
        unique_id: reported.get(unique_id)
        or SourceFreshness(unique_id, RUNTIME_ERROR, error="dbt reported no freshness result")
        for unique_id in unique_ids
    }


def run_source_freshness(settings: Settings, unique_ids: Sequence[str]) -> dict[str, Any]:
    """Run ``dbt source freshness`` on the build warehouse; returns dbt's ``sources.json``.

    dbt runs as a plain command (``python -m dbt.cli.main``) rather than
    through dagster-dbt, whose per-call set-up costs more than these few
    queries, and not in this process, where the adapter would keep the
    warehouse file open after dbt returns. Holds the build lock while dbt has
    the warehouse open. dbt exits non-zero when a source is older than its
    error threshold; that is a result, not a failure. Raises ``RuntimeError``
    when dbt wrote no results at all.
    """
    target = dbt_target_path(settings)
    results_path = target / SOURCES_RESULT_FILE
    selection = [f"source:{'.'.join(uid.split('.')[-2:])}" for uid in unique_ids]
    args = [
        sys.executable,
        "-m",
        "dbt.cli.main",
        "source",
        "freshness",
        "--project-dir",
        str(dbt_project.project_dir),
        "--profiles-dir",
        str(dbt_project.profiles_dir),
        "--target-path",
        str(target),
        "--vars",
        json.dumps(settings.dbt_vars()),
        "--quiet",
        "--select",
        *selection,
    ]
    with hold_build_lock(settings.build_path):
        # The target folder is shared with dbt build: never read an earlier run's results.
        results_path.unlink(missing_ok=True)
        outcome = subprocess.run(
            args,
            cwd=dbt_project.project_dir,
            env={**os.environ, **settings.dbt_env()},
            capture_output=True,
            text=True,
            check=False,
        )
    if not results_path.is_file():
        output = (outcome.stderr or outcome.stdout).strip().splitlines()
        reason = f": {output[-1]}" if output else ""
        raise RuntimeError(
            f"dbt source freshness exited with code {outcome.returncode} and wrote no"
            f" {SOURCES_RESULT_FILE}{reason}; see {Path(target, 'dbt.log')}"
        )
    return json.loads(results_path.read_text())


def is_optional(asset_key: AssetKey) -> bool:
    """True for a landing table that may never be delivered (``required=False`` in the contract)."""
    table = LANDING_TABLES.get(asset_key.path[-1])
    return table is not None and not table.required


def freshness_check_result(
    asset_key: AssetKey, tables: Sequence[SourceFreshness]
) -> AssetCheckResult:
    """The ``source_freshness`` result of one raw asset from the results of its tables.

    An optional landing table that never received a batch is not late: dbt
    reports it as an error, the check notes it and passes.
    """
    worst = max(tables, key=lambda table: STATUS_ORDER.index(table.status))
    optional = is_optional(asset_key)
    failing = [
        table
        for table in tables
        if table.fails and not (optional and table.status == ERROR and table.max_loaded_at is None)
    ]
    noteworthy = [table.summary() for table in tables if table.status != PASS]
    if optional and len(failing) < sum(table.fails for table in tables):
        noteworthy.append("an optional table: none delivered yet is not a failure")
    # The figures of the worst table, then every table (raw/programs has six).
    metadata: dict[str, Any] = {
        "status": worst.status,
        "max_loaded_at": worst.max_loaded_at or "never",
    }
    for name in ("age_hours", "warn_after_hours", "error_after_hours"):
        value = getattr(worst, name)
        if value is not None:
            metadata[name] = MetadataValue.float(float(value))
    metadata["tables"] = MetadataValue.json([table.to_json() for table in tables])
    return AssetCheckResult(
        asset_key=asset_key,
        check_name=FRESHNESS_CHECK,
        passed=not failing,
        severity=AssetCheckSeverity.WARN,
        metadata=metadata,
        description="; ".join(noteworthy) or None,
    )


_manifest = json.loads(dbt_project.manifest_path.read_text())
FRESHNESS_SOURCES: dict[AssetKey, tuple[str, ...]] = raw_freshness_sources(_manifest)

_CHECK_SPECS = [
    AssetCheckSpec(
        FRESHNESS_CHECK,
        asset=key,
        blocking=False,
        description=(
            "dbt source freshness: time since the newest loaded batch of each source table;"
            " fails (warning only) past the error threshold or when it cannot be measured."
        ),
    )
    for key in FRESHNESS_SOURCES
]


@multi_asset_check(
    name="source_freshness",
    specs=_CHECK_SPECS,
    can_subset=True,
    description="Run dbt source freshness once on the build warehouse after ingestion.",
)
def source_freshness(
    context: AssetCheckExecutionContext, settings: SettingsResource
) -> Iterator[AssetCheckResult]:
    """Report dbt's freshness of every selected raw table; never raises, never blocks."""
    keys = [
        key
        for key in FRESHNESS_SOURCES
        if AssetCheckKey(key, FRESHNESS_CHECK) in context.selected_asset_check_keys
    ]
    unique_ids = [uid for key in keys for uid in FRESHNESS_SOURCES[key]]
    if not unique_ids:
        return
    try:
        results = read_freshness(run_source_freshness(settings.get(), unique_ids), unique_ids)
    except Exception as exc:  # a check that cannot run must fail, not pass or stop the run
        context.log.warning(f"source freshness could not run: {exc}")
        reason = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        results = {uid: SourceFreshness(uid, RUNTIME_ERROR, error=reason) for uid in unique_ids}
    for key in keys:
        tables = [results[uid] for uid in FRESHNESS_SOURCES[key]]
        for table in tables:
            context.log.info(table.summary())
        yield freshness_check_result(key, tables)

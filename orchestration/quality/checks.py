"""The Great Expectations suites as Dagster asset checks on the raw tables and the public marts.

Each checked asset gets two checks: ``gx_expectations`` (its blocking
expectations; ``blocking=True``, severity ERROR) and ``gx_warnings`` (its
warning expectations, severity WARN, never stopping the run). A failed
blocking check fails its step, so nothing after that step runs: dbt after
the raw step, the publish after the mart step.

Two check steps do the work: one for the raw tables, after ingestion and
before dbt, judging only the batches loaded in this run; one for the marts,
after dbt and before the publish, judging small aggregates. Each holds the
build lock, opens the build warehouse read-only just for its queries, closes
it, then validates the frames and rebuilds the Data Docs site next to the
build warehouse (see :func:`data_docs_dir`). A query or validation that
raises fails the checks it feeds; it is never reported as passed. Last, still
under the lock, it appends every outcome to ``main.data_quality_results`` in
the build warehouse (:mod:`orchestration.quality.results`), which the publish
then copies to the readers.
"""

# No ``from __future__ import annotations`` here: Dagster reads the check function's
# ``context`` annotation at definition time.
import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb
import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetsDefinition,
    MetadataValue,
    multi_asset_check,
)

from orchestration.contract import LANDING_TABLES, LOAD_ORDER, PROGRAM_TABLES
from orchestration.defs.ingestion import raw_asset_key
from orchestration.defs.resources import SettingsResource
from orchestration.ingestion.discovery import PROGRAMS_TABLE
from orchestration.publish import hold_build_lock
from orchestration.quality import frames, suites
from orchestration.quality.results import AssetOutcome, record_outcomes
from orchestration.quality.suites import BLOCKING, WARNING, SuiteSpec
from orchestration.quality.validate import (
    ExpectationOutcome,
    ValidationReport,
    data_docs_index,
    validate_frames,
)
from orchestration.settings import Settings

BLOCKING_CHECK = "gx_expectations"
WARNING_CHECK = "gx_warnings"
MART_SCHEMA = "main"
_MAX_DESCRIPTION_CHARS = 1000

# Reads the frames of one asset's suites from an open read-only connection, given the
# time the run started (raw frames hold only the batches loaded since then).
FrameReader = Callable[
    [duckdb.DuckDBPyConnection, dt.datetime], list[tuple[SuiteSpec, pd.DataFrame]]
]


def data_docs_dir(settings: Settings) -> Path:
    """The Data Docs folder of a build warehouse: ``<build stem>_data_docs`` next to it.

    The static site's entry page is ``<folder>/site/index.html``
    (:func:`orchestration.quality.validate.data_docs_index`).
    """
    build = settings.build_path.resolve()
    return build.with_name(build.stem + "_data_docs")


def data_docs_index_for(settings: Settings) -> Path:
    """The Data Docs ``index.html`` of a build warehouse (it exists once a check has run)."""
    return data_docs_index(data_docs_dir(settings))


@dataclasses.dataclass(frozen=True)
class CheckedAsset:
    """An asset, the suites that judge it and how to read the frames they judge."""

    asset_key: AssetKey
    suites: tuple[SuiteSpec, ...]
    read: FrameReader
    description: str

    def severities(self) -> set[str]:
        return {severity for suite in self.suites for severity in suite.severities()}

    def specs(self) -> list[AssetCheckSpec]:
        """A blocking check for the blocking expectations, a WARN one for the warnings."""
        result = []
        if BLOCKING in self.severities():
            result.append(
                AssetCheckSpec(
                    BLOCKING_CHECK,
                    asset=self.asset_key,
                    blocking=True,
                    description=f"Great Expectations, blocking: {self.description}",
                )
            )
        if WARNING in self.severities():
            result.append(
                AssetCheckSpec(
                    WARNING_CHECK,
                    asset=self.asset_key,
                    description=f"Great Expectations, warnings only: {self.description}",
                )
            )
        return result


def _raw_reader(table_name: str) -> FrameReader:
    schema_suite, rows_suite, batches_suite = suites.raw_suites(table_name)

    def read(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> list:
        pairs = [(schema_suite, frames.raw_schema_frame(con, table_name))]
        batch_ids = frames.batch_ids_loaded_since(con, table_name, since)
        if batch_ids:
            rows = frames.raw_rows_frame(con, table_name, batch_ids, rows_suite.columns())
            pairs.append((rows_suite, rows))
            pairs.append((batches_suite, frames.raw_batches_frame(con, table_name, batch_ids)))
        return pairs

    return read


def _programs_reader() -> FrameReader:
    schema_suite = suites.programs_schema_suite()
    rows_suites = {name: suites.program_rows_suite(name) for name in PROGRAM_TABLES}

    def read(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> list:
        pairs = [(schema_suite, frames.programs_schema_frame(con))]
        batch_ids = frames.batch_ids_loaded_since(con, PROGRAMS_TABLE, since)
        if batch_ids:
            for name, suite in rows_suites.items():
                rows = frames.program_rows_frame(con, name, batch_ids, suite.columns())
                pairs.append((suite, rows))
        return pairs

    return read


def _mart_reader(
    *pairs: tuple[SuiteSpec, Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]],
) -> FrameReader:
    def read(con: duckdb.DuckDBPyConnection, since: dt.datetime) -> list:
        return [(suite, frame_of(con)) for suite, frame_of in pairs]

    return read


def mart_key(name: str) -> AssetKey:
    """The asset key of a public mart: ``main/<name>``, as dbt's translator names it."""
    return AssetKey([MART_SCHEMA, name])


# Every landing table, programs.yml included, in load order.
RAW_CHECK_TABLES: tuple[str, ...] = tuple(
    name for name in LOAD_ORDER if name in LANDING_TABLES or name == PROGRAMS_TABLE
)


def _raw_checked(name: str) -> CheckedAsset:
    if name == PROGRAMS_TABLE:
        return CheckedAsset(
            raw_asset_key(name),
            suites.programs_suites(),
            _programs_reader(),
            "the columns and types of the raw program tables, the rows parsed from the"
            " programs files loaded in this run",
        )
    return CheckedAsset(
        raw_asset_key(name),
        suites.raw_suites(name),
        _raw_reader(name),
        f"the columns and types of raw.{name}, the rows and row counts of the batches"
        " loaded in this run",
    )


RAW_CHECKED: tuple[CheckedAsset, ...] = tuple(_raw_checked(name) for name in RAW_CHECK_TABLES)

MART_CHECKED: tuple[CheckedAsset, ...] = (
    CheckedAsset(
        mart_key("fct_deal_log"),
        (suites.KEY_COUNTS_SUITE, suites.DEAL_LOG_SUITE),
        _mart_reader(
            (suites.KEY_COUNTS_SUITE, frames.key_counts_frame),
            (suites.DEAL_LOG_SUITE, frames.deal_log_reasons_frame),
        ),
        "current-version keys unique; deals of unknown partners or products, FX gaps",
    ),
    CheckedAsset(
        mart_key("dim_partners"),
        (suites.DIM_PARTNERS_KEYS_SUITE, suites.DIM_PARTNERS_CODES_SUITE),
        _mart_reader(
            (suites.DIM_PARTNERS_KEYS_SUITE, frames.dim_partners_keys_frame),
            (suites.DIM_PARTNERS_CODES_SUITE, frames.dim_partners_codes_frame),
        ),
        "one row per partner; region, tier and partner type are known codes",
    ),
    CheckedAsset(
        mart_key("fct_incentive_earnings"),
        (suites.INCENTIVE_EARNINGS_SUITE,),
        _mart_reader((suites.INCENTIVE_EARNINGS_SUITE, frames.incentive_earnings_frame)),
        "one line per deal, partner and program; earned and credited amounts present",
    ),
    CheckedAsset(
        mart_key("mart_partner_earnings"),
        (suites.PARTNER_EARNINGS_SUITE,),
        _mart_reader((suites.PARTNER_EARNINGS_SUITE, frames.partner_earnings_frame)),
        "earning lines sum to the partner totals; earned - paid = unpaid",
    ),
    CheckedAsset(
        mart_key("mart_partner_attainment"),
        (suites.PARTNER_ATTAINMENT_SUITE,),
        _mart_reader((suites.PARTNER_ATTAINMENT_SUITE, frames.partner_attainment_frame)),
        "attainment_pct = won / quota",
    ),
    CheckedAsset(
        mart_key("mart_program_performance"),
        (suites.PROGRAM_PERFORMANCE_SUITE,),
        _mart_reader((suites.PROGRAM_PERFORMANCE_SUITE, frames.program_performance_frame)),
        "credited revenue and cost equal the earning lines' sums",
    ),
    CheckedAsset(
        mart_key("mart_partner_mdf"),
        (suites.PARTNER_MDF_SUITE,),
        _mart_reader((suites.PARTNER_MDF_SUITE, frames.partner_mdf_frame)),
        "one row per partner and program; accruals and claims reconcile;"
        " available = accrued - approved - paid",
    ),
    CheckedAsset(
        mart_key("quarantine"),
        (suites.QUARANTINE_SUITE,),
        _mart_reader((suites.QUARANTINE_SUITE, frames.quarantine_frame)),
        "every quarantined row names its table, file, record number and reason",
    ),
    CheckedAsset(
        mart_key("ingest_batches"),
        (suites.INGEST_BATCHES_SUITE,),
        _mart_reader((suites.INGEST_BATCHES_SUITE, frames.ingest_batches_frame)),
        "rows read = rows loaded + rows quarantined for every batch",
    ),
)


def _unreadable(target: CheckedAsset, error: BaseException) -> list[ExpectationOutcome]:
    """Every expectation of ``target`` failed because its data could not be read."""
    detail = " ".join(f"error: could not read the data: {type(error).__name__}: {error}".split())
    return [
        ExpectationOutcome(
            suite.name,
            spec.expectation.expectation_type,
            spec.severity,
            spec.description,
            passed=False,
            detail=detail[:300],
        )
        for suite in target.suites
        for spec in suite.expectations
    ]


def _read_frames(
    build_path: Path, checked: Sequence[CheckedAsset], since: dt.datetime
) -> tuple[list[tuple[SuiteSpec, pd.DataFrame]], list[ExpectationOutcome]]:
    """Every frame the selected assets need; a query that raises fails its suites."""
    pairs: list[tuple[SuiteSpec, pd.DataFrame]] = []
    errors: list[ExpectationOutcome] = []
    try:
        con = duckdb.connect(str(build_path), read_only=True)
    except Exception as exc:  # no warehouse to judge: every check fails
        return [], [outcome for target in checked for outcome in _unreadable(target, exc)]
    try:
        for target in checked:
            try:
                pairs.extend(target.read(con, since))
            except Exception as exc:  # a check that cannot read its data fails
                errors.extend(_unreadable(target, exc))
    finally:
        con.close()
    return pairs, errors


def check_result(
    target: CheckedAsset,
    severity: str,
    outcomes: Sequence[ExpectationOutcome],
    docs_index: Path | None,
) -> AssetCheckResult:
    """The check result of one asset and severity from the outcomes of its suites."""
    mine = [o for o in outcomes if o.severity == severity]
    failed = [o for o in mine if not o.passed]
    if failed:
        description = "; ".join(o.line() for o in failed)
    elif mine:
        description = f"{len(mine)} expectations passed"
    else:
        description = "nothing to validate (no batch loaded in this run)"
    if len(description) > _MAX_DESCRIPTION_CHARS:
        description = description[: _MAX_DESCRIPTION_CHARS - 1] + "…"
    metadata: dict = {
        "expectations": len(mine),
        "failed": len(failed),
        "failures": MetadataValue.json([o.line() for o in failed]),
        "suites": MetadataValue.json(sorted({o.suite for o in mine})),
    }
    if docs_index is not None:
        metadata["data_docs"] = MetadataValue.path(str(docs_index))
    return AssetCheckResult(
        asset_key=target.asset_key,
        check_name=BLOCKING_CHECK if severity == BLOCKING else WARNING_CHECK,
        passed=not failed,
        severity=AssetCheckSeverity.ERROR if severity == BLOCKING else AssetCheckSeverity.WARN,
        description=description,
        metadata=metadata,
    )


def outcomes_by_asset(
    checked: Sequence[CheckedAsset], outcomes: Sequence[ExpectationOutcome]
) -> list[AssetOutcome]:
    """Each outcome with the asset whose suites produced it, in the order of ``checked``."""
    return [
        AssetOutcome(target.asset_key.to_user_string(), outcome)
        for target in checked
        for outcome in outcomes
        if outcome.suite in {suite.name for suite in target.suites}
    ]


def run_checks(
    settings: Settings,
    checked: Sequence[CheckedAsset],
    since: dt.datetime,
    *,
    run_id: str | None = None,
) -> ValidationReport:
    """Read the frames of ``checked``, validate them, build the Data Docs site, keep the outcomes.

    Holds the build lock throughout; the warehouse is open (read-only) only
    while the frames are read, then (read-write) while every outcome is
    appended to ``main.data_quality_results`` under ``run_id`` (a fresh id
    when the checks run outside a Dagster run). Nothing is recorded when
    there is no build warehouse yet; a failure to record raises, so a run
    never publishes a warehouse without the outcomes of its checks.
    """
    run_id = run_id or f"checks-{uuid.uuid4().hex}"
    with hold_build_lock(settings.build_path):
        pairs, errors = _read_frames(settings.build_path, checked, since)
        validated = validate_frames(pairs, docs_dir=data_docs_dir(settings))
        report = ValidationReport(tuple(errors) + validated.outcomes, validated.data_docs_index)
        if settings.build_path.is_file():
            record_outcomes(
                settings.build_path,
                outcomes_by_asset(checked, report.outcomes),
                run_id=run_id,
                checked_at=dt.datetime.now(dt.UTC),
                data_docs_index=report.data_docs_index,
            )
    return report


def _run_started(context: AssetCheckExecutionContext) -> dt.datetime:
    """When this run started (UTC); batches loaded since then are this run's."""
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record is not None and record.start_time is not None:
        return dt.datetime.fromtimestamp(record.start_time, dt.UTC)
    if record is not None:
        return record.create_timestamp
    return dt.datetime.now(dt.UTC)


def _build_checks(name: str, checked: Sequence[CheckedAsset], description: str) -> AssetsDefinition:
    @multi_asset_check(
        name=name,
        specs=[spec for target in checked for spec in target.specs()],
        can_subset=True,
        description=description,
    )
    def _checks(
        context: AssetCheckExecutionContext, settings: SettingsResource
    ) -> Iterator[AssetCheckResult]:
        selected = context.selected_asset_check_keys
        targets = [
            target
            for target in checked
            if any(
                AssetCheckKey(target.asset_key, spec.name) in selected for spec in target.specs()
            )
        ]
        report = run_checks(
            settings.get(), targets, _run_started(context), run_id=context.run.run_id
        )
        if report.data_docs_index is not None:
            context.log.info(f"Data Docs: {report.data_docs_index}")
        for target in targets:
            outcomes = [o for o in report.outcomes if o.suite in {s.name for s in target.suites}]
            for severity in (BLOCKING, WARNING):
                check_name = BLOCKING_CHECK if severity == BLOCKING else WARNING_CHECK
                if AssetCheckKey(target.asset_key, check_name) in selected:
                    result = check_result(target, severity, outcomes, report.data_docs_index)
                    if not result.passed:
                        log = context.log.error if severity == BLOCKING else context.log.warning
                        log(f"{target.asset_key.to_user_string()}: {result.description}")
                    yield result

    return _checks


raw_quality_checks = _build_checks(
    "raw_quality_checks",
    RAW_CHECKED,
    "Great Expectations on the batches loaded in this run, before dbt.",
)
mart_quality_checks = _build_checks(
    "mart_quality_checks",
    MART_CHECKED,
    "Great Expectations reconciliations of the public marts, before the publish.",
)
QUALITY_CHECKS: tuple[AssetsDefinition, ...] = (raw_quality_checks, mart_quality_checks)

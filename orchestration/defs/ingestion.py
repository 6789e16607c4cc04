"""Ingestion assets: one raw table per landing table, loaded from the landing folder.

A single multi-asset loads the tables in ``contract.LOAD_ORDER`` through one
connection (DuckDB allows one writer per file, and quotas are checked against
the programs loaded before them). Each table is its own asset, ``raw/<table>``,
matching the dbt sources in schema ``raw``, with a blocking check that fails
when a batch of that table failed or quarantined too large a share of its
rows; a failed check stops the run before dbt and publishing. What loaded
stays loaded in the build warehouse either way: raw is append-only. Files in
the landing folder that no table loads are logged as warnings and listed in
the ``ignored_files`` metadata of ``raw/ingest_batches``; they do not fail the run.
"""

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration.contract import LANDING_TABLES, LOAD_ORDER, RAW_SCHEMA
from orchestration.defs.resources import DuckDBWarehouse, SettingsResource
from orchestration.ingestion import (
    BLOCKING_STATUSES,
    BatchResult,
    ensure_raw_schema,
    ignored_landing_files,
    ingest_table,
)
from orchestration.publish import hold_build_lock

RAW_GROUP = "raw"
BATCHES_CHECK = "batches_loaded"
# Load bookkeeping that ingestion writes next to the raw tables.
BOOKKEEPING_TABLES: tuple[str, ...] = ("ingest_batches", "quarantine")
# Metadata of raw/ingest_batches: one warning line per landing file no table loads.
IGNORED_FILES_METADATA = "ignored_files"


def raw_asset_key(table_name: str) -> AssetKey:
    """The asset key of a raw table: ``raw/<table>``, as its relation ``raw.<table>``."""
    return AssetKey([RAW_SCHEMA, table_name])


RAW_ASSET_KEYS: tuple[AssetKey, ...] = tuple(
    raw_asset_key(name) for name in (*LOAD_ORDER, *BOOKKEEPING_TABLES)
)


@dataclasses.dataclass(frozen=True)
class TableLoad:
    """What one scan of the landing folder loaded into one raw table."""

    table_name: str
    batches: int = 0
    batches_loaded: int = 0
    batches_duplicate: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    money_totals: Mapping[str, Decimal] = dataclasses.field(default_factory=dict)
    failures: tuple[str, ...] = ()

    @property
    def failed_batches(self) -> int:
        return len(self.failures)

    @classmethod
    def from_batches(cls, table_name: str, batches: Iterable[BatchResult]) -> "TableLoad":
        """Sum the ``BatchResult`` objects of one table; each failed or rejected batch is a line."""
        batches = list(batches)
        totals: dict[str, Decimal] = {}
        failures: list[str] = []
        for batch in batches:
            for column, amount in batch.money_totals.items():
                totals[column] = totals.get(column, Decimal(0)) + amount
            if batch.status in BLOCKING_STATUSES:
                message = batch.error_message or f"{batch.status}, nothing loaded"
                if batch.source_file not in message:
                    message = f"{batch.source_file}: {message}"
                failures.append(message)
        return cls(
            table_name=table_name,
            batches=len(batches),
            batches_loaded=sum(b.status == "loaded" for b in batches),
            batches_duplicate=sum(b.status == "duplicate" for b in batches),
            rows_read=sum(b.rows_read for b in batches),
            rows_loaded=sum(b.rows_loaded for b in batches),
            rows_quarantined=sum(b.rows_quarantined for b in batches),
            money_totals=totals,
            failures=tuple(failures),
        )

    def to_metadata(self) -> dict[str, Any]:
        """Materialisation metadata; money as decimal text, never floats."""
        return {
            "batches": self.batches,
            "batches_loaded": self.batches_loaded,
            "batches_duplicate": self.batches_duplicate,
            "failed_batches": self.failed_batches,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "money_totals": MetadataValue.json(
                {column: str(amount) for column, amount in sorted(self.money_totals.items())}
            ),
            "failures": MetadataValue.json(list(self.failures)),
        }

    @classmethod
    def from_metadata(cls, table_name: str, metadata: Mapping[str, Any]) -> "TableLoad":
        """Read back what :meth:`to_metadata` wrote (values may be ``MetadataValue`` objects)."""

        def value(key: str, default: Any) -> Any:
            raw = metadata.get(key, default)
            return getattr(raw, "value", raw)

        return cls(
            table_name=table_name,
            batches=int(value("batches", 0)),
            batches_loaded=int(value("batches_loaded", 0)),
            batches_duplicate=int(value("batches_duplicate", 0)),
            rows_read=int(value("rows_read", 0)),
            rows_loaded=int(value("rows_loaded", 0)),
            rows_quarantined=int(value("rows_quarantined", 0)),
            money_totals={k: Decimal(v) for k, v in (value("money_totals", {}) or {}).items()},
            failures=tuple(value("failures", []) or []),
        )


def _table_description(table_name: str) -> str:
    if table_name == "programs":
        return "programs.yml, parsed into raw.program_* tables (settings, versions, bands...)."
    if table_name in LANDING_TABLES:
        required = "required" if LANDING_TABLES[table_name].required else "optional"
        return f"Every row of every landing file of {table_name} ({required}), append-only."
    if table_name == "ingest_batches":
        return "One row per landing file seen: status, row counts and content hash."
    return "Rejected rows with their file, record number, reason and original values."


_SPECS = [
    AssetSpec(
        raw_asset_key(name),
        group_name=RAW_GROUP,
        description=_table_description(name),
        kinds={"duckdb", "python"},
    )
    for name in (*LOAD_ORDER, *BOOKKEEPING_TABLES)
]

_CHECK_SPECS = [
    AssetCheckSpec(
        BATCHES_CHECK,
        asset=raw_asset_key(name),
        blocking=True,
        description=(
            "Every new file of this table loaded, none quarantined more than the allowed share"
            " of its rows (INCENTIVES_MAX_QUARANTINE_SHARE), and a required table has data."
        ),
    )
    for name in LOAD_ORDER
]


def _count_rows(con: duckdb.DuckDBPyConnection, table_name: str) -> int:
    return con.execute(f'select count(*) from {RAW_SCHEMA}."{table_name}"').fetchone()[0]


def _is_required(table_name: str) -> bool:
    # programs.yml is required too, though it is not a tabular landing table.
    return table_name == "programs" or (
        table_name in LANDING_TABLES and LANDING_TABLES[table_name].required
    )


def _load_table(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, table_name: str, max_quarantine_share: float
) -> tuple[TableLoad, list[str]]:
    """Ingest one table; returns its counts and the problems that fail its check."""
    batches = ingest_table(con, landing_dir, table_name, max_quarantine_share=max_quarantine_share)
    load = TableLoad.from_batches(table_name, batches)
    problems = list(load.failures)
    if _is_required(table_name) and load.batches == 0 and _count_rows(con, table_name) == 0:
        problems.append(
            f"no {table_name} file in {landing_dir} and none loaded before; the table is required"
        )
    return load, problems


@multi_asset(
    name="ingest_landing",
    specs=_SPECS,
    check_specs=_CHECK_SPECS,
    can_subset=True,
    description="Load new landing files into schema raw, table by table in load order.",
)
def ingest_landing(
    context: AssetExecutionContext, settings: SettingsResource, warehouse: DuckDBWarehouse
) -> Iterator[MaterializeResult | AssetCheckResult]:
    """Ingest the selected landing tables and report counts, money totals and failed batches."""
    run_settings = settings.get()
    landing_dir = Path(run_settings.landing_dir)
    if not landing_dir.is_dir():
        raise Failure(f"the landing folder {landing_dir} does not exist")
    selected = context.selected_asset_keys
    tables = [name for name in LOAD_ORDER if raw_asset_key(name) in selected]

    ignored = ignored_landing_files(landing_dir)
    for warning in ignored:
        context.log.warning(warning)

    with hold_build_lock(run_settings.build_path), warehouse.connect() as con:
        ensure_raw_schema(con)
        for table_name in tables:
            key = raw_asset_key(table_name)
            load, problems = _load_table(
                con, landing_dir, table_name, run_settings.max_quarantine_share
            )
            context.log.info(
                f"{table_name}: {load.batches} files ({load.batches_loaded} loaded,"
                f" {load.batches_duplicate} already loaded, {load.failed_batches} failed),"
                f" {load.rows_read} rows read, {load.rows_loaded} loaded,"
                f" {load.rows_quarantined} quarantined"
            )
            for problem in problems:
                context.log.error(f"{table_name}: {problem}")
            yield MaterializeResult(asset_key=key, metadata=load.to_metadata())
            if AssetCheckKey(key, BATCHES_CHECK) in context.selected_asset_check_keys:
                yield AssetCheckResult(
                    asset_key=key,
                    check_name=BATCHES_CHECK,
                    passed=not problems,
                    severity=AssetCheckSeverity.ERROR,
                    metadata={
                        "failed_batches": load.failed_batches,
                        "failures": MetadataValue.json(problems),
                    },
                    description="; ".join(problems) or None,
                )
        for table_name in BOOKKEEPING_TABLES:
            key = raw_asset_key(table_name)
            if key in selected:
                metadata: dict[str, Any] = {"dagster/row_count": _count_rows(con, table_name)}
                if table_name == "ingest_batches":
                    metadata[IGNORED_FILES_METADATA] = MetadataValue.json(ignored)
                yield MaterializeResult(asset_key=key, metadata=metadata)

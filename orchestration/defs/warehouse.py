"""The ``published_warehouse`` asset: the read-only copy that the viewer and BI tools open.

It depends on the marts, so it runs last and only when ingestion, every dbt
model and every blocking check of the run succeeded; Dagster skips it
otherwise and the previous published file stays exactly as it was.

Just before the copy, still under the build lock, it appends one row to
``main.pipeline_runs`` in the build warehouse (run id, as-of date, when the
run started and published, the batches it loaded and when the newest batch
was loaded), so every reader of the published file can tell how fresh it is.
"""

import datetime as dt
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.defs.dbt import dbt_models, mart_asset_keys
from orchestration.defs.resources import SettingsResource
from orchestration.publish import hold_build_lock, publish_warehouse

PUBLISHED_WAREHOUSE = "published_warehouse"
PIPELINE_RUNS_TABLE = "main.pipeline_runs"

# Times are UTC without a time zone, like raw.ingest_batches.loaded_at.
PIPELINE_RUNS_DDL = f"""
create table if not exists {PIPELINE_RUNS_TABLE} (
    run_id varchar not null,
    as_of date not null,
    started_at timestamp not null,
    published_at timestamp not null,
    batches_loaded integer not null,
    batches_total integer not null,
    last_loaded_at timestamp
)
"""

_RECORD_RUN_SQL = f"""
insert into {PIPELINE_RUNS_TABLE}
select
    $run_id,
    $as_of,
    $started_at,
    $published_at,
    count(*) filter (where loaded_at >= $started_at),
    count(*),
    max(loaded_at)
from raw.ingest_batches
where status = 'loaded'
"""


def _utc_naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def record_pipeline_run(
    build_path: Path,
    *,
    run_id: str,
    as_of: dt.date,
    started_at: dt.datetime,
    published_at: dt.datetime,
) -> None:
    """Append this run to ``main.pipeline_runs`` in the build warehouse (hold the build lock).

    ``batches_loaded`` counts the batches loaded since ``started_at``,
    ``batches_total`` every loaded batch, and ``last_loaded_at`` is the load
    time of the newest one.
    """
    con = duckdb.connect(str(build_path))
    try:
        con.execute(PIPELINE_RUNS_DDL)
        con.execute(
            _RECORD_RUN_SQL,
            {
                "run_id": run_id,
                "as_of": as_of,
                "started_at": _utc_naive(started_at),
                "published_at": _utc_naive(published_at),
            },
        )
    finally:
        con.close()


def forget_pipeline_run(build_path: Path, run_id: str) -> None:
    """Remove a run's row again when its publish failed, so no later build claims it."""
    con = duckdb.connect(str(build_path))
    try:
        con.execute(f"delete from {PIPELINE_RUNS_TABLE} where run_id = $run_id", {"run_id": run_id})
    finally:
        con.close()


def _run_started_at(context: AssetExecutionContext) -> dt.datetime:
    """When the Dagster run started (now, when the instance does not know)."""
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record is not None and record.start_time is not None:
        return dt.datetime.fromtimestamp(record.start_time, tz=dt.UTC)
    return dt.datetime.now(dt.UTC)


def _publish_deps() -> list[AssetKey]:
    # Until the marts folder has models, wait for whatever dbt builds.
    return mart_asset_keys() or sorted(dbt_models.keys, key=lambda key: key.to_user_string())


def _relation_counts(path: str) -> list[tuple[str, str, int]]:
    """(schema, table, rows) of the public relations in the published file."""
    con = duckdb.connect(path, read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where schema_name in ('main', 'raw') and database_name = current_database()"
            " order by schema_name, table_name"
        ).fetchall()
        return [
            (schema, table, con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0])
            for schema, table in tables
        ]
    finally:
        con.close()


# Money totals reported on every publish, so a run's figures can be compared at a glance.
MONEY_TOTALS: dict[str, str] = {
    "earned_usd": "select sum(earned_usd) from main.fct_incentive_earnings",
    "credited_won_usd": "select sum(won_usd) from main.mart_partner_attainment",
    "paid_usd": "select sum(paid_usd) from main.mart_partner_earnings",
    "unpaid_usd": "select sum(unpaid_usd) from main.mart_partner_earnings",
}


def _money_totals(path: str) -> dict[str, str]:
    """Each total as exact decimal text; relations that do not exist yet are left out."""
    totals: dict[str, str] = {}
    con = duckdb.connect(path, read_only=True)
    try:
        for name, query in MONEY_TOTALS.items():
            try:
                (value,) = con.execute(query).fetchone()
            except duckdb.CatalogException:
                continue
            totals[name] = f"{value or 0:,.2f}"
    finally:
        con.close()
    return totals


@asset(
    key=PUBLISHED_WAREHOUSE,
    deps=_publish_deps(),
    group_name="publish",
    kinds={"duckdb"},
    description="Atomic copy of the build warehouse that readers open read-only.",
)
def published_warehouse(
    context: AssetExecutionContext, settings: SettingsResource
) -> MaterializeResult:
    """Copy the build warehouse onto the published path (temporary file, then rename)."""
    run_settings = settings.get()
    started_at = _run_started_at(context)
    published_at = dt.datetime.now(dt.UTC)
    with hold_build_lock(run_settings.build_path):
        record_pipeline_run(
            run_settings.build_path,
            run_id=context.run.run_id,
            as_of=run_settings.effective_as_of,
            started_at=started_at,
            published_at=published_at,
        )
        try:
            path = publish_warehouse(run_settings.build_path, run_settings.warehouse)
        except BaseException:
            forget_pipeline_run(run_settings.build_path, context.run.run_id)
            raise
    counts = _relation_counts(str(path))
    context.log.info(f"published {path} ({len(counts)} tables in schemas main and raw)")
    table = "\n".join(
        ["| relation | rows |", "| --- | ---: |"]
        + [f"| {schema}.{name} | {rows} |" for schema, name, rows in counts]
    )
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(path)),
            "size_bytes": path.stat().st_size,
            "as_of": run_settings.effective_as_of.isoformat(),
            "started_at": started_at.isoformat(timespec="seconds"),
            "published_at": published_at.isoformat(timespec="seconds"),
            "relations": MetadataValue.md(table),
            **{name: MetadataValue.text(value) for name, value in _money_totals(str(path)).items()},
        }
    )

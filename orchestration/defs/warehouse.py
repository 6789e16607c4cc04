"""The ``published_warehouse`` asset: the read-only copy that the viewer and BI tools open.

It depends on the marts, so it runs last and only when ingestion, every dbt
model and every blocking check of the run succeeded; Dagster skips it
otherwise and the previous published file stays exactly as it was.
"""

import datetime as dt

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.defs.dbt import dbt_models, mart_asset_keys
from orchestration.defs.resources import SettingsResource
from orchestration.publish import hold_build_lock, publish_warehouse

PUBLISHED_WAREHOUSE = "published_warehouse"


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
    with hold_build_lock(run_settings.build_path):
        path = publish_warehouse(run_settings.build_path, run_settings.warehouse)
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
            "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "relations": MetadataValue.md(table),
            **{name: MetadataValue.text(value) for name, value in _money_totals(str(path)).items()},
        }
    )

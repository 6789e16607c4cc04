"""The ``raw`` schema: one append-only table per landing table, plus bookkeeping.

Every table is derived from :mod:`orchestration.contract`, so a column is named
and typed in one place. Columns the contract marks as not nullable are
``NOT NULL`` in raw too: ingestion quarantines such rows before they get
there, and the constraint guards against a mistake in that logic.
"""

from __future__ import annotations

import duckdb

from orchestration import contract
from orchestration.contract import Column

PROGRAM_METADATA_COLUMNS: tuple[Column, ...] = (
    Column("_batch_id", contract.INTEGER, False),
    Column("_source_file", contract.TEXT, False),
)


def quote_identifier(name: str) -> str:
    """A SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def qualified(table_name: str) -> str:
    """``raw."<table>"``."""
    return f"{contract.RAW_SCHEMA}.{quote_identifier(table_name)}"


def landing_table_columns(table: contract.LandingTable) -> tuple[Column, ...]:
    """The raw columns of a landing table: the contract's, then the load metadata."""
    metadata = tuple(
        Column(name, sql_type, name == "_extra_columns")
        for name, sql_type in contract.RAW_METADATA_COLUMNS.items()
    )
    return table.columns + metadata


def raw_tables() -> dict[str, tuple[Column, ...]]:
    """Every raw table and its columns, in a stable order."""
    tables: dict[str, tuple[Column, ...]] = {}
    for name, table in contract.LANDING_TABLES.items():
        tables[name] = landing_table_columns(table)
    for name, columns in contract.PROGRAM_TABLES.items():
        tables[name] = columns + PROGRAM_METADATA_COLUMNS
    tables["ingest_batches"] = contract.INGEST_BATCHES_COLUMNS
    tables["quarantine"] = contract.QUARANTINE_COLUMNS
    return tables


def _column_definition(column: Column) -> str:
    not_null = "" if column.nullable else " NOT NULL"
    return f"{quote_identifier(column.name)} {column.sql_type}{not_null}"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema ``raw`` and every raw table; safe to call again.

    Creates ``raw.<table>`` for each landing table (its contract columns with
    their SQL types, then ``contract.RAW_METADATA_COLUMNS``), ``raw.<name>``
    for each table parsed from programs.yml (its columns, then ``_batch_id``
    and ``_source_file``), ``raw.ingest_batches`` and ``raw.quarantine``.
    A table that already exists keeps its rows; a contract column it lacks is
    added (nullable, since older rows have no value for it).
    """
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {contract.RAW_SCHEMA}")
    for name, columns in raw_tables().items():
        definitions = ",\n    ".join(_column_definition(column) for column in columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {qualified(name)} (\n    {definitions}\n)")
        existing = {
            row[0].lower()
            for row in con.execute(
                "SELECT column_name FROM duckdb_columns() "
                "WHERE schema_name = ? AND table_name = ? AND database_name = current_database()",
                [contract.RAW_SCHEMA, name],
            ).fetchall()
        }
        for column in columns:
            if column.name.lower() not in existing:
                con.execute(
                    f"ALTER TABLE {qualified(name)} "
                    f"ADD COLUMN {quote_identifier(column.name)} {column.sql_type}"
                )

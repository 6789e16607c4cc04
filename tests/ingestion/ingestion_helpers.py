"""Helpers for the ingestion tests: writing small landing files and reading raw back."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.ingestion import BatchResult, ingest_table

DEAL_HEADER = (
    "deal_id,partner_id,product_id,quantity,amount,currency,stage,"
    "created_at,expected_close_date,closed_at,cancelled_at,updated_at"
)
WON_DEAL = (
    "D1,P1,A-100,2,1000.00,USD,won,2026-01-01T00:00:00Z,,2026-01-10T00:00:00Z,,2026-01-10T00:00:00Z"
)


def write(landing: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Write a landing file (creating folders); lines are joined as given."""
    path = landing / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(header: str, *rows: str) -> str:
    return "\n".join((header, *rows)) + "\n"


def load(con: duckdb.DuckDBPyConnection, landing: Path, table: str) -> BatchResult:
    """Ingest one table that has exactly one new file and return its batch."""
    (result,) = ingest_table(con, landing, table)
    return result


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def quarantine_reasons(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """Quarantine reason by row number."""
    return dict(rows(con, "select row_number, reason from raw.quarantine order by row_number"))

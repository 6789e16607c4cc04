"""Loading landing files into ``raw``: one batch per file, one transaction per batch.

For each file of a table, in path order:

1. Its sha256 is computed. A file already registered under the same path
   with the same content is not registered again, so rescanning an unchanged
   landing folder changes nothing: loaded or duplicate, it is skipped; failed,
   it is reported as failed again (from its first registry row) and retried
   only once its content changes; rejected, likewise. A file whose exact content was already
   loaded for the same table under another name is recorded as ``duplicate``
   and loads nothing. Only loaded content counts: a file that failed can be
   loaded once it is fixed.
2. It is staged as text and checked in SQL (see :mod:`.validation`).
3. In ONE transaction: the batch row in ``raw.ingest_batches``, the valid rows
   in ``raw.<table>`` and the rejected rows in ``raw.quarantine``. A process
   killed mid-load leaves the whole batch or nothing.

A file that cannot be read (bad encoding, truncated Parquet, not a table, a
missing required column, a malformed CSV record) is recorded as ``failed``
with a one-line message naming the file, loads nothing, and the next file
loads normally. Its counts are all zero: none of its rows were taken in.

A file read whole but with more than ``max_quarantine_share`` of its rows
failing their checks is ``rejected``: such a share means the export itself is
wrong (a shifted column, another format), and loading its remaining rows would
publish a partial picture. Every row of it goes to ``raw.quarantine``, the
failing rows with their own reason and the others with the batch's, so
nothing is lost and the partner sees why; ``raw.<table>`` gets nothing. Like a
failed file it is reported on every run while it stays in the landing folder,
and a corrected file (new content) loads normally; so does the same file once
the allowed share is raised above its failing share.

Counts reconcile for every batch: ``rows_read = rows_loaded +
rows_quarantined``. For ``programs.yml`` a row is a program version, so
``rows_read`` is the number of versions in the file.

Batch ids increase with load order (the largest so far plus one); this
assumes one writer at a time, which DuckDB's file lock guarantees across
processes.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration import contract
from orchestration.ingestion.discovery import (
    PROGRAMS_TABLE,
    content_hash,
    discover_batches,
    file_format,
    ignored_landing_files,
    relative_source,
)
from orchestration.ingestion.programs import ProgramsFileError, parse_programs_file
from orchestration.ingestion.readers import (
    ROW_NUMBER,
    FileReadError,
    StagedFile,
    drop_staging,
    one_line,
    sql_string,
    stage_file,
)
from orchestration.ingestion.schema import (
    PROGRAM_METADATA_COLUMNS,
    ensure_raw_schema,
    qualified,
    quote_identifier,
)
from orchestration.ingestion.validation import (
    CHECKED_TABLE,
    EXTRA_COLUMNS,
    REASON_COLUMN,
    AttainmentCalendar,
    build_checked_table,
)

logger = logging.getLogger(__name__)

LOADED = "loaded"
DUPLICATE = "duplicate"
FAILED = "failed"
REJECTED = "rejected"
# The reason given to the rows of a rejected batch that failed no check of their own.
_REJECTED_REASON_PREFIX = "batch rejected: "
# Statuses that fail the run each time their file is scanned, until it changes.
BLOCKING_STATUSES = frozenset({FAILED, REJECTED})

# Money columns summed over the loaded rows of a batch, reported as metadata.
# Deal amounts are in their own currencies, so they are summed per currency.
_MONEY_COLUMNS: dict[str, str] = {
    "payouts": "amount_usd",
    "quotas": "quota_usd",
    "mdf_claims": "amount_usd",
}


@dataclass(frozen=True)
class BatchResult:
    """What happened to one landing file.

    ``money_totals`` sums the money columns of the loaded rows: for deals one
    entry per currency (``amount_USD``, ``amount_EUR``...), for payouts,
    quotas and MDF claims their USD column; empty for other tables and for
    batches that loaded nothing. ``error_message`` says why a ``failed`` or
    ``rejected`` batch loaded nothing.
    """

    batch_id: int | None
    table_name: str
    source_file: str
    status: str  # loaded | duplicate | failed | rejected
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    error_message: str | None
    money_totals: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class _Batch:
    """A file about to be recorded."""

    table_name: str
    source_file: str
    file_format: str
    content_hash: str


class _BatchFailed(Exception):
    """The file fails as a whole; the message is one line naming the file."""


def prepare_connection(con: duckdb.DuckDBPyConnection) -> None:
    """Session settings ingestion relies on: UTC and order-preserving inserts."""
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")


def ingest_landing(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, *, max_quarantine_share: float = 0.5
) -> list[BatchResult]:
    """Load every landing table, in ``contract.LOAD_ORDER`` (programs first).

    Files that no table loads are logged as warnings (see
    :func:`~orchestration.ingestion.discovery.ignored_landing_files`).
    """
    landing_dir = Path(landing_dir)
    if not landing_dir.is_dir():
        raise FileNotFoundError(f"landing folder {landing_dir} does not exist")
    for warning in ignored_landing_files(landing_dir):
        logger.warning("%s", warning)
    results: list[BatchResult] = []
    for table_name in contract.LOAD_ORDER:
        results.extend(
            ingest_table(con, landing_dir, table_name, max_quarantine_share=max_quarantine_share)
        )
    return results


def ingest_table(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    table_name: str,
    *,
    max_quarantine_share: float = 0.5,
) -> list[BatchResult]:
    """Load every file of one table found in ``landing_dir``, one batch per file."""
    prepare_connection(con)
    ensure_raw_schema(con)
    results = []
    for path in discover_batches(landing_dir, table_name):
        result = _ingest_file(con, Path(landing_dir), path, table_name, max_quarantine_share)
        if result is None:
            continue
        _log(result)
        results.append(result)
    return results


def _log(result: BatchResult) -> None:
    if result.status in BLOCKING_STATUSES:
        logger.warning("batch %s %s: %s", result.batch_id, result.status, result.error_message)
    elif result.status == DUPLICATE:
        logger.info("%s: already loaded, recorded as duplicate", result.source_file)
    else:
        logger.info(
            "batch %s: %s -> raw.%s: %d read, %d loaded, %d quarantined",
            result.batch_id,
            result.source_file,
            result.table_name,
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
        )


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    path: Path,
    table_name: str,
    max_quarantine_share: float,
) -> BatchResult | None:
    """Load one file; None when this very file (path and content) was seen before."""
    source = relative_source(path, landing_dir)
    fmt = file_format(path)
    try:
        digest = content_hash(path)
    except OSError as error:
        batch = _Batch(table_name, source, fmt, "")
        return _record_without_rows(
            con, batch, FAILED, f"{source}: cannot open the file: {error.strerror or error}"
        )
    batch = _Batch(table_name, source, fmt, digest)
    seen = _registered_before(con, batch)
    if seen is not None and seen.status == REJECTED:
        # Judged again under today's share: a raised share lets the file load.
        seen = _still_rejected(con, seen, max_quarantine_share)
    if seen is not None:
        return seen if seen.status in BLOCKING_STATUSES else None
    if _already_loaded(con, table_name, digest):
        return _record_without_rows(con, batch, DUPLICATE, None)
    try:
        if table_name == PROGRAMS_TABLE:
            return _load_programs(con, path, batch)
        return _load_data_file(con, path, batch, max_quarantine_share)
    except _BatchFailed as error:
        return _record_without_rows(con, batch, FAILED, str(error))


def _registered_before(con: duckdb.DuckDBPyConnection, batch: _Batch) -> BatchResult | None:
    """The latest registry row of this same file (table, path and content), if any.

    Its counts are zero: they were reported when the batch was recorded.
    """
    row = con.execute(
        f"SELECT batch_id, status, error_message FROM {qualified('ingest_batches')} "
        "WHERE table_name = ? AND source_file = ? AND content_hash = ? "
        "ORDER BY batch_id DESC LIMIT 1",
        [batch.table_name, batch.source_file, batch.content_hash],
    ).fetchone()
    if row is None:
        return None
    return BatchResult(
        batch_id=int(row[0]),
        table_name=batch.table_name,
        source_file=batch.source_file,
        status=row[1],
        rows_read=0,
        rows_loaded=0,
        rows_quarantined=0,
        error_message=row[2],
    )


def _still_rejected(
    con: duckdb.DuckDBPyConnection, seen: BatchResult, max_quarantine_share: float
) -> BatchResult | None:
    """``seen`` with its reason restated for ``max_quarantine_share``; None once it is allowed."""
    row = con.execute(
        f"SELECT b.rows_read, count(q.row_number) FILTER (WHERE NOT starts_with(q.reason, ?)) "
        f"FROM {qualified('ingest_batches')} AS b "
        f"LEFT JOIN {qualified('quarantine')} AS q ON q.batch_id = b.batch_id "
        "WHERE b.batch_id = ? GROUP BY b.rows_read",
        [_REJECTED_REASON_PREFIX, seen.batch_id],
    ).fetchone()
    assert row is not None
    rejection = _rejection(int(row[0]), int(row[1]), max_quarantine_share)
    if rejection is None:
        return None
    return replace(seen, error_message=f"{seen.source_file}: {rejection}")


def _already_loaded(con: duckdb.DuckDBPyConnection, table_name: str, digest: str) -> bool:
    row = con.execute(
        f"SELECT count(*) FROM {qualified('ingest_batches')} "
        "WHERE table_name = ? AND content_hash = ? AND status = ?",
        [table_name, digest, LOADED],
    ).fetchone()
    return bool(row and row[0])


def _next_batch_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute(
        f"SELECT coalesce(max(batch_id), 0) + 1 FROM {qualified('ingest_batches')}"
    ).fetchone()
    assert row is not None
    return int(row[0])


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _insert_batch_row(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    batch: _Batch,
    status: str,
    counts: tuple[int, int, int],
    error_message: str | None,
) -> None:
    rows_read, rows_loaded, rows_quarantined = counts
    con.execute(
        f"INSERT INTO {qualified('ingest_batches')} "
        "(batch_id, content_hash, source_file, table_name, file_format, status, "
        "rows_read, rows_loaded, rows_quarantined, error_message, loaded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            batch.content_hash,
            batch.source_file,
            batch.table_name,
            batch.file_format,
            status,
            rows_read,
            rows_loaded,
            rows_quarantined,
            error_message,
            _utc_now(),
        ],
    )


class _Transaction:
    """``with _Transaction(con):`` commits on success and rolls back on any exception."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def __enter__(self) -> _Transaction:
        self.con.execute("BEGIN TRANSACTION")
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is None:
            self.con.execute("COMMIT")
        else:
            self.con.execute("ROLLBACK")


def _record_without_rows(
    con: duckdb.DuckDBPyConnection, batch: _Batch, status: str, error_message: str | None
) -> BatchResult:
    with _Transaction(con):
        batch_id = _next_batch_id(con)
        _insert_batch_row(con, batch_id, batch, status, (0, 0, 0), error_message)
    return BatchResult(
        batch_id=batch_id,
        table_name=batch.table_name,
        source_file=batch.source_file,
        status=status,
        rows_read=0,
        rows_loaded=0,
        rows_quarantined=0,
        error_message=error_message,
    )


def attainment_calendar(con: duckdb.DuckDBPyConnection) -> AttainmentCalendar:
    """The attainment grain and fiscal calendar of the latest loaded programs file.

    Before any programs file has loaded, the rules' defaults apply: quarters
    of a fiscal year starting in January.
    """
    row = con.execute(
        f"SELECT attainment_period, fiscal_year_start_month "
        f"FROM {qualified('program_settings')} ORDER BY _batch_id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return AttainmentCalendar()
    return AttainmentCalendar(attainment_period=row[0], fiscal_year_start_month=int(row[1]))


def _load_data_file(
    con: duckdb.DuckDBPyConnection, path: Path, batch: _Batch, max_quarantine_share: float
) -> BatchResult:
    table = contract.LANDING_TABLES[batch.table_name]
    try:
        staged = stage_file(con, path, batch.file_format, table.required_columns)
        build_checked_table(con, staged, table, attainment_calendar(con))
        rows_read, rows_failing = _counts(con)
        rejection = _rejection(rows_read, rows_failing, max_quarantine_share)
        if rejection is not None:
            _quarantine_remaining_rows(con, _REJECTED_REASON_PREFIX + rejection)
        status = LOADED if rejection is None else REJECTED
        rows_quarantined = rows_read if rejection is not None else rows_failing
        rows_loaded = rows_read - rows_quarantined
        totals = _money_totals(con, batch.table_name)
        with _Transaction(con):
            batch_id = _next_batch_id(con)
            _insert_valid_rows(con, table, batch_id, batch.source_file)
            _insert_quarantine(con, staged, batch_id, batch)
            _insert_batch_row(
                con,
                batch_id,
                batch,
                status,
                (rows_read, rows_loaded, rows_quarantined),
                None if rejection is None else f"{batch.source_file}: {rejection}",
            )
    except FileReadError as error:
        raise _BatchFailed(f"{batch.source_file}: {error}") from error
    except duckdb.Error as error:
        raise _BatchFailed(f"{batch.source_file}: {one_line(str(error))}") from error
    finally:
        drop_staging(con)
        con.execute(f"DROP TABLE IF EXISTS temp.{CHECKED_TABLE}")

    return BatchResult(
        batch_id=batch_id,
        table_name=batch.table_name,
        source_file=batch.source_file,
        status=status,
        rows_read=rows_read,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_quarantined,
        error_message=None if rejection is None else f"{batch.source_file}: {rejection}",
        money_totals=totals,
    )


def _rejection(rows_read: int, rows_failing: int, max_quarantine_share: float) -> str | None:
    """Why a batch is rejected whole, or None when its failing share is allowed."""
    if rows_read == 0 or rows_failing / rows_read <= max_quarantine_share:
        return None
    allowed = f"{max_quarantine_share * 100:.10g}%"
    return (
        f"{rows_failing} of {rows_read} rows failed their checks, more than the allowed"
        f" {allowed}; no row of this file is loaded until a corrected file arrives"
    )


def _quarantine_remaining_rows(con: duckdb.DuckDBPyConnection, reason: str) -> None:
    """Give every row without a reason yet the batch's reason."""
    con.execute(
        f"UPDATE temp.{CHECKED_TABLE} SET {REASON_COLUMN} = ? WHERE {REASON_COLUMN} IS NULL",
        [reason],
    )


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {REASON_COLUMN} IS NOT NULL) "
        f"FROM temp.{CHECKED_TABLE}"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _money_totals(con: duckdb.DuckDBPyConnection, table_name: str) -> dict[str, Decimal]:
    valid = f"FROM temp.{CHECKED_TABLE} WHERE {REASON_COLUMN} IS NULL"
    if table_name == "deals":
        rows = con.execute(
            f"SELECT currency, sum(amount) {valid} GROUP BY currency ORDER BY currency"
        ).fetchall()
        return {f"amount_{currency}": Decimal(total) for currency, total in rows}
    column = _MONEY_COLUMNS.get(table_name)
    if column is None:
        return {}
    row = con.execute(f"SELECT sum({quote_identifier(column)}) {valid}").fetchone()
    total = row[0] if row is not None and row[0] is not None else 0
    return {column: Decimal(total)}


def _insert_valid_rows(
    con: duckdb.DuckDBPyConnection, table: contract.LandingTable, batch_id: int, source: str
) -> None:
    columns = [quote_identifier(name) for name in table.column_names]
    con.execute(
        f"INSERT INTO {qualified(table.name)} "
        f"({', '.join(columns)}, _batch_id, _source_file, _row_number, _extra_columns) "
        f"SELECT {', '.join(columns)}, {batch_id}, {sql_string(source)}, {ROW_NUMBER}, "
        f"{EXTRA_COLUMNS} FROM temp.{CHECKED_TABLE} WHERE {REASON_COLUMN} IS NULL"
    )


def _insert_quarantine(
    con: duckdb.DuckDBPyConnection, staged: StagedFile, batch_id: int, batch: _Batch
) -> None:
    """Quarantine rows with their original text, keyed by lower-cased column name."""
    if staged.columns:
        pairs = ", ".join(
            f"{sql_string(column.name)}, stage.{column.stage_column}" for column in staged.columns
        )
        raw_values = f"json_object({pairs})::VARCHAR"
    else:
        raw_values = "'{}'"
    con.execute(
        f"INSERT INTO {qualified('quarantine')} "
        "(batch_id, source_file, row_number, table_name, reason, raw_values) "
        f"SELECT {batch_id}, {sql_string(batch.source_file)}, checked.{ROW_NUMBER}, "
        f"{sql_string(batch.table_name)}, checked.{REASON_COLUMN}, {raw_values} "
        f"FROM temp.{CHECKED_TABLE} AS checked "
        f"JOIN {staged.numbered_records()} AS stage USING ({ROW_NUMBER}) "
        f"WHERE checked.{REASON_COLUMN} IS NOT NULL"
    )


def _load_programs(con: duckdb.DuckDBPyConnection, path: Path, batch: _Batch) -> BatchResult:
    try:
        document = parse_programs_file(path, batch.source_file)
    except ProgramsFileError as error:
        raise _BatchFailed(str(error)) from error
    versions = document.version_count
    metadata = [column.name for column in PROGRAM_METADATA_COLUMNS]
    try:
        with _Transaction(con):
            batch_id = _next_batch_id(con)
            for name, columns in contract.PROGRAM_TABLES.items():
                rows = document.rows[name]
                if not rows:
                    continue
                names = [column.name for column in columns] + metadata
                placeholders = ", ".join("?" for _ in names)
                con.executemany(
                    f"INSERT INTO {qualified(name)} "
                    f"({', '.join(map(quote_identifier, names))}) VALUES ({placeholders})",
                    [[*row, batch_id, batch.source_file] for row in rows],
                )
            _insert_batch_row(con, batch_id, batch, LOADED, (versions, versions, 0), None)
    except duckdb.Error as error:
        raise _BatchFailed(f"{batch.source_file}: {one_line(str(error))}") from error
    return BatchResult(
        batch_id=batch_id,
        table_name=batch.table_name,
        source_file=batch.source_file,
        status=LOADED,
        rows_read=versions,
        rows_loaded=versions,
        rows_quarantined=0,
        error_message=None,
    )

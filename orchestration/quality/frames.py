"""The small DataFrames the suites judge, read from the build warehouse with DuckDB.

Raw frames hold only the batches loaded in this run. Mart frames are
aggregates (per partner, program and period, or per program and period; one
row of key counts; one row per batch, per quarantined file or per code
combination), so their size follows the number of partners, periods and
files, not of deals. Money stays ``decimal.Decimal`` (read through Arrow);
differences that must be zero are computed exactly, in SQL DECIMAL or Python
``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import duckdb
import pandas as pd

from orchestration.contract import PROGRAM_TABLES, RAW_SCHEMA
from orchestration.quality.suites import REFERENCE_GAP_REASONS

_HUNDREDTH = Decimal("0.01")


def _frame(con: duckdb.DuckDBPyConnection, query: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run ``query``; decimals come back as ``Decimal`` objects, never floats."""
    return con.execute(query, list(params)).fetch_arrow_table().to_pandas()


def batch_ids_loaded_since(
    con: duckdb.DuckDBPyConnection, table_name: str, since: dt.datetime
) -> list[int]:
    """Batches of ``table_name`` loaded (not duplicates, not failed) at or after ``since`` (UTC)."""
    since_utc = since.astimezone(dt.UTC).replace(tzinfo=None) if since.tzinfo else since
    rows = con.execute(
        f"select batch_id from {RAW_SCHEMA}.ingest_batches"
        " where table_name = ? and status = 'loaded' and loaded_at >= ? order by batch_id",
        [table_name, since_utc],
    ).fetchall()
    return [row[0] for row in rows]


def raw_schema_frame(con: duckdb.DuckDBPyConnection, table_name: str) -> pd.DataFrame:
    """One row per column of ``raw.<table>``: ``column_type`` = ``"<name> <TYPE>"``."""
    return _frame(
        con,
        "select column_name || ' ' || data_type as column_type from duckdb_columns()"
        " where schema_name = ? and table_name = ? and database_name = current_database()"
        " order by column_index",
        [RAW_SCHEMA, table_name],
    )


def raw_rows_frame(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    batch_ids: Sequence[int],
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The rows of ``raw.<table>`` that the given batches loaded (only ``columns`` if given)."""
    selected = ", ".join(f'"{name}"' for name in columns) if columns else "*"
    return _frame(
        con,
        f'select {selected} from {RAW_SCHEMA}."{table_name}" where list_contains(?, _batch_id)'
        " order by _batch_id, _row_number",
        [list(batch_ids)],
    )


def programs_schema_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per column of each raw program table: ``table_name`` and ``column_type``."""
    return _frame(
        con,
        "select table_name, column_name || ' ' || data_type as column_type from duckdb_columns()"
        " where schema_name = ? and list_contains(?, table_name)"
        " and database_name = current_database()"
        " order by table_name, column_index",
        [RAW_SCHEMA, list(PROGRAM_TABLES)],
    )


def program_rows_frame(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    batch_ids: Sequence[int],
    columns: Sequence[str],
) -> pd.DataFrame:
    """The rows of the raw program table ``table_name`` parsed from the given programs batches."""
    selected = ", ".join(f'"{name}"' for name in columns)
    return _frame(
        con,
        f'select {selected} from {RAW_SCHEMA}."{table_name}" where list_contains(?, _batch_id)'
        " order by _batch_id",
        [list(batch_ids)],
    )


def raw_batches_frame(
    con: duckdb.DuckDBPyConnection, table_name: str, batch_ids: Sequence[int]
) -> pd.DataFrame:
    """Each given batch with its rows read and the ratio to the earlier batches' average.

    Earlier batches are those loaded by earlier runs: the batches of one
    delivery differ in size by design (a first export, then a file of
    updates), while a swing against what earlier runs brought is news. The
    ratio is empty when no earlier run loaded a batch of the table.
    """
    return _frame(
        con,
        f"""
        with this_run as (
            select
                b.batch_id,
                b.source_file,
                b.rows_read,
                (
                    select avg(e.rows_read) from {RAW_SCHEMA}.ingest_batches e
                    where e.table_name = b.table_name and e.status = 'loaded'
                        and e.batch_id < ?
                ) as earlier_average
            from {RAW_SCHEMA}.ingest_batches b
            where b.table_name = ? and list_contains(?, b.batch_id)
        )
        select *, rows_read / nullif(earlier_average, 0) as ratio_to_earlier_average
        from this_run
        order by batch_id
        """,
        [min(batch_ids, default=0), table_name, list(batch_ids)],
    )


def partner_earnings_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per partner, program and period: the mart's totals next to the sum of its earning lines."""
    return _frame(
        con,
        """
        with lines as (
            select partner_id, program_id, period, sum(earned_usd) as lines_earned_usd
            from main.fct_incentive_earnings
            group by partner_id, program_id, period
        )
        select
            coalesce(m.partner_id, l.partner_id) as partner_id,
            coalesce(m.program_id, l.program_id) as program_id,
            coalesce(m.period, l.period) as period,
            m.earned_usd,
            l.lines_earned_usd,
            m.paid_usd,
            m.unpaid_usd,
            coalesce(l.lines_earned_usd, 0) - coalesce(m.earned_usd, 0) as lines_minus_earned_usd,
            coalesce(m.earned_usd, 0) - coalesce(m.paid_usd, 0) - coalesce(m.unpaid_usd, 0)
                as earned_minus_paid_minus_unpaid_usd
        from main.mart_partner_earnings m
        full outer join lines l
            on m.partner_id = l.partner_id
            and m.program_id = l.program_id
            and m.period = l.period
        order by 1, 2, 3
        """,
    )


def expected_attainment_pct(won_usd: Decimal | None, quota_usd: Decimal | None) -> Decimal | None:
    """100 x won / quota rounded half up to 2 decimals; ``None`` without a positive quota."""
    if quota_usd is None or quota_usd <= 0:
        return None
    with localcontext() as context:
        context.prec = 60
        return (Decimal(100) * (won_usd or Decimal(0)) / quota_usd).quantize(
            _HUNDREDTH, rounding=ROUND_HALF_UP
        )


def partner_attainment_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per partner and period: attainment as published and as recomputed in Python ``Decimal``.

    ``attainment_pct_difference`` is published minus expected where the quota
    is above 0, and empty elsewhere (nothing to compare); a missing published
    value against an expected one counts as a difference of the expected value.
    """
    frame = _frame(
        con,
        "select partner_id, period, won_usd, quota_usd, attainment_pct"
        " from main.mart_partner_attainment order by partner_id, period",
    )
    expected = [
        expected_attainment_pct(won, quota)
        for won, quota in zip(frame["won_usd"], frame["quota_usd"], strict=True)
    ]
    frame["expected_attainment_pct"] = pd.Series(expected, index=frame.index, dtype=object)
    frame["attainment_pct_difference"] = pd.Series(
        [
            None if want is None else (Decimal(0) if pd.isna(got) else got) - want
            for got, want in zip(frame["attainment_pct"], expected, strict=True)
        ],
        index=frame.index,
        dtype=object,
    )
    return frame


def program_performance_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per program and period: the mart's revenue and cost next to the earning lines' sums."""
    return _frame(
        con,
        """
        with mart as (
            select program_id, period,
                sum(credited_revenue_usd) as credited_revenue_usd,
                sum(incentive_cost_usd) as incentive_cost_usd
            from main.mart_program_performance
            group by program_id, period
        ),
        lines as (
            select program_id, period,
                sum(credited_usd) as lines_credited_usd,
                sum(earned_usd) as lines_earned_usd
            from main.fct_incentive_earnings
            group by program_id, period
        )
        select
            coalesce(m.program_id, l.program_id) as program_id,
            coalesce(m.period, l.period) as period,
            m.credited_revenue_usd,
            l.lines_credited_usd,
            m.incentive_cost_usd,
            l.lines_earned_usd,
            coalesce(m.credited_revenue_usd, 0) - coalesce(l.lines_credited_usd, 0)
                as revenue_minus_lines_usd,
            coalesce(m.incentive_cost_usd, 0) - coalesce(l.lines_earned_usd, 0)
                as cost_minus_lines_usd
        from mart m
        full outer join lines l on m.program_id = l.program_id and m.period = l.period
        order by 1, 2
        """,
    )


def _key_count_select(relation: str, keys: Sequence[str]) -> str:
    """One row: the relation's name, its rows, its distinct keys and its rows missing a key part."""
    key = keys[0] if len(keys) == 1 else "(" + ", ".join(keys) + ")"
    missing = " or ".join(f"{name} is null" for name in keys)
    return (
        f"select '{relation}' as relation, count(*) as row_count,"
        f" count(distinct {key}) as distinct_keys,"
        f" count(*) filter (where {missing}) as rows_missing_a_key"
        f" from {relation}"
    )


def key_count_frame(
    con: duckdb.DuckDBPyConnection, relation: str, keys: Sequence[str]
) -> pd.DataFrame:
    """One row: rows against distinct ``keys`` of ``relation``, and rows missing a key part."""
    return _frame(con, _key_count_select(relation, keys))


def key_counts_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rows against distinct keys of the current-version relations whose keys must be unique."""
    return _frame(
        con,
        _key_count_select("intermediate.int_deals_current", ["deal_id"])
        + " union all "
        + _key_count_select("main.fct_deal_log", ["deal_id", "partner_id", "program_id"]),
    )


def dim_partners_keys_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row: dim_partners' rows against its distinct partner ids."""
    return key_count_frame(con, "main.dim_partners", ["partner_id"])


def dim_partners_codes_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per combination of region, tier and partner type in dim_partners, with its count."""
    return _frame(
        con,
        "select region, tier, partner_type, count(*) as partners from main.dim_partners"
        " group by all order by all",
    )


def incentive_earnings_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row: key counts of fct_incentive_earnings and its lines missing earned or credited."""
    keys = ["deal_id", "partner_id", "program_id"]
    missing = " or ".join(f"{name} is null" for name in keys)
    return _frame(
        con,
        f"""
        select
            count(*) as row_count,
            count(distinct ({", ".join(keys)})) as distinct_keys,
            count(*) filter (where {missing}) as rows_missing_a_key,
            count(*) filter (where earned_usd is null) as lines_without_earned_usd,
            count(*) filter (where credited_usd is null) as lines_without_credited_usd
        from main.fct_incentive_earnings
        """,
    )


def quarantine_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per batch, table and file of the quarantine mart: its rows and those missing a value.

    ``rows_without_reason`` counts rows whose reason is missing or blank;
    ``rows_without_row_number`` those whose row number is missing or below 1.
    """
    return _frame(
        con,
        """
        select
            batch_id,
            table_name,
            source_file,
            count(*) as quarantined_rows,
            count(*) filter (where reason is null or trim(reason) = '') as rows_without_reason,
            count(*) filter (where row_number is null or row_number < 1)
                as rows_without_row_number
        from main.quarantine
        group by all
        order by all
        """,
    )


def ingest_batches_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per batch of the ingest_batches mart, with its row accounting as exact integers.

    ``read_minus_loaded_minus_quarantined`` is ``rows_read - rows_loaded -
    rows_quarantined``; ``rows_quarantined_minus_quarantine_rows`` compares the
    batch's count with its rows in the quarantine mart.
    """
    return _frame(
        con,
        """
        with quarantined as (
            select batch_id, count(*) as quarantine_rows
            from main.quarantine
            group by batch_id
        )
        select
            b.batch_id,
            b.table_name,
            b.source_file,
            b.status,
            b.rows_read,
            b.rows_loaded,
            b.rows_quarantined,
            coalesce(q.quarantine_rows, 0) as quarantine_rows,
            b.rows_read - b.rows_loaded - b.rows_quarantined
                as read_minus_loaded_minus_quarantined,
            b.rows_quarantined - coalesce(q.quarantine_rows, 0)
                as rows_quarantined_minus_quarantine_rows
        from main.ingest_batches b
        left join quarantined q on b.batch_id = q.batch_id
        order by b.batch_id
        """,
    )


def partner_mdf_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per partner and program: mart_partner_mdf next to the mdf lines and current claims.

    The mart side is grouped, so ``mart_rows`` counts its rows per key (empty
    where the mart has no row for a key that has lines or claims). Claim sums
    are rounded to cents as the mart publishes them; every difference is
    exact DECIMAL arithmetic.
    """
    statuses = ("approved", "paid", "submitted", "rejected")
    claim_sums = ",\n".join(
        f"cast(coalesce(sum(amount_usd) filter (where claim_status = '{status}'), 0)"
        f" as decimal(18, 2)) as {status}_usd"
        for status in statuses
    )
    mart_columns = {
        "approved": "approved_claims_usd",
        "paid": "paid_claims_usd",
        "submitted": "submitted_claims_usd",
        "rejected": "rejected_claims_usd",
    }
    differences = ",\n".join(
        f"coalesce(m.{mart_columns[status]}, 0) - coalesce(c.{status}_usd, 0)"
        f" as {status}_minus_claims_usd"
        for status in statuses
    )
    return _frame(
        con,
        f"""
        with mart as (
            select partner_id, program_id,
                count(*) as mart_rows,
                sum(accrued_usd) as accrued_usd,
                sum(approved_claims_usd) as approved_claims_usd,
                sum(paid_claims_usd) as paid_claims_usd,
                sum(submitted_claims_usd) as submitted_claims_usd,
                sum(rejected_claims_usd) as rejected_claims_usd,
                sum(mdf_available_usd) as mdf_available_usd,
                sum(claims) as claims
            from main.mart_partner_mdf
            group by partner_id, program_id
        ),
        lines as (
            select partner_id, program_id, sum(earned_usd) as lines_accrued_usd
            from main.fct_incentive_earnings
            where program_type = 'mdf'
            group by partner_id, program_id
        ),
        current_claims as (
            select partner_id, program_id,
                {claim_sums},
                count(*) as current_claims
            from intermediate.int_mdf_claims_current
            group by partner_id, program_id
        ),
        keys as (
            select partner_id, program_id from mart
            union
            select partner_id, program_id from lines
            union
            select partner_id, program_id from current_claims
        )
        select
            k.partner_id,
            k.program_id,
            m.mart_rows,
            m.accrued_usd,
            l.lines_accrued_usd,
            m.mdf_available_usd,
            coalesce(m.accrued_usd, 0) - coalesce(l.lines_accrued_usd, 0)
                as accrued_minus_lines_usd,
            {differences},
            coalesce(m.claims, 0) - coalesce(c.current_claims, 0)
                as claims_minus_current_claims,
            coalesce(m.accrued_usd, 0) - coalesce(m.approved_claims_usd, 0)
                - coalesce(m.paid_claims_usd, 0) - coalesce(m.mdf_available_usd, 0)
                as accrued_minus_claims_minus_available_usd
        from keys k
        left join mart m on k.partner_id = m.partner_id and k.program_id = m.program_id
        left join lines l on k.partner_id = l.partner_id and k.program_id = l.program_id
        left join current_claims c
            on k.partner_id = c.partner_id and k.program_id = c.program_id
        order by 1, 2
        """,
    )


def deal_log_reasons_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row: the number of deal-log lines not counted for each reference-gap reason."""
    counts = ", ".join(
        f"count(*) filter (where not counted and reason = '{reason}') as {column}"
        for reason, column, _ in REFERENCE_GAP_REASONS
    )
    return _frame(con, f"select {counts} from main.fct_deal_log")

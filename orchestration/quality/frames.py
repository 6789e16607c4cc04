"""The small DataFrames the suites judge, read from the build warehouse with DuckDB.

Raw frames hold only the batches loaded in this run. Mart frames are
aggregates (per partner, program and period, or per program and period), so
their size follows the number of partners and periods, not of deals. Money
stays ``decimal.Decimal`` (read through Arrow); differences that must be zero
are computed exactly, in SQL DECIMAL or Python ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import duckdb
import pandas as pd

from orchestration.contract import RAW_SCHEMA
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


def raw_batches_frame(
    con: duckdb.DuckDBPyConnection, table_name: str, batch_ids: Sequence[int]
) -> pd.DataFrame:
    """Each given batch with its rows read and the ratio to the earlier batches' average.

    The ratio is empty for the first batch of a table (nothing to compare with).
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
                        and e.batch_id < b.batch_id
                ) as earlier_average
            from {RAW_SCHEMA}.ingest_batches b
            where b.table_name = ? and list_contains(?, b.batch_id)
        )
        select *, rows_read / nullif(earlier_average, 0) as ratio_to_earlier_average
        from this_run
        order by batch_id
        """,
        [table_name, list(batch_ids)],
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


def key_counts_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rows against distinct keys of the relations whose keys must be unique."""
    return _frame(
        con,
        """
        select 'intermediate.int_deals_current' as relation,
            count(*) as row_count, count(distinct deal_id) as distinct_keys
        from intermediate.int_deals_current
        union all
        select 'main.fct_deal_log', count(*),
            count(distinct (deal_id, partner_id, program_id))
        from main.fct_deal_log
        union all
        select 'main.fct_incentive_earnings', count(*),
            count(distinct (deal_id, partner_id, program_id))
        from main.fct_incentive_earnings
        """,
    )


def deal_log_reasons_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row: the number of deal-log lines not counted for each reference-gap reason."""
    counts = ", ".join(
        f"count(*) filter (where not counted and reason = '{reason}') as {column}"
        for reason, column, _ in REFERENCE_GAP_REASONS
    )
    return _frame(con, f"select {counts} from main.fct_deal_log")

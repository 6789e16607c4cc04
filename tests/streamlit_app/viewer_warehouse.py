"""A tiny published warehouse with the relations the viewer reads (for the viewer tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb

import streamlit_app

APP_PATH = Path(streamlit_app.__file__).parent / "app.py"

SCHEMA = """
create table dim_partners (
    partner_id varchar, partner_name varchar, region varchar, country varchar,
    tier varchar, partner_type varchar
);
create table mart_partner_attainment (
    partner_id varchar, period varchar, won_usd decimal(18, 2), quota_usd decimal(18, 2),
    attainment_pct decimal(18, 2), projected_revenue_usd decimal(18, 2), rank_in_region integer
);
create table mart_partner_earnings (
    partner_id varchar, program_id varchar, period varchar, earned_usd decimal(18, 2),
    paid_usd decimal(18, 2), unpaid_usd decimal(18, 2), projected_earned_usd decimal(18, 2),
    gap_to_next_band decimal(18, 2), next_band_rate decimal(9, 4)
);
create table mart_program_performance (
    program_id varchar, region varchar, partner_type varchar, family varchar, period varchar,
    incentive_cost_usd decimal(18, 2), credited_revenue_usd decimal(18, 2),
    partners_earning integer, cost_to_revenue decimal(18, 4)
);
create table fct_incentive_earnings (
    deal_id varchar, partner_id varchar, program_id varchar, program_version integer,
    program_type varchar, period varchar, closed_at timestamp, credited_usd decimal(18, 2),
    credited_units decimal(18, 4), band_rate decimal(9, 4), earned_usd decimal(18, 2),
    explanation varchar
);
create table ingest_batches (
    batch_id integer, source_file varchar, table_name varchar, rows_read integer,
    rows_loaded integer, rows_quarantined integer, loaded_at timestamp, status varchar,
    content_hash varchar, file_format varchar, error_message varchar
);
create table pipeline_runs (
    run_id varchar, as_of date, started_at timestamp, published_at timestamp,
    batches_loaded integer, batches_total integer, last_loaded_at timestamp
);
create table quarantine (
    batch_id bigint, source_file varchar, row_number bigint, table_name varchar,
    reason varchar, raw_values varchar
);
create table data_quality_results (
    run_id varchar, checked_at timestamp, asset varchar, suite varchar, expectation varchar,
    description varchar, severity varchar, success boolean, observed varchar,
    data_docs_path varchar
);
"""

DATA_DOCS_INDEX = "/srv/incentives/warehouse_data_docs/site/index.html"

ROWS = """
insert into dim_partners values
    ('P-001', 'Acme Networks', 'NA', 'US', 'gold', 'reseller'),
    ('P-002', 'Borealis IT', 'EMEA', 'DE', 'silver', 'reseller'),
    ('P-003', 'Zed''s Systems', 'APAC', 'AU', 'silver', 'distributor');
insert into mart_partner_attainment values
    ('P-001', '2026-Q1', 1516.88, 4000.00, 37.92, 2516.88, 1),
    ('P-002', '2026-Q2', 250.00, null, null, 250.00, 2);
insert into mart_partner_earnings values
    ('P-001', 'RESALE', '2026-Q1', 75.84, 75.84, 0.00, 125.84, 98483.12, 0.0700),
    ('P-001', 'RESALE', '2026-Q2', 61728.39, 50000.00, 11728.39, 65000.00, null, null),
    ('P-001', 'SPIFF-Q2', '2026-Q2', 250.00, 250.00, 0.00, 250.00, null, null),
    ('P-002', 'RESALE', '2026-Q2', 12.50, 100.00, -87.50, 12.50, 99750.00, 0.0700);
insert into fct_incentive_earnings values
    ('D-100', 'P-001', 'RESALE', 1, 'commission', '2026-Q2', '2026-04-15 10:00:00',
     1234567.80, 3, 0.0500, 61728.39, 'RESALE v1: 1,234,567.80 credited at 5% = 61,728.39'),
    ('D-101', 'P-001', 'SPIFF-Q2', 1, 'spiff', '2026-Q2', '2026-05-02 09:30:00',
     500.00, 10, null, 250.00, 'SPIFF-Q2 v1: 10 units x 25.00 = 250.00'),
    ('D-200', 'P-002', 'RESALE', 1, 'commission', '2026-Q2', '2026-05-20 16:00:00',
     250.00, 1, 0.0500, 12.50, 'RESALE v1: 250.00 credited at 5% = 12.50'),
    ('D-050', 'P-001', 'RESALE', 1, 'commission', '2026-Q1', '2026-02-10 12:00:00',
     1516.88, 2, 0.0500, 75.84, 'RESALE v1: 1,516.88 credited at 5% = 75.84');
insert into quarantine values
    (1, 'deals.csv', 2, 'deals', 'unknown stage', '{"stage": "maybe"}'),
    (1, 'deals.csv', 3, 'deals', 'unknown stage', '{"stage": "soon"}'),
    (3, 'partners.csv', 4, 'partners', 'partner_id is missing', '{"partner_id": ""}');
insert into mart_program_performance values
    ('RESALE', 'NA', 'reseller', 'Networking', '2026-Q2', 61728.39, 1234567.80, 1, 0.0500),
    ('RESALE', 'EMEA', 'reseller', 'Networking', '2026-Q2', 12.50, 250.00, 1, 0.0500),
    ('SPIFF-Q2', 'NA', 'reseller', 'Security', '2026-Q2', 250.00, 500.00, 1, 0.5000),
    ('RESALE', 'NA', 'reseller', 'Networking', '2026-Q1', 75.84, 1516.88, 1, 0.0500);
"""


def build_warehouse(
    path: Path, won_q2: str = "1234567.80", built_at: dt.datetime | None = None
) -> Path:
    """Write the test warehouse to ``path``; ``won_q2`` is Acme's 2026-Q2 won revenue.

    ``built_at`` (UTC, default one hour ago) is when its one pipeline run
    published; that run loaded its last batch five minutes earlier.
    """
    built_at = built_at or dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    built = built_at.astimezone(dt.UTC).replace(tzinfo=None)
    loaded = built - dt.timedelta(minutes=5)
    with duckdb.connect(str(path)) as connection:
        connection.execute(SCHEMA)
        connection.execute(ROWS)
        connection.execute(
            "insert into mart_partner_attainment values "
            "('P-001', '2026-Q2', $won, 10000000.00, 12.35, 1300000.00, 1)",
            {"won": Decimal(won_q2)},
        )
        connection.execute(
            "insert into ingest_batches values"
            " (1, 'deals.csv', 'deals', 4, 4, 0, $earlier, 'loaded', 'aa', 'csv', null),"
            " (2, 'deals/bad.csv', 'deals', 0, 0, 0, $loaded, 'failed', 'bb', 'csv', 'empty'),"
            " (3, 'partners.csv', 'partners', 3, 3, 0, $loaded, 'loaded', 'cc', 'csv', null)",
            {"earlier": loaded - dt.timedelta(days=1), "loaded": loaded},
        )
        # An older run that failed a blocking expectation, then run-1: three passes, one warning.
        connection.execute(
            "insert into data_quality_results values"
            " ('run-0', $older, 'main/mart_partner_earnings', 'mart_partner_earnings',"
            "  'expect_column_pair_values_to_be_equal', 'earned_usd - paid_usd = unpaid_usd',"
            "  'blocking', false, '2 unexpected', $docs),"
            " ('run-1', $raw, 'raw/deals', 'raw_deals_rows', 'expect_column_values_to_not_be_null',"
            "  'deal_id is never missing', 'blocking', true, '0 unexpected', $docs),"
            " ('run-1', $raw, 'raw/deals', 'raw_deals_batches',"
            "  'expect_column_values_to_be_between',"
            "  'a batch has at most 3 x the average rows of earlier batches', 'warning', false,"
            "  '1 unexpected: 10.0', $docs),"
            " ('run-1', $marts, 'main/mart_partner_earnings', 'mart_partner_earnings',"
            "  'expect_column_pair_values_to_be_equal', 'earned_usd - paid_usd = unpaid_usd',"
            "  'blocking', true, '0 unexpected', $docs),"
            " ('run-1', $marts, 'main/fct_deal_log', 'fct_deal_log_reasons',"
            "  'expect_column_values_to_be_between', 'no deal misses an FX rate', 'warning',"
            "  true, 'observed 0', $docs)",
            {
                "older": built - dt.timedelta(days=1),
                "raw": loaded,
                "marts": built - dt.timedelta(minutes=1),
                "docs": DATA_DOCS_INDEX,
            },
        )
        connection.execute(
            "insert into pipeline_runs values"
            " ('run-1', '2026-06-30', $started, $built, 2, 2, $loaded)",
            {"started": loaded - dt.timedelta(minutes=1), "built": built, "loaded": loaded},
        )
    return path

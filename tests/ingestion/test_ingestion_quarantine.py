"""Row-level quarantine: every reason, with the original values, never in raw."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingestion_helpers import DEAL_HEADER, WON_DEAL, csv_text, load, quarantine_reasons, rows, write

from orchestration.ingestion import ingest_table

PARTNERS = "partner_id,region,tier,partner_type,enrolled_at,updated_at"
GOOD_PARTNER = "P1,NA,gold,msp,2025-01-01,2026-01-01T00:00:00Z"


def _deal(**changes: str) -> str:
    values = dict(zip(DEAL_HEADER.split(","), WON_DEAL.split(","), strict=True))
    values.update(changes)
    return ",".join(values.values())


DEAL_CASES = [
    (_deal(deal_id=""), "missing deal_id"),
    (_deal(partner_id=" "), "missing partner_id"),
    (
        _deal(amount="1,000.00").replace("1,000.00", '"1,000.00"'),
        "amount is not a decimal number: '1,000.00'",
    ),
    (_deal(amount="12e"), "amount is not a decimal number: '12e'"),
    (
        _deal(amount="1234567890123456789"),
        "amount is too large (at most 18 digits before the point): '1234567890123456789'",
    ),
    (_deal(amount="-0.01"), "negative amount: '-0.01'"),
    (_deal(quantity="0"), "quantity must be at least 1: '0'"),
    (_deal(quantity="-3"), "quantity must be at least 1: '-3'"),
    (_deal(quantity="2.5"), "quantity is not a whole number: '2.5'"),
    (
        _deal(stage="closed won"),
        "unknown stage 'closed won' (expected one of prospecting, qualification, proposal, "
        "negotiation, won, lost, cancelled)",
    ),
    (_deal(currency="US"), "currency is not a three-letter code: 'US'"),
    (_deal(currency="US1"), "currency is not a three-letter code: 'US1'"),
    (_deal(closed_at=""), "won deal without closed_at"),
    (
        _deal(stage="cancelled", closed_at=""),
        "cancelled deal without closed_at; cancelled deal without cancelled_at",
    ),
    (_deal(stage="cancelled"), "cancelled deal without cancelled_at"),
    (
        _deal(closed_at="2026-01-11T00:00:00Z"),
        "closed_at '2026-01-11T00:00:00Z' is after updated_at '2026-01-10T00:00:00Z'",
    ),
    (_deal(created_at="yesterday"), "created_at is not an ISO 8601 timestamp: 'yesterday'"),
    (
        _deal(created_at="2026-02-30T00:00:00Z"),
        "created_at is not an ISO 8601 timestamp: '2026-02-30T00:00:00Z'",
    ),
    (_deal(updated_at="10/01/2026"), "updated_at is not an ISO 8601 timestamp: '10/01/2026'"),
    (
        _deal(expected_close_date="2026-01-10T00:00:00"),
        "expected_close_date is not an ISO date (YYYY-MM-DD): '2026-01-10T00:00:00'",
    ),
]


@pytest.mark.parametrize(
    ("row", "reason"), DEAL_CASES, ids=[reason[:40] for _, reason in DEAL_CASES]
)
def test_bad_deal_rows_are_quarantined_with_a_reason(
    con, landing: Path, row: str, reason: str
) -> None:
    write(landing, "deals.csv", csv_text(DEAL_HEADER, WON_DEAL.replace("D1", "D0"), row))
    result = load(con, landing, "deals")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)
    assert quarantine_reasons(con) == {2: reason}
    assert rows(con, "select deal_id from raw.deals") == [("D0",)]


def test_valid_edge_values_of_deals_load(con, landing: Path) -> None:
    lines = [
        _deal(deal_id="E1", quantity="3.0", amount="0"),
        _deal(deal_id="E2", currency="eur", stage="WON", amount="333.335"),
        _deal(deal_id="E3", stage="lost", closed_at=""),
        _deal(deal_id="E4", stage="negotiation", closed_at=""),
        _deal(deal_id="E5", stage="cancelled", cancelled_at="2026-01-10T00:00:00Z"),
        _deal(deal_id="E6", amount="0.123456789012345"),
    ]
    write(landing, "deals.csv", csv_text(DEAL_HEADER, *lines))
    assert load(con, landing, "deals").rows_quarantined == 0
    assert rows(
        con,
        "select quantity, currency, stage, amount::varchar from raw.deals "
        "where deal_id in ('E1', 'E2', 'E6') order by deal_id",
    ) == [
        (3, "USD", "won", "0.0000000000"),
        (2, "EUR", "won", "333.3350000000"),
        (2, "USD", "won", "0.1234567890"),
    ]


def test_quarantine_row_keeps_file_row_number_and_original_text(con, landing: Path) -> None:
    header = DEAL_HEADER.replace("deal_id", " Deal_ID ") + ",Note"
    bad = _deal(quantity=" zero ") + ",see me"
    write(landing, "deals/batch.csv", csv_text(header, WON_DEAL + ",", bad))
    result = load(con, landing, "deals")
    (quarantined,) = rows(
        con,
        "select batch_id, source_file, row_number, table_name, reason, raw_values "
        "from raw.quarantine",
    )
    assert quarantined[:5] == (
        result.batch_id,
        "deals/batch.csv",
        2,
        "deals",
        "quantity is not a whole number: 'zero'",
    )
    raw_values = json.loads(quarantined[5])
    assert raw_values["deal_id"] == "D1"
    assert raw_values["quantity"] == " zero "
    assert raw_values["note"] == "see me"
    assert raw_values["closed_at"] == "2026-01-10T00:00:00Z"
    assert raw_values["cancelled_at"] is None


PARTNER_CASES = [
    (
        "P2,Mars,gold,msp,,2026-01-01",
        "unknown region 'Mars' (expected one of NA, EMEA, APAC, LATAM)",
    ),
    (
        "P2,NA,diamond,msp,,2026-01-01",
        "unknown tier 'diamond' (expected one of registered, silver, gold, platinum)",
    ),
    (
        "P2,NA,gold,agency,,2026-01-01",
        "unknown partner_type 'agency' (expected one of reseller, referral, msp, distributor)",
    ),
    ("P2,NA,gold,msp,,", "missing updated_at"),
    (",,gold,msp,,2026-01-01", "missing partner_id; missing region"),
]


@pytest.mark.parametrize(("row", "reason"), PARTNER_CASES)
def test_bad_partner_rows_are_quarantined(con, landing: Path, row: str, reason: str) -> None:
    write(landing, "partners.csv", csv_text(PARTNERS, GOOD_PARTNER, row))
    load(con, landing, "partners")
    assert quarantine_reasons(con) == {2: reason}


OTHER_CASES = [
    (
        "mdf_claims",
        "claim_id,partner_id,program_id,amount_usd,status,updated_at",
        "C1,P1,MDF,10,submitted,2026-01-01",
        "C2,P1,MDF,10,pending,2026-01-01",
        "unknown MDF claim status 'pending' (expected one of submitted, approved, rejected, paid)",
    ),
    (
        "fx_rates",
        "rate_date,currency,usd_per_unit",
        "2026-01-02,EUR,1.08",
        "2026-01-02,EURO,1.08",
        "currency is not a three-letter code: 'EURO'",
    ),
    (
        "fx_rates",
        "rate_date,currency,usd_per_unit",
        "2026-01-02,EUR,1.08",
        "2026-01-03,EUR,0",
        "usd_per_unit must be greater than 0: '0'",
    ),
    (
        "fx_rates",
        "rate_date,currency,usd_per_unit",
        "2026-01-02,EUR,1.08",
        "2026-01-03,EUR,1234567.5",
        "usd_per_unit is too large (at most 6 digits before the point): '1234567.5'",
    ),
    (
        "fx_rates",
        "rate_date,currency,usd_per_unit",
        "2026-01-02,EUR,1.08",
        "02.01.2026,EUR,1",
        "rate_date is not an ISO date (YYYY-MM-DD): '02.01.2026'",
    ),
    (
        "payouts",
        "payout_id,partner_id,program_id,period,amount_usd,paid_at",
        "X1,P1,R,2026-Q1,5,2026-02-01",
        "X2,P1,R,2026-Q1,5,",
        "missing paid_at",
    ),
    ("products", "product_id,family,list_price_usd", "A,Storage,1", "B,,1", "missing family"),
    (
        "quotas",
        "partner_id,period,quota_usd",
        "P1,2026-Q1,100",
        "P1,2026-Q1,lots",
        "quota_usd is not a decimal number: 'lots'",
    ),
]


@pytest.mark.parametrize(("table", "header", "good", "bad", "reason"), OTHER_CASES)
def test_bad_rows_of_other_tables_are_quarantined(
    con, landing, table, header, good, bad, reason
) -> None:
    write(landing, f"{table}.csv", csv_text(header, good, bad))
    result = load(con, landing, table)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert quarantine_reasons(con) == {2: reason}


def _programs(landing: Path, settings: str) -> None:
    write(landing, "programs.yml", settings + "programs: []\n")


@pytest.mark.parametrize(
    ("settings", "good", "bad", "grain"),
    [
        ("", "2026-q2", "2026-05", "quarter, like 2026-Q2"),
        ("fiscal_year_start_month: 7\n", "FY2027-Q1", "2026-Q3", "quarter, like FY2026-Q2"),
        ("attainment_period: month\n", "2026-05", "2026-Q2", "month, like 2026-05"),
        ("attainment_period: month\n", "2026-12", "2026-13", "month, like 2026-05"),
        ("attainment_period: year\n", "2026", "FY2026", "year, like 2026"),
        (
            "attainment_period: year\nfiscal_year_start_month: 4\n",
            "FY2027",
            "2027",
            "year, like FY2026",
        ),
    ],
)
def test_quota_period_must_be_at_the_attainment_grain(
    con, landing, settings, good, bad, grain
) -> None:
    _programs(landing, settings)
    load(con, landing, "programs")
    write(
        landing,
        "quotas.csv",
        csv_text("partner_id,period,quota_usd", f"P1,{good},100", f"P1,{bad},100"),
    )
    load(con, landing, "quotas")
    assert quarantine_reasons(con) == {
        2: f"quota period '{bad}' is not at the attainment grain ({grain})"
    }
    assert rows(con, "select period from raw.quotas") == [(good.upper(),)]


def test_quota_grain_follows_the_latest_loaded_programs_file(con, landing: Path) -> None:
    _programs(landing, "attainment_period: month\n")
    load(con, landing, "programs")
    _programs(landing, "attainment_period: year\n")
    load(con, landing, "programs")
    write(
        landing, "quotas.csv", csv_text("partner_id,period,quota_usd", "P1,2026,1", "P1,2026-05,1")
    )
    load(con, landing, "quotas")
    assert list(quarantine_reasons(con)) == [2]


SPLITS = "deal_id,partner_id,split_pct"


def test_valid_split_sets_load(con, landing: Path) -> None:
    write(landing, "deal_splits.csv", csv_text(SPLITS, "D1,P1,60", "D2,P1,100", "D1,P2,40.000"))
    assert load(con, landing, "deal_splits").rows_quarantined == 0


def test_split_set_not_summing_to_100_is_quarantined_whole(con, landing: Path) -> None:
    write(
        landing,
        "deal_splits.csv",
        csv_text(
            SPLITS,
            "D1,P1,60",
            "D1,P2,30",
            "D2,P1,100",
            "D3,P1,33.3333",
            "D3,P2,66.6667",
            "D4,P1,50.5",
            "D4,P2,50",
            "D5,P1,60",
            "D5,P1,40",
        ),
    )
    (result,) = ingest_table(con, landing, "deal_splits", max_quarantine_share=1.0)
    assert (result.rows_loaded, result.rows_quarantined) == (3, 6)
    assert quarantine_reasons(con) == {
        1: "split set for deal D1 sums to 90, not 100",
        2: "split set for deal D1 sums to 90, not 100",
        6: "split set for deal D4 sums to 100.5, not 100",
        7: "split set for deal D4 sums to 100.5, not 100",
        8: "split set for deal D5 names a partner more than once",
        9: "split set for deal D5 names a partner more than once",
    }


def test_split_set_with_an_invalid_row_is_quarantined_whole(con, landing: Path) -> None:
    write(
        landing,
        "deal_splits.csv",
        csv_text(
            SPLITS,
            "D1,P1,100",
            "D1,P2,0",
            "D1,,0.5",
            ",P3,100",
            "D2,P1,120",
            "D3,P1,abc",
            "D3,P2,100",
        ),
    )
    result = load(con, landing, "deal_splits")
    assert (result.rows_loaded, result.rows_quarantined) == (0, 7)
    assert quarantine_reasons(con) == {
        1: "split set for deal D1 has an invalid row (row 2)",
        2: "split_pct must be greater than 0 and at most 100: '0'",
        3: "missing partner_id",
        4: "missing deal_id",
        5: "split_pct must be greater than 0 and at most 100: '120'",
        6: "split_pct is not a decimal number: 'abc'",
        7: "split set for deal D3 has an invalid row (row 6)",
    }


def test_split_sets_are_judged_per_batch(con, landing: Path) -> None:
    write(landing, "deal_splits/1.csv", csv_text(SPLITS, "D1,P1,60"))
    write(landing, "deal_splits/2.csv", csv_text(SPLITS, "D1,P2,40"))
    results = ingest_table(con, landing, "deal_splits")
    assert [r.rows_quarantined for r in results] == [1, 1]
    assert rows(con, "select source_file, reason from raw.quarantine order by batch_id") == [
        ("deal_splits/1.csv", "split set for deal D1 sums to 60, not 100"),
        ("deal_splits/2.csv", "split set for deal D1 sums to 40, not 100"),
    ]


@pytest.mark.parametrize("suffix", ["jsonl", "parquet"])
def test_missing_required_column_fails_other_formats_too(con, landing, suffix) -> None:
    if suffix == "jsonl":
        write(landing, "fx_rates.jsonl", '{"rate_date": "2026-01-01", "currency": "EUR"}\n')
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(
            pa.table({"rate_date": ["2026-01-01"], "currency": ["EUR"]}),
            landing / "fx_rates.parquet",
        )
    result = load(con, landing, "fx_rates")
    assert result.status == "failed"
    assert result.error_message == f"fx_rates.{suffix}: missing required column usd_per_unit"

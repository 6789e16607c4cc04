"""Batches: the registry, duplicates, failures, counts and atomicity."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingestion_helpers import DEAL_HEADER, WON_DEAL, csv_text, load, rows, write

from orchestration.ingestion import ingest_landing, ingest_table, loader

PRODUCTS_HEADER = "product_id,product_name,family,list_price_usd"


def _snapshot(con) -> list[tuple]:
    return rows(con, "select * from raw.deals order by _batch_id, _row_number")


def test_rescanning_the_same_file_changes_nothing(con, landing: Path) -> None:
    write(landing, "deals.csv", csv_text(DEAL_HEADER, WON_DEAL))
    first = load(con, landing, "deals")
    before = _snapshot(con)
    assert first.status == "loaded"
    assert ingest_table(con, landing, "deals") == []
    assert _snapshot(con) == before


def test_same_content_under_another_name_is_a_duplicate(con, landing: Path) -> None:
    write(landing, "deals.csv", csv_text(DEAL_HEADER, WON_DEAL))
    write(landing, "deals/copy.csv", csv_text(DEAL_HEADER, WON_DEAL))
    results = ingest_table(con, landing, "deals")
    assert [r.status for r in results] == ["loaded", "duplicate"]
    assert rows(con, "select count(*) from raw.deals") == [(1,)]
    registry = rows(
        con, "select source_file, status, content_hash from raw.ingest_batches order by batch_id"
    )
    assert [(name, status) for name, status, _ in registry] == [
        ("deals.csv", "loaded"),
        ("deals/copy.csv", "duplicate"),
    ]
    assert registry[0][2] == registry[1][2] and len(registry[0][2]) == 64


def test_folder_of_batches_loads_in_path_order_with_increasing_batch_ids(con, landing) -> None:
    write(landing, "products/2026-05-02.csv", csv_text(PRODUCTS_HEADER, "B,Second,Storage,2"))
    write(landing, "products/2026-05-01.csv", csv_text(PRODUCTS_HEADER, "A,First,Storage,1"))
    write(landing, "products/late/x.jsonl", '{"product_id": "C", "family": "Storage"}\n')
    results = ingest_table(con, landing, "products")
    assert [(r.batch_id, r.source_file) for r in results] == [
        (1, "products/2026-05-01.csv"),
        (2, "products/2026-05-02.csv"),
        (3, "products/late/x.jsonl"),
    ]
    assert rows(con, "select product_id, _batch_id, _source_file from raw.products order by 2") == [
        ("A", 1, "products/2026-05-01.csv"),
        ("B", 2, "products/2026-05-02.csv"),
        ("C", 3, "products/late/x.jsonl"),
    ]


def test_rows_read_equal_loaded_plus_quarantined_in_every_batch(con, landing: Path) -> None:
    bad = WON_DEAL.replace("D1,", "D2,").replace(",2,", ",0,")
    write(landing, "deals/a.csv", csv_text(DEAL_HEADER, WON_DEAL, bad, bad.replace("D2", "D3")))
    write(landing, "deals/b.csv", csv_text(DEAL_HEADER, WON_DEAL.replace("D1", "D4")))
    ingest_table(con, landing, "deals", max_quarantine_share=1.0)
    registry = rows(
        con,
        "select source_file, rows_read, rows_loaded, rows_quarantined from raw.ingest_batches "
        "order by batch_id",
    )
    assert registry == [("deals/a.csv", 3, 1, 2), ("deals/b.csv", 1, 1, 0)]
    per_batch = rows(
        con,
        "select b.batch_id, b.rows_loaded, b.rows_quarantined, "
        "(select count(*) from raw.deals d where d._batch_id = b.batch_id), "
        "(select count(*) from raw.quarantine q where q.batch_id = b.batch_id) "
        "from raw.ingest_batches b order by 1",
    )
    assert all(
        loaded == in_raw and held == in_quarantine
        for _, loaded, held, in_raw, in_quarantine in per_batch
    )


def test_missing_required_column_fails_the_batch_and_other_files_load(con, landing) -> None:
    no_amount = DEAL_HEADER.replace("amount,", "")
    write(landing, "deals/1.csv", csv_text(DEAL_HEADER, WON_DEAL))
    write(landing, "deals/2.csv", csv_text(no_amount.replace("currency,", ""), "x,y,z"))
    write(landing, "deals/3.csv", csv_text(DEAL_HEADER, WON_DEAL.replace("D1", "D3")))
    results = ingest_table(con, landing, "deals")
    assert [r.status for r in results] == ["loaded", "failed", "loaded"]
    failed = results[1]
    assert failed.error_message == "deals/2.csv: missing required columns amount, currency"
    assert (failed.rows_read, failed.rows_loaded, failed.rows_quarantined) == (0, 0, 0)
    assert rows(con, "select deal_id from raw.deals order by _batch_id") == [("D1",), ("D3",)]
    assert rows(
        con, "select status, error_message is not null from raw.ingest_batches where batch_id = 2"
    ) == [("failed", True)]


def test_truncated_parquet_fails_with_a_message_naming_the_file(con, landing, tmp_path) -> None:
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"product_id": ["A"], "family": ["Storage"]}), whole)
    data = whole.read_bytes()
    write(landing, "products/1.parquet", "")
    (landing / "products" / "1.parquet").write_bytes(data[: len(data) // 2])
    write(landing, "products/2.csv", csv_text(PRODUCTS_HEADER, "B,Backup,Storage,1"))
    first, second = ingest_table(con, landing, "products")
    assert first.status == "failed"
    assert first.error_message.startswith("products/1.parquet: cannot read as Parquet:")
    assert "\n" not in first.error_message
    assert second.status == "loaded"
    assert rows(con, "select product_id from raw.products") == [("B",)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"product_id,family\nA,Stor\xe9\xff\n", "not utf-8"),
        (b'product_id,family\n"A,Storage\n', "unterminated quote"),
        (b"product_id,family\nA,Storage,extra\n", "Expected Number of Columns: 2 Found: 3"),
        (b"", "no header row"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not UTF-8"),
    ],
)
def test_unreadable_csv_fails_its_batch_with_one_line(con, landing, content, expected) -> None:
    (landing / "products.csv").write_bytes(content)
    result = load(con, landing, "products")
    assert result.status == "failed"
    assert result.error_message.startswith("products.csv: ")
    assert expected.lower() in result.error_message.lower()
    assert "\n" not in result.error_message
    assert rows(con, "select count(*) from raw.products") == [(0,)]


def test_duplicate_column_names_fail_the_batch(con, landing: Path) -> None:
    write(landing, "products.csv", csv_text("product_id,family, Product_ID", "A,Storage,B"))
    result = load(con, landing, "products")
    assert result.status == "failed"
    assert "column 'product_id' appears more than once" in result.error_message


def test_a_failed_file_fails_every_scan_until_it_is_readable(con, landing: Path) -> None:
    (landing / "products.csv").write_bytes(b"product_id,family\nA,\xff\n")
    first = load(con, landing, "products")
    again = load(con, landing, "products")
    assert (first.status, again.status) == ("failed", "failed")
    assert again.batch_id == first.batch_id and again.error_message == first.error_message
    write(landing, "products.csv", csv_text("product_id,family", "A,Storage"))
    assert load(con, landing, "products").status == "loaded"
    assert rows(con, "select status from raw.ingest_batches order by batch_id") == [
        ("failed",),
        ("loaded",),
    ]


def test_batch_over_the_quarantine_share_is_rejected_whole_and_stays_rejected(
    con, landing: Path
) -> None:
    bad = WON_DEAL.replace(",USD,", ",US,")
    write(landing, "deals.csv", csv_text(DEAL_HEADER, WON_DEAL, bad, bad))
    (result,) = ingest_table(con, landing, "deals", max_quarantine_share=0.5)
    assert result.status == "rejected"
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 0, 3)
    assert "2 of 3 rows failed their checks, more than the allowed 50%" in result.error_message
    assert rows(con, "select count(*) from raw.deals") == [(0,)]
    reasons = rows(con, "select row_number, reason from raw.quarantine order by row_number")
    assert reasons[0][0] == 1 and reasons[0][1].startswith("batch rejected: 2 of 3 rows")
    assert [r[0] for r in reasons[1:]] == [2, 3]
    assert all("currency" in reason for _, reason in reasons[1:])
    # Scanned again unchanged, the file is reported again and still loads nothing.
    (again,) = ingest_table(con, landing, "deals", max_quarantine_share=0.5)
    assert (again.status, again.batch_id) == ("rejected", result.batch_id)
    assert rows(con, "select count(*) from raw.ingest_batches") == [(1,)]
    # A corrected file loads.
    write(landing, "deals.csv", csv_text(DEAL_HEADER, WON_DEAL, WON_DEAL.replace("D1", "D9")))
    (fixed,) = ingest_table(con, landing, "deals", max_quarantine_share=0.5)
    assert (fixed.status, fixed.rows_loaded) == ("loaded", 2)


def test_batch_at_the_quarantine_share_loads_its_valid_rows(con, landing: Path) -> None:
    bad = WON_DEAL.replace(",USD,", ",US,")
    write(landing, "deals.csv", csv_text(DEAL_HEADER, WON_DEAL.replace("D1", "D9"), bad))
    (at_limit,) = ingest_table(con, landing, "deals", max_quarantine_share=0.5)
    assert (at_limit.status, at_limit.rows_loaded, at_limit.rows_quarantined) == ("loaded", 1, 1)


def test_money_totals_per_currency_and_usd_columns(con, landing: Path) -> None:
    eur = WON_DEAL.replace("D1", "D2").replace("1000.00,USD", "10.005,eur")
    negative = WON_DEAL.replace("D1", "D3").replace("1000.00", "-5")
    write(landing, "deals.csv", csv_text(DEAL_HEADER, WON_DEAL, eur, WON_DEAL, negative))
    write(
        landing,
        "payouts.csv",
        csv_text(
            "payout_id,partner_id,program_id,period,amount_usd,paid_at",
            "X1,P1,R,2026-Q1,12.34,2026-02-01",
            "X2,P1,R,2026-Q1,0.66,2026-02-01",
        ),
    )
    deals = load(con, landing, "deals")
    payouts = load(con, landing, "payouts")
    assert deals.money_totals == {"amount_EUR": Decimal("10.005"), "amount_USD": Decimal("2000")}
    assert payouts.money_totals == {"amount_usd": Decimal("13.00")}


def test_a_batch_interrupted_mid_write_leaves_nothing(con, landing, monkeypatch) -> None:
    write(landing, "deals.csv", csv_text(DEAL_HEADER, WON_DEAL, WON_DEAL.replace(",USD,", ",U,")))

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(loader, "_insert_batch_row", killed)
    with pytest.raises(KeyboardInterrupt):
        ingest_table(con, landing, "deals")
    monkeypatch.undo()
    counts = rows(
        con,
        "select (select count(*) from raw.deals), (select count(*) from raw.quarantine), "
        "(select count(*) from raw.ingest_batches)",
    )
    assert counts == [(0, 0, 0)]
    assert load(con, landing, "deals").rows_read == 2  # and the file loads on the next run


def test_ingest_landing_loads_programs_first_and_reports_every_file(con, landing) -> None:
    write(landing, "quotas.csv", csv_text("partner_id,period,quota_usd", "P1,2026-05,100"))
    write(
        landing,
        "programs.yml",
        "attainment_period: month\nprograms: []\n",
    )
    write(landing, "products.csv", csv_text("product_id,family", "A,Storage"))
    results = ingest_landing(con, landing)
    assert [(r.table_name, r.status, r.rows_quarantined) for r in results] == [
        ("programs", "loaded", 0),
        ("products", "loaded", 0),
        ("quotas", "loaded", 0),
    ]


def test_ingest_landing_needs_an_existing_folder(con, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ingest_landing(con, tmp_path / "nowhere")


def test_a_rejected_file_loads_once_the_allowed_share_is_raised(con, landing: Path) -> None:
    bad = WON_DEAL.replace(",USD,", ",US,")
    write(landing, "deals.csv", csv_text(DEAL_HEADER, WON_DEAL, bad, bad))
    (first,) = ingest_table(con, landing, "deals", max_quarantine_share=0.515)
    assert first.status == "rejected"
    assert "2 of 3 rows failed their checks, more than the allowed 51.5%" in first.error_message
    (again,) = ingest_table(con, landing, "deals", max_quarantine_share=0.6)
    assert again.status == "rejected" and "the allowed 60%" in again.error_message
    (raised,) = ingest_table(con, landing, "deals", max_quarantine_share=0.7)
    assert (raised.status, raised.rows_loaded, raised.rows_quarantined) == ("loaded", 1, 2)
    # Loaded now, it is not loaded or reported again.
    assert ingest_table(con, landing, "deals", max_quarantine_share=0.7) == []
    assert rows(con, "select status from raw.ingest_batches order by batch_id") == [
        ("rejected",),
        ("loaded",),
    ]

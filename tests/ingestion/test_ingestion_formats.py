"""Every landing format reads into the same typed raw rows."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingestion_helpers import DEAL_HEADER, WON_DEAL, csv_text, load, rows, write

from orchestration.ingestion import discover_batches, ensure_raw_schema, ingest_table

DEAL_COLUMNS = DEAL_HEADER.split(",")
DEAL_VALUES = WON_DEAL.split(",")


def _deal_records(count: int = 3) -> list[dict[str, str | None]]:
    records = []
    for number in range(1, count + 1):
        values: list[str | None] = [value or None for value in DEAL_VALUES]
        values[0] = f"D{number}"
        records.append(dict(zip(DEAL_COLUMNS, values, strict=True)))
    return records


def _loaded_deals(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return rows(
        con,
        "select deal_id, quantity, amount, stage, closed_at, _row_number "
        "from raw.deals order by _row_number",
    )


EXPECTED = [(f"D{n}", 2, Decimal("1000"), "won", dt.datetime(2026, 1, 10), n) for n in (1, 2, 3)]


def test_csv_loads_typed_rows_with_record_numbers(con, landing: Path) -> None:
    lines = [",".join(str(v or "") for v in record.values()) for record in _deal_records()]
    write(landing, "deals.csv", csv_text(DEAL_HEADER, *lines))
    result = load(con, landing, "deals")
    assert (result.status, result.rows_read, result.rows_loaded) == ("loaded", 3, 3)
    assert _loaded_deals(con) == EXPECTED


def test_parquet_loads_the_same_rows(con, landing: Path) -> None:
    pq.write_table(pa.Table.from_pylist(_deal_records()), landing / "deals.parquet")
    assert load(con, landing, "deals").status == "loaded"
    assert _loaded_deals(con) == EXPECTED
    assert rows(con, "select file_format from raw.ingest_batches") == [("parquet",)]


def test_parquet_with_native_types_loads(con, landing: Path) -> None:
    table = pa.table(
        {
            "deal_id": ["D1"],
            "partner_id": ["P1"],
            "product_id": ["A-100"],
            "quantity": pa.array([2], pa.int64()),
            "amount": pa.array([Decimal("1000.00")], pa.decimal128(12, 2)),
            "currency": ["USD"],
            "stage": ["won"],
            "closed_at": pa.array([dt.datetime(2026, 1, 10, 2)], pa.timestamp("us", tz="+02:00")),
            "expected_close_date": pa.array([dt.date(2026, 1, 9)], pa.date32()),
            "updated_at": pa.array([dt.datetime(2026, 1, 11)], pa.timestamp("us")),
        }
    )
    pq.write_table(table, landing / "deals.parquet")
    assert load(con, landing, "deals").rows_loaded == 1
    assert rows(con, "select quantity, amount, closed_at, expected_close_date from raw.deals") == [
        (2, Decimal("1000"), dt.datetime(2026, 1, 10, 2), dt.date(2026, 1, 9))
    ]


def test_json_lines_load_the_same_rows(con, landing: Path) -> None:
    text = "".join(json.dumps(record) + "\n" for record in _deal_records())
    write(landing, "deals.jsonl", text)
    result = load(con, landing, "deals")
    assert result.status == "loaded"
    assert _loaded_deals(con) == EXPECTED
    assert rows(con, "select file_format from raw.ingest_batches") == [("jsonl",)]


def test_json_array_file_loads_in_order(con, landing: Path) -> None:
    write(landing, "deals.json", json.dumps(_deal_records()))
    assert load(con, landing, "deals").rows_loaded == 3
    assert _loaded_deals(con) == EXPECTED


def test_json_numbers_keep_every_digit(con, landing: Path) -> None:
    first, second = _deal_records(2)
    lines = [
        json.dumps(first).replace('"quantity": "2"', '"quantity": 7'),
        json.dumps(second).replace('"1000.00"', "12345678901234.56789"),
    ]
    write(landing, "deals.jsonl", "\n".join(lines) + "\n")
    assert load(con, landing, "deals").rows_loaded == 2
    assert rows(con, "select quantity, amount from raw.deals order by _row_number") == [
        (7, Decimal("1000")),
        (2, Decimal("12345678901234.56789")),
    ]


def test_json_digits_inside_strings_are_left_alone(con, landing: Path) -> None:
    record = _deal_records(1)[0]
    record["note"] = 'id "12345678901234567", -3 and 4.5'
    line = json.dumps(record).replace('"1000.00"', "99999999999999.99")
    write(landing, "deals.jsonl", line + "\n")
    assert load(con, landing, "deals").rows_loaded == 1
    ((amount, extras),) = rows(con, "select amount, _extra_columns from raw.deals")
    assert amount == Decimal("99999999999999.99")
    assert json.loads(extras) == {"note": 'id "12345678901234567", -3 and 4.5'}


def test_blank_column_name_becomes_a_numbered_extra_column(con, landing: Path) -> None:
    write(landing, "products.csv", csv_text("product_id,family,", "A-1,Networking,x"))
    assert load(con, landing, "products").rows_loaded == 1
    assert rows(con, "select _extra_columns from raw.products") == [('{"column_3":"x"}',)]


def test_json_line_that_is_not_an_object_fails_the_batch(con, landing: Path) -> None:
    write(landing, "deals.jsonl", json.dumps(_deal_records(1)[0]) + "\n[1, 2]\n")
    result = load(con, landing, "deals")
    assert result.status == "failed"
    assert result.error_message == "deals.jsonl: record 2 is not a JSON object"


def test_csv_with_bom_and_crlf_line_ends(con, landing: Path) -> None:
    text = "\ufeff" + DEAL_HEADER + "\r\n" + WON_DEAL + "\r\n"
    write(landing, "deals.csv", text)
    assert load(con, landing, "deals").rows_loaded == 1
    assert rows(con, "select deal_id, updated_at from raw.deals") == [
        ("D1", dt.datetime(2026, 1, 10))
    ]


def test_csv_quoted_fields_with_commas_and_line_breaks(con, landing: Path) -> None:
    header = "product_id,product_name,family,list_price_usd"
    write(
        landing,
        "products.csv",
        csv_text(header, 'A-1,"Router, ""edge""\nmodel",Networking,10', "A-2,Plain,Storage,"),
    )
    assert load(con, landing, "products").rows_loaded == 2
    assert rows(con, "select product_name, _row_number from raw.products order by 2") == [
        ('Router, "edge"\nmodel', 1),
        ("Plain", 2),
    ]


def test_quoted_line_break_in_a_header_loads_or_fails_but_never_loses_rows(con, landing) -> None:
    write(landing, "products/1.csv", '"Note\r\nA",product_id,family\r\nx,A,Storage\r\n')
    write(landing, "products/2.csv", '"Note\nB",product_id,family\r\ny,B,Storage\r\n')
    first, second = ingest_table(con, landing, "products")
    assert (first.status, first.rows_loaded) == ("loaded", 1)
    assert rows(con, "select _extra_columns from raw.products") == [('{"note\\r\\na":"x"}',)]
    assert second.status == "failed"  # DuckDB cannot parse this mix of line ends


def test_column_names_in_other_case_with_blanks_and_order(con, landing: Path) -> None:
    header = " UPDATED_AT ,Partner_ID,Tier , region,partner_type"
    write(landing, "partners.csv", csv_text(header, "2026-01-01,P1,Gold,emea,Reseller"))
    assert load(con, landing, "partners").rows_loaded == 1
    assert rows(
        con, "select partner_id, region, tier, partner_type, partner_name from raw.partners"
    ) == [("P1", "EMEA", "gold", "reseller", None)]


def test_values_are_trimmed_and_empty_text_is_null(con, landing: Path) -> None:
    header = "product_id,product_name,family,list_price_usd"
    write(landing, "products.csv", csv_text(header, '\tA-1 , "  " ,Networking\t, 12.50 '))
    assert load(con, landing, "products").rows_loaded == 1
    assert rows(
        con, "select product_id, product_name, family, list_price_usd from raw.products"
    ) == [("A-1", None, "Networking", Decimal("12.5"))]


def test_extra_columns_are_kept_as_json(con, landing: Path) -> None:
    header = "product_id,family,Colour , Weight"
    write(landing, "products.csv", csv_text(header, "A-1,Networking,red, 2kg", "A-2,Storage,,"))
    assert load(con, landing, "products").rows_loaded == 2
    extras = [
        json.loads(text)
        for (text,) in rows(con, "select _extra_columns from raw.products order by _row_number")
    ]
    assert extras == [{"colour": "red", "weight": "2kg"}, {"colour": None, "weight": None}]


def test_no_extra_columns_gives_null(con, landing: Path) -> None:
    write(landing, "products.csv", csv_text("product_id,family", "A-1,Networking"))
    load(con, landing, "products")
    assert rows(con, "select _extra_columns from raw.products") == [(None,)]


def test_timestamps_with_offsets_are_converted_to_utc(con, landing: Path) -> None:
    header = "partner_id,region,tier,partner_type,enrolled_at,updated_at"
    stamps = [
        ("2026-03-01T10:00:00+02:00", dt.datetime(2026, 3, 1, 8)),
        ("2026-03-01T10:00:00-0530", dt.datetime(2026, 3, 1, 15, 30)),
        ("2026-03-01T23:30:00Z", dt.datetime(2026, 3, 1, 23, 30)),
        ("2026-03-01 10:00:00", dt.datetime(2026, 3, 1, 10)),
        ("2026-03-01T10:00:00.250+01:00", dt.datetime(2026, 3, 1, 9, 0, 0, 250000)),
        ("2026-03-01", dt.datetime(2026, 3, 1)),
    ]
    lines = [f"P{n},NA,gold,msp,{text},2026-04-01T00:00:00Z" for n, (text, _) in enumerate(stamps)]
    write(landing, "partners.csv", csv_text(header, *lines))
    # A session in another time zone must not change what is stored.
    con.execute("SET TimeZone = 'America/New_York'")
    assert load(con, landing, "partners").rows_loaded == len(stamps)
    stored = rows(con, "select enrolled_at from raw.partners order by _row_number")
    assert [value for (value,) in stored] == [expected for _, expected in stamps]


def test_missing_optional_column_reads_as_null(con, landing: Path) -> None:
    header = "deal_id,partner_id,product_id,quantity,amount,currency,stage,updated_at"
    write(landing, "deals.csv", csv_text(header, "D1,P1,A-1,1,5,USD,proposal,2026-01-01"))
    assert load(con, landing, "deals").rows_loaded == 1
    assert rows(con, "select created_at, closed_at, expected_close_date from raw.deals") == [
        (None, None, None)
    ]


def test_discovery_finds_single_file_and_folder_batches_in_path_order(landing: Path) -> None:
    for name in (
        "deals/2026/b.jsonl",
        "deals/a.parquet",
        "deals.csv",
        "deals/.hidden.csv",
        "deals/notes.txt",
        "deals/2026/A.CSV",
        "deal_splits.csv",
    ):
        write(landing, name, "x")
    found = [
        path.relative_to(landing.resolve()).as_posix()
        for path in discover_batches(landing, "deals")
    ]
    assert found == ["deals.csv", "deals/2026/A.CSV", "deals/2026/b.jsonl", "deals/a.parquet"]


def test_discovery_of_programs_file(landing: Path) -> None:
    write(landing, "programs.yaml", "programs: []\n")
    assert [path.name for path in discover_batches(landing, "programs")] == ["programs.yaml"]
    with pytest.raises(ValueError, match="unknown landing table"):
        discover_batches(landing, "invoices")


def test_raw_schema_has_contract_columns_and_is_idempotent(con) -> None:
    ensure_raw_schema(con)
    ensure_raw_schema(con)
    deal_columns = rows(
        con,
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = 'raw' and table_name = 'deals' order by column_index",
    )
    assert deal_columns[:5] == [
        ("deal_id", "VARCHAR"),
        ("partner_id", "VARCHAR"),
        ("product_id", "VARCHAR"),
        ("quantity", "BIGINT"),
        ("amount", "DECIMAL(28,10)"),
    ]
    assert [name for name, _ in deal_columns[-4:]] == [
        "_batch_id",
        "_source_file",
        "_row_number",
        "_extra_columns",
    ]
    tables = {
        name
        for (name,) in rows(con, "select table_name from duckdb_tables() where schema_name = 'raw'")
    }
    assert {"ingest_batches", "quarantine", "program_bands", "mdf_claims"} <= tables

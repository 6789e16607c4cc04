"""Reading Microsoft's headerless sample files in their current and legacy encodings."""

from __future__ import annotations

import codecs
import datetime as dt
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.importers.adventureworks import (
    DIM_RESELLER,
    FACT_SALES_QUOTA,
    LEGACY_DW_FOLDER,
    LEGACY_OLTP_FOLDER,
    OLTP_STORE,
    SourceTable,
    detect_encoding,
    parse_timestamp,
    read_microsoft_rows,
    read_source_table,
)

ROWS_TEXT = "1|Zürich Cycles|28000.0000|2010-12-29 00:00:00.000\n2||7000|2011-03-31 00:00:00\n"
SMALL_TABLE = SourceTable(
    "Small", (("Key", "int"), ("Name", "text"), ("Quota", "decimal"), ("Date", "timestamp"))
)


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (ROWS_TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ROWS_TEXT.encode("utf-8"), "utf-8-sig"),
        (ROWS_TEXT.replace("\n", "\r\n").encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF8 + ROWS_TEXT.replace("\n", "\r\n").encode("utf-8"), "utf-8-sig"),
    ],
    ids=["utf8", "utf8-bom", "utf16-crlf", "utf8-bom-crlf"],
)
def test_every_encoding_and_line_end_reads_the_same_rows(
    tmp_path: Path, encoded: bytes, encoding: str
) -> None:
    path = tmp_path / "Small.csv"
    path.write_bytes(encoded)
    assert detect_encoding(encoded) == encoding
    assert read_microsoft_rows(path) == [
        ["1", "Zürich Cycles", "28000.0000", "2010-12-29 00:00:00.000"],
        ["2", "", "7000", "2011-03-31 00:00:00"],
    ]
    assert read_source_table(path, SMALL_TABLE) == [
        {
            "Key": 1,
            "Name": "Zürich Cycles",
            "Quota": Decimal("28000"),
            "Date": dt.datetime(2010, 12, 29),
        },
        {"Key": 2, "Name": None, "Quota": Decimal(7000), "Date": dt.datetime(2011, 3, 31)},
    ]


def test_a_row_with_the_wrong_number_of_fields_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Small.csv"
    path.write_text("1|a|1|2010-01-01\n2|b|2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"Small.csv: row 2 has 3 fields, expected 4"):
        read_source_table(path, SMALL_TABLE)


def test_an_unparseable_value_names_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "Small.csv"
    path.write_text("1|a|12,5|2010-01-01\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"Small.csv: row 1, column Quota: '12,5'"):
        read_source_table(path, SMALL_TABLE)


def test_timestamps_take_up_to_nine_fraction_digits() -> None:
    assert parse_timestamp("2014-09-12 11:15:07.497000000") == dt.datetime(
        2014, 9, 12, 11, 15, 7, 497000
    )
    assert parse_timestamp("2011-03-31") == dt.datetime(2011, 3, 31)
    with pytest.raises(ValueError):
        parse_timestamp("31/03/2011")


@pytest.mark.parametrize("table", [DIM_RESELLER, FACT_SALES_QUOTA], ids=lambda t: t.name)
def test_current_utf8_and_legacy_utf16_files_give_the_same_rows(
    adventureworks_src: Path, table: SourceTable
) -> None:
    current_path = adventureworks_src / table.file_name
    legacy_path = adventureworks_src / LEGACY_DW_FOLDER / table.file_name
    assert current_path.read_bytes()[:2] != codecs.BOM_UTF16_LE
    assert legacy_path.read_bytes()[:2] == codecs.BOM_UTF16_LE
    # The text differs (28000.0000 vs 28000, milliseconds or not) ...
    assert read_microsoft_rows(current_path) != read_microsoft_rows(legacy_path)
    # ... the typed rows do not.
    current = read_source_table(current_path, table)
    legacy = read_source_table(legacy_path, table)
    assert len(current) == {"DimReseller": 701, "FactSalesQuota": 163}[table.name]
    assert current == legacy


def test_store_csv_is_split_on_its_own_separators(adventureworks_src: Path) -> None:
    path = adventureworks_src / LEGACY_OLTP_FOLDER / "Store.csv"
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF16_LE)
    terminators = raw.count("&|\r\n".encode("utf-16-le"))
    stores = read_source_table(path, OLTP_STORE)
    assert len(stores) == terminators == 701
    assert all(len(store) == len(OLTP_STORE.columns) for store in stores)
    assert all(isinstance(store["ModifiedDate"], dt.datetime) for store in stores)
    # The stray U+FEFF is gone, so the survey is well-formed XML; &amp; decodes to &.
    surveys = [ET.fromstring(store["Demographics"]) for store in stores]
    namespace = "{http://schemas.microsoft.com/sqlserver/2004/07/adventure-works/StoreSurvey}"
    banks = {survey.findtext(f"{namespace}BankName") for survey in surveys}
    assert "Primary Bank & Reserve" in banks
    # The OLTP stores are the DW resellers (4 OLTP names carry a trailing blank).
    resellers = read_source_table(adventureworks_src / DIM_RESELLER.file_name, DIM_RESELLER)
    store_names = Counter(store["Name"].rstrip() for store in stores)
    assert store_names == Counter(reseller["ResellerName"] for reseller in resellers)

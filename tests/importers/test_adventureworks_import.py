"""The AdventureWorks import on the real sample: counts, money totals, keys and quotas."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.contract import LANDING_TABLES, PARTNER_TYPES, REGIONS, TIERS
from orchestration.importers.adventureworks import (
    DIM_RESELLER,
    FACT_SALES_QUOTA,
    ImportSummary,
    allocate_quotas,
    import_adventureworks,
    quota_quarter,
    read_parquet_rows,
    read_table,
    rep_quarter_quotas,
    rep_sales_by_quarter,
    split_in_proportion,
)

Imported = tuple[ImportSummary, Path]


def read_landing_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_import_writes_every_reseller_and_every_sales_line(imported: Imported) -> None:
    summary, out_dir = imported
    assert summary.counts["partners"] == 701
    assert summary.counts["deals"] == 60_855
    assert summary.counts["products"] == 397
    assert summary.counts["fx_rates"] == 14_264
    for table, count in summary.counts.items():
        assert len(read_landing_csv(out_dir / f"{table}.csv")) == count


def test_landing_files_start_with_the_contract_columns(imported: Imported) -> None:
    _, out_dir = imported
    for table in ("partners", "products", "deals", "quotas", "fx_rates"):
        with (out_dir / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        expected = list(LANDING_TABLES[table].column_names)
        assert header[: len(expected)] == expected


def test_deal_amounts_are_exact_and_round_per_line_to_the_expected_total(
    imported: Imported,
) -> None:
    summary, out_dir = imported
    amounts = [Decimal(row["amount"]) for row in read_landing_csv(out_dir / "deals.csv")]
    assert len(amounts) == 60_855
    assert sum(amounts) == Decimal("80450596.9823")
    assert summary.deal_amount_total == Decimal("80450596.9823")
    assert sum(round_half_up(amount) for amount in amounts) == Decimal("80450596.11")
    half_cents = [a for a in amounts if (a * 100) % 1 == Decimal("0.5")]
    assert len(half_cents) == 843


def test_every_deal_is_a_won_usd_line_of_a_known_partner_and_product(imported: Imported) -> None:
    _, out_dir = imported
    partners = {row["partner_id"] for row in read_landing_csv(out_dir / "partners.csv")}
    products = {row["product_id"] for row in read_landing_csv(out_dir / "products.csv")}
    deals = read_landing_csv(out_dir / "deals.csv")
    assert {row["partner_id"] for row in deals} <= partners
    assert {row["product_id"] for row in deals} <= products
    assert {(row["currency"], row["stage"]) for row in deals} == {("USD", "won")}
    assert {row["source_currency"] for row in deals} == {"USD", "CAD", "EUR", "GBP", "AUD"}
    assert len({row["deal_id"] for row in deals}) == len(deals)
    assert deals[0]["deal_id"] == "SO43659-1"
    assert all(int(row["quantity"]) >= 1 for row in deals)


def test_no_deal_closes_before_its_partner_enrolled(imported: Imported) -> None:
    _, out_dir = imported
    enrolled = {
        row["partner_id"]: row["enrolled_at"] for row in read_landing_csv(out_dir / "partners.csv")
    }
    # Same fixed ISO format everywhere, so text order is time order.
    late = [
        row["deal_id"]
        for row in read_landing_csv(out_dir / "deals.csv")
        if row["closed_at"] < enrolled[row["partner_id"]]
    ]
    assert late == []


def test_partner_attributes_use_the_contract_values(imported: Imported) -> None:
    _, out_dir = imported
    partners = read_landing_csv(out_dir / "partners.csv")
    assert {row["region"] for row in partners} == {"NA", "EMEA", "APAC"} <= set(REGIONS)
    assert {row["tier"] for row in partners} == set(TIERS)
    assert {row["partner_type"] for row in partners} == {"reseller", "distributor"}
    assert {row["partner_type"] for row in partners} <= set(PARTNER_TYPES)
    by_id = {row["partner_id"]: row for row in partners}
    first = by_id["AW00000001"]
    assert (first["partner_name"], first["region"], first["country"]) == (
        "A Bike Store",
        "NA",
        "US",
    )
    assert (first["tier"], first["partner_type"]) == ("registered", "reseller")
    assert first["enrolled_at"] == "2011-01-01T00:00:00Z"
    assert by_id["AW00000686"]["home_currency"] == "EUR"  # 34 EUR lines, 5 USD lines
    assert {row["updated_at"] for row in partners} == {"2010-01-01T00:00:00Z"}


def test_products_carry_the_four_families_and_decimal_prices(imported: Imported) -> None:
    _, out_dir = imported
    products = read_landing_csv(out_dir / "products.csv")
    assert {row["family"] for row in products} == {"Bikes", "Components", "Clothing", "Accessories"}
    prices = [Decimal(row["list_price_usd"]) for row in products if row["list_price_usd"]]
    assert all(price > 0 for price in prices)


def test_quotas_share_out_each_rep_quarter_exactly(adventureworks_src: Path) -> None:
    partner_ids = {
        row["ResellerKey"]: row["ResellerAlternateKey"]
        for row in read_table(adventureworks_src, DIM_RESELLER)
    }
    sales = read_parquet_rows(
        adventureworks_src / "FactResellerSales.parquet",
        ("EmployeeKey", "ResellerKey", "OrderDate", "SalesAmount"),
        money=("SalesAmount",),
    )
    rep_quotas = rep_quarter_quotas(read_table(adventureworks_src, FACT_SALES_QUOTA))
    shares, unallocated = allocate_quotas(rep_quotas, rep_sales_by_quarter(sales, partner_ids))
    assert unallocated == []
    per_rep_quarter: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for (employee, _, quarter), share in shares.items():
        assert share == share.quantize(Decimal("0.01"))
        per_rep_quarter[(employee, quarter)] += share
    assert per_rep_quarter == rep_quotas


def test_quotas_csv_keeps_every_quota_dollar_per_quarter(
    imported: Imported, adventureworks_src: Path
) -> None:
    _, out_dir = imported
    source = read_table(adventureworks_src, FACT_SALES_QUOTA)
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for row in source:
        expected[quota_quarter(row["Date"].date())] += row["SalesAmountQuota"]
    written: dict[str, Decimal] = defaultdict(Decimal)
    rows = read_landing_csv(out_dir / "quotas.csv")
    for row in rows:
        written[row["period"]] += Decimal(row["quota_usd"])
    assert written == expected
    assert sum(written.values()) == Decimal("95714000")
    assert sorted(written) == [f"{year}-Q{q}" for year in (2011, 2012, 2013) for q in (1, 2, 3, 4)]
    assert len({(row["partner_id"], row["period"]) for row in rows}) == len(rows)


@pytest.mark.parametrize(
    ("date_text", "quarter"),
    [
        ("2010-12-29", "2011-Q1"),
        ("2011-03-31", "2011-Q2"),
        ("2011-07-01", "2011-Q3"),
        ("2011-09-29", "2011-Q4"),
        ("2012-06-30", "2012-Q3"),
        ("2013-09-29", "2013-Q4"),
        ("2012-08-16", "2012-Q4"),  # 46 days after 1 Jul, 46 before 1 Oct: the later quarter
        ("2012-08-15", "2012-Q3"),
    ],
)
def test_a_quota_sets_the_quarter_whose_start_is_nearest(date_text: str, quarter: str) -> None:
    assert quota_quarter(dt.date.fromisoformat(date_text)) == quarter


def test_split_gives_the_rounding_remainder_to_the_largest_share() -> None:
    shares = split_in_proportion(
        Decimal("100"), {"b": Decimal(1), "a": Decimal(1), "c": Decimal(1)}
    )
    assert shares == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}
    shares = split_in_proportion(Decimal("10"), {"x": Decimal(2), "y": Decimal(1)})
    assert shares == {"x": Decimal("6.67"), "y": Decimal("3.33")}
    shares = split_in_proportion(Decimal("1"), {"x": Decimal(1), "y": Decimal(1), "z": Decimal(4)})
    assert sum(shares.values()) == Decimal("1")
    assert shares["z"] == Decimal("0.66")  # 0.6667 -> 0.67, then the -0.01 remainder


def test_fx_rates_keep_the_source_rates_as_usd_per_unit(
    imported: Imported, adventureworks_src: Path
) -> None:
    _, out_dir = imported
    rates = read_landing_csv(out_dir / "fx_rates.csv")
    assert all("E" not in row["usd_per_unit"].upper() for row in rates)
    gbp = [Decimal(row["usd_per_unit"]) for row in rates if row["currency"] == "GBP"]
    assert gbp and all(Decimal("1.3") < rate < Decimal("1.7") for rate in gbp)
    assert {Decimal(row["usd_per_unit"]) for row in rates if row["currency"] == "USD"} == {1}
    first_line = (adventureworks_src / "FactCurrencyRate.csv").read_text("utf-8").split("\n")[0]
    key, date_key, average, *_ = first_line.split("|")
    assert key == "3" and date_key == "20101229"
    assert rates[0] == {"rate_date": "2010-12-29", "currency": "ARS", "usd_per_unit": average}


def test_import_falls_back_to_the_legacy_utf16_copies(
    imported: Imported, adventureworks_src: Path, tmp_path: Path
) -> None:
    _, reference_dir = imported
    src = tmp_path / "src"
    src.mkdir()
    for entry in adventureworks_src.iterdir():
        if entry.name not in {"DimReseller.csv", "FactSalesQuota.csv"}:
            (src / entry.name).symlink_to(entry)
    summary = import_adventureworks(src, tmp_path / "landing")
    legacy = src / "legacy_2023_utf16" / "dw"
    assert summary.source_files["DimReseller"] == legacy / "DimReseller.csv"
    assert summary.source_files["FactSalesQuota"] == legacy / "FactSalesQuota.csv"
    for name in ("partners.csv", "quotas.csv", "deals.csv"):
        assert (tmp_path / "landing" / name).read_bytes() == (reference_dir / name).read_bytes()


def test_import_names_the_missing_file(adventureworks_src: Path, tmp_path: Path) -> None:
    (tmp_path / "FactResellerSales.parquet").symlink_to(
        adventureworks_src / "FactResellerSales.parquet"
    )
    with pytest.raises(FileNotFoundError, match=r"DimReseller\.csv"):
        import_adventureworks(tmp_path, tmp_path / "landing")


def test_float_money_columns_become_four_decimal_decimals(tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    pq.write_table(pa.table({"SalesAmount": pa.array([2024.994, 0.1 + 0.2, None])}), path)
    rows = read_parquet_rows(path, ("SalesAmount",), money=("SalesAmount",))
    assert [row["SalesAmount"] for row in rows] == [Decimal("2024.9940"), Decimal("0.3000"), None]

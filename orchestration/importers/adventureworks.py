"""Import Microsoft's AdventureWorks DW reseller sample into a landing folder.

The sample is a fictitious bicycle maker selling through 701 resellers. This
module maps it onto the landing data contract: resellers become partners,
every reseller sales line becomes one won deal, sales-rep quotas are shared
out to the resellers each rep serves, and a ``programs.yml`` that fits the
data is written next to them. Every mapping rule is written down in
``docs/adventureworks.md``; the constants below are those rules.

Microsoft's CSV files have no header, separate fields with ``|`` and come in
two encodings (current UTF-8 files, and older UTF-16LE copies with CRLF line
ends). :func:`read_microsoft_rows` reads both; the OLTP ``Store.csv`` with its
``+|`` field separator and ``&|`` row terminator goes through the same reader.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import logging
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.contract import LANDING_TABLES

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# Reading Microsoft's headerless files
# ---------------------------------------------------------------------------

LEGACY_DW_FOLDER = Path("legacy_2023_utf16") / "dw"
LEGACY_OLTP_FOLDER = Path("legacy_2023_utf16") / "oltp"

_BOM_ENCODINGS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_TIMESTAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[ T](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d{1,9}))?)?$"
)


def detect_encoding(data: bytes) -> str:
    """Return the codec for a file's bytes, chosen by its byte-order mark.

    UTF-8 BOM gives ``utf-8-sig``, a UTF-16 BOM gives ``utf-16`` (which reads
    the BOM to pick the byte order); without a BOM the file is UTF-8.
    """
    for bom, encoding in _BOM_ENCODINGS:
        if data.startswith(bom):
            return encoding
    return "utf-8"


def read_microsoft_rows(
    path: Path, *, field_separator: str = "|", row_terminator: str = ""
) -> list[list[str]]:
    """Read a headerless, unquoted Microsoft sample file into rows of text fields.

    A record ends with ``row_terminator`` followed by ``\\n`` or ``\\r\\n``
    (the OLTP files use ``&|`` as the terminator; the DW files none). Fields
    are split on ``field_separator``. A U+FEFF at the start of a field (left
    over from an XML value in the OLTP files) is dropped. Empty fields stay
    empty strings here; :func:`read_source_table` turns them into ``None``.
    """
    data = path.read_bytes()
    try:
        text = data.decode(detect_encoding(data))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: cannot be decoded ({exc})") from exc
    records = re.split(re.escape(row_terminator) + r"\r?\n", text)
    if records and records[-1] == "":
        records.pop()
    if records and row_terminator and records[-1].endswith(row_terminator):
        records[-1] = records[-1][: -len(row_terminator)]
    return [
        [value.removeprefix("\ufeff") for value in record.split(field_separator)]
        for record in records
    ]


def parse_timestamp(text: str) -> dt.datetime:
    """Parse ``YYYY-MM-DD[ HH:MM:SS[.fraction]]`` (0 to 9 fraction digits).

    Fractions beyond microseconds are truncated; the sample has none that
    are not zero-padded milliseconds.
    """
    match = _TIMESTAMP.match(text)
    if match is None:
        raise ValueError(f"not a timestamp: {text!r}")
    value = dt.datetime.fromisoformat(match["date"] + " " + (match["time"] or "00:00:00"))
    fraction = (match["fraction"] or "").ljust(6, "0")[:6]
    return value.replace(microsecond=int(fraction))


_PARSERS: dict[str, Callable[[str], Any]] = {
    "text": str,
    "int": int,
    "decimal": Decimal,
    "timestamp": parse_timestamp,
}


@dataclass(frozen=True)
class SourceTable:
    """A headerless source file: its name and its columns in file order with their kinds."""

    name: str
    columns: tuple[tuple[str, str], ...]  # (column name, kind: text | int | decimal | timestamp)
    field_separator: str = "|"
    row_terminator: str = ""
    legacy_folder: Path = LEGACY_DW_FOLDER

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


def _columns(spec: str) -> tuple[tuple[str, str], ...]:
    """``"A:int B C:decimal"`` -> ``(("A", "int"), ("B", "text"), ("C", "decimal"))``."""
    pairs = (item.partition(":") for item in spec.split())
    return tuple((name, kind or "text") for name, _, kind in pairs)


# Column orders are the CREATE TABLE orders of Microsoft's install scripts.
DIM_RESELLER = SourceTable(
    "DimReseller",
    _columns(
        "ResellerKey:int GeographyKey:int ResellerAlternateKey Phone BusinessType ResellerName"
        " NumberEmployees:int OrderFrequency OrderMonth:int FirstOrderYear:int LastOrderYear:int"
        " ProductLine AddressLine1 AddressLine2 AnnualSales:decimal BankName MinPaymentType:int"
        " MinPaymentAmount:decimal AnnualRevenue:decimal YearOpened:int"
    ),
)
DIM_GEOGRAPHY = SourceTable(
    "DimGeography",
    _columns(
        "GeographyKey:int City StateProvinceCode StateProvinceName CountryRegionCode"
        " EnglishCountryRegionName SpanishCountryRegionName FrenchCountryRegionName PostalCode"
        " SalesTerritoryKey:int IpAddressLocator"
    ),
)
DIM_SALES_TERRITORY = SourceTable(
    "DimSalesTerritory",
    _columns(
        "SalesTerritoryKey:int SalesTerritoryAlternateKey:int SalesTerritoryRegion"
        " SalesTerritoryCountry SalesTerritoryGroup SalesTerritoryImage"
    ),
)
DIM_CURRENCY = SourceTable(
    "DimCurrency", _columns("CurrencyKey:int CurrencyAlternateKey CurrencyName")
)
DIM_PRODUCT_CATEGORY = SourceTable(
    "DimProductCategory",
    _columns(
        "ProductCategoryKey:int ProductCategoryAlternateKey:int EnglishProductCategoryName"
        " SpanishProductCategoryName FrenchProductCategoryName"
    ),
)
DIM_PRODUCT_SUBCATEGORY = SourceTable(
    "DimProductSubcategory",
    _columns(
        "ProductSubcategoryKey:int ProductSubcategoryAlternateKey:int"
        " EnglishProductSubcategoryName SpanishProductSubcategoryName"
        " FrenchProductSubcategoryName ProductCategoryKey:int"
    ),
)
FACT_CURRENCY_RATE = SourceTable(
    "FactCurrencyRate",
    _columns("CurrencyKey:int DateKey:int AverageRate:decimal EndOfDayRate:decimal Date:timestamp"),
)
FACT_SALES_QUOTA = SourceTable(
    "FactSalesQuota",
    _columns(
        "SalesQuotaKey:int EmployeeKey:int DateKey:int CalendarYear:int CalendarQuarter:int"
        " SalesAmountQuota:decimal Date:timestamp"
    ),
)
# The OLTP Sales.Store table, only in the legacy copy.
OLTP_STORE = SourceTable(
    "Store",
    _columns(
        "BusinessEntityID:int Name SalesPersonID:int Demographics rowguid ModifiedDate:timestamp"
    ),
    field_separator="+|",
    row_terminator="&|",
    legacy_folder=LEGACY_OLTP_FOLDER,
)

FACT_RESELLER_SALES_FILE = "FactResellerSales.parquet"
DIM_PRODUCT_FILE = "DimProduct.parquet"


def locate_source_file(src: Path, table: SourceTable) -> Path:
    """The table's file at the top of ``src``, else its legacy copy.

    Raises ``FileNotFoundError`` naming both places when neither exists.
    """
    candidates = (src / table.file_name, src / table.legacy_folder / table.file_name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{table.file_name} not found in {candidates[0].parent} nor in {candidates[1].parent}"
    )


def read_source_table(path: Path, table: SourceTable) -> list[dict[str, Any]]:
    """Read one headerless source file into typed rows (dicts keyed by column name).

    Empty fields become ``None``; numbers become ``int`` or ``Decimal``, so the
    UTF-8 file (``28000.0000``) and its legacy UTF-16 copy (``28000``) give
    equal rows. A row with the wrong number of fields or an unparseable value
    raises ``ValueError`` naming the file and the row (1 = first row).
    """
    rows = read_microsoft_rows(
        path, field_separator=table.field_separator, row_terminator=table.row_terminator
    )
    typed: list[dict[str, Any]] = []
    width = len(table.columns)
    for number, values in enumerate(rows, start=1):
        if len(values) != width:
            raise ValueError(f"{path}: row {number} has {len(values)} fields, expected {width}")
        record: dict[str, Any] = {}
        for (column, kind), value in zip(table.columns, values, strict=True):
            try:
                record[column] = None if value == "" else _PARSERS[kind](value)
            except (ValueError, ArithmeticError) as exc:
                raise ValueError(f"{path}: row {number}, column {column}: {value!r}") from exc
        typed.append(record)
    return typed


def read_table(src: Path, table: SourceTable) -> list[dict[str, Any]]:
    """Locate (with the legacy fallback) and read one source table."""
    return read_source_table(locate_source_file(src, table), table)


# ---------------------------------------------------------------------------
# Mapping rules
# ---------------------------------------------------------------------------

# DimSalesTerritory.SalesTerritoryGroup -> contract region. The sample has no
# Latin American resellers, so LATAM is never produced. The group "NA" of the
# placeholder territory means "not applicable" and is refused, not mapped.
REGION_BY_TERRITORY_GROUP: dict[str, str] = {
    "North America": "NA",
    "Europe": "EMEA",
    "Pacific": "APAC",
}

# DimReseller.BusinessType -> contract partner_type.
PARTNER_TYPE_BY_BUSINESS_TYPE: dict[str, str] = {
    "Value Added Reseller": "reseller",
    "Specialty Bike Shop": "reseller",
    "Warehouse": "distributor",
}

# DimReseller.AnnualSales (USD) -> tier: the first band whose lower bound the
# reseller reaches, checked from the top; below 500,000 (or empty) is registered.
TIER_BY_ANNUAL_SALES: tuple[tuple[Decimal, str], ...] = (
    (Decimal("3000000"), "platinum"),
    (Decimal("1500000"), "gold"),
    (Decimal("500000"), "silver"),
)
DEFAULT_TIER = "registered"

# One fixed version time for every partner: before any enrolment and any sale.
PARTNER_UPDATED_AT = dt.datetime(2010, 1, 1)
# enrolled_at of resellers that never ordered (no FirstOrderYear).
ENROLLED_AT_WITHOUT_ORDERS = dt.datetime(2010, 1, 1)

CENT = Decimal("0.01")
QUARTERS_OF_QUOTA_HISTORY = 4


def tier_for_annual_sales(annual_sales: Decimal | None) -> str:
    """The tier a reseller's declared annual sales put it in."""
    if annual_sales is not None:
        for lower_bound, tier in TIER_BY_ANNUAL_SALES:
            if annual_sales >= lower_bound:
                return tier
    return DEFAULT_TIER


def quarter_label(day: dt.date) -> str:
    """Calendar quarter label, e.g. ``2012-Q3``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _quarter_index(label: str) -> int:
    year, quarter = label.split("-Q")
    return int(year) * 4 + int(quarter) - 1


def _quarter_from_index(index: int) -> str:
    return f"{index // 4}-Q{index % 4 + 1}"


def _iso_utc(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _decimal_text(value: Decimal) -> str:
    """Plain positional decimal text (no exponent), every given digit kept."""
    return format(value, "f")


def _cents_if_exact(value: Decimal) -> Decimal:
    """``value`` with exactly 2 decimals when that loses nothing (28000.0000 -> 28000.00)."""
    cents = value.quantize(CENT)
    return cents if cents == value else value


def split_in_proportion(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Split ``total`` over ``weights``: each share rounded half up to cents.

    The rounding remainder goes to the key with the largest weight (ties: the
    smallest key), so the shares always sum exactly to ``total``.
    """
    weight_sum = sum(weights.values(), Decimal(0))
    if not weights or weight_sum <= 0:
        raise ValueError("cannot split over no weight")
    shares = {
        key: (total * weight / weight_sum).quantize(CENT, rounding=ROUND_HALF_UP)
        for key, weight in weights.items()
    }
    largest = min(weights, key=lambda key: (-weights[key], key))
    shares[largest] += total - sum(shares.values(), Decimal(0))
    return shares


def allocate_quotas(
    rep_quotas: Mapping[tuple[int, str], Decimal],
    rep_sales: Mapping[tuple[int, str, str], Decimal],
) -> tuple[dict[tuple[int, str, str], Decimal], list[tuple[int, str]]]:
    """Share each rep's quarterly quota out to the resellers the rep sold to.

    ``rep_quotas`` maps (employee key, quarter) to the rep's quota for that
    quarter; ``rep_sales`` maps (employee key, partner_id, quarter) to the
    rep's sales with that reseller. A quota is split in proportion to the
    rep's sales with each reseller over the 4 quarters before the quota's
    quarter, or over the quota's own quarter when the rep sold nothing in
    those 4 (see :func:`split_in_proportion` for the rounding).

    Returns the shares keyed by (employee key, partner_id, quarter), and the
    rep-quarters that could not be allocated because the rep sold nothing in
    either window.
    """
    by_rep_quarter: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for (employee, partner_id, quarter), amount in rep_sales.items():
        by_rep_quarter[(employee, _quarter_index(quarter))][partner_id] = amount

    shares: dict[tuple[int, str, str], Decimal] = {}
    unallocated: list[tuple[int, str]] = []
    for (employee, quarter), quota in sorted(rep_quotas.items()):
        index = _quarter_index(quarter)
        weights: dict[str, Decimal] = defaultdict(Decimal)
        for previous in range(index - QUARTERS_OF_QUOTA_HISTORY, index):
            for partner_id, amount in by_rep_quarter.get((employee, previous), {}).items():
                weights[partner_id] += amount
        if not weights:
            weights.update(by_rep_quarter.get((employee, index), {}))
        if not weights:
            unallocated.append((employee, quarter))
            continue
        for partner_id, share in split_in_proportion(quota, weights).items():
            shares[(employee, partner_id, quarter)] = share
    return shares, unallocated


def quota_quarter(day: dt.date) -> str:
    """The calendar quarter a FactSalesQuota row sets: the one whose first day is nearest its Date.

    The rows are dated a few days before the quarter they set (2010-12-29,
    2011-03-31, 2011-07-01, 2011-09-29, ...). Read this way every quarter from
    2011-Q1 to 2013-Q4 gets exactly one quota per rep, and a rep's first quota
    falls in the quarter of its first sales. (Taking the quarter that contains
    the Date instead leaves 2011-Q2 without a quota, gives 2011-Q3 two, and
    sets quotas for reps in quarters before they sold anything.) A date
    exactly between two quarter starts goes to the later quarter.
    """
    index = day.year * 4 + (day.month - 1) // 3
    start = dt.date(index // 4, index % 4 * 3 + 1, 1)
    next_index = index + 1
    next_start = dt.date(next_index // 4, next_index % 4 * 3 + 1, 1)
    if (next_start - day).days <= (day - start).days:
        index = next_index
    return _quarter_from_index(index)


def rep_quarter_quotas(quota_rows: Iterable[Mapping[str, Any]]) -> dict[tuple[int, str], Decimal]:
    """FactSalesQuota rows summed per (employee key, :func:`quota_quarter` of their Date)."""
    totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for row in quota_rows:
        totals[(row["EmployeeKey"], quota_quarter(row["Date"].date()))] += row["SalesAmountQuota"]
    return dict(totals)


# ---------------------------------------------------------------------------
# The default programs.yml
# ---------------------------------------------------------------------------

PROGRAMS_YML = """\
# Incentive programs for the AdventureWorks reseller sample (orders 2010-12 to
# 2013-11, all in USD). Amounts are sized to the data: a reseller sells a
# median of about 8,500 USD a quarter and at most about 164,000.
#
# Calendar quarters: the sample's own fiscal calendar (DimDate, July start)
# changes its year naming in 2011, so FY2010 and FY2011 overlap; calendar
# quarters are unambiguous and match the quota dates.
fiscal_year_start_month: 1
clawback_days: 90
stage_probability:
  prospecting: 0.10
  qualification: 0.25
  proposal: 0.50
  negotiation: 0.75
programs:
  - program_id: RESALE
    name: Reseller commission
    type: commission
    description: >-
      Marginal commission on quarterly revenue for resellers (value added
      resellers and specialty bike shops). Version 2 raises the rates from
      16 May 2012, in the middle of 2012-Q2.
    versions:
      - version: 1
        effective_from: 2010-01-01
        effective_to: 2012-05-15
        period: quarter
        basis: revenue
        tiering: marginal
        bands:
          - {from: 0, rate: 0.02}
          - {from: 20000, rate: 0.03}
          - {from: 60000, rate: 0.04}
        cap_usd: 3000
        eligible: {partner_types: [reseller]}
      - version: 2
        effective_from: 2012-05-16
        period: quarter
        basis: revenue
        tiering: marginal
        bands:
          - {from: 0, rate: 0.025}
          - {from: 20000, rate: 0.035}
          - {from: 60000, rate: 0.05}
        cap_usd: 3500
        eligible: {partner_types: [reseller]}
  - program_id: VOLUME-REBATE
    name: Distributor volume rebate
    type: rebate
    description: >-
      Retroactive rebate on a distributor's whole quarter once its revenue
      passes 50,000 (1%) or 100,000 (2%).
    versions:
      - version: 1
        effective_from: 2010-01-01
        period: quarter
        basis: revenue
        tiering: retroactive
        bands:
          - {from: 0, rate: 0}
          - {from: 50000, rate: 0.01}
          - {from: 100000, rate: 0.02}
        eligible: {partner_types: [distributor]}
  - program_id: SPIFF-ACCESSORIES
    name: Accessories SPIFF, 2012-Q3
    type: spiff
    description: 2 USD for every accessory unit sold in the third quarter of 2012.
    versions:
      - {version: 1, effective_from: 2012-07-01, effective_to: 2012-09-30,
         amount_per_unit: 2, eligible: {families: [Accessories]}}
  - program_id: BIKE-UNITS
    name: Bike units bonus
    type: bonus
    description: >-
      Retroactive bonus on a quarter's bike revenue once the partner sells
      30 bikes (1%) or 60 bikes (2%) in the quarter.
    versions:
      - version: 1
        effective_from: 2010-01-01
        period: quarter
        basis: units
        tiering: retroactive
        bands:
          - {from: 0, rate: 0}
          - {from: 30, rate: 0.01}
          - {from: 60, rate: 0.02}
        eligible: {families: [Bikes]}
  - program_id: MDF
    name: Market development fund
    type: mdf
    description: 1% of credited revenue accrues to the fund of gold and platinum partners.
    versions:
      - {version: 1, effective_from: 2010-01-01, period: quarter, accrual_rate: 0.01,
         eligible: {tiers: [gold, platinum]}}
"""


# ---------------------------------------------------------------------------
# ---------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What an import wrote: rows per landing table, the source files it read, and notes."""

    out_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    deal_amount_total: Decimal = Decimal(0)
    source_files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


LANDING_FILES = ("partners.csv", "products.csv", "deals.csv", "quotas.csv", "fx_rates.csv")
PROGRAMS_FILE = "programs.yml"

# Extra columns (kept in raw, ignored downstream) that show where derived values came from.
PARTNER_EXTRA_COLUMNS = ("home_currency", "business_type", "annual_sales_usd")
PRODUCT_EXTRA_COLUMNS = ("product_number", "subcategory")
DEAL_EXTRA_COLUMNS = ("source_currency",)

_SALES_COLUMNS = (
    "ProductKey",
    "ResellerKey",
    "EmployeeKey",
    "CurrencyKey",
    "SalesOrderNumber",
    "SalesOrderLineNumber",
    "OrderQuantity",
    "SalesAmount",
    "OrderDate",
    "DueDate",
)
_PRODUCT_COLUMNS = (
    "ProductKey",
    "ProductAlternateKey",
    "ProductSubcategoryKey",
    "EnglishProductName",
    "ListPrice",
)

Row = list[object]


def _money_column(table: pa.Table, column: str) -> list[Decimal | None]:
    """A money column as Decimals: decimal columns as stored, floats via their 4-decimal text."""
    field_type = table.schema.field(column).type
    values = table.column(column).to_pylist()
    if pa.types.is_decimal(field_type):
        return values
    if pa.types.is_floating(field_type):
        four_places = Decimal("0.0001")
        return [None if v is None else Decimal(repr(v)).quantize(four_places) for v in values]
    raise TypeError(f"{column} has type {field_type}, expected a decimal or float column")


def read_parquet_rows(
    path: Path, columns: Sequence[str], money: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Read ``columns`` of a Parquet file into dicts; ``money`` columns come back as Decimals."""
    table = pq.read_table(path, columns=list(columns))
    data = {name: table.column(name).to_pylist() for name in columns if name not in money}
    for name in money:
        data[name] = _money_column(table, name)
    return [dict(zip(data, values, strict=True)) for values in zip(*data.values(), strict=True)]


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write one landing CSV (UTF-8, header row) atomically; return the number of data rows."""
    temporary = path.with_name(path.name + ".tmp")
    count = 0
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    os.replace(temporary, path)
    return count


def _header(table: str, extra: Sequence[str] = ()) -> list[str]:
    return [*LANDING_TABLES[table].column_names, *extra]


@dataclass
class _Source:
    """The source tables an import needs, read once."""

    resellers: list[dict[str, Any]]
    geographies: dict[int, dict[str, Any]]
    territory_groups: dict[int, str]
    currencies: dict[int, str]
    categories: dict[int, str]
    subcategories: dict[int, dict[str, Any]]
    rates: list[dict[str, Any]]
    quotas: list[dict[str, Any]]
    sales: list[dict[str, Any]]
    products: list[dict[str, Any]]

    @classmethod
    def read(cls, src: Path, summary: ImportSummary) -> _Source:
        def table(spec: SourceTable) -> list[dict[str, Any]]:
            path = locate_source_file(src, spec)
            summary.source_files[spec.name] = path
            if path.parent != src:
                summary.notes.append(f"{spec.file_name} read from its legacy copy {path}")
            return read_source_table(path, spec)

        sales_path = src / FACT_RESELLER_SALES_FILE
        products_path = src / DIM_PRODUCT_FILE
        summary.source_files["FactResellerSales"] = sales_path
        summary.source_files["DimProduct"] = products_path
        sales = read_parquet_rows(sales_path, _SALES_COLUMNS, money=("SalesAmount",))
        sales.sort(key=lambda s: (s["OrderDate"], s["SalesOrderNumber"], s["SalesOrderLineNumber"]))
        return cls(
            resellers=table(DIM_RESELLER),
            geographies={row["GeographyKey"]: row for row in table(DIM_GEOGRAPHY)},
            territory_groups={
                row["SalesTerritoryKey"]: row["SalesTerritoryGroup"]
                for row in table(DIM_SALES_TERRITORY)
            },
            currencies={
                row["CurrencyKey"]: row["CurrencyAlternateKey"] for row in table(DIM_CURRENCY)
            },
            categories={
                row["ProductCategoryKey"]: row["EnglishProductCategoryName"]
                for row in table(DIM_PRODUCT_CATEGORY)
            },
            subcategories={
                row["ProductSubcategoryKey"]: row for row in table(DIM_PRODUCT_SUBCATEGORY)
            },
            rates=table(FACT_CURRENCY_RATE),
            quotas=table(FACT_SALES_QUOTA),
            sales=sales,
            products=read_parquet_rows(products_path, _PRODUCT_COLUMNS, money=("ListPrice",)),
        )


def _product_rows(source: _Source, notes: list[str]) -> list[Row]:
    """One product per DimProduct row (SCD2 version) that has a subcategory."""
    rows: list[Row] = []
    for product in sorted(source.products, key=lambda p: p["ProductKey"]):
        subcategory = source.subcategories.get(product["ProductSubcategoryKey"])
        if subcategory is None:
            continue
        price = product["ListPrice"]
        rows.append(
            [
                str(product["ProductKey"]),
                product["EnglishProductName"],
                source.categories[subcategory["ProductCategoryKey"]],
                None if price is None else _decimal_text(price),
                product["ProductAlternateKey"],
                subcategory["EnglishProductSubcategoryName"],
            ]
        )
    left_out = len(source.products) - len(rows)
    if left_out:
        notes.append(f"{left_out} DimProduct rows without a subcategory (parts) left out")
    return rows


def _partner_rows(source: _Source, notes: list[str]) -> list[Row]:
    """One partner per reseller; enrolment and home currency come from its sales."""
    first_order: dict[int, dt.datetime] = {}
    currency_lines: dict[int, Counter[str]] = defaultdict(Counter)
    for sale in source.sales:
        reseller = sale["ResellerKey"]
        if reseller not in first_order or sale["OrderDate"] < first_order[reseller]:
            first_order[reseller] = sale["OrderDate"]
        currency_lines[reseller][source.currencies[sale["CurrencyKey"]]] += 1

    rows: list[Row] = []
    mixed: list[str] = []
    never_ordered = 0
    for reseller in sorted(source.resellers, key=lambda r: r["ResellerAlternateKey"]):
        key, partner_id = reseller["ResellerKey"], reseller["ResellerAlternateKey"]
        geography = source.geographies[reseller["GeographyKey"]]
        group = source.territory_groups[geography["SalesTerritoryKey"]]
        if group not in REGION_BY_TERRITORY_GROUP:
            raise ValueError(f"{partner_id}: no region for sales territory group {group!r}")
        business_type = reseller["BusinessType"]
        if business_type not in PARTNER_TYPE_BY_BUSINESS_TYPE:
            raise ValueError(f"{partner_id}: unknown BusinessType {business_type!r}")

        if reseller["FirstOrderYear"] is None:
            enrolled_at = ENROLLED_AT_WITHOUT_ORDERS
        else:
            enrolled_at = dt.datetime(reseller["FirstOrderYear"], 1, 1)
        home_currency = None
        if key in first_order:
            enrolled_at = min(enrolled_at, first_order[key])
            lines = currency_lines[key]
            home_currency = min(lines, key=lambda code: (-lines[code], code))
            if len(lines) > 1:
                mixed.append(partner_id)
        else:
            never_ordered += 1

        annual_sales = reseller["AnnualSales"]
        rows.append(
            [
                partner_id,
                reseller["ResellerName"],
                REGION_BY_TERRITORY_GROUP[group],
                geography["CountryRegionCode"],
                tier_for_annual_sales(annual_sales),
                PARTNER_TYPE_BY_BUSINESS_TYPE[business_type],
                _iso_utc(enrolled_at),
                _iso_utc(PARTNER_UPDATED_AT),
                home_currency,
                business_type,
                None if annual_sales is None else _decimal_text(_cents_if_exact(annual_sales)),
            ]
        )
    if mixed:
        notes.append(
            f"resellers ordering in several currencies ({', '.join(mixed)}): "
            "home_currency is the currency of most of their lines"
        )
    if never_ordered:
        notes.append(
            f"{never_ordered} resellers never ordered: enrolled_at "
            f"{_iso_utc(ENROLLED_AT_WITHOUT_ORDERS)}, home_currency empty"
        )
    return rows


def _deal_rows(source: _Source, product_ids: set[str]) -> list[Row]:
    """One won USD deal per sales line, closed on its OrderDate."""
    partner_ids = {row["ResellerKey"]: row["ResellerAlternateKey"] for row in source.resellers}
    rows: list[Row] = []
    for sale in source.sales:
        deal_id = f"{sale['SalesOrderNumber']}-{sale['SalesOrderLineNumber']}"
        partner_id = partner_ids.get(sale["ResellerKey"])
        if partner_id is None:
            raise ValueError(f"{deal_id}: unknown ResellerKey {sale['ResellerKey']}")
        product_id = str(sale["ProductKey"])
        if product_id not in product_ids:
            raise ValueError(f"{deal_id}: ProductKey {product_id} has no product family")
        ordered_at = _iso_utc(sale["OrderDate"])
        due = sale["DueDate"]
        rows.append(
            [
                deal_id,
                partner_id,
                product_id,
                sale["OrderQuantity"],
                _decimal_text(sale["SalesAmount"]),
                "USD",
                "won",
                ordered_at,
                None if due is None else due.date().isoformat(),
                ordered_at,
                None,
                ordered_at,
                source.currencies[sale["CurrencyKey"]],
            ]
        )
    return rows


def rep_sales_by_quarter(
    sales: Iterable[Mapping[str, Any]], partner_ids: Mapping[int, str]
) -> dict[tuple[int, str, str], Decimal]:
    """Reseller sales summed per (employee key, partner_id, calendar quarter of OrderDate)."""
    totals: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for sale in sales:
        key = (
            sale["EmployeeKey"],
            partner_ids[sale["ResellerKey"]],
            quarter_label(sale["OrderDate"]),
        )
        totals[key] += sale["SalesAmount"]
    return dict(totals)


def _quota_rows(source: _Source, notes: list[str]) -> list[Row]:
    """Rep quotas shared out to resellers, summed per reseller and quarter."""
    partner_ids = {row["ResellerKey"]: row["ResellerAlternateKey"] for row in source.resellers}
    rep_sales = rep_sales_by_quarter(source.sales, partner_ids)
    shares, unallocated = allocate_quotas(rep_quarter_quotas(source.quotas), rep_sales)
    for employee, quarter in unallocated:
        notes.append(f"quota of sales rep {employee} for {quarter} not allocated: no sales")
    by_partner: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for (_, partner_id, quarter), share in shares.items():
        by_partner[(partner_id, quarter)] += share
    quarters_with_quota = {quarter for _, quarter in by_partner}
    without = sorted({quarter for _, _, quarter in rep_sales} - quarters_with_quota)
    if without:
        notes.append(f"no quota for the sales of {', '.join(without)}")
    ordered = sorted(by_partner.items(), key=lambda item: (_quarter_index(item[0][1]), item[0][0]))
    return [
        [partner_id, quarter, _decimal_text(_cents_if_exact(amount))]
        for (partner_id, quarter), amount in ordered
    ]


def _fx_rows(source: _Source) -> list[Row]:
    """FactCurrencyRate.AverageRate (USD per unit) per day and ISO currency code."""
    return sorted(
        [
            rate["Date"].date().isoformat(),
            source.currencies[rate["CurrencyKey"]],
            _decimal_text(rate["AverageRate"]),
        ]
        for rate in source.rates
    )


def import_adventureworks(src: Path, out_dir: Path) -> ImportSummary:
    """Import the AdventureWorks reseller sample in ``src`` into the landing folder ``out_dir``.

    Writes ``partners.csv``, ``products.csv``, ``deals.csv``, ``quotas.csv``,
    ``fx_rates.csv`` and ``programs.yml``, replacing files of those names and
    leaving anything else in ``out_dir`` alone (a note says so). DimReseller
    and FactSalesQuota fall back to their legacy UTF-16 copies when the
    top-level files are missing. Raises ``ValueError`` when the data breaks a
    mapping rule (a sale whose reseller or product does not resolve, an
    unknown business type or territory group).
    """
    src, out_dir = Path(src), Path(out_dir)
    summary = ImportSummary(out_dir=out_dir)
    source = _Source.read(src, summary)

    products = _product_rows(source, summary.notes)
    partners = _partner_rows(source, summary.notes)
    deals = _deal_rows(source, {str(row[0]) for row in products})
    quotas = _quota_rows(source, summary.notes)
    fx_rates = _fx_rows(source)
    summary.deal_amount_total = sum((sale["SalesAmount"] for sale in source.sales), Decimal(0))

    out_dir.mkdir(parents=True, exist_ok=True)
    tables: dict[str, tuple[list[str], list[Row]]] = {
        "partners": (_header("partners", PARTNER_EXTRA_COLUMNS), partners),
        "products": (_header("products", PRODUCT_EXTRA_COLUMNS), products),
        "deals": (_header("deals", DEAL_EXTRA_COLUMNS), deals),
        "quotas": (_header("quotas"), quotas),
        "fx_rates": (_header("fx_rates"), fx_rates),
    }
    for name, (header, rows) in tables.items():
        summary.counts[name] = _write_csv(out_dir / f"{name}.csv", header, rows)
    programs_tmp = out_dir / f"{PROGRAMS_FILE}.tmp"
    programs_tmp.write_text(PROGRAMS_YML, encoding="utf-8")
    os.replace(programs_tmp, out_dir / PROGRAMS_FILE)

    ours = {*LANDING_FILES, PROGRAMS_FILE}
    others = sorted(
        entry.name
        for entry in out_dir.iterdir()
        if entry.name not in ours and not entry.name.startswith(".")
    )
    if others:
        summary.notes.append(
            f"{out_dir} also holds {', '.join(others)}: they load with the imported tables"
        )
    for note in summary.notes:
        logger.info("AdventureWorks import: %s", note)
    logger.info(
        "AdventureWorks import into %s: %s; deals total %s USD",
        out_dir,
        ", ".join(f"{name} {count}" for name, count in summary.counts.items()),
        summary.deal_amount_total,
    )
    return summary

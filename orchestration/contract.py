"""The landing data contract as data: tables, columns, keys and types.

Ingestion, the synthetic generator, the importers and the dbt sources all read
this one description, so a column is named and typed in exactly one place.
Raw tables keep the contract's columns, typed, plus load metadata columns
(see ``RAW_METADATA_COLUMNS``). Money and rates are DECIMAL, never floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# SQL types of the raw layer. Wide enough for 14 integer digits of money after
# FX, and for at least 8 decimal places everywhere.
AMOUNT = "DECIMAL(28, 10)"
RATE = "DECIMAL(18, 12)"
PERCENT = "DECIMAL(12, 8)"
TEXT = "VARCHAR"
INTEGER = "BIGINT"
TIMESTAMP = "TIMESTAMP"  # always UTC, without an offset
DATE = "DATE"

RAW_SCHEMA = "raw"

# Every raw row carries where it came from.
RAW_METADATA_COLUMNS: dict[str, str] = {
    "_batch_id": INTEGER,
    "_source_file": TEXT,
    "_row_number": INTEGER,  # 1 = first record after the header
    "_extra_columns": TEXT,  # JSON object of unknown columns, or null
}

REGIONS = ("NA", "EMEA", "APAC", "LATAM")
TIERS = ("registered", "silver", "gold", "platinum")
PARTNER_TYPES = ("reseller", "referral", "msp", "distributor")
OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
CLOSED_STAGES = ("won", "lost", "cancelled")
STAGES = OPEN_STAGES + CLOSED_STAGES
MDF_CLAIM_STATUSES = ("submitted", "approved", "rejected", "paid")


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    nullable: bool = True


@dataclass(frozen=True)
class LandingTable:
    """One landing table: a single file ``<name>.<ext>`` or a folder ``<name>/``."""

    name: str
    key: tuple[str, ...]
    required: bool
    columns: tuple[Column, ...]
    # Columns whose absence from a file fails the batch. Others read as empty.
    required_columns: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _c(name: str, sql_type: str, nullable: bool = True) -> Column:
    return Column(name, sql_type, nullable)


LANDING_TABLES: dict[str, LandingTable] = {
    t.name: t
    for t in (
        LandingTable(
            name="partners",
            key=("partner_id",),
            required=True,
            columns=(
                _c("partner_id", TEXT, False),
                _c("partner_name", TEXT),
                _c("region", TEXT, False),
                _c("country", TEXT),
                _c("tier", TEXT, False),
                _c("partner_type", TEXT, False),
                _c("enrolled_at", TIMESTAMP),
                _c("updated_at", TIMESTAMP, False),
            ),
            required_columns=("partner_id", "region", "tier", "partner_type", "updated_at"),
        ),
        LandingTable(
            name="products",
            key=("product_id",),
            required=True,
            columns=(
                _c("product_id", TEXT, False),
                _c("product_name", TEXT),
                _c("family", TEXT, False),
                _c("list_price_usd", AMOUNT),
            ),
            required_columns=("product_id", "family"),
        ),
        LandingTable(
            name="deals",
            key=("deal_id", "updated_at"),
            required=True,
            columns=(
                _c("deal_id", TEXT, False),
                _c("partner_id", TEXT, False),
                _c("product_id", TEXT, False),
                _c("quantity", INTEGER, False),
                _c("amount", AMOUNT, False),
                _c("currency", TEXT, False),
                _c("stage", TEXT, False),
                _c("created_at", TIMESTAMP),
                _c("expected_close_date", DATE),
                _c("closed_at", TIMESTAMP),
                _c("cancelled_at", TIMESTAMP),
                _c("updated_at", TIMESTAMP, False),
            ),
            required_columns=(
                "deal_id",
                "partner_id",
                "product_id",
                "quantity",
                "amount",
                "currency",
                "stage",
                "updated_at",
            ),
        ),
        LandingTable(
            name="deal_splits",
            key=("deal_id", "partner_id"),
            required=False,
            columns=(
                _c("deal_id", TEXT, False),
                _c("partner_id", TEXT, False),
                _c("split_pct", PERCENT, False),
            ),
            required_columns=("deal_id", "partner_id", "split_pct"),
        ),
        LandingTable(
            name="quotas",
            key=("partner_id", "period"),
            required=False,
            columns=(
                _c("partner_id", TEXT, False),
                _c("period", TEXT, False),
                _c("quota_usd", AMOUNT, False),
            ),
            required_columns=("partner_id", "period", "quota_usd"),
        ),
        LandingTable(
            name="fx_rates",
            key=("rate_date", "currency"),
            required=False,
            columns=(
                _c("rate_date", DATE, False),
                _c("currency", TEXT, False),
                _c("usd_per_unit", RATE, False),
            ),
            required_columns=("rate_date", "currency", "usd_per_unit"),
        ),
        LandingTable(
            name="payouts",
            key=("payout_id",),
            required=False,
            columns=(
                _c("payout_id", TEXT, False),
                _c("partner_id", TEXT, False),
                _c("program_id", TEXT, False),
                _c("period", TEXT, False),
                _c("amount_usd", AMOUNT, False),
                _c("paid_at", TIMESTAMP, False),
            ),
            required_columns=("payout_id", "partner_id", "program_id", "period", "amount_usd"),
        ),
        LandingTable(
            name="mdf_claims",
            key=("claim_id", "updated_at"),
            required=False,
            columns=(
                _c("claim_id", TEXT, False),
                _c("partner_id", TEXT, False),
                _c("program_id", TEXT, False),
                _c("amount_usd", AMOUNT, False),
                _c("status", TEXT, False),
                _c("submitted_at", TIMESTAMP),
                _c("decided_at", TIMESTAMP),
                _c("updated_at", TIMESTAMP, False),
            ),
            required_columns=("claim_id", "partner_id", "program_id", "amount_usd", "status"),
        ),
    )
}

# programs.yml is parsed into these raw tables (one row set per loaded file).
PROGRAM_TABLES: dict[str, tuple[Column, ...]] = {
    "program_settings": (
        _c("fiscal_year_start_month", INTEGER, False),
        _c("clawback_days", INTEGER),
        _c("attainment_period", TEXT, False),  # month | quarter | year
    ),
    "program_stage_probabilities": (
        _c("stage", TEXT, False),
        _c("probability", RATE, False),
    ),
    "programs": (
        _c("program_id", TEXT, False),
        _c("program_name", TEXT),
        _c("program_type", TEXT, False),  # commission | rebate | spiff | bonus | mdf
        _c("description", TEXT),
    ),
    "program_versions": (
        _c("program_id", TEXT, False),
        _c("version", INTEGER, False),
        _c("effective_from", DATE, False),
        _c("effective_to", DATE),
        _c("period", TEXT, False),  # month | quarter | year (quarter when absent)
        _c("basis", TEXT),  # revenue | units (band programs only)
        _c("tiering", TEXT),  # marginal | retroactive (band programs only)
        _c("cap_usd", AMOUNT),
        _c("amount_per_unit", AMOUNT),
        _c("amount_per_deal", AMOUNT),
        _c("accrual_rate", RATE),
    ),
    "program_bands": (
        _c("program_id", TEXT, False),
        _c("version", INTEGER, False),
        _c("band_number", INTEGER, False),  # 1 = lowest band
        _c("band_from", AMOUNT, False),
        _c("rate", RATE, False),
    ),
    "program_eligibility": (
        _c("program_id", TEXT, False),
        _c("version", INTEGER, False),
        _c("dimension", TEXT, False),  # tiers | regions | partner_types | families | products
        _c("value", TEXT, False),
    ),
}

# Load bookkeeping, written by ingestion, published as public relations.
INGEST_BATCHES_COLUMNS: tuple[Column, ...] = (
    _c("batch_id", INTEGER, False),  # increases with load order
    _c("content_hash", TEXT, False),  # sha256 of the file bytes
    _c("source_file", TEXT, False),  # path relative to the landing folder
    _c("table_name", TEXT, False),
    _c("file_format", TEXT, False),  # csv | parquet | jsonl | yaml
    _c("status", TEXT, False),  # loaded | duplicate | failed
    _c("rows_read", INTEGER, False),
    _c("rows_loaded", INTEGER, False),
    _c("rows_quarantined", INTEGER, False),
    _c("error_message", TEXT),
    _c("loaded_at", TIMESTAMP, False),
)

QUARANTINE_COLUMNS: tuple[Column, ...] = (
    _c("batch_id", INTEGER, False),
    _c("source_file", TEXT, False),
    _c("row_number", INTEGER, False),  # 1 = first record after the header
    _c("table_name", TEXT, False),
    _c("reason", TEXT, False),
    _c("raw_values", TEXT, False),  # JSON object: lower-cased column name -> original text
)

# Load order inside one scan: programs first (quotas are checked against the
# attainment grain it sets), then reference data, then facts.
LOAD_ORDER: tuple[str, ...] = (
    "programs",
    "partners",
    "products",
    "fx_rates",
    "deals",
    "deal_splits",
    "quotas",
    "payouts",
    "mdf_claims",
)

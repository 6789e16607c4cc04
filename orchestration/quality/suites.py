"""Every data-quality expectation as data: what it checks, how severe a failure is, and why.

A suite judges one kind of frame (see :mod:`orchestration.quality.frames`):

- per landing table, ``raw_<table>_schema`` (the raw table's columns and
  types), ``raw_<table>_rows`` (the rows of the batches loaded in this run)
  and ``raw_<table>_batches`` (this run's batches against earlier ones);
- for ``programs.yml``, ``raw_programs_schema`` (the columns and types of
  every raw program table) and ``raw_<program table>_rows`` (the rows that
  this run's programs files were parsed into);
- per public mart, a suite over a small aggregate frame (key counts, grouped
  sums, one row per batch or per code combination) that reconciles the mart
  with the relations it is built from, so the checks stay cheap at millions
  of deals.

Severity is part of each expectation: ``meta={"severity": "blocking"}`` stops
the models downstream (or the publish), ``"warning"`` is reported only. Each
expectation also carries a one-line ``description`` that reports quote.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from orchestration.contract import (
    LANDING_TABLES,
    MDF_CLAIM_STATUSES,
    OPEN_STAGES,
    PARTNER_TYPES,
    PROGRAM_TABLES,
    RAW_METADATA_COLUMNS,
    REGIONS,
    STAGES,
    TIERS,
)
from orchestration.ingestion.discovery import PROGRAMS_TABLE
from orchestration.ingestion.loader import DUPLICATE, FAILED, LOADED, REJECTED
from orchestration.ingestion.programs import (
    BASES,
    ELIGIBILITY_DIMENSIONS,
    PERIODS,
    PROGRAM_TYPES,
    TIERINGS,
)
from orchestration.ingestion.schema import PROGRAM_METADATA_COLUMNS

BLOCKING = "blocking"
WARNING = "warning"
SEVERITIES = (BLOCKING, WARNING)

# A batch whose row count differs from the average of the batches earlier runs
# loaded for its table by more than this factor (either way) is reported.
ROW_COUNT_SWING = 3


@dataclasses.dataclass(frozen=True)
class ExpectationSpec:
    """One expectation: its Great Expectations class, arguments, severity and description."""

    expectation: type[gxe.Expectation]
    kwargs: Mapping[str, Any]
    severity: str
    description: str

    def build(self) -> gxe.Expectation:
        """A fresh Great Expectations expectation with the severity in its ``meta``."""
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        return self.expectation(
            **self.kwargs, description=self.description, meta={"severity": self.severity}
        )


@dataclasses.dataclass(frozen=True)
class SuiteSpec:
    """A named list of expectations over one frame."""

    name: str
    expectations: tuple[ExpectationSpec, ...]

    def build(self) -> gx.ExpectationSuite:
        """A fresh Great Expectations suite (expectations cannot be shared between suites)."""
        return gx.ExpectationSuite(
            name=self.name, expectations=[spec.build() for spec in self.expectations]
        )

    def severities(self) -> set[str]:
        return {spec.severity for spec in self.expectations}

    def columns(self) -> tuple[str, ...]:
        """The frame columns the expectations read, in first-use order (frames may skip others)."""
        names: list[str] = []
        for spec in self.expectations:
            kwargs = spec.kwargs
            found = [kwargs.get(key) for key in ("column", "column_A", "column_B")]
            found += list(kwargs.get("column_list") or [])
            condition_column = getattr(kwargs.get("row_condition"), "column", None)
            found.append(getattr(condition_column, "name", None))
            names += [name for name in found if name and name not in names]
        return tuple(names)


def _blocking(
    expectation: type[gxe.Expectation], description: str, **kwargs: Any
) -> ExpectationSpec:
    return ExpectationSpec(expectation, kwargs, BLOCKING, description)


def _warning(
    expectation: type[gxe.Expectation], description: str, **kwargs: Any
) -> ExpectationSpec:
    return ExpectationSpec(expectation, kwargs, WARNING, description)


def _in_set(column: str, values: tuple[str, ...] | list[str]) -> ExpectationSpec:
    """A blocking rule: ``column`` holds one of ``values`` (missing values are not judged)."""
    return _blocking(
        gxe.ExpectColumnValuesToBeInSet,
        f"{column} is one of " + ", ".join(values),
        column=column,
        value_set=list(values),
    )


def _not_negative(column: str) -> ExpectationSpec:
    return _blocking(
        gxe.ExpectColumnValuesToBeBetween, f"{column} is not negative", column=column, min_value=0
    )


def _no_rows(column: str, description: str) -> ExpectationSpec:
    """A blocking rule on a count column: it must be 0 on every row of the frame."""
    return _blocking(
        gxe.ExpectColumnValuesToBeBetween, description, column=column, min_value=0, max_value=0
    )


def _zero(column: str, description: str) -> tuple[ExpectationSpec, ...]:
    """A difference column that must be exactly zero on every row (and never missing)."""
    return (
        _blocking(
            gxe.ExpectColumnValuesToNotBeNull,
            description + " (a difference on every row)",
            column=column,
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeBetween, description, column=column, min_value=0, max_value=0
        ),
    )


# --- landing tables -------------------------------------------------------------------------


def normalized_type(sql_type: str) -> str:
    """A SQL type as DuckDB spells it in its catalog: ``DECIMAL(28, 10)`` -> ``DECIMAL(28,10)``."""
    return sql_type.replace(" ", "").upper()


def raw_schema_suite(table_name: str) -> SuiteSpec:
    """The raw table has exactly the contract's columns with their types, plus load metadata."""
    table = LANDING_TABLES[table_name]
    expected = [f"{c.name} {normalized_type(c.sql_type)}" for c in table.columns] + [
        f"{name} {normalized_type(sql_type)}" for name, sql_type in RAW_METADATA_COLUMNS.items()
    ]
    return SuiteSpec(
        f"raw_{table_name}_schema",
        (
            _blocking(
                gxe.ExpectColumnDistinctValuesToEqualSet,
                f"raw.{table_name} has exactly the contract's columns and types",
                column="column_type",
                value_set=expected,
            ),
        ),
    )


# Stages whose deals must have closed_at (the contract quarantines those without).
_STAGES_WITH_CLOSE = ("won", "cancelled")

# Value rules per landing table, beyond the not-null columns the contract lists.
# The partner codes, in raw.partners and in dim_partners alike.
_PARTNER_CODE_RULES: tuple[ExpectationSpec, ...] = (
    _in_set("region", REGIONS),
    _in_set("tier", TIERS),
    _in_set("partner_type", PARTNER_TYPES),
)

_RAW_VALUE_RULES: dict[str, tuple[ExpectationSpec, ...]] = {
    "partners": _PARTNER_CODE_RULES,
    "deals": (
        _blocking(
            gxe.ExpectColumnValuesToBeInSet,
            "stage is one of " + ", ".join(STAGES),
            column="stage",
            value_set=list(STAGES),
        ),
        _blocking(
            gxe.ExpectColumnValuesToMatchRegex,
            "currency is a three-letter code",
            column="currency",
            regex=r"^[A-Z]{3}$",
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeBetween,
            "quantity is at least 1",
            column="quantity",
            min_value=1,
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeBetween,
            "amount is not negative",
            column="amount",
            min_value=0,
        ),
        _blocking(
            gxe.ExpectColumnValuesToNotBeNull,
            "a won or cancelled deal has closed_at",
            column="closed_at",
            row_condition=Column("stage").is_in(list(_STAGES_WITH_CLOSE)),
        ),
    ),
    "deal_splits": (
        _blocking(
            gxe.ExpectColumnValuesToBeBetween,
            "split_pct is above 0 and at most 100",
            column="split_pct",
            min_value=0,
            max_value=100,
            strict_min=True,
        ),
    ),
    "fx_rates": (
        _blocking(
            gxe.ExpectColumnValuesToMatchRegex,
            "currency is a three-letter code",
            column="currency",
            regex=r"^[A-Z]{3}$",
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeBetween,
            "usd_per_unit is above 0",
            column="usd_per_unit",
            min_value=0,
            strict_min=True,
        ),
    ),
    "mdf_claims": (
        _blocking(
            gxe.ExpectColumnValuesToBeInSet,
            "status is one of " + ", ".join(MDF_CLAIM_STATUSES),
            column="status",
            value_set=list(MDF_CLAIM_STATUSES),
        ),
    ),
}


def raw_rows_suite(table_name: str) -> SuiteSpec:
    """The rows loaded in this run: keys and required values present, codes valid."""
    table = LANDING_TABLES[table_name]
    not_null = tuple(
        _blocking(
            gxe.ExpectColumnValuesToNotBeNull,
            f"{column.name} is never missing",
            column=column.name,
        )
        for column in table.columns
        if not column.nullable
    )
    return SuiteSpec(f"raw_{table_name}_rows", not_null + _RAW_VALUE_RULES.get(table_name, ()))


def raw_batches_suite(table_name: str) -> SuiteSpec:
    """This run's batches: row counts in line with the batches earlier runs loaded."""
    return SuiteSpec(
        f"raw_{table_name}_batches",
        (
            _warning(
                gxe.ExpectColumnValuesToBeBetween,
                f"each new batch has between 1/{ROW_COUNT_SWING} and {ROW_COUNT_SWING} times"
                " the average row count of the batches earlier runs loaded for the table",
                column="ratio_to_earlier_average",
                min_value=1 / ROW_COUNT_SWING,
                max_value=ROW_COUNT_SWING,
            ),
        ),
    )


def raw_suites(table_name: str) -> tuple[SuiteSpec, SuiteSpec, SuiteSpec]:
    """The schema, rows and batches suites of one landing table."""
    return raw_schema_suite(table_name), raw_rows_suite(table_name), raw_batches_suite(table_name)


# --- programs.yml ---------------------------------------------------------------------------


def _unique_per_file(description: str, *columns: str) -> ExpectationSpec:
    """Within one programs file (one ``_batch_id``) the given columns identify a row."""
    return _blocking(
        gxe.ExpectCompoundColumnsToBeUnique,
        description,
        column_list=["_batch_id", *columns],
    )


# Value rules per raw program table, beyond its not-null columns. They restate what the
# programs parser enforces, so a parser mistake cannot reach the models unnoticed.
_PROGRAM_VALUE_RULES: dict[str, tuple[ExpectationSpec, ...]] = {
    "program_settings": (
        _blocking(
            gxe.ExpectColumnValuesToBeUnique,
            "one settings row per programs file",
            column="_batch_id",
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeBetween,
            "fiscal_year_start_month is a month, 1 to 12",
            column="fiscal_year_start_month",
            min_value=1,
            max_value=12,
        ),
        _not_negative("clawback_days"),
        _in_set("attainment_period", PERIODS),
    ),
    "program_stage_probabilities": (
        _unique_per_file("one probability per open stage and programs file", "stage"),
        _in_set("stage", OPEN_STAGES),
        _blocking(
            gxe.ExpectColumnValuesToBeBetween,
            "probability is between 0 and 1",
            column="probability",
            min_value=0,
            max_value=1,
        ),
    ),
    "programs": (
        _unique_per_file("one row per program_id and programs file", "program_id"),
        _in_set("program_type", PROGRAM_TYPES),
    ),
    "program_versions": (
        _unique_per_file(
            "one row per program_id, version and programs file", "program_id", "version"
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeBetween,
            "version is at least 1",
            column="version",
            min_value=1,
        ),
        _in_set("period", PERIODS),
        _in_set("basis", BASES),
        _in_set("tiering", TIERINGS),
        _not_negative("cap_usd"),
        _not_negative("amount_per_unit"),
        _not_negative("amount_per_deal"),
        _not_negative("accrual_rate"),
        _blocking(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB,
            "effective_to, where present, is on or after effective_from",
            column_A="effective_to",
            column_B="effective_from",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ),
    "program_bands": (
        _unique_per_file(
            "one row per program_id, version, band_number and programs file",
            "program_id",
            "version",
            "band_number",
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeBetween,
            "band_number is at least 1",
            column="band_number",
            min_value=1,
        ),
        _not_negative("band_from"),
        _not_negative("rate"),
    ),
    "program_eligibility": (
        _unique_per_file(
            "one row per program_id, version, dimension, value and programs file",
            "program_id",
            "version",
            "dimension",
            "value",
        ),
        _in_set("dimension", list(ELIGIBILITY_DIMENSIONS)),
    ),
}


def programs_schema_suite() -> SuiteSpec:
    """Each raw program table has exactly the contract's columns and types, plus load metadata.

    The frame lists the columns of every program table (``table_name`` and
    ``column_type``); each expectation judges the rows of one table, so a table
    that is missing altogether fails too.
    """
    metadata = [f"{c.name} {normalized_type(c.sql_type)}" for c in PROGRAM_METADATA_COLUMNS]
    return SuiteSpec(
        f"raw_{PROGRAMS_TABLE}_schema",
        tuple(
            _blocking(
                gxe.ExpectColumnDistinctValuesToEqualSet,
                f"raw.{table_name} has exactly the contract's columns and types",
                column="column_type",
                value_set=[f"{c.name} {normalized_type(c.sql_type)}" for c in columns] + metadata,
                row_condition=Column("table_name") == table_name,
            )
            for table_name, columns in PROGRAM_TABLES.items()
        ),
    )


def program_rows_suite(table_name: str) -> SuiteSpec:
    """The rows this run's programs files were parsed into: values present and valid."""
    not_null = tuple(
        _blocking(
            gxe.ExpectColumnValuesToNotBeNull,
            f"{column.name} is never missing",
            column=column.name,
        )
        for column in PROGRAM_TABLES[table_name]
        if not column.nullable
    )
    return SuiteSpec(f"raw_{table_name}_rows", not_null + _PROGRAM_VALUE_RULES[table_name])


def programs_suites() -> tuple[SuiteSpec, ...]:
    """The schema suite of the raw program tables, then one rows suite per table."""
    return (programs_schema_suite(), *(program_rows_suite(name) for name in PROGRAM_TABLES))


# --- public marts ---------------------------------------------------------------------------

PARTNER_EARNINGS_SUITE = SuiteSpec(
    "mart_partner_earnings_reconciliation",
    (
        _blocking(
            gxe.ExpectCompoundColumnsToBeUnique,
            "one mart_partner_earnings row per partner, program and period",
            column_list=["partner_id", "program_id", "period"],
        ),
        *_zero(
            "lines_minus_earned_usd",
            "the earning lines of fct_incentive_earnings sum to earned_usd per partner,"
            " program and period",
        ),
        *_zero("earned_minus_paid_minus_unpaid_usd", "earned_usd - paid_usd = unpaid_usd"),
    ),
)

PARTNER_ATTAINMENT_SUITE = SuiteSpec(
    "mart_partner_attainment_reconciliation",
    (
        _blocking(
            gxe.ExpectCompoundColumnsToBeUnique,
            "one mart_partner_attainment row per partner and period",
            column_list=["partner_id", "period"],
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeBetween,
            "attainment_pct = 100 x won_usd / quota_usd, rounded half up to 2 decimals,"
            " where the quota is above 0",
            column="attainment_pct_difference",
            min_value=0,
            max_value=0,
        ),
    ),
)

PROGRAM_PERFORMANCE_SUITE = SuiteSpec(
    "mart_program_performance_reconciliation",
    (
        *_zero(
            "revenue_minus_lines_usd",
            "credited_revenue_usd sums to the credited_usd of the earning lines per program"
            " and period",
        ),
        *_zero(
            "cost_minus_lines_usd",
            "incentive_cost_usd sums to the earned_usd of the earning lines per program and period",
        ),
    ),
)

KEY_COUNTS_SUITE = SuiteSpec(
    "current_version_keys",
    (
        _blocking(
            gxe.ExpectColumnPairValuesToBeEqual,
            "keys are unique: one current deal per deal_id in int_deals_current, one"
            " fct_deal_log row per deal, partner and program",
            column_A="row_count",
            column_B="distinct_keys",
        ),
    ),
)

# Deal-log reasons that point at missing reference data rather than at the rules: the
# reason, the column of the deal-log frame that counts its lines, and what to expect.
REFERENCE_GAP_REASONS: tuple[tuple[str, str, str], ...] = (
    (
        "partner unknown",
        "partner_unknown_lines",
        "no deal-log line names a partner missing from the partners table",
    ),
    (
        "product unknown",
        "product_unknown_lines",
        "no deal-log line names a product missing from the products table",
    ),
    (
        "no FX rate on or before the close date",
        "fx_gap_lines",
        "every closed deal's currency has an FX rate on or before its close date",
    ),
)

DEAL_LOG_SUITE = SuiteSpec(
    "fct_deal_log_reference_gaps",
    tuple(
        _warning(gxe.ExpectColumnMaxToBeBetween, description, column=column, max_value=0)
        for _, column, description in REFERENCE_GAP_REASONS
    ),
)


def _one_row_per_key(relation: str, keys: str) -> tuple[ExpectationSpec, ...]:
    """Over a :func:`~orchestration.quality.frames.key_count_frame`: keys present and unique."""
    return (
        _blocking(
            gxe.ExpectColumnPairValuesToBeEqual,
            f"one {relation} row per {keys}",
            column_A="row_count",
            column_B="distinct_keys",
        ),
        _no_rows("rows_missing_a_key", f"{keys} never missing in {relation}"),
    )


DIM_PARTNERS_KEYS_SUITE = SuiteSpec(
    "dim_partners_keys", _one_row_per_key("dim_partners", "partner_id")
)

DIM_PARTNERS_CODES_SUITE = SuiteSpec(
    "dim_partners_codes",
    (
        *(
            _blocking(
                gxe.ExpectColumnValuesToNotBeNull, f"{column} is never missing", column=column
            )
            for column in ("region", "tier", "partner_type")
        ),
        *_PARTNER_CODE_RULES,
    ),
)

INCENTIVE_EARNINGS_SUITE = SuiteSpec(
    "fct_incentive_earnings_lines",
    (
        *_one_row_per_key("fct_incentive_earnings", "deal_id, partner_id and program_id"),
        _no_rows("lines_without_earned_usd", "earned_usd is never missing"),
        _no_rows("lines_without_credited_usd", "credited_usd is never missing"),
    ),
)

QUARANTINE_SUITE = SuiteSpec(
    "quarantine_rows",
    (
        *(
            spec
            for column in ("table_name", "source_file")
            for spec in (
                _blocking(
                    gxe.ExpectColumnValuesToNotBeNull,
                    f"{column} is never missing",
                    column=column,
                ),
                _blocking(
                    gxe.ExpectColumnValuesToMatchRegex,
                    f"{column} is never empty",
                    column=column,
                    regex=r"\S",
                ),
            )
        ),
        _no_rows("rows_without_reason", "reason is never missing or empty"),
        _no_rows(
            "rows_without_row_number",
            "row_number is at least 1 (1 = the first record after the header)",
        ),
    ),
)

INGEST_BATCHES_SUITE = SuiteSpec(
    "ingest_batches_accounting",
    (
        _blocking(
            gxe.ExpectColumnValuesToBeUnique,
            "one ingest_batches row per batch_id",
            column="batch_id",
        ),
        _blocking(
            gxe.ExpectColumnValuesToNotBeNull, "batch_id is never missing", column="batch_id"
        ),
        _in_set("status", (LOADED, DUPLICATE, FAILED, REJECTED)),
        *_zero(
            "read_minus_loaded_minus_quarantined",
            "rows_read = rows_loaded + rows_quarantined for every batch",
        ),
        *_zero(
            "rows_quarantined_minus_quarantine_rows",
            "rows_quarantined equals the batch's rows in quarantine",
        ),
    ),
)

PARTNER_MDF_SUITE = SuiteSpec(
    "mart_partner_mdf_reconciliation",
    (
        _blocking(
            gxe.ExpectColumnValuesToNotBeNull,
            "every partner and program with MDF accruals or claims has a mart_partner_mdf row",
            column="mart_rows",
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeBetween,
            "one mart_partner_mdf row per partner and program",
            column="mart_rows",
            min_value=1,
            max_value=1,
        ),
        *_zero(
            "accrued_minus_lines_usd",
            "accrued_usd is the sum of the partner's mdf earning lines in fct_incentive_earnings",
        ),
        *_zero(
            "approved_minus_claims_usd",
            "approved_claims_usd is the sum of the current approved claims, in cents",
        ),
        *_zero(
            "paid_minus_claims_usd",
            "paid_claims_usd is the sum of the current paid claims, in cents",
        ),
        *_zero(
            "submitted_minus_claims_usd",
            "submitted_claims_usd is the sum of the current submitted claims, in cents",
        ),
        *_zero(
            "rejected_minus_claims_usd",
            "rejected_claims_usd is the sum of the current rejected claims, in cents",
        ),
        *_zero("claims_minus_current_claims", "claims counts the current claims"),
        *_zero(
            "accrued_minus_claims_minus_available_usd",
            "mdf_available_usd = accrued_usd - approved_claims_usd - paid_claims_usd",
        ),
    ),
)

"""Every data-quality expectation as data: what it checks, how severe a failure is, and why.

A suite judges one kind of frame (see :mod:`orchestration.quality.frames`):

- per landing table, ``raw_<table>_schema`` (the raw table's columns and
  types), ``raw_<table>_rows`` (the rows of the batches loaded in this run)
  and ``raw_<table>_batches`` (this run's batches against earlier ones);
- per public mart, a suite over a small aggregate frame that reconciles the
  mart with the earning lines, so the checks stay cheap at millions of deals.

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
    PARTNER_TYPES,
    RAW_METADATA_COLUMNS,
    REGIONS,
    STAGES,
    TIERS,
)

BLOCKING = "blocking"
WARNING = "warning"
SEVERITIES = (BLOCKING, WARNING)

# A batch whose row count differs from the average of the earlier batches of
# its table by more than this factor (either way) is reported.
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
_RAW_VALUE_RULES: dict[str, tuple[ExpectationSpec, ...]] = {
    "partners": (
        _blocking(
            gxe.ExpectColumnValuesToBeInSet,
            "region is one of " + ", ".join(REGIONS),
            column="region",
            value_set=list(REGIONS),
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeInSet,
            "tier is one of " + ", ".join(TIERS),
            column="tier",
            value_set=list(TIERS),
        ),
        _blocking(
            gxe.ExpectColumnValuesToBeInSet,
            "partner_type is one of " + ", ".join(PARTNER_TYPES),
            column="partner_type",
            value_set=list(PARTNER_TYPES),
        ),
    ),
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
    """This run's batches: row counts in line with the earlier batches of the table."""
    return SuiteSpec(
        f"raw_{table_name}_batches",
        (
            _warning(
                gxe.ExpectColumnValuesToBeBetween,
                f"each new batch has between 1/{ROW_COUNT_SWING} and {ROW_COUNT_SWING} times"
                " the average row count of the earlier batches of the table",
                column="ratio_to_earlier_average",
                min_value=1 / ROW_COUNT_SWING,
                max_value=ROW_COUNT_SWING,
            ),
        ),
    )


def raw_suites(table_name: str) -> tuple[SuiteSpec, SuiteSpec, SuiteSpec]:
    """The schema, rows and batches suites of one landing table."""
    return raw_schema_suite(table_name), raw_rows_suite(table_name), raw_batches_suite(table_name)


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
            " fct_deal_log and one fct_incentive_earnings row per deal, partner and program",
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

"""Typing and validating a staged file in SQL, one set-based statement per batch.

The result is the temporary table ``_ingest_checked``: one row per record with
the contract's columns typed, ``_extra_columns`` and ``_reason`` (null for a
valid row). Rules:

- Every value is trimmed of blanks (space, tab, line breaks); empty text is
  null. A column missing from the file reads as null.
- A column the contract marks as not nullable must have a value ("missing
  <column>"); this covers the keys.
- Timestamps are ISO 8601 (``2026-01-10T15:00:00Z``, ``z``, ``+02:00``,
  ``+0200``, ``+02``, no seconds, fractions of a second, ``t`` or a space
  instead of ``T``, or a plain date meaning midnight). A value with an
  offset or ``Z`` is converted to UTC; one without is taken as UTC. They are
  stored as naive UTC ``TIMESTAMP``, so ``2026-03-31T23:30:00-02:00`` is
  ``2026-04-01 01:30`` and falls in Q2. An offset outside -12:00..+14:00 or
  with minutes above 59 (``+25:00``, ``+99``, ``+05:75``) is quarantined
  ("offset +25:00 is out of range"), never applied.
  Other spellings (``03/05/2026``, ``2026/03/05``, ``05.03.2026``,
  ``20260305``) and impossible dates (``2026-02-30``) are quarantined, never
  guessed: ``03/05`` means March in one country and May in another.
- Dates are plain ISO dates, ``YYYY-MM-DD``.
- Decimals are dot-decimal text with any number of decimals (scientific
  notation such as ``1.5e3`` is accepted too, because Parquet floats print
  that way). They are stored in the contract's DECIMAL type, whose scale (10
  decimals for money, 12 for rates, 8 for percentages) rounds longer
  fractions half away from zero; a value whose integer part does not fit
  (more than 18 digits for money) is quarantined as "too large", never
  truncated. Thousands separators (``1,000.00``, ``1 000.00``, ``1'000.00``),
  comma decimals (``1000,50``, ``1.000,50``) and currency signs are
  quarantined as "not a decimal number": they are never reinterpreted.
- Whole numbers (``quantity``) accept ``3`` and ``3.0`` but not ``3.5``; one
  beyond a 64-bit integer is quarantined as "too large".
- Codes and enumerations are matched without regard to case and stored in the
  contract's spelling: currency codes are three letters stored upper case (a
  well-formed code that is not a real currency, such as ``XYZ``, loads: the
  deal finds no FX rate and the deal log says so); stage, region, tier,
  partner type and MDF claim status must be one of the contract's values;
  period labels are stored upper case.
- Table rules: a deal's amount is not negative and its quantity at least 1; a
  won or cancelled deal has ``closed_at``; a cancelled deal has
  ``cancelled_at``; ``closed_at`` is not after the same row's ``updated_at``;
  ``0 < split_pct <= 100``; an FX rate is greater than 0 (a zero or negative
  rate would silently zero or flip revenue); a quota's period is a label at
  the attainment grain of the programs file in force.
- Split sets: the rows of one deal within one batch form a set; a set with an
  invalid row, or whose shares do not sum to exactly 100, is quarantined whole.

When several reasons apply to a row, all of them are given, joined with
``'; '``, in the order of the contract's columns followed by the table rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from orchestration import contract
from orchestration.contract import Column, LandingTable
from orchestration.ingestion.readers import ROW_NUMBER, StagedFile, sql_string
from orchestration.ingestion.schema import quote_identifier

CHECKED_TABLE = "_ingest_checked"
REASON_COLUMN = "_reason"
EXTRA_COLUMNS = "_extra_columns"

_BLANKS = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)"
_EDGE_BLANK_PATTERN = r"^[ \t\n\v\f\r]|[ \t\n\v\f\r]$"
_DATE_AND_TIME_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?)?"
)
# UTC offsets in use run from -12:00 to +14:00, minutes 00 to 59.
_VALID_OFFSET_PATTERN = (
    r"[Zz]|\+((0[0-9]|1[0-3])(:?[0-5][0-9])?|14(:?00)?)|-((0[0-9]|1[01])(:?[0-5][0-9])?|12(:?00)?)"
)
_TIMESTAMP_PATTERN = f"{_DATE_AND_TIME_PATTERN}({_VALID_OFFSET_PATTERN})?"
# Any two-digit offset, to tell an offset out of range from other bad spellings.
_ANY_OFFSET_TIMESTAMP_PATTERN = f"{_DATE_AND_TIME_PATTERN}([+-][0-9]{{2}}(:?[0-9]{{2}})?)"
_ANY_OFFSET_GROUP = 4
_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DECIMAL_PATTERN = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
_WHOLE_NUMBER_PATTERN = r"[+-]?[0-9]+(\.0*)?"
_CURRENCY_PATTERN = "[A-Za-z]{3}"

# Columns restricted to a list of values, per table.
_ENUMERATIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("partners", "region"): contract.REGIONS,
    ("partners", "tier"): contract.TIERS,
    ("partners", "partner_type"): contract.PARTNER_TYPES,
    ("deals", "stage"): contract.STAGES,
    ("mdf_claims", "status"): contract.MDF_CLAIM_STATUSES,
}
_CURRENCY_COLUMNS = {("deals", "currency"), ("fx_rates", "currency")}
_PERIOD_COLUMNS = {("quotas", "period"), ("payouts", "period")}


@dataclass(frozen=True)
class AttainmentCalendar:
    """The attainment grain and fiscal calendar that quota periods must follow."""

    attainment_period: str = "quarter"  # month | quarter | year
    fiscal_year_start_month: int = 1

    def period_pattern(self) -> str:
        """Regular expression of a period label at this grain."""
        fiscal = "" if self.fiscal_year_start_month == 1 else "FY"
        if self.attainment_period == "month":
            return "[0-9]{4}-(0[1-9]|1[0-2])"
        if self.attainment_period == "year":
            return f"{fiscal}[0-9]{{4}}"
        return f"{fiscal}[0-9]{{4}}-Q[1-4]"

    def example(self) -> str:
        """An example label at this grain, for messages."""
        fiscal = "" if self.fiscal_year_start_month == 1 else "FY"
        if self.attainment_period == "month":
            return "2026-05"
        if self.attainment_period == "year":
            return f"{fiscal}2026"
        return f"{fiscal}2026-Q2"


def _trimmed(column: str) -> str:
    """SQL for a staged value trimmed of blanks, with empty text as null.

    Trimming copies every string, which costs more than testing for a blank
    at either end, and most values have none.
    """
    return (
        f"CASE WHEN regexp_matches({column}, {sql_string(_EDGE_BLANK_PATTERN)}) "
        f"THEN nullif(trim({column}, {_BLANKS}), '') ELSE nullif({column}, '') END"
    )


def _text(name: str) -> str:
    return quote_identifier(f"t_{name}")


def _value(name: str) -> str:
    return quote_identifier(f"v_{name}")


def _quoted(sql: str) -> str:
    """SQL text ``'<value>'`` for a message, cut at 80 characters."""
    return f"'''' || left({sql}, 80) || ''''"


def _when(condition: str, message_sql: str) -> str:
    return f"CASE WHEN {condition} THEN {message_sql} END"


def _decimal_bounds(sql_type: str) -> tuple[int, int]:
    precision, scale = sql_type.removeprefix("DECIMAL(").removesuffix(")").split(",")
    return int(precision), int(scale)


def _decimal_cast(text: str, sql_type: str) -> str:
    """``try_cast`` of text to a DECIMAL, fast for values that fit 18 digits.

    DuckDB 1.4 parses text into a DECIMAL wider than 18 digits about a
    thousand times slower than into one of at most 18, so values that fit
    ``DECIMAL(18, scale)`` take that path (same rounding) and only larger ones
    take the wide one. Remove when wide decimal parsing is fast.
    """
    precision, scale = _decimal_bounds(sql_type)
    if precision <= 18:
        return f"try_cast({text} AS {sql_type})"
    return (
        f"CAST(coalesce(try_cast({text} AS DECIMAL(18, {scale})), "
        f"try_cast({text} AS {sql_type})) AS {sql_type})"
    )


def _typed_value(table: LandingTable, column: Column) -> tuple[str, str | None]:
    """A column's typed value and, when it can fail, the message SQL for a bad value.

    Both are SQL over the trimmed text. The message is used when the text is
    present but the typed value is null.
    """
    name = column.name
    text = _text(name)
    key = (table.name, name)

    def matches(pattern: str) -> str:
        return f"regexp_full_match({text}, {sql_string(pattern)})"

    def problem(prefix: str, suffix: str = "") -> str:
        tail = f" || {sql_string(suffix)}" if suffix else ""
        return f"{sql_string(prefix)} || {_quoted(text)}{tail}"

    if column.sql_type == contract.TIMESTAMP:
        # Parsed with an offset when there is one, else in the session's UTC; the
        # UTC instant becomes a naive TIMESTAMP (epoch_us avoids a calendar lookup).
        # upper(): DuckDB reads only an upper-case T and Z, the only letters. It
        # also needs seconds before an offset, so 10:00+02:00 is retried as
        # 10:00:00+02:00 (coalesce only evaluates that for the values that failed).
        iso_text = f"upper(replace({text}, ',', '.'))"
        with_seconds = (
            f"regexp_replace({iso_text}, '^(.{{10}}[T ][0-9]{{2}}:[0-9]{{2}})([^:0-9]|$)', "
            "'\\1:00\\2')"
        )
        value = (
            f"CASE WHEN {matches(_TIMESTAMP_PATTERN)} "
            f"THEN make_timestamp(epoch_us(coalesce(try_cast({iso_text} AS TIMESTAMPTZ), "
            f"try_cast({with_seconds} AS TIMESTAMPTZ)))) END"
        )
        not_iso = f"{name} is not an ISO 8601 timestamp: "
        offset = (
            f"regexp_extract({text}, {sql_string('^' + _ANY_OFFSET_TIMESTAMP_PATTERN + '$')}, "
            f"{_ANY_OFFSET_GROUP})"
        )
        message = (
            f"CASE WHEN {matches(_ANY_OFFSET_TIMESTAMP_PATTERN)} "
            f"AND NOT {matches(_TIMESTAMP_PATTERN)} "
            f"THEN {sql_string(not_iso + 'offset ')} || {offset} || "
            f"' is out of range (-12:00 to +14:00): ' || {_quoted(text)} "
            f"ELSE {problem(not_iso)} END"
        )
        return value, message
    if column.sql_type == contract.DATE:
        value = f"CASE WHEN {matches(_DATE_PATTERN)} THEN try_cast({text} AS DATE) END"
        return value, problem(f"{name} is not an ISO date (YYYY-MM-DD): ")
    if column.sql_type.startswith("DECIMAL("):
        precision, scale = _decimal_bounds(column.sql_type)
        value = (
            f"CASE WHEN {matches(_DECIMAL_PATTERN)} THEN {_decimal_cast(text, column.sql_type)} END"
        )
        too_large = f"{name} is too large (at most {precision - scale} digits before the point): "
        message = (
            f"CASE WHEN {matches(_DECIMAL_PATTERN)} THEN {problem(too_large)} "
            f"ELSE {problem(f'{name} is not a decimal number: ')} END"
        )
        return value, message
    if column.sql_type == contract.INTEGER:
        value = (
            f"CASE WHEN {matches(_WHOLE_NUMBER_PATTERN)} "
            f"THEN try_cast(regexp_replace({text}, '\\.0*$', '') AS BIGINT) END"
        )
        message = (
            f"CASE WHEN {matches(_WHOLE_NUMBER_PATTERN)} "
            f"THEN {problem(f'{name} is too large (at most 18 digits): ')} "
            f"ELSE {problem(f'{name} is not a whole number: ')} END"
        )
        return value, message
    if key in _ENUMERATIONS:
        allowed = _ENUMERATIONS[key]
        branches = " ".join(
            f"WHEN {sql_string(option.lower())} THEN {sql_string(option)}" for option in allowed
        )
        label = "MDF claim status" if key == ("mdf_claims", "status") else name
        expected = f" (expected one of {', '.join(allowed)})"
        return f"CASE lower({text}) {branches} END", problem(f"unknown {label} ", expected)
    if key in _CURRENCY_COLUMNS:
        value = f"CASE WHEN {matches(_CURRENCY_PATTERN)} THEN upper({text}) END"
        return value, problem(f"{name} is not a three-letter code: ")
    if key in _PERIOD_COLUMNS:
        return f"upper({text})", None
    return text, None


def _column_rules(table: LandingTable, column: Column) -> tuple[str, list[str]]:
    """The typed value of a column and the reasons it can give, as SQL."""
    text = _text(column.name)
    reasons: list[str] = []
    if not column.nullable:
        reasons.append(_when(f"{text} IS NULL", sql_string(f"missing {column.name}")))
    value, message = _typed_value(table, column)
    if message is not None:
        reasons.append(_when(f"{text} IS NOT NULL AND {_value(column.name)} IS NULL", message))
    return value, reasons


def _table_rules(table: LandingTable, calendar: AttainmentCalendar) -> list[str]:
    """Reasons that involve a column's meaning or several columns, as SQL."""
    v, t = _value, _text
    if table.name == "deals":
        return [
            _when(
                f"{v('quantity')} < 1",
                f"'quantity must be at least 1: ' || {_quoted(t('quantity'))}",
            ),
            _when(f"{v('amount')} < 0", f"'negative amount: ' || {_quoted(t('amount'))}"),
            _when(
                f"{v('stage')} IN ('won', 'cancelled') AND {t('closed_at')} IS NULL",
                f"{v('stage')} || ' deal without closed_at'",
            ),
            _when(
                f"{v('stage')} = 'cancelled' AND {t('cancelled_at')} IS NULL",
                "'cancelled deal without cancelled_at'",
            ),
            _when(
                f"{v('closed_at')} > {v('updated_at')}",
                f"'closed_at ' || {_quoted(t('closed_at'))} || ' is after updated_at ' || "
                f"{_quoted(t('updated_at'))}",
            ),
        ]
    if table.name == "deal_splits":
        return [
            _when(
                f"{v('split_pct')} <= 0 OR {v('split_pct')} > 100",
                "'split_pct must be greater than 0 and at most 100: ' || "
                + _quoted(t("split_pct")),
            )
        ]
    if table.name == "fx_rates":
        return [
            _when(
                f"{v('usd_per_unit')} <= 0",
                f"'usd_per_unit must be greater than 0: ' || {_quoted(t('usd_per_unit'))}",
            )
        ]
    if table.name == "quotas":
        message = (
            f"' is not at the attainment grain ({calendar.attainment_period}, "
            f"like {calendar.example()})'"
        )
        return [
            _when(
                f"NOT regexp_full_match({v('period')}, {sql_string(calendar.period_pattern())})",
                f"'quota period ' || {_quoted(t('period'))} || {message}",
            )
        ]
    return []


def _format_decimal(sql: str) -> str:
    """A decimal as text without trailing zeros: 90.00000000 -> 90."""
    return (
        f"regexp_replace(regexp_replace(CAST({sql} AS VARCHAR), "
        r"'(\.[0-9]*?)0+$', '\1'), '\.$', '')"
    )


def build_checked_table(
    con: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    table: LandingTable,
    calendar: AttainmentCalendar,
) -> None:
    """Create ``temp._ingest_checked`` from the staged file: typed values and reasons."""
    stage_column = {column.name: column.stage_column for column in staged.columns}
    contract_names = set(table.column_names)

    trimmed = [ROW_NUMBER]
    for column in table.columns:
        if column.name in stage_column:
            source = _trimmed(stage_column[column.name])
        else:
            source = "CAST(NULL AS VARCHAR)"
        trimmed.append(f"{source} AS {_text(column.name)}")
    extras = [column for column in staged.columns if column.name not in contract_names]
    if extras:
        pairs = ", ".join(
            f"{sql_string(column.name)}, {_trimmed(column.stage_column)}" for column in extras
        )
        trimmed.append(f"json_object({pairs})::VARCHAR AS {EXTRA_COLUMNS}")
    else:
        trimmed.append(f"CAST(NULL AS VARCHAR) AS {EXTRA_COLUMNS}")

    values: list[str] = []
    reasons: list[str] = []
    for column in table.columns:
        value, column_reasons = _column_rules(table, column)
        values.append(f"{value} AS {_value(column.name)}")
        reasons.extend(column_reasons)
    reasons.extend(_table_rules(table, calendar))

    outputs = ", ".join(
        f"CAST({_value(column.name)} AS {column.sql_type}) AS {quote_identifier(column.name)}"
        for column in table.columns
    )
    reason_sql = f"nullif(concat_ws('; ', {', '.join(reasons)}), '')"
    query = (
        f"WITH trimmed AS (SELECT {', '.join(trimmed)} FROM {staged.numbered_records()}), "
        f"typed AS (SELECT *, {', '.join(values)} FROM trimmed) "
        f"SELECT {ROW_NUMBER}, {outputs}, {EXTRA_COLUMNS}, {reason_sql} AS {REASON_COLUMN} "
        f"FROM typed"
    )
    if table.name == "deal_splits":
        query = _split_set_query(query)
    con.execute(f"DROP TABLE IF EXISTS temp.{CHECKED_TABLE}")
    con.execute(f"CREATE TEMP TABLE {CHECKED_TABLE} AS {query}")


def _split_set_query(row_query: str) -> str:
    """Quarantine whole split sets: a set with an invalid row, a partner named twice or
    shares not summing to 100."""
    total = "sum(split_pct) OVER deal_set"
    repeated_partner = "max(_rows_of_partner) OVER deal_set"
    first_invalid = (
        f"min(CASE WHEN {REASON_COLUMN} IS NOT NULL THEN {ROW_NUMBER} END) OVER deal_set"
    )
    reason = (
        f"CASE WHEN {REASON_COLUMN} IS NOT NULL OR deal_id IS NULL THEN {REASON_COLUMN} "
        f"WHEN {first_invalid} IS NOT NULL THEN 'split set for deal ' || deal_id || "
        f"' has an invalid row (row ' || {first_invalid} || ')' "
        f"WHEN {repeated_partner} > 1 THEN 'split set for deal ' || deal_id || "
        "' names a partner more than once' "
        f"WHEN {total} <> 100 THEN 'split set for deal ' || deal_id || ' sums to ' || "
        f"{_format_decimal(total)} || ', not 100' END"
    )
    return (
        f"SELECT * EXCLUDE (_rows_of_partner) REPLACE ({reason} AS {REASON_COLUMN}) FROM ("
        f"SELECT *, count(*) OVER (PARTITION BY deal_id, partner_id) AS _rows_of_partner "
        f"FROM ({row_query})) "
        f"WINDOW deal_set AS (PARTITION BY deal_id)"
    )

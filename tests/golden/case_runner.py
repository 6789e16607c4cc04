"""Run a golden case folder through the pipeline and compare its marts to ``expected/``.

A case folder holds ``landing/`` (the input, in the landing contract),
optionally ``as_of.txt`` (2026-12-31 when absent) and ``expected/*.csv``.
A figure absent from ``expected/`` is 0 (null for quota and attainment).
Figures compare as decimals, to the cent. ``expected/deal_log.csv``, where a
case has one, lists every deal-log row: ``counted`` must match, and ``reason``
must begin the mart's reason (which goes on with details such as dates), or
be ``(earning)`` for a counted line, whose reason is its calculation.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.pipeline import PipelineResult, run_pipeline
from orchestration.settings import PROJECT_ROOT, Settings

DEFAULT_AS_OF = dt.date(2026, 12, 31)
SHARED_CASES_DIR = Path(
    os.environ.get("INCENTIVES_SHARED_CASES_DIR", PROJECT_ROOT.parent / "shared" / "cases")
)
PROJECT_CASES_DIR = PROJECT_ROOT / "tests" / "golden" / "cases"

# Nullable figures: absent means null, not 0.
NULLABLE = frozenset({"quota_usd", "attainment_pct"})


@dataclass(frozen=True)
class Comparison:
    """How one expected file maps onto a mart."""

    file_name: str
    query: str
    keys: tuple[str, ...]
    figures: tuple[str, ...]


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "earnings.csv",
        "select partner_id, program_id, period, earned_usd from mart_partner_earnings",
        ("partner_id", "program_id", "period"),
        ("earned_usd",),
    ),
    Comparison(
        "lines.csv",
        "select deal_id, partner_id, program_id, program_version, period, credited_usd, earned_usd"
        " from fct_incentive_earnings",
        ("deal_id", "partner_id", "program_id", "program_version", "period"),
        ("credited_usd", "earned_usd"),
    ),
    Comparison(
        "attainment.csv",
        "select partner_id, period, won_usd, quota_usd, attainment_pct"
        " from mart_partner_attainment",
        ("partner_id", "period"),
        ("won_usd", "quota_usd", "attainment_pct"),
    ),
    Comparison(
        "balances.csv",
        "select partner_id, program_id, period, earned_usd, paid_usd, unpaid_usd"
        " from mart_partner_earnings",
        ("partner_id", "program_id", "period"),
        ("earned_usd", "paid_usd", "unpaid_usd"),
    ),
    Comparison(
        "projected_earnings.csv",
        "select partner_id, program_id, period, projected_earned_usd from mart_partner_earnings",
        ("partner_id", "program_id", "period"),
        ("projected_earned_usd",),
    ),
    Comparison(
        "projected_revenue.csv",
        "select partner_id, period, projected_revenue_usd from mart_partner_attainment",
        ("partner_id", "period"),
        ("projected_revenue_usd",),
    ),
)


def case_folders() -> list[Path]:
    """Every case folder: the shared golden cases, then the project's own."""
    folders: list[Path] = []
    for root in (SHARED_CASES_DIR, PROJECT_CASES_DIR):
        if root.is_dir():
            folders.extend(p for p in sorted(root.iterdir()) if (p / "landing").is_dir())
    return folders


def case_as_of(case: Path) -> dt.date:
    as_of_file = case / "as_of.txt"
    if as_of_file.exists():
        return dt.date.fromisoformat(as_of_file.read_text().strip())
    return DEFAULT_AS_OF


def run_case(case: Path, work_dir: Path) -> PipelineResult:
    """Run the pipeline on a case's landing folder into a fresh warehouse."""
    settings = Settings(
        landing_dir=case / "landing",
        warehouse=work_dir / "incentives.duckdb",
        as_of=case_as_of(case),
    )
    return run_pipeline(settings, log_level="WARNING")


def _figure(value: object, figure: str) -> Decimal | None:
    if value is None or value == "":
        return None if figure in NULLABLE else Decimal(0)
    return Decimal(str(value))


def _key(values: list[object]) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in values)


DEAL_LOG_FILE = "deal_log.csv"
DEAL_LOG_QUERY = "select deal_id, partner_id, program_id, counted, reason from fct_deal_log"
EARNING_REASON = "(earning)"


def _deal_log_differences(case: Path, con: duckdb.DuckDBPyConnection) -> list[str]:
    expected_file = case / "expected" / DEAL_LOG_FILE
    if not expected_file.exists():
        return []
    with expected_file.open(newline="", encoding="utf-8") as handle:
        expected = {
            (row["deal_id"], row["partner_id"], row["program_id"]): row
            for row in csv.DictReader(handle)
        }
    actual = {
        _key(list(row[:3])): (bool(row[3]), str(row[4]))
        for row in con.execute(DEAL_LOG_QUERY).fetchall()
    }
    differences: list[str] = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual or key not in expected:
            side = "missing from the mart" if key not in actual else "not expected"
            differences.append(f"{DEAL_LOG_FILE} {key}: {side}")
            continue
        want_counted = expected[key]["counted"].strip().lower() == "true"
        want_reason = expected[key]["reason"]
        got_counted, got_reason = actual[key]
        reason_matches = want_reason == EARNING_REASON or got_reason.startswith(want_reason)
        if got_counted != want_counted or not reason_matches:
            differences.append(
                f"{DEAL_LOG_FILE} {key}: expected counted={want_counted} reason {want_reason!r},"
                f" got counted={got_counted} reason {got_reason!r}"
            )
    return differences


def compare(case: Path, warehouse: Path) -> list[str]:
    """Differences between a case's expected files and the published marts."""
    differences: list[str] = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        differences.extend(_deal_log_differences(case, con))
        for comparison in COMPARISONS:
            expected_file = case / "expected" / comparison.file_name
            if not expected_file.exists():
                continue
            with expected_file.open(newline="", encoding="utf-8") as handle:
                expected = {
                    _key([row[k] for k in comparison.keys]): row for row in csv.DictReader(handle)
                }
            actual = {
                _key(list(row[: len(comparison.keys)])): row[len(comparison.keys) :]
                for row in con.execute(comparison.query).fetchall()
            }
            for key in sorted(set(expected) | set(actual)):
                for position, figure in enumerate(comparison.figures):
                    want = _figure(expected[key][figure] if key in expected else None, figure)
                    got = _figure(actual[key][position] if key in actual else None, figure)
                    if want != got:
                        differences.append(
                            f"{comparison.file_name} {dict(zip(comparison.keys, key, strict=True))}"
                            f" {figure}: expected {want}, got {got}"
                        )
    return differences

"""Validation outcomes without a pipeline run: errors fail, warnings do not, exact attainment."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import great_expectations.expectations as gxe
import pandas as pd
import pytest

from orchestration.contract import LANDING_TABLES
from orchestration.quality import suites, validate
from orchestration.quality.frames import expected_attainment_pct
from orchestration.quality.suites import BLOCKING, SEVERITIES, WARNING, ExpectationSpec, SuiteSpec

ALL_SUITES = [
    *(suite for name in LANDING_TABLES for suite in suites.raw_suites(name)),
    *suites.programs_suites(),
    suites.PARTNER_EARNINGS_SUITE,
    suites.PARTNER_ATTAINMENT_SUITE,
    suites.PROGRAM_PERFORMANCE_SUITE,
    suites.KEY_COUNTS_SUITE,
    suites.DEAL_LOG_SUITE,
    suites.DIM_PARTNERS_KEYS_SUITE,
    suites.DIM_PARTNERS_CODES_SUITE,
    suites.INCENTIVE_EARNINGS_SUITE,
    suites.PARTNER_MDF_SUITE,
    suites.QUARANTINE_SUITE,
    suites.INGEST_BATCHES_SUITE,
]


def test_every_expectation_carries_its_severity_and_a_description() -> None:
    for suite in ALL_SUITES:
        built = suite.build()
        assert built.expectations, suite.name
        for expectation in built.expectations:
            assert expectation.meta["severity"] in SEVERITIES, suite.name
            assert expectation.description, suite.name


def test_a_check_that_raises_is_reported_as_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    missing_column = SuiteSpec(
        "missing_column",
        (ExpectationSpec(gxe.ExpectColumnValuesToNotBeNull, {"column": "nope"}, WARNING, "x"),),
    )
    report = validate.validate_frame(missing_column, pd.DataFrame({"a": [1]}))
    assert [o.passed for o in report.outcomes] == [False]
    assert report.outcomes[0].severity == WARNING

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("metric backend down")

    monkeypatch.setattr(validate, "_run_one", explode)
    report = validate.validate_frame(suites.PARTNER_ATTAINMENT_SUITE, pd.DataFrame({"a": [1]}))
    assert len(report.outcomes) == len(suites.PARTNER_ATTAINMENT_SUITE.expectations)
    assert not any(o.passed for o in report.outcomes)
    assert all("metric backend down" in (o.detail or "") for o in report.outcomes)
    assert not report.passed


def test_warnings_do_not_fail_and_blocking_failures_do(tmp_path: Path) -> None:
    swings = pd.DataFrame({"ratio_to_earlier_average": [1.0, 10.0, None]})
    report = validate.validate_frame(
        suites.raw_batches_suite("deals"), swings, docs_dir=tmp_path / "docs"
    )
    assert report.passed
    assert [o.severity for o in report.warnings] == [WARNING]
    assert report.data_docs_index == tmp_path / "docs" / "site" / "index.html"
    assert report.data_docs_index.is_file()

    splits = pd.DataFrame(
        {"deal_id": ["D1", "D2"], "partner_id": ["P1", "P2"], "split_pct": [Decimal(0), 100]}
    )
    report = validate.validate_frame(suites.raw_rows_suite("deal_splits"), splits)
    assert not report.passed
    assert [o.severity for o in report.blocking_failures] == [BLOCKING]


@pytest.mark.parametrize(
    ("won", "quota", "expected"),
    [
        ("2", "3", "66.67"),
        ("1", "800", "0.13"),  # 0.125 rounds half up
        ("120000", "100000", "120.00"),
        ("5", "0", None),
        ("5", None, None),
    ],
)
def test_expected_attainment_is_exact_and_rounds_half_up(
    won: str, quota: str | None, expected: str | None
) -> None:
    got = expected_attainment_pct(Decimal(won), Decimal(quota) if quota else None)
    assert got == (Decimal(expected) if expected else None)
    if got is not None:
        assert str(got) == expected

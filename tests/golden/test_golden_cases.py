"""Every golden case, loaded and run end to end, gives its expected figures to the cent."""

from __future__ import annotations

from pathlib import Path

import pytest

from golden.case_runner import case_folders, compare, run_case

CASES = case_folders()


def test_the_shared_golden_cases_are_present() -> None:
    assert any("marginal" in case.name for case in CASES), "the shared golden cases were not found"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_golden_case_marts_match_the_expected_figures(case: Path, tmp_path: Path) -> None:
    result = run_case(case, tmp_path)
    assert result.success, result.failures
    assert result.published
    assert compare(case, result.warehouse) == []

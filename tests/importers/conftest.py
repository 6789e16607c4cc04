"""Fixtures for the importer tests: the real AdventureWorks sample and one import of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.importers.adventureworks import ImportSummary, import_adventureworks

ADVENTUREWORKS_DIR = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "adventureworks_reseller"
)


@pytest.fixture(scope="session")
def adventureworks_src() -> Path:
    """The published sample folder; tests are skipped when it is not there."""
    if not (ADVENTUREWORKS_DIR / "FactResellerSales.parquet").is_file():
        pytest.skip(f"AdventureWorks sample not found at {ADVENTUREWORKS_DIR}")
    return ADVENTUREWORKS_DIR


@pytest.fixture(scope="session")
def imported(
    adventureworks_src: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ImportSummary, Path]:
    """One import of the real sample, shared by the tests that only read its output."""
    out_dir = tmp_path_factory.mktemp("adventureworks_landing")
    return import_adventureworks(adventureworks_src, out_dir), out_dir

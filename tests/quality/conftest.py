"""Fixtures for the data-quality tests: a clean pipeline run of golden case 01, and one of a
small generated landing folder with MDF claims and a quarantined row.

Each run (ingest, raw checks, dbt build, mart checks, publish) costs tens of
seconds, so it runs once per session; tests that break data work on copies
of its build warehouse.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from quality_run import (
    EXTRA_CLAIMS,
    EXTRA_CLAIMS_FILE,
    GENERATED_AS_OF,
    GENERATED_DEALS,
    GENERATED_SEED,
    CleanRun,
    settings_for,
)

from orchestration.generator import generate_landing
from orchestration.pipeline import run_pipeline
from orchestration.settings import Settings


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    """Golden case 01 run end to end once, with every check."""
    settings = settings_for(tmp_path_factory.mktemp("quality_run"))
    return CleanRun(settings, run_pipeline(settings, log_level="WARNING"))


@pytest.fixture
def build_copy(clean_run: CleanRun, tmp_path: Path) -> Settings:
    """Settings over a private copy of the clean run's build warehouse (nothing published)."""
    settings = settings_for(tmp_path)
    shutil.copyfile(clean_run.settings.build_path, settings.build_path)
    return settings


@pytest.fixture(scope="session")
def generated_run(tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    """A small generated landing folder plus a claims file with one bad row, run once."""
    root = tmp_path_factory.mktemp("quality_generated_run")
    landing = root / "landing"
    generate_landing(landing, deals=GENERATED_DEALS, seed=GENERATED_SEED, progress=False)
    (landing / EXTRA_CLAIMS_FILE).write_text(EXTRA_CLAIMS, encoding="utf-8")
    settings = settings_for(root, landing, GENERATED_AS_OF)
    return CleanRun(settings, run_pipeline(settings, log_level="WARNING"))


@pytest.fixture
def generated_copy(generated_run: CleanRun, tmp_path: Path) -> Settings:
    """Settings over a private copy of the generated run's build warehouse."""
    settings = settings_for(tmp_path, generated_run.settings.landing_dir, GENERATED_AS_OF)
    shutil.copyfile(generated_run.settings.build_path, settings.build_path)
    return settings

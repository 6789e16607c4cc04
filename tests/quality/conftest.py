"""Fixtures for the data-quality tests: one clean pipeline run of golden case 01.

The run (ingest, raw checks, dbt build, mart checks, publish) costs tens of
seconds, so it runs once per session; tests that break data work on copies
of its build warehouse.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from quality_run import CleanRun, settings_for

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

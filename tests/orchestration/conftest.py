"""Fixtures for the orchestration tests: golden-case landing folders and one full run.

The full run (ingest, dbt build, publish) costs tens of seconds, so it runs
once per session through the CLI and the tests that only read its outcome
share it; tests that change a warehouse work on copies.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_cases import AS_OF, CASE_LANDING, PublishedRun, copy_landing, settings_for
from typer.testing import CliRunner

from orchestration.cli import app


@pytest.fixture
def case_landing(tmp_path: Path) -> Path:
    """A writable copy of golden case 01's landing folder."""
    return copy_landing(CASE_LANDING, tmp_path / "landing")


@pytest.fixture(scope="session")
def published_run(tmp_path_factory: pytest.TempPathFactory) -> PublishedRun:
    """``incentives run`` on golden case 01 into a temporary warehouse, once per session."""
    root = tmp_path_factory.mktemp("published_run")
    settings = settings_for(root, copy_landing(CASE_LANDING, root / "landing"))
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--landing",
            str(settings.landing_dir),
            "--warehouse",
            str(settings.warehouse),
            "--as-of",
            AS_OF.isoformat(),
        ],
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return PublishedRun(settings, result.exit_code, result.stdout, result.stderr)

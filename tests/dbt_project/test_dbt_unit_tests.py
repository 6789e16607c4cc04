"""The dbt unit tests (``unit_tests:`` in the models' YAML) all pass.

dbt needs the models' parents to exist as relations, so the tests run against
the build warehouse of a real run of a golden case.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from orchestration.pipeline import run_pipeline
from orchestration.settings import DBT_PROFILES_DIR, DBT_PROJECT_DIR, PROJECT_ROOT, Settings

CASE_LANDING = (
    PROJECT_ROOT / "tests" / "golden" / "cases" / "04-fiscal-calendar-plan-change-tier-history"
) / "landing"


def test_every_dbt_unit_test_passes(tmp_path: Path) -> None:
    settings = Settings(
        landing_dir=CASE_LANDING, warehouse=tmp_path / "w.duckdb", as_of=dt.date(2026, 12, 31)
    )
    result = run_pipeline(settings, log_level="WARNING")
    assert result.success, result.failures
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [
            str(dbt),
            "test",
            "--select",
            "test_type:unit",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROFILES_DIR),
            "--target-path",
            str(tmp_path / "dbt_target"),
            "--vars",
            '{"as_of": "2026-12-31"}',
        ],
        env={**os.environ, **settings.dbt_env()},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:]
    assert "PASS=" in completed.stdout and " ERROR=0" in completed.stdout

"""The shared golden-case run of the data-quality tests: paths, settings and outcome."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from orchestration.pipeline import PipelineResult
from orchestration.settings import Settings

CASE_LANDING = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "cases"
    / "01-marginal-tiers-cap-fx"
    / "landing"
)
AS_OF = dt.date(2026, 12, 31)


@dataclasses.dataclass(frozen=True)
class CleanRun:
    """Settings and outcome of the shared run."""

    settings: Settings
    result: PipelineResult


def settings_for(root: Path, landing: Path = CASE_LANDING) -> Settings:
    """Settings that keep every file of a run under ``root``."""
    return Settings(landing_dir=landing, warehouse=root / "w.duckdb", as_of=AS_OF)

"""Golden-case landing folders and settings for the orchestration tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

from orchestration.settings import Settings

CASES = Path(__file__).resolve().parents[3] / "shared" / "cases"
CASE_LANDING = CASES / "01-marginal-tiers-cap-fx" / "landing"
AS_OF = dt.date(2026, 12, 31)


def copy_landing(source: Path, target: Path) -> Path:
    """A writable copy of a landing folder (the shared cases are read-only)."""
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    return target


def settings_for(root: Path, landing: Path) -> Settings:
    """Settings that keep every file of a run under ``root``."""
    return Settings(
        landing_dir=landing,
        warehouse=root / "warehouse" / "incentives.duckdb",
        as_of=AS_OF,
    )


@dataclasses.dataclass(frozen=True)
class PublishedRun:
    """The outcome of ``incentives run`` on golden case 01."""

    settings: Settings
    exit_code: int
    stdout: str
    stderr: str

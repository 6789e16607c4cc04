"""The shared runs of the data-quality tests: paths, settings and outcome.

Golden case 01 has neither MDF claims nor rejected rows, so a second run
loads a small generated landing folder (which has MDF programs and claims)
with one extra claims file holding a row that ingestion quarantines.
"""

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

GENERATED_DEALS = 300
GENERATED_SEED = 7
GENERATED_AS_OF = dt.date(2026, 6, 30)
# Two valid claims (approved, submitted) and one with an unknown status (quarantined).
EXTRA_CLAIMS_FILE = "mdf_claims/batch-9001.csv"
EXTRA_CLAIMS = (
    "claim_id,partner_id,program_id,amount_usd,status,submitted_at,decided_at,updated_at\n"
    "MDF-9000001,P000001,MDF,250.00,approved,2026-04-01T10:00:00Z,2026-04-03T10:00:00Z,"
    "2026-04-03T10:00:00Z\n"
    "MDF-9000002,P000002,MDF,120.50,submitted,2026-04-02T10:00:00Z,,2026-04-02T10:00:00Z\n"
    "MDF-9000003,P000003,MDF,99.00,pending,2026-04-02T10:00:00Z,,2026-04-02T10:00:00Z\n"
)


@dataclasses.dataclass(frozen=True)
class CleanRun:
    """Settings and outcome of a shared run."""

    settings: Settings
    result: PipelineResult


def settings_for(root: Path, landing: Path = CASE_LANDING, as_of: dt.date = AS_OF) -> Settings:
    """Settings that keep every file of a run under ``root``."""
    return Settings(landing_dir=landing, warehouse=root / "w.duckdb", as_of=as_of)

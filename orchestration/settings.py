"""One settings object for the whole project.

Every path, date and threshold comes from here: environment variables
(prefix ``INCENTIVES_``) overridden by CLI options. ``profiles.yml`` and the
Dagster resources read the same variables through :meth:`Settings.dbt_env`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DBT_PROFILES_DIR = PROJECT_ROOT


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class Settings(BaseSettings):
    """Paths, the as-of date, the dbt target and data-quality thresholds."""

    model_config = SettingsConfigDict(env_prefix="INCENTIVES_", extra="ignore")

    landing_dir: Path = Field(
        default=PROJECT_ROOT / "data" / "landing",
        description="Folder of landing files (the data contract's layout).",
    )
    warehouse: Path = Field(
        default=PROJECT_ROOT / "data" / "warehouse" / "incentives.duckdb",
        description="The published warehouse that readers open (read-only).",
    )
    build_warehouse: Path | None = Field(
        default=None,
        description="Working warehouse the pipeline writes; defaults to <warehouse>.build.duckdb.",
    )
    as_of: dt.date | None = Field(
        default=None, description="Fixes 'today' (UTC); defaults to the current UTC date."
    )
    dbt_target: str = Field(default="duckdb", description="dbt target in profiles.yml.")
    max_quarantine_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A batch with a larger share of quarantined rows fails.",
    )
    stale_after_hours: float = Field(
        default=24,
        gt=0,
        description="The viewer warns when the last published build is older than this.",
    )

    @property
    def effective_as_of(self) -> dt.date:
        return self.as_of or utc_today()

    @property
    def build_path(self) -> Path:
        if self.build_warehouse is not None:
            return self.build_warehouse
        return self.warehouse.with_name(self.warehouse.stem + ".build" + self.warehouse.suffix)

    def dbt_env(self) -> dict[str, str]:
        """Environment variables that ``profiles.yml`` reads."""
        return {
            "INCENTIVES_BUILD_WAREHOUSE": str(self.build_path.resolve()),
            "INCENTIVES_DBT_TARGET": self.dbt_target,
        }

    def dbt_vars(self) -> dict[str, str]:
        """dbt ``--vars`` for a run."""
        return {"as_of": self.effective_as_of.isoformat()}

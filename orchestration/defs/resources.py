"""Dagster resources: the run settings, the build warehouse connection and dbt.

All three are built from one :class:`~orchestration.settings.Settings` object
by :func:`build_resources`, so the Dagster UI, ``incentives run`` and the
tests share one source of paths, dates and thresholds.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from orchestration.defs.project import DBT_EXECUTABLE, dbt_project
from orchestration.settings import Settings


class SettingsResource(ConfigurableResource):
    """The project settings as a Dagster resource (paths as text, as Dagster config requires).

    ``as_of`` stays empty unless fixed, so a long-lived Dagster process takes
    today's UTC date at each run rather than the date it started on.
    """

    landing_dir: str
    warehouse: str
    build_warehouse: str
    as_of: str | None = None
    dbt_target: str = "duckdb"
    max_quarantine_share: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> "SettingsResource":
        """The resource for ``settings``."""
        return cls(
            landing_dir=str(settings.landing_dir),
            warehouse=str(settings.warehouse),
            build_warehouse=str(settings.build_path),
            as_of=settings.as_of.isoformat() if settings.as_of else None,
            dbt_target=settings.dbt_target,
            max_quarantine_share=settings.max_quarantine_share,
        )

    def get(self) -> Settings:
        """The settings this resource was built from (environment variables do not apply)."""
        return Settings(
            landing_dir=Path(self.landing_dir),
            warehouse=Path(self.warehouse),
            build_warehouse=Path(self.build_warehouse),
            as_of=dt.date.fromisoformat(self.as_of) if self.as_of else None,
            dbt_target=self.dbt_target,
            max_quarantine_share=self.max_quarantine_share,
        )


class DuckDBWarehouse(ConfigurableResource):
    """The build warehouse file. Open it per step and close it before dbt runs."""

    path: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection with the session time zone set to UTC, closed on exit."""
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
        try:
            # Set after connecting: the time zone needs the ICU extension, which
            # DuckDB cannot autoload while it applies connect-time options.
            con.execute("set TimeZone = 'UTC'")
            yield con
        finally:
            con.close()


def build_resources(settings: Settings) -> dict[str, object]:
    """Resources keyed by the names the assets, sensors and jobs ask for."""
    return {
        "settings": SettingsResource.from_settings(settings),
        "warehouse": DuckDBWarehouse(path=str(settings.build_path)),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    }

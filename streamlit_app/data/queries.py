"""The viewer's questions to the published marts, one function per question.

Every value reaches DuckDB as a bound parameter; the SQL text is a constant.
Results are cached with :func:`streamlit.cache_data` for a short time, keyed
also on the warehouse file's version (:func:`file_version`), so a newly
published build is read on the next rerun while repeated reruns of the same
build do not reopen the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from streamlit_app.data.connection import RelationMissingError, fetch_frame, file_version

CACHE_TTL_SECONDS = 60
"""How long a result is reused for the same build of the warehouse."""

LAST_RUN_SQL = """
select published_at, last_loaded_at, as_of
from pipeline_runs
order by published_at desc
limit 1
"""

LAST_LOAD_SQL = """
select max(loaded_at) as last_loaded_at
from ingest_batches
where status = 'loaded'
"""

PARTNERS_SQL = """
select
    partner_id,
    partner_name,
    region,
    country,
    tier,
    partner_type,
    partner_id in (select partner_id from fct_incentive_earnings) as has_earning_lines
from dim_partners
order by partner_name, partner_id
"""

PARTNER_PERIODS_SQL = """
select distinct period
from (
    select period from mart_partner_attainment where partner_id = $partner_id
    union all
    select period from mart_partner_earnings where partner_id = $partner_id
    union all
    select period from fct_incentive_earnings where partner_id = $partner_id
) as partner_periods
where period is not null
order by period desc
"""

PARTNER_ATTAINMENT_SQL = """
select partner_id, period, won_usd, quota_usd, attainment_pct, projected_revenue_usd,
    rank_in_region
from mart_partner_attainment
where partner_id = $partner_id and period = $period
"""

PARTNER_EARNINGS_SQL = """
select program_id, earned_usd, paid_usd, unpaid_usd, projected_earned_usd,
    gap_to_next_band, next_band_rate
from mart_partner_earnings
where partner_id = $partner_id and period = $period
order by program_id
"""

EARNING_LINES_SQL = """
select deal_id, program_id, program_version, program_type, closed_at, credited_usd,
    credited_units, band_rate, earned_usd, explanation
from fct_incentive_earnings
where partner_id = $partner_id and period = $period
order by closed_at, deal_id, program_id
"""

PERFORMANCE_PERIODS_SQL = """
select distinct period from mart_program_performance
where period is not null
order by period desc
"""

PERFORMANCE_REGIONS_SQL = """
select distinct region from mart_program_performance
where region is not null
order by region
"""

PERFORMANCE_PROGRAMS_SQL = """
select distinct program_id from mart_program_performance
where program_id is not null
order by program_id
"""

# A filter bound to null matches every row.
PROGRAM_PERFORMANCE_SQL = """
select program_id, region, partner_type, family, period, incentive_cost_usd,
    credited_revenue_usd, partners_earning, cost_to_revenue
from mart_program_performance
where ($period::varchar is null or period = $period)
    and ($region::varchar is null or region = $region)
    and ($program_id::varchar is null or program_id = $program_id)
order by period desc, program_id, region, partner_type, family
"""

PROGRAM_TOTALS_SQL = """
select program_id,
    sum(incentive_cost_usd) as incentive_cost_usd,
    sum(credited_revenue_usd) as credited_revenue_usd
from mart_program_performance
where ($period::varchar is null or period = $period)
    and ($region::varchar is null or region = $region)
    and ($program_id::varchar is null or program_id = $program_id)
group by program_id
order by program_id
"""


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached_frame(
    path: str, version: tuple[int, int, int], sql: str, params: dict[str, Any]
) -> pd.DataFrame:
    """Cached result of one query on one build (``version``) of the warehouse."""
    del version  # only part of the cache key
    return fetch_frame(Path(path), sql, params)


def run_query(warehouse: Path, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run ``sql`` with bound ``$name`` ``params`` on the published warehouse, cached per build."""
    return _cached_frame(str(warehouse), file_version(warehouse), sql, dict(params or {}))


def partners(warehouse: Path) -> pd.DataFrame:
    """All partners with their current attributes, and whether they have earning lines."""
    return run_query(warehouse, PARTNERS_SQL)


def partner_periods(warehouse: Path, partner_id: str) -> list[str]:
    """Periods with attainment or earnings for ``partner_id``, latest first."""
    frame = run_query(warehouse, PARTNER_PERIODS_SQL, {"partner_id": partner_id})
    return [str(period) for period in frame["period"]]


def partner_attainment(warehouse: Path, partner_id: str, period: str) -> pd.DataFrame:
    """The partner's attainment row for ``period`` (empty when there is none)."""
    return run_query(
        warehouse, PARTNER_ATTAINMENT_SQL, {"partner_id": partner_id, "period": period}
    )


def partner_earnings(warehouse: Path, partner_id: str, period: str) -> pd.DataFrame:
    """Earned, paid, unpaid and projected figures by program for one partner and period."""
    return run_query(warehouse, PARTNER_EARNINGS_SQL, {"partner_id": partner_id, "period": period})


def earning_lines(warehouse: Path, partner_id: str, period: str) -> pd.DataFrame:
    """The partner's earning lines for ``period`` with their explanations."""
    return run_query(warehouse, EARNING_LINES_SQL, {"partner_id": partner_id, "period": period})


def performance_periods(warehouse: Path) -> list[str]:
    """Periods present in the program performance mart, latest first."""
    return [str(value) for value in run_query(warehouse, PERFORMANCE_PERIODS_SQL)["period"]]


def performance_regions(warehouse: Path) -> list[str]:
    """Regions present in the program performance mart."""
    return [str(value) for value in run_query(warehouse, PERFORMANCE_REGIONS_SQL)["region"]]


def performance_programs(warehouse: Path) -> list[str]:
    """Programs present in the program performance mart."""
    return [str(value) for value in run_query(warehouse, PERFORMANCE_PROGRAMS_SQL)["program_id"]]


def _performance_params(
    period: str | None, region: str | None, program_id: str | None
) -> dict[str, str | None]:
    return {"period": period, "region": region, "program_id": program_id}


def program_performance(
    warehouse: Path,
    period: str | None = None,
    region: str | None = None,
    program_id: str | None = None,
) -> pd.DataFrame:
    """Program performance rows; a filter left as ``None`` keeps every value."""
    return run_query(
        warehouse, PROGRAM_PERFORMANCE_SQL, _performance_params(period, region, program_id)
    )


def program_totals(
    warehouse: Path,
    period: str | None = None,
    region: str | None = None,
    program_id: str | None = None,
) -> pd.DataFrame:
    """Incentive cost and credited revenue summed by program under the same filters."""
    return run_query(warehouse, PROGRAM_TOTALS_SQL, _performance_params(period, region, program_id))


@dataclasses.dataclass(frozen=True)
class Freshness:
    """When the published data was last loaded and built (UTC; ``None`` when unknown)."""

    built_at: dt.datetime | None
    loaded_at: dt.datetime | None
    as_of: dt.date | None = None

    def is_stale(self, now: dt.datetime, max_age_hours: float) -> bool:
        """True when the build is older than ``max_age_hours`` at ``now`` (or its time unknown)."""
        if self.built_at is None:
            return True
        return now - self.built_at > dt.timedelta(hours=max_age_hours)


def _utc(value: Any) -> dt.datetime | None:
    """A timestamp from the warehouse (UTC, naive) as an aware datetime; NULL as ``None``."""
    if value is None or pd.isna(value):
        return None
    moment = pd.Timestamp(value).to_pydatetime()
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def freshness(warehouse: Path) -> Freshness:
    """The last build (``pipeline_runs``) and the last load (``ingest_batches``).

    A warehouse published before runs were recorded has no ``pipeline_runs``:
    its build time is the file's modification time and its load time the
    newest loaded batch, when it has ``ingest_batches``.
    """
    try:
        runs = run_query(warehouse, LAST_RUN_SQL)
    except RelationMissingError:
        runs = pd.DataFrame()
    if not runs.empty:
        row = runs.iloc[0]
        as_of = row["as_of"]
        return Freshness(
            built_at=_utc(row["published_at"]),
            loaded_at=_utc(row["last_loaded_at"]),
            as_of=None if as_of is None or pd.isna(as_of) else pd.Timestamp(as_of).date(),
        )
    built_at = dt.datetime.fromtimestamp(file_version(warehouse)[0] / 1e9, tz=dt.UTC)
    try:
        loads = run_query(warehouse, LAST_LOAD_SQL)
    except RelationMissingError:
        return Freshness(built_at=built_at, loaded_at=None)
    return Freshness(built_at=built_at, loaded_at=_utc(loads.iloc[0]["last_loaded_at"]))


# The outcomes of the newest run whose checks were recorded, failures first.
DATA_QUALITY_SQL = """
select run_id, checked_at, asset, suite, expectation, description, severity, success, observed,
    data_docs_path
from data_quality_results
where run_id = (
    select run_id from data_quality_results
    order by checked_at desc
    limit 1
)
order by success, case severity when 'blocking' then 0 else 1 end, asset, suite, description
"""

QUARANTINE_SUMMARY_SQL = """
select table_name, reason, count(*) as rows_quarantined, count(distinct batch_id) as batches
from quarantine
group by table_name, reason
order by table_name, rows_quarantined desc, reason
"""

# Files that were seen but not loaded: failed first, then duplicates, newest first.
BATCHES_NOT_LOADED_SQL = """
select batch_id, table_name, source_file, status, error_message, loaded_at
from ingest_batches
where status is distinct from 'loaded'
order by case status when 'failed' then 0 else 1 end, loaded_at desc, batch_id desc
"""

BLOCKING = "blocking"
WARNING = "warning"


@dataclasses.dataclass(frozen=True)
class DataQuality:
    """The recorded expectation outcomes of the newest checked run."""

    run_id: str
    checked_at: dt.datetime | None
    results: pd.DataFrame  # one row per expectation, failures first
    data_docs_path: str | None  # the Data Docs index.html where the checks ran

    def _passed_mask(self) -> pd.Series:
        return self.results["success"].astype(bool)

    def _count(self, success: bool, severity: str | None = None) -> int:
        rows = self.results[self._passed_mask() == success]
        if severity is not None:
            rows = rows[rows["severity"] == severity]
        return len(rows)

    @property
    def passed(self) -> int:
        return self._count(True)

    @property
    def warned(self) -> int:
        """Warning expectations that failed (they never stop a run)."""
        return self._count(False, WARNING)

    @property
    def failed(self) -> int:
        """Expectations that failed and are not warnings (blocking ones)."""
        return self._count(False) - self.warned

    @property
    def problems(self) -> pd.DataFrame:
        """The expectations that did not pass, blocking ones first."""
        return self.results[~self._passed_mask()]


def data_quality(warehouse: Path) -> DataQuality | None:
    """The newest checked run's outcomes; ``None`` when none are recorded in this warehouse.

    A warehouse published before the checks kept their outcomes has no
    ``data_quality_results`` table; that also gives ``None``.
    """
    try:
        results = run_query(warehouse, DATA_QUALITY_SQL)
    except RelationMissingError:
        return None
    if results.empty:
        return None
    docs = [
        str(path) for path in results["data_docs_path"] if path is not None and not pd.isna(path)
    ]
    return DataQuality(
        run_id=str(results["run_id"].iloc[0]),
        checked_at=_utc(results["checked_at"].max()),
        results=results,
        data_docs_path=docs[0] if docs else None,
    )


def quarantine_summary(warehouse: Path) -> pd.DataFrame:
    """Quarantined rows counted by landing table and reason."""
    return run_query(warehouse, QUARANTINE_SUMMARY_SQL)


def batches_not_loaded(warehouse: Path) -> pd.DataFrame:
    """Landing files that were not loaded (failed, or duplicates of a loaded file)."""
    return run_query(warehouse, BATCHES_NOT_LOADED_SQL)

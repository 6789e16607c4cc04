"""The viewer's questions to the published marts, one function per question.

Every value reaches DuckDB as a bound parameter; the SQL text is a constant.
Results are cached with :func:`streamlit.cache_data` for a short time, keyed
also on the warehouse file's version (:func:`file_version`), so a newly
published build is read on the next rerun while repeated reruns of the same
build do not reopen the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from streamlit_app.data.connection import fetch_frame, file_version

CACHE_TTL_SECONDS = 60
"""How long a result is reused for the same build of the warehouse."""

PARTNERS_SQL = """
select partner_id, partner_name, region, country, tier, partner_type
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
    """All partners with their current attributes, for the partner picker."""
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

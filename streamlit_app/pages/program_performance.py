"""Program performance: incentive cost against credited revenue, by program."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import streamlit as st

from streamlit_app.data import queries
from streamlit_app.data.charts import cost_and_revenue_by_program
from streamlit_app.data.formatting import (
    format_count,
    format_money,
    format_ratio,
    is_missing,
    to_decimal,
)
from streamlit_app.layout import load_or_stop, require_warehouse, right_aligned

# Filter value meaning "no filter"; shown as "All regions" / "All programs".
ALL = ""


def performance_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Program performance rows as display text."""
    return pd.DataFrame(
        {
            "Program": rows["program_id"].astype(str),
            "Region": rows["region"].astype(str),
            "Partner type": rows["partner_type"].astype(str),
            "Family": rows["family"].astype(str),
            "Period": rows["period"].astype(str),
            "Incentive cost": rows["incentive_cost_usd"].map(format_money),
            "Credited revenue": rows["credited_revenue_usd"].map(format_money),
            "Partners earning": rows["partners_earning"].map(format_count),
            "Cost to revenue": rows["cost_to_revenue"].map(format_ratio),
        }
    )


def _total(values: pd.Series) -> Decimal:
    """Exact sum of a money column."""
    return sum((to_decimal(value) for value in values if not is_missing(value)), Decimal(0))


def render(warehouse: Path) -> None:
    """Draw the page for the published warehouse at ``warehouse``."""
    st.title("Program performance")
    periods = load_or_stop(lambda: queries.performance_periods(warehouse))
    if not periods:
        st.info("The published warehouse has no program performance rows yet.")
        return
    regions = load_or_stop(lambda: queries.performance_regions(warehouse))
    programs = load_or_stop(lambda: queries.performance_programs(warehouse))

    period_col, region_col, program_col = st.columns(3)
    period = period_col.selectbox("Period", options=periods, key="performance_period")
    region = region_col.selectbox(
        "Region",
        options=[ALL, *regions],
        format_func=lambda value: value or "All regions",
        key="performance_region",
    )
    program_id = program_col.selectbox(
        "Program",
        options=[ALL, *programs],
        format_func=lambda value: value or "All programs",
        key="performance_program",
    )
    filters = {"period": period, "region": region or None, "program_id": program_id or None}

    rows = load_or_stop(lambda: queries.program_performance(warehouse, **filters))
    if rows.empty:
        st.info("No program performance rows for these filters.")
        return
    totals = load_or_stop(lambda: queries.program_totals(warehouse, **filters))

    cost, revenue = st.columns(2)
    cost.metric("Incentive cost", format_money(_total(totals["incentive_cost_usd"])))
    if program_id:
        revenue.metric("Credited revenue", format_money(_total(totals["credited_revenue_usd"])))
    else:
        # A deal counts in every program it is eligible for: summing the
        # programs' revenue would count it several times.
        revenue.caption(
            "Pick a program to see the revenue it rewarded: a deal counts in every "
            "program it is eligible for, so revenue is not added up across programs."
        )

    st.subheader("Cost and revenue by program")
    st.plotly_chart(cost_and_revenue_by_program(totals))

    st.subheader("By region, partner type and product family")
    st.dataframe(
        performance_table(rows),
        hide_index=True,
        column_config=right_aligned(
            "Incentive cost", "Credited revenue", "Partners earning", "Cost to revenue"
        ),
    )
    st.caption("Cost is what partners earned (accrued), not what was paid.")


if __name__ == "__main__":
    render(require_warehouse())

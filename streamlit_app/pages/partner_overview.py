"""Partner overview: attainment, earnings by program and earning lines of one partner."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from streamlit_app.data import queries
from streamlit_app.data.formatting import (
    MISSING,
    format_amount,
    format_attainment,
    format_count,
    format_money,
    format_quantity,
    format_rate,
    format_timestamp,
    is_missing,
    to_decimal,
)
from streamlit_app.layout import load_or_stop, require_warehouse, right_aligned


def partner_labels(partners: pd.DataFrame) -> dict[str, str]:
    """Picker labels ``"name (id)"`` keyed by partner_id."""
    labels: dict[str, str] = {}
    for partner_id, name in zip(partners["partner_id"], partners["partner_name"], strict=True):
        labels[str(partner_id)] = f"{partner_id}" if is_missing(name) else f"{name} ({partner_id})"
    return labels


def first_partner_with_figures(partners: pd.DataFrame) -> int:
    """The picker's first choice: the first partner with earning lines, else the first."""
    if "has_earning_lines" in partners:
        earning = partners.index[partners["has_earning_lines"].fillna(False).astype(bool)]
        if len(earning):
            return int(partners.index.get_loc(earning[0]))
    return 0


def _describe(partner: pd.Series) -> str:
    """One line of the partner's current attributes."""
    parts = [partner.get(column) for column in ("region", "country", "tier", "partner_type")]
    return " · ".join(str(part) for part in parts if not is_missing(part))


def _attainment_card(attainment: pd.DataFrame, period: str) -> None:
    if attainment.empty:
        st.info(f"No attainment figures for {period}.")
        return
    row = attainment.iloc[0]
    # Two rows of three, so that full money figures fit on a laptop screen.
    won, quota, pct = st.columns(3)
    projected, rank, _ = st.columns(3)
    won.metric("Won", format_money(row["won_usd"]))
    quota_text = "no quota set" if is_missing(row["quota_usd"]) else format_money(row["quota_usd"])
    quota.metric("Quota", quota_text)
    pct.metric("Attainment", format_attainment(row["attainment_pct"]))
    projected.metric("Projected revenue", format_money(row["projected_revenue_usd"]))
    rank.metric("Rank in region", format_count(row["rank_in_region"]))


def earnings_table(earnings: pd.DataFrame) -> pd.DataFrame:
    """Earnings by program as display text."""
    return pd.DataFrame(
        {
            "Program": earnings["program_id"].astype(str),
            "Earned": earnings["earned_usd"].map(format_money),
            "Paid": earnings["paid_usd"].map(format_money),
            "Unpaid": earnings["unpaid_usd"].map(format_money),
            "Projected": earnings["projected_earned_usd"].map(format_money),
            # The band measure is revenue (USD) or units, depending on the program.
            "Gap to next band": earnings["gap_to_next_band"].map(format_amount),
            "Next band rate": earnings["next_band_rate"].map(format_rate),
        }
    )


def _earnings_section(earnings: pd.DataFrame, period: str) -> None:
    st.subheader("Earnings by program")
    if earnings.empty:
        st.info(f"No earnings in {period}.")
        return
    st.dataframe(
        earnings_table(earnings),
        hide_index=True,
        column_config=right_aligned(
            "Earned", "Paid", "Unpaid", "Projected", "Gap to next band", "Next band rate"
        ),
    )
    unpaid = [to_decimal(value) for value in earnings["unpaid_usd"] if not is_missing(value)]
    if any(value < 0 for value in unpaid):
        st.caption("A negative unpaid amount was paid out and is to be recovered.")
    st.caption(f"Gap to next band is in USD or units, as the program's bands are; {MISSING}: none.")


def earning_lines_table(lines: pd.DataFrame) -> pd.DataFrame:
    """Earning lines as display text, explanation last."""
    return pd.DataFrame(
        {
            "Deal": lines["deal_id"].astype(str),
            "Program": lines["program_id"].astype(str),
            "Version": lines["program_version"].map(format_count),
            "Type": lines["program_type"].astype(str),
            "Closed at (UTC)": lines["closed_at"].map(format_timestamp),
            "Credited": lines["credited_usd"].map(format_money),
            "Units": lines["credited_units"].map(format_quantity),
            "Band rate": lines["band_rate"].map(format_rate),
            "Earned": lines["earned_usd"].map(format_money),
            "Explanation": lines["explanation"].astype(str),
        }
    )


def _earning_lines_section(lines: pd.DataFrame, period: str) -> None:
    st.subheader("Earning lines")
    if lines.empty:
        st.info(f"No earning lines in {period}.")
        return
    st.dataframe(
        earning_lines_table(lines),
        hide_index=True,
        column_config=right_aligned("Version", "Credited", "Units", "Band rate", "Earned"),
    )


def render(warehouse: Path) -> None:
    """Draw the page for the published warehouse at ``warehouse``."""
    st.title("Partner overview")
    partners = load_or_stop(lambda: queries.partners(warehouse))
    if partners.empty:
        st.info("The published warehouse has no partners yet.")
        return
    labels = partner_labels(partners)
    partner_id = st.sidebar.selectbox(
        "Partner",
        options=list(labels),
        index=first_partner_with_figures(partners),
        format_func=labels.__getitem__,
        key="partner_id",
    )
    partner = partners.loc[partners["partner_id"].astype(str) == partner_id].iloc[0]

    periods = load_or_stop(lambda: queries.partner_periods(warehouse, partner_id))
    st.header(labels[partner_id])
    st.caption(_describe(partner))
    if not periods:
        st.info("No attainment or earnings for this partner yet.")
        return
    # One period picker per partner: each partner has its own list of periods.
    period = st.sidebar.selectbox("Period", options=periods, key=f"period_{partner_id}")

    st.subheader(f"Attainment, {period}")
    _attainment_card(
        load_or_stop(lambda: queries.partner_attainment(warehouse, partner_id, period)), period
    )
    _earnings_section(
        load_or_stop(lambda: queries.partner_earnings(warehouse, partner_id, period)), period
    )
    _earning_lines_section(
        load_or_stop(lambda: queries.earning_lines(warehouse, partner_id, period)), period
    )


if __name__ == "__main__":
    render(require_warehouse())

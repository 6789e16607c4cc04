"""Charts of the viewer.

Bar heights are floats (a chart cannot draw a Decimal), but every number a
user reads, in hover labels and tables, is the exact formatted Decimal.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from streamlit_app.data.formatting import format_money, is_missing, to_decimal


def _heights(values: pd.Series) -> list[float]:
    """Bar heights from exact money values (0 for a missing value)."""
    return [0.0 if is_missing(value) else float(to_decimal(value)) for value in values]


def cost_and_revenue_by_program(totals: pd.DataFrame) -> go.Figure:
    """Grouped bars of incentive cost and credited revenue per program.

    ``totals`` has the columns ``program_id``, ``incentive_cost_usd`` and
    ``credited_revenue_usd`` (see :func:`streamlit_app.data.queries.program_totals`).
    """
    programs = [str(program) for program in totals["program_id"]]
    figure = go.Figure()
    for column, label in (
        ("incentive_cost_usd", "Incentive cost"),
        ("credited_revenue_usd", "Credited revenue"),
    ):
        figure.add_trace(
            go.Bar(
                name=label,
                x=programs,
                y=_heights(totals[column]),
                customdata=[format_money(value) for value in totals[column]],
                hovertemplate="%{x}<br>" + label + ": %{customdata}<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="group",
        xaxis_title="Program",
        yaxis_title="USD",
        legend_title_text="",
        margin={"t": 30},
    )
    return figure

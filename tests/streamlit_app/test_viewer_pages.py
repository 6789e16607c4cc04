"""The viewer's pages rendered with Streamlit's AppTest on a tiny published warehouse."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from viewer_warehouse import APP_PATH, build_warehouse

PERFORMANCE_PAGE = "pages/program_performance.py"


def run_app(page: str | None = None) -> AppTest:
    """Render the app (and switch to ``page``) and fail on any exception."""
    app = AppTest.from_file(str(APP_PATH), default_timeout=60).run()
    if page is not None:
        app.switch_page(page).run()
    assert not app.exception, [error.value for error in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def shown_text(app: AppTest) -> str:
    """Everything a user reads on the page: messages, captions and table cells."""
    parts = [element.value for kind in ("info", "warning", "caption") for element in app.get(kind)]
    for table in app.dataframe:
        parts.extend(str(cell) for cell in table.value.to_numpy().ravel())
    return "\n".join(parts)


def test_partner_overview_shows_latest_period_with_exact_figures(published_warehouse: Path):
    app = run_app()

    assert app.selectbox(key="partner_id").value == "P-001"
    assert app.selectbox(key="partner_id").options[:2] == [
        "Acme Networks (P-001)",
        "Borealis IT (P-002)",
    ]
    assert app.selectbox(key="period_P-001").options == ["2026-Q2", "2026-Q1"]
    assert metrics(app) == {
        "Won": "1,234,567.80 USD",
        "Quota": "10,000,000.00 USD",
        "Attainment": "12.35 %",
        "Projected revenue": "1,300,000.00 USD",
        "Rank in region": "1",
    }
    earnings, lines = (table.value for table in app.dataframe)
    resale = earnings.set_index("Program").loc["RESALE"]
    assert resale["Earned"] == "61,728.39 USD"
    assert resale["Unpaid"] == "11,728.39 USD"
    assert resale["Gap to next band"] == "—"
    assert list(lines["Deal"]) == ["D-100", "D-101"]
    assert list(lines["Earned"]) == ["61,728.39 USD", "250.00 USD"]
    assert list(lines["Band rate"]) == ["5.00 %", "—"]
    assert lines["Explanation"].iloc[1] == "SPIFF-Q2 v1: 10 units x 25.00 = 250.00"


def test_picking_an_earlier_period_shows_its_figures(published_warehouse: Path):
    app = run_app()
    app.selectbox(key="period_P-001").set_value("2026-Q1").run()

    assert not app.exception
    assert metrics(app)["Won"] == "1,516.88 USD"
    assert metrics(app)["Attainment"] == "37.92 %"
    earnings = app.dataframe[0].value
    assert earnings.loc[0, "Gap to next band"] == "98,483.12"
    assert earnings.loc[0, "Next band rate"] == "7.00 %"


def test_partner_without_quota_reads_no_quota_set_and_negative_unpaid(
    published_warehouse: Path,
):
    app = run_app()
    app.selectbox(key="partner_id").set_value("P-002").run()

    assert not app.exception
    assert metrics(app)["Attainment"] == "no quota set"
    assert metrics(app)["Quota"] == "no quota set"
    assert metrics(app)["Rank in region"] == "2"
    earnings = app.dataframe[0].value
    assert earnings.loc[0, "Unpaid"] == "-87.50 USD"
    assert "to be recovered" in shown_text(app)


def test_partner_without_any_figures_gets_a_friendly_message(published_warehouse: Path):
    app = run_app()
    app.selectbox(key="partner_id").set_value("P-003").run()

    assert not app.exception
    assert "No attainment or earnings for this partner yet." in shown_text(app)


def test_program_performance_shows_totals_chart_and_rows(published_warehouse: Path):
    app = run_app(PERFORMANCE_PAGE)

    assert app.selectbox(key="performance_period").options == ["2026-Q2", "2026-Q1"]
    # Revenue is not summed across programs: a deal counts in each of its programs.
    assert metrics(app) == {"Incentive cost": "61,990.89 USD"}
    assert "revenue is not added up across programs" in shown_text(app)
    assert len(app.get("plotly_chart")) == 1
    rows = app.dataframe[0].value
    assert len(rows) == 3
    assert set(rows["Cost to revenue"]) == {"0.0500", "0.5000"}


def test_program_performance_filters_by_region_and_program(published_warehouse: Path):
    app = run_app(PERFORMANCE_PAGE)
    app.selectbox(key="performance_region").set_value("EMEA").run()

    assert metrics(app)["Incentive cost"] == "12.50 USD"
    assert list(app.dataframe[0].value["Region"]) == ["EMEA"]

    app.selectbox(key="performance_region").set_value("NA")
    app.selectbox(key="performance_program").set_value("SPIFF-Q2").run()
    assert metrics(app) == {"Incentive cost": "250.00 USD", "Credited revenue": "500.00 USD"}

    app.selectbox(key="performance_region").set_value("EMEA").run()
    assert not app.exception
    assert "No program performance rows for these filters." in shown_text(app)


@pytest.mark.parametrize("page", [None, PERFORMANCE_PAGE])
def test_missing_warehouse_shows_how_to_build_one(
    page: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    missing = tmp_path / "not-built-yet.duckdb"
    monkeypatch.setenv("INCENTIVES_WAREHOUSE", str(missing))

    app = run_app(page)

    assert [message.value for message in app.info] == [
        f"No published warehouse at `{missing}` yet — run `incentives run` or `incentives demo`."
    ]
    assert not missing.exists()


def test_warehouse_without_the_marts_shows_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "partial.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table dim_partners as select 'P-001' as partner_id")
    monkeypatch.setenv("INCENTIVES_WAREHOUSE", str(path))

    app = run_app()

    assert "does not have what this page reads" in app.warning[0].value


def test_viewer_does_not_hold_the_warehouse_after_rendering(published_warehouse: Path):
    run_app()
    run_app(PERFORMANCE_PAGE)

    # A writer can open the file right away: no reader kept a connection.
    with duckdb.connect(str(published_warehouse)) as writer:
        writer.execute(
            "update dim_partners set partner_name = 'Acme Inc' where partner_id = 'P-001'"
        )


def test_a_newly_published_build_shows_on_the_next_rerun(published_warehouse: Path):
    app = run_app()
    assert metrics(app)["Won"] == "1,234,567.80 USD"

    new_build = build_warehouse(published_warehouse.with_name("next.duckdb"), won_q2="2000000.01")
    os.replace(new_build, published_warehouse)
    app.run()

    assert metrics(app)["Won"] == "2,000,000.01 USD"


def test_money_columns_reach_the_page_as_decimals(published_warehouse: Path):
    from streamlit_app.data import queries

    earnings = queries.partner_earnings(published_warehouse, "P-002", "2026-Q2")

    assert earnings["unpaid_usd"].dtype == object
    assert repr(earnings.loc[0, "unpaid_usd"]) == "Decimal('-87.50')"
    assert isinstance(earnings, pd.DataFrame)


def test_the_partner_picker_opens_on_the_first_partner_with_earning_lines() -> None:
    from streamlit_app.pages.partner_overview import first_partner_with_figures

    partners = pd.DataFrame(
        {"partner_id": ["A", "B", "C"], "has_earning_lines": [False, True, True]}
    )
    assert first_partner_with_figures(partners) == 1
    assert first_partner_with_figures(partners.assign(has_earning_lines=False)) == 0
    assert first_partner_with_figures(partners.drop(columns="has_earning_lines")) == 0

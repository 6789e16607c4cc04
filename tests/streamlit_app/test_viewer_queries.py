"""Queries bind their values, read Decimals and never keep the file open."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from streamlit_app.data import connection, queries

HOSTILE = "P-001' or '1'='1"


def test_values_travel_as_bound_parameters(
    published_warehouse: Path, monkeypatch: pytest.MonkeyPatch
):
    seen: list[tuple[str, dict[str, Any]]] = []
    real_fetch = queries.fetch_frame

    def recording_fetch(path: Path, sql: str, params: dict[str, Any] | None = None):
        seen.append((sql, dict(params or {})))
        return real_fetch(path, sql, params)

    monkeypatch.setattr(queries, "fetch_frame", recording_fetch)

    queries.partner_attainment(published_warehouse, HOSTILE, "2026-Q2")
    queries.program_performance(published_warehouse, period="2026-Q2", region=HOSTILE)

    assert [params for _, params in seen] == [
        {"partner_id": HOSTILE, "period": "2026-Q2"},
        {"period": "2026-Q2", "region": HOSTILE, "program_id": None},
    ]
    for sql, _ in seen:
        assert HOSTILE not in sql
        assert "2026-Q2" not in sql


def test_a_quote_in_a_value_matches_nothing_instead_of_everything(published_warehouse: Path):
    assert queries.partner_attainment(published_warehouse, HOSTILE, "2026-Q2").empty
    assert queries.partner_periods(published_warehouse, HOSTILE) == []
    assert queries.program_performance(published_warehouse, region=HOSTILE).empty
    assert len(queries.partner_attainment(published_warehouse, "P-001", "2026-Q2")) == 1


def test_sql_texts_are_constants_without_placeholders_for_formatting():
    texts = [value for name, value in vars(queries).items() if name.endswith("_SQL")]
    assert len(texts) == 15
    for text in texts:
        assert "{" not in text
        assert "%s" not in text


def test_null_filters_keep_every_row(published_warehouse: Path):
    everything = queries.program_performance(published_warehouse)
    assert len(everything) == 4
    totals = queries.program_totals(published_warehouse, period="2026-Q2")
    assert dict(zip(totals["program_id"], totals["incentive_cost_usd"], strict=True)) == {
        "RESALE": Decimal("61740.89"),
        "SPIFF-Q2": Decimal("250.00"),
    }


def test_periods_are_latest_first(published_warehouse: Path):
    assert queries.partner_periods(published_warehouse, "P-001") == ["2026-Q2", "2026-Q1"]
    assert queries.performance_periods(published_warehouse) == ["2026-Q2", "2026-Q1"]


def test_each_query_closes_its_connection(published_warehouse: Path):
    queries.partners(published_warehouse)
    with duckdb.connect(str(published_warehouse)) as writer:
        writer.execute("delete from dim_partners where partner_id = 'P-003'")


def test_the_connection_is_read_only(published_warehouse: Path):
    with (
        connection.open_warehouse(published_warehouse) as reader,
        pytest.raises(duckdb.InvalidInputException, match="read-only"),
    ):
        reader.execute("delete from dim_partners")


def test_a_missing_file_is_reported_not_created(tmp_path: Path):
    missing = tmp_path / "nothing.duckdb"
    with pytest.raises(connection.WarehouseMissingError, match="incentives demo"):
        queries.partners(missing)
    assert not missing.exists()


def test_settings_supply_the_warehouse_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("INCENTIVES_WAREHOUSE", str(tmp_path / "w.duckdb"))
    assert connection.warehouse_path() == tmp_path / "w.duckdb"

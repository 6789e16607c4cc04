"""The sidebar says when the data was last loaded and built, and warns when it is stale."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest
from viewer_warehouse import APP_PATH, build_warehouse

from streamlit_app.data import queries


def run_app() -> AppTest:
    app = AppTest.from_file(str(APP_PATH), default_timeout=60).run()
    assert not app.exception, [error.value for error in app.exception]
    return app


def sidebar_text(app: AppTest, kind: str) -> list[str]:
    return [element.value for element in app.sidebar.get(kind)]


def test_the_sidebar_shows_when_the_data_was_loaded_and_built(published_warehouse: Path):
    fresh = queries.freshness(published_warehouse)
    assert fresh.built_at is not None and fresh.loaded_at is not None
    assert fresh.loaded_at == fresh.built_at - dt.timedelta(minutes=5)

    app = run_app()

    [caption] = sidebar_text(app, "caption")
    assert f"Data last loaded: {fresh.loaded_at:%Y-%m-%d %H:%M} UTC" in caption
    assert f"Last built: {fresh.built_at:%Y-%m-%d %H:%M} UTC, as of 2026-06-30" in caption
    assert sidebar_text(app, "warning") == []


def test_a_build_older_than_the_setting_gets_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    path = build_warehouse(tmp_path / "old.duckdb", built_at=old)
    monkeypatch.setenv("INCENTIVES_WAREHOUSE", str(path))

    [warning] = sidebar_text(run_app(), "warning")

    assert "last built 3.0 days ago" in warning
    assert "older than 24 hours" in warning
    assert "INCENTIVES_STALE_AFTER_HOURS" in warning


def test_the_age_that_counts_as_stale_is_a_setting(
    published_warehouse: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("INCENTIVES_STALE_AFTER_HOURS", "0.5")

    [warning] = sidebar_text(run_app(), "warning")

    assert "last built 1 hours ago" in warning
    assert "older than 0.5 hours" in warning


def test_a_warehouse_without_run_records_falls_back_to_the_file_and_batches(
    published_warehouse: Path,
):
    with duckdb.connect(str(published_warehouse)) as connection:
        connection.execute("drop table pipeline_runs")
    stamp = time.time() - 2 * 24 * 3600
    os.utime(published_warehouse, (stamp, stamp))

    fresh = queries.freshness(published_warehouse)
    assert fresh.as_of is None
    assert fresh.built_at == dt.datetime.fromtimestamp(stamp, tz=dt.UTC)
    assert fresh.loaded_at is not None

    app = run_app()
    [warning] = sidebar_text(app, "warning")
    assert "last built 2.0 days ago" in warning
    assert "Data last loaded: " in sidebar_text(app, "caption")[0]


def test_a_warehouse_with_neither_table_still_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "bare.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table dim_partners as select 'P-001' as partner_id")
    monkeypatch.setenv("INCENTIVES_WAREHOUSE", str(path))

    app = run_app()

    assert "Data last loaded: unknown" in sidebar_text(app, "caption")[0]
    assert sidebar_text(app, "warning") == []

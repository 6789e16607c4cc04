"""Fixtures of the viewer tests: a published warehouse and a clean result cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from viewer_warehouse import build_warehouse


@pytest.fixture(autouse=True)
def _fresh_query_cache() -> Iterator[None]:
    """Each test starts and ends with an empty result cache."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def published_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A published warehouse in ``tmp_path`` that the viewer is pointed at."""
    path = build_warehouse(tmp_path / "incentives.duckdb")
    monkeypatch.setenv("INCENTIVES_WAREHOUSE", str(path))
    return path

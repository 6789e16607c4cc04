"""Layout helpers shared by the viewer's pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from orchestration.settings import Settings
from streamlit_app.data import queries
from streamlit_app.data.connection import WarehouseError, WarehouseMissingError, warehouse_path

T = TypeVar("T")


def require_warehouse() -> Path:
    """Path of the published warehouse, or a friendly message and stop when it is missing."""
    path = warehouse_path()
    if not path.is_file():
        st.info(str(WarehouseMissingError(path)))
        st.stop()
    return path


def load_or_stop(load: Callable[[], T]) -> T:
    """Run a query; on a warehouse problem show its message and stop the page."""
    try:
        return load()
    except WarehouseMissingError as error:
        st.info(str(error))
    except WarehouseError as error:
        st.warning(str(error))
    st.stop()


def right_aligned(*columns: str) -> dict[str, Any]:
    """``column_config`` that right-aligns the given formatted number columns."""
    return {column: st.column_config.TextColumn(alignment="right") for column in columns}


def _when(moment: dt.datetime | None) -> str:
    return "unknown" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _age(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} hours"


def show_freshness(path: Path, now: dt.datetime | None = None) -> None:
    """Sidebar: when the data was last loaded and built, and a warning when the build is stale.

    Stale means older than ``INCENTIVES_STALE_AFTER_HOURS`` (see
    :class:`orchestration.settings.Settings`). Shows nothing when there is no
    warehouse yet (the page says how to build one), and never stops the page.
    """
    if not path.is_file():
        return
    try:
        fresh = queries.freshness(path)
    except WarehouseError as error:
        st.sidebar.caption(f"Warehouse `{path.name}`: freshness unknown ({error})")
        return
    now = now or dt.datetime.now(dt.UTC)
    as_of = f", as of {fresh.as_of:%Y-%m-%d}" if fresh.as_of else ""
    st.sidebar.caption(
        f"Warehouse `{path.name}`  \n"
        f"Data last loaded: {_when(fresh.loaded_at)}  \n"
        f"Last built: {_when(fresh.built_at)}{as_of}"
    )
    max_age = Settings().stale_after_hours
    if fresh.is_stale(now, max_age):
        built = (
            "when it was last built is unknown"
            if fresh.built_at is None
            else f"it was last built {_age(now - fresh.built_at)} ago"
        )
        st.sidebar.warning(
            f"The data may be stale: {built}, and builds older than {max_age:g} hours"
            " count as stale (INCENTIVES_STALE_AFTER_HOURS). Check that the pipeline runs."
        )


DATA_QUALITY_PAGE = "pages/data_quality.py"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def show_quality_note(path: Path) -> None:
    """Sidebar: a link to the Data quality page when the newest checks warned or failed.

    Shows nothing when every expectation passed, when no outcomes are
    recorded, or when the warehouse cannot be read; never stops the page.
    """
    if not path.is_file():
        return
    try:
        quality = queries.data_quality(path)
    except WarehouseError:
        return
    if quality is None or (quality.warned == 0 and quality.failed == 0):
        return
    found = [
        _plural(count, word)
        for count, word in ((quality.failed, "failure"), (quality.warned, "warning"))
        if count
    ]
    st.sidebar.page_link(
        DATA_QUALITY_PAGE,
        label=f"Data quality: {' and '.join(found)} in the latest checks",
        icon=":material/warning:",
    )

"""Layout helpers shared by the viewer's pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

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

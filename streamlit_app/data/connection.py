"""Short-lived, read-only access to the published warehouse.

The pipeline replaces the published DuckDB file when a build passes its
checks. A reader that kept the file open would block that, so every query
opens the file read-only, runs, and closes it straight away. Speed comes from
caching query results (see :mod:`streamlit_app.data.queries`), never from
keeping a connection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.settings import Settings

logger = logging.getLogger(__name__)


class WarehouseError(Exception):
    """The published warehouse cannot answer a query; the message is shown to users."""


class WarehouseMissingError(WarehouseError):
    """No published warehouse file exists yet at the configured path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"No published warehouse at `{path}` yet — run `incentives run` or `incentives demo`."
        )


class WarehouseBusyError(WarehouseError):
    """The warehouse file is locked by a writer (for example a pipeline run)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(
            f"The warehouse at `{path}` cannot be opened right now ({reason}). "
            "Try again in a moment."
        )


class RelationMissingError(WarehouseError):
    """A table or column the viewer reads is not in the published warehouse."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(
            f"The warehouse at `{path}` does not have what this page reads ({reason}). "
            "Rebuild it with `incentives run`."
        )


def warehouse_path() -> Path:
    """Path of the published warehouse (``INCENTIVES_WAREHOUSE``)."""
    return Settings().warehouse


def file_version(path: Path) -> tuple[int, int, int]:
    """Identify one published build of ``path``: modification time, inode and size.

    Publishing replaces the file, so any of the three changes with a new build;
    cached results keyed on this show a new build as soon as it lands.
    """
    try:
        stat = path.stat()
    except FileNotFoundError as error:
        raise WarehouseMissingError(path) from error
    return stat.st_mtime_ns, stat.st_ino, stat.st_size


@contextmanager
def open_warehouse(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open ``path`` read-only for one unit of work and close it on exit."""
    if not path.is_file():
        raise WarehouseMissingError(path)
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        raise WarehouseBusyError(path, str(error).splitlines()[0]) from error
    try:
        yield connection
    finally:
        connection.close()


def fetch_frame(path: Path, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run one parameterised query on a fresh read-only connection.

    Values travel only as bound ``params`` (``$name`` placeholders); ``sql``
    is a constant of the caller. Rows come through ``fetchall`` so DECIMAL columns stay
    ``decimal.Decimal`` (pandas object columns) instead of becoming floats.
    """
    with open_warehouse(path) as connection:
        try:
            cursor = connection.execute(sql, dict(params or {}))
        except duckdb.CatalogException as error:
            raise RelationMissingError(path, str(error).splitlines()[0]) from error
        except duckdb.BinderException as error:
            raise RelationMissingError(path, str(error).splitlines()[0]) from error
        columns = [column[0] for column in cursor.description or []]
        rows = cursor.fetchall()
    logger.debug("read %d rows from %s", len(rows), path)
    return pd.DataFrame.from_records(rows, columns=columns)

"""Writing landing CSV files: UTF-8, comma separated, a header row, ``\\n`` line ends.

Small tables go through the standard ``csv`` module. Deals and splits, which
can run to tens of millions of rows, are formatted column-wise with Arrow
compute functions and streamed through Arrow's CSV writer chunk by chunk.
Every value is text by the time it is written, so the bytes depend only on the
generated integers, never on float formatting.

A file is written under a hidden temporary name (ingestion skips names that
start with a dot) and renamed into place when complete, so a pipeline watching
the landing folder never loads a half-written file.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv


def partial_path(path: Path) -> Path:
    """The hidden name a file is written under until it is complete."""
    return path.with_name(f".{path.name}.partial")


@contextmanager
def written_atomically(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it is renamed to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = partial_path(path)
    try:
        yield temporary
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


@contextmanager
def open_csv(path: Path, columns: Sequence[str]) -> Iterator[Any]:
    """Open ``path`` for writing and yield a ``csv.writer`` that already wrote the header."""
    with (
        written_atomically(path) as temporary,
        temporary.open("w", encoding="utf-8", newline="") as handle,
    ):
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        yield writer


class ArrowCsvFile:
    """A CSV file written in chunks of text columns (``Mapping[column, pa.Array]``)."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.rows = 0
        self._temporary = partial_path(path)
        self._schema = pa.schema([(name, pa.string()) for name in columns])
        self._sink = pa.OSFile(str(self._temporary), "wb")
        # Arrow quotes header names, so the header is written here, bare.
        self._sink.write((",".join(columns) + "\n").encode("utf-8"))
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        self._writer = pa_csv.CSVWriter(self._sink, self._schema, write_options=options)

    def write(self, columns: Mapping[str, pa.Array]) -> None:
        """Append rows; ``columns`` holds one string array per column, nulls written empty."""
        arrays = [columns[name] for name in self._schema.names]
        table = pa.Table.from_arrays(arrays, schema=self._schema)
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self, *, complete: bool = True) -> None:
        """Finish the file and rename it into place (or drop it when not ``complete``)."""
        self._writer.close()
        self._sink.close()
        if complete:
            os.replace(self._temporary, self.path)
        else:
            self._temporary.unlink(missing_ok=True)

    def __enter__(self) -> ArrowCsvFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close(complete=exc_type is None)


def id_text(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` followed by ``numbers`` zero-padded to ``width`` digits."""
    digits = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def timestamp_texts(seconds: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """ISO 8601 UTC text (``2025-01-31T09:30:00Z``) from seconds since the epoch.

    Arrow's cast gives ``2025-01-31 09:30:00``; the blank becomes ``T`` and a
    ``Z`` is appended (much faster than ``strftime``).
    """
    moments = pa.array(seconds, type=pa.timestamp("s"), mask=missing).cast(pa.string())
    with_t = pc.binary_replace_slice(moments, start=10, stop=11, replacement="T")
    return pc.binary_join_element_wise(with_t, "Z", "")


def date_texts(days: np.ndarray) -> pa.Array:
    """ISO dates from days since the epoch."""
    return pa.array(days.astype(np.int32), type=pa.date32()).cast(pa.string())


def money_texts(minor_units: np.ndarray, whole_units: np.ndarray | None = None) -> pa.Array:
    """Exact decimal text from integer minor units (cents): ``123456`` -> ``1234.56``.

    Rows flagged in ``whole_units`` belong to a currency without minor units
    (JPY) and are written as whole numbers.
    """
    whole = pa.array(minor_units // 100).cast(pa.string())
    cents = pc.utf8_lpad(pa.array(minor_units % 100).cast(pa.string()), width=2, padding="0")
    text = pc.binary_join_element_wise(whole, cents, ".")
    if whole_units is None or not whole_units.any():
        return text
    return pc.if_else(pa.array(whole_units), pa.array(minor_units).cast(pa.string()), text)


def lookup_texts(values: Sequence[str], indices: np.ndarray) -> pa.Array:
    """``values[i]`` for every index, as an Arrow string array."""
    return pa.array(values, type=pa.string()).take(pa.array(indices))

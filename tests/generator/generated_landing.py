"""Reading a generated landing folder in tests: its files, tables and bytes."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from orchestration.generator import GenerationSummary

N_DEALS = 3_000
SEED = 7


@dataclass(frozen=True)
class Generated:
    folder: Path
    summary: GenerationSummary


def table_files(folder: Path, table: str) -> list[Path]:
    """The files of one landing table, in load (path) order."""
    single = folder / f"{table}.csv"
    if single.exists():
        return [single]
    return sorted((folder / table).glob("*.csv"))


def read_table(folder: Path, table: str) -> list[dict[str, str]]:
    """Every row of a table, with the file it came from under ``_file``."""
    rows: list[dict[str, str]] = []
    for path in table_files(folder, table):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                row["_file"] = path.name
                rows.append(row)
    return rows


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }

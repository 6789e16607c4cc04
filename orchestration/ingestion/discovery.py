"""Finding the landing files of a table, and recognising their format.

A table arrives as one file ``<table>.<ext>`` next to the other tables, as any
number of batch files under a folder ``<table>/`` (searched recursively), or
both. Files found in one scan load in path order: their paths relative to the
landing folder, compared as plain strings, so ``deals.csv`` comes before
``deals/2026-05-01.csv``. Names starting with a dot (editor and upload
leftovers) are skipped.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from orchestration import contract

PROGRAMS_TABLE = "programs"
PROGRAMS_FILE_NAMES = ("programs.yml", "programs.yaml")

# File name suffix (lower case) -> format recorded in raw.ingest_batches.
DATA_FILE_FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".json": "jsonl",
}
PROGRAMS_FILE_FORMAT = "yaml"


def known_table_names() -> tuple[str, ...]:
    """Every table a landing folder may hold, in load order."""
    return contract.LOAD_ORDER


def file_format(path: Path) -> str:
    """The format recorded for a landing file: csv, parquet, jsonl or yaml."""
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        return PROGRAMS_FILE_FORMAT
    try:
        return DATA_FILE_FORMATS[suffix]
    except KeyError:
        raise ValueError(
            f"{path.name}: not a landing file format ({suffix or 'no suffix'})"
        ) from None


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def discover_batches(landing_dir: Path, table_name: str) -> list[Path]:
    """The landing files of one table, in the order they load.

    For a data table: ``<table>.csv``, ``.parquet``, ``.jsonl`` or ``.json`` in
    the landing folder, and every file with one of those suffixes anywhere
    under the folder ``<table>/``. Suffixes match without regard to case. For
    ``programs``: ``programs.yml`` and/or ``programs.yaml``.

    Returns absolute paths sorted by their path relative to ``landing_dir``.
    A landing folder that does not exist holds no files.
    """
    if table_name not in known_table_names():
        raise ValueError(f"unknown landing table {table_name!r}")
    root = Path(landing_dir).resolve()
    if not root.is_dir():
        return []

    found: list[Path] = []
    if table_name == PROGRAMS_TABLE:
        found = [
            entry
            for entry in root.iterdir()
            if entry.is_file() and entry.name.lower() in PROGRAMS_FILE_NAMES
        ]
    else:
        for entry in root.iterdir():
            if (
                entry.is_file()
                and entry.stem == table_name
                and entry.suffix.lower() in DATA_FILE_FORMATS
            ):
                found.append(entry)
        folder = root / table_name
        if folder.is_dir():
            found.extend(
                path
                for path in folder.rglob("*")
                if path.is_file()
                and path.suffix.lower() in DATA_FILE_FORMATS
                and not _is_hidden(path, root)
            )
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


def relative_source(path: Path, landing_dir: Path) -> str:
    """The file's path relative to the landing folder, with forward slashes."""
    root = Path(landing_dir).resolve()
    path = Path(path)
    if not path.is_absolute():
        path = Path.cwd() / path
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.resolve().relative_to(root).as_posix()


def content_hash(path: Path) -> str:
    """sha256 of the file bytes, as lower-case hex."""
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()

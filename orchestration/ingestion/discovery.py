"""Finding the landing files of a table, and recognising their format.

A table arrives as one file ``<table>.<ext>`` next to the other tables, as any
number of batch files under a folder ``<table>/`` (searched recursively), or
both. Table names match file and folder names without regard to case, as
column names do, so ``Deals.csv`` and ``DEALS/`` hold deals. Files found in
one scan load in path order: their paths relative to the landing folder,
compared as plain strings, so ``deals.csv`` comes before
``deals/2026-05-01.csv``. Names starting with a dot (editor and upload
leftovers) are skipped.

Any other file or folder is not loaded, but it is not passed over in silence
either: :func:`ignored_landing_files` gives one warning line for each
(``deals_2026-07-03.csv: not a landing table name; ignored``), so a batch
dropped in the wrong place is noticed.
"""

from __future__ import annotations

import hashlib
import os
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
            if entry.name.startswith("."):
                continue
            if (
                entry.is_file()
                and entry.stem.lower() == table_name
                and entry.suffix.lower() in DATA_FILE_FORMATS
            ):
                found.append(entry)
            elif entry.is_dir() and entry.name.lower() == table_name:
                found.extend(
                    path
                    for path in entry.rglob("*")
                    if path.is_file()
                    and path.suffix.lower() in DATA_FILE_FORMATS
                    and not _is_hidden(path, root)
                )
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


def ignored_landing_files(landing_dir: Path) -> list[str]:
    """One warning line for each file or folder of the landing folder that no table loads.

    Named by its path relative to the landing folder: a file or folder whose
    name is no table's, and a file of a table in a format that is not read
    (``deals.txt``, ``deals/readme.txt``). Hidden names are not reported.
    """
    root = Path(landing_dir).resolve()
    if not root.is_dir():
        return []
    data_tables = [name for name in known_table_names() if name != PROGRAMS_TABLE]
    warnings: list[str] = []
    for entry in sorted(root.iterdir(), key=lambda path: path.name):
        name = entry.name.lower()
        if name.startswith("."):
            continue
        if entry.is_symlink() and not entry.exists():
            warnings.append(_broken_link(entry, root))
            continue
        if entry.is_dir():
            if name not in data_tables:
                warnings.append(f"{entry.name}/: not a landing table folder; ignored")
                continue
            for path in sorted(entry.rglob("*")):
                if (
                    path.is_file()
                    and path.suffix.lower() not in DATA_FILE_FORMATS
                    and not _is_hidden(path, root)
                ):
                    warnings.append(_not_a_format(path, root))
            warnings.extend(_links_not_followed(entry, root))
        elif name in PROGRAMS_FILE_NAMES:
            continue
        elif entry.stem.lower() in (*data_tables, PROGRAMS_TABLE):
            if (
                entry.suffix.lower() not in DATA_FILE_FORMATS
                or entry.stem.lower() == PROGRAMS_TABLE
            ):
                warnings.append(_not_a_format(entry, root))
        else:
            warnings.append(f"{entry.name}: not a landing table name; ignored{_hint(name)}")
    return warnings


def _links_not_followed(folder: Path, root: Path) -> list[str]:
    """Warnings for links inside a table folder that discovery does not follow.

    A link to a folder is not searched (links can form loops), and a link to
    nothing holds no data; both would otherwise vanish without a word.
    """
    warnings: list[str] = []
    for current, folders, files in os.walk(folder):
        here = Path(current)
        if _is_hidden(here, root):
            continue
        for name in sorted(folders):
            path = here / name
            if path.is_symlink() and not name.startswith("."):
                relative = path.relative_to(root).as_posix()
                warnings.append(
                    f"{relative}/: a linked folder is not searched; ignored"
                    " (move or copy its files into the folder)"
                )
        for name in sorted(files):
            path = here / name
            if path.is_symlink() and not path.exists() and not name.startswith("."):
                warnings.append(_broken_link(path, root))
    return warnings


def _broken_link(path: Path, root: Path) -> str:
    return f"{path.relative_to(root).as_posix()}: a link to nothing; ignored"


def _not_a_format(path: Path, root: Path) -> str:
    suffix = path.suffix or "no suffix"
    return f"{path.relative_to(root).as_posix()}: not a landing file format ({suffix}); ignored"


def _hint(name: str) -> str:
    """Where a file named after a table plus a suffix (``deals_2026-07-03.csv``) belongs."""
    matches = [
        table
        for table in known_table_names()
        if table != PROGRAMS_TABLE
        and name.startswith(table)
        and name[len(table) : len(table) + 1] in ("_", "-", " ", ".")
    ]
    if not matches:
        return ""
    table = max(matches, key=len)
    return f" (batch files of {table} go in the folder {table}/)"


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

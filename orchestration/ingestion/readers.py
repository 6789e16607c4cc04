"""Reading one landing file into a temporary staging table of text columns.

DuckDB reads every format (``read_csv``, ``read_parquet``,
``read_json_objects``), so a file of ten million rows is staged without a
Python loop over its rows. Every value is staged as the text the file holds;
typing and validation happen afterwards, in SQL, where a bad value becomes a
quarantine reason instead of an error.

Record numbers: every staged row carries its 1-based record number in the
file, counted after the header. For CSV it is the number of the record, not of
the line, so a quoted value spanning two lines counts once and blank lines
do not count. For JSON it is the number of the JSON object: a ``.jsonl`` or
``.json`` file may hold one object per line or a single array of objects. For
Parquet it is the row's position in the file.

Files that are not a readable table fail their batch with one line naming the
problem (the loader prefixes the file's path):

- A file of 0 bytes fails ("the file is empty (0 bytes)"): even a table
  without rows has a header. A CSV file with a header and no records, or a
  Parquet file without rows, loads 0 rows.
- CSV and JSON text must be UTF-8, with or without a byte order mark. A file
  starting with a UTF-16 or UTF-32 byte order mark fails naming that encoding
  rather than being transcoded, so one encoding holds for every landing file;
  so does a first line holding NUL bytes (UTF-16 without a byte order mark),
  whatever its line ends. A CSV or JSON file that is really Parquet (it starts
  with ``PAR1``) fails saying so, and a CSV header starting with a second
  byte order mark fails naming it rather than as a missing first column.
  Bytes that are not UTF-8 (a cp1252 or Latin-1 export writing the ``é`` of
  ``Café`` as the single byte 0xE9) fail the file with the line they are on:
  the values would otherwise be guessed at. A cp1252 export holding only
  ASCII is UTF-8 byte for byte and loads.
- CSV is comma separated. A header holding at least as many ``;``, tabs or
  ``|`` as it has comma-separated columns (so also ``a;"b, c";d``) fails with
  a message saying the separator must be a comma; values are never re-split
  with a guessed separator.
- CSV lines end with LF or CRLF. A file mixing the two, or ending lines with a
  bare CR, fails with a message saying so.
- A CSV record with more or fewer values than the header (often an unquoted
  comma in a value such as ``1,000.00``), or an unbalanced quote, fails the
  file with the line it is on, since every later value could be shifted.
- JSON that does not parse fails with the line of the record where it breaks
  (a record cut off inside a string is named by its own line, not the next);
  a JSON file of blank lines or an empty array holds no records and fails.
- A truncated or otherwise corrupt Parquet file fails with DuckDB's message.
- Column names that are the same but for case or surrounding blanks
  (``Amount`` and ``amount``) fail the file naming both, in every format.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import duckdb

from orchestration.ingestion.schema import quote_identifier

STAGE_TABLE = "_ingest_stage"
ROW_NUMBER = "__row_number"
_JSON_RECORDS_TABLE = "_ingest_json_records"

# A run of 16 or more digits (and dots) may be a number that a 64-bit float
# cannot hold exactly; JSON records containing one are rewritten before their
# values are extracted (see _exact_json_numbers_sql).
_LONG_DIGIT_RUN = "[0-9][0-9.]{15}"


# Error message lines that start DuckDB's advice and settings dump (dropped with
# all that follows), and lines that only repeat the query or the raw record.
_ERROR_TAIL_STARTS = ("Possible", "file =")
_ERROR_NOISE_STARTS = ("*", "LINE ", "^", "Original Line")
_FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet", "jsonl": "JSON"}


# Byte order marks of encodings other than UTF-8 (UTF-32 first: its LE mark
# starts with the UTF-16 LE one).
_FOREIGN_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
# Separators recognised in a CSV header that did not split on commas.
_OTHER_SEPARATORS = {";": "';'", "\t": "tabs", "|": "'|'"}
_INVALID_UNICODE = re.compile(r"CSV Error on Line: (\d+) Invalid unicode")
_INVALID_STATE = "state machine reached an invalid state"
_MALFORMED_JSON = "Malformed JSON"
_PARQUET_MAGIC = b"PAR1"
# Bytes of a file's start searched for NUL bytes and for the end of the first line.
_FIRST_LINE_LIMIT = 1 << 16
# Largest JSON file read again in Python to find the line where it stops parsing.
_JSON_RESCAN_LIMIT = 256 << 20


class FileReadError(Exception):
    """A landing file that cannot be read as a table; the message is one line."""


@dataclass(frozen=True)
class StagedColumn:
    """One column of the file: its matching name and its staging column."""

    name: str  # trimmed, lower-cased header, the name matched against the contract
    stage_column: str  # column of the staging table holding its text


@dataclass(frozen=True)
class StagedFile:
    """A landing file staged as text: where it is and how to read it."""

    table: str
    row_number_sql: str  # expression over ``table`` giving the 1-based record number
    columns: tuple[StagedColumn, ...]
    records_sql: str = "true"  # condition over ``table`` selecting records (not the header)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def numbered_records(self) -> str:
        """A subquery of the file's records: ``__row_number`` and every stage column."""
        columns = "".join(f", {column.stage_column}" for column in self.columns)
        return (
            f"(SELECT {self.row_number_sql} AS {ROW_NUMBER}{columns} "
            f"FROM temp.{self.table} WHERE {self.records_sql})"
        )


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def one_line(message: str, limit: int = 400) -> str:
    """A DuckDB or parser error message cut down to its informative first lines."""
    kept: list[str] = []
    for raw_line in str(message).splitlines():
        line = raw_line.strip()
        if line.startswith(_ERROR_TAIL_STARTS):
            break
        if line and not line.startswith(_ERROR_NOISE_STARTS):
            kept.append(line)
    text = " ".join(kept) or str(message).strip()
    text = re.sub(r"^(Invalid Input Error|Conversion Error|IO Error|Binder Error): ", "", text)
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _match_names(original_names: list[str]) -> tuple[str, ...]:
    """Trimmed, lower-cased column names; a blank name becomes ``column_<n>``."""
    names: list[str] = []
    seen: dict[str, str] = {}
    for position, original in enumerate(original_names, start=1):
        name = original.strip().lower() or f"column_{position}"
        if name in seen:
            raise FileReadError(
                f"column {name!r} appears more than once ({seen[name]!r} and {original!r})"
            )
        seen[name] = original
        names.append(name)
    return tuple(names)


def _describe(error: Exception, path: Path) -> str:
    return one_line(str(error)).replace(str(path), path.name)


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary staging tables, if any."""
    for table in (STAGE_TABLE, _JSON_RECORDS_TABLE):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _check_required(names: tuple[str, ...], required: tuple[str, ...]) -> None:
    missing = [name for name in required if name not in names]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise FileReadError(f"missing required column{plural} {', '.join(missing)}")


def stage_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    file_format: str,
    required_columns: tuple[str, ...] = (),
) -> StagedFile:
    """Read ``path`` into the temporary table ``_ingest_stage``, every value as text.

    Raises :class:`FileReadError` when the file cannot be read as a table or
    lacks one of ``required_columns`` (checked before the rows are read when
    the format allows it).
    """
    drop_staging(con)
    readers = {"csv": _stage_csv, "parquet": _stage_parquet, "jsonl": _stage_json}
    try:
        _check_not_empty_and_encoding(Path(path), file_format)
        return readers[file_format](con, Path(path), required_columns)
    except duckdb.Error as error:
        kind = _FORMAT_NAMES.get(file_format, file_format)
        described = _describe(error, path)
        bad_unicode = _INVALID_UNICODE.search(described)
        if bad_unicode:
            raise FileReadError(
                f"not UTF-8 text (invalid byte sequence on line {bad_unicode.group(1)}); "
                "save the file as UTF-8"
            ) from error
        if file_format == "csv" and _INVALID_STATE in described and _mixes_line_ends(Path(path)):
            raise FileReadError(
                "the file mixes CRLF and LF line ends: use one kind throughout"
            ) from error
        if file_format == "jsonl" and _MALFORMED_JSON in described:
            problem = _json_syntax_problem(Path(path))
            if problem is not None:
                raise FileReadError(problem) from error
        raise FileReadError(f"cannot read as {kind}: {described}") from error
    except OSError as error:
        raise FileReadError(f"cannot open the file: {error.strerror or error}") from error


def _check_not_empty_and_encoding(path: Path, file_format: str) -> None:
    """Fail a file of 0 bytes, and a text file that declares a non-UTF-8 encoding."""
    with path.open("rb") as handle:
        start = handle.read(_FIRST_LINE_LIMIT)
    if not start:
        detail = ": no header row" if file_format == "csv" else ""
        raise FileReadError(f"the file is empty (0 bytes){detail}")
    if file_format == "parquet":
        return
    kind = _FORMAT_NAMES.get(file_format, file_format)
    if start.startswith(_PARQUET_MAGIC):
        raise FileReadError(
            f"not {kind} text: it is a Parquet file (it starts with PAR1); "
            "give it the .parquet suffix"
        )
    for mark, encoding in _FOREIGN_BYTE_ORDER_MARKS:
        if start.startswith(mark):
            raise FileReadError(
                f"encoded as {encoding} (it starts with a {encoding} byte order mark); "
                "landing files must be UTF-8 text"
            )
    # Checked before anything reads lines: UTF-16 CRLF (0D 00 0A 00) would
    # otherwise look like a bare CR line end.
    if b"\x00" in start.split(b"\n", 1)[0]:
        line = "header" if file_format == "csv" else "first line"
        raise FileReadError(
            f"the {line} holds NUL bytes: not UTF-8 text (UTF-16 without a byte order mark?)"
        )


def _mixes_line_ends(path: Path) -> bool:
    """Whether the file has both CRLF and bare LF line ends (read only when a file failed)."""
    crlf = bare_lf = False
    previous = b"\n"  # as if a line ended just before the file: a leading LF is bare
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            text = previous + chunk
            crlf = crlf or b"\r\n" in text
            bare_lf = bare_lf or re.search(rb"[^\r]\n", text) is not None
            if crlf and bare_lf:
                return True
            previous = chunk[-1:]
    return False


def _decoded_lines(handle: BinaryIO) -> Iterator[str]:
    """Lines of a binary file as UTF-8 text, without a leading byte order mark.

    Decoding line by line (rather than through a buffered text reader) means a
    bad byte is reported only when it is in the lines actually read.
    """
    for number, raw in enumerate(handle):
        yield (raw.removeprefix(codecs.BOM_UTF8) if number == 0 else raw).decode("utf-8")


def _csv_header(path: Path) -> list[str]:
    """The header record, read with Python's csv module (it may span lines)."""
    try:
        with path.open("rb") as handle:
            header = next(csv.reader(_decoded_lines(handle)), None)
    except UnicodeDecodeError as error:
        raise FileReadError(
            f"the header is not UTF-8 text (byte 0x{error.object[error.start]:02x})"
        ) from error
    except csv.Error as error:
        if "new-line character seen in unquoted field" in str(error):
            raise FileReadError(
                "the lines end with a bare carriage return (CR): CSV lines must end with LF or CRLF"
            ) from error
        raise FileReadError(f"cannot read the CSV header: {error}") from error
    if not header:
        raise FileReadError("no header row (the file is empty or starts with a blank line)")
    if any("\x00" in name for name in header):
        raise FileReadError(
            "the header holds NUL bytes: not UTF-8 text (UTF-16 without a byte order mark?)"
        )
    if header[0].startswith(codecs.BOM_UTF8.decode("utf-8")):
        raise FileReadError(
            "the header starts with a second byte order mark (U+FEFF) after the first: "
            "save the file with one at most"
        )
    for separator, label in _OTHER_SEPARATORS.items():
        # One ';' per column or more: a quoted comma may have split such a header.
        if sum(name.count(separator) for name in header) >= len(header):
            raise FileReadError(
                f"the header is separated by {label}, not by commas: the separator must be a comma"
            )
    return header


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, required: tuple[str, ...]) -> StagedFile:
    """Stage a CSV file; its header is staged too, as record 0, and checked.

    DuckDB reads the header as a record (``header = false``) because with
    ``header = true`` it can silently return no rows at all for a header it
    cannot parse; here the header it read must equal the one Python's csv
    module read, or the file fails.
    """
    header = _csv_header(path)
    names = _match_names(header)
    _check_required(names, required)
    stage_columns = [f"c{position}" for position in range(len(names))]
    columns_struct = ", ".join(f"'{column}': 'VARCHAR'" for column in stage_columns)
    con.execute(
        f"CREATE TEMP TABLE {STAGE_TABLE} AS SELECT * FROM read_csv("
        f"{sql_string(str(path))}, header = false, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, strict_mode = true, encoding = 'utf-8', "
        f"columns = {{{columns_struct}}})"
    )
    first = con.execute(f"SELECT * FROM temp.{STAGE_TABLE} WHERE rowid = 0").fetchone()
    if first is None or [value or "" for value in first] != header:
        raise FileReadError(
            "the header row could not be read consistently (is a column name quoted "
            "across several lines?)"
        )
    return StagedFile(
        table=STAGE_TABLE,
        row_number_sql="rowid",
        columns=tuple(map(StagedColumn, names, stage_columns)),
        records_sql="rowid > 0",
    )


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, required: tuple[str, ...]
) -> StagedFile:
    source = f"read_parquet({sql_string(str(path))}, file_row_number = true)"
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    original_names = [row[0] for row in described if row[0] != "file_row_number"]
    # DuckDB renames a column whose name repeats another's but for case (Amount,
    # amount -> amount_1), so the names are checked as the file spells them.
    _match_names(_parquet_column_names(con, path))
    names = _match_names(original_names)
    _check_required(names, required)
    stage_columns = [f"c{position}" for position in range(len(names))]
    selects = ", ".join(
        f"CAST({quote_identifier(original)} AS VARCHAR) AS {column}"
        for original, column in zip(original_names, stage_columns, strict=True)
    )
    con.execute(
        f"CREATE TEMP TABLE {STAGE_TABLE} AS "
        f"SELECT file_row_number + 1 AS {ROW_NUMBER}{', ' if selects else ''}{selects} "
        f"FROM {source}"
    )
    return StagedFile(
        table=STAGE_TABLE,
        row_number_sql=ROW_NUMBER,
        columns=tuple(map(StagedColumn, names, stage_columns)),
    )


def _parquet_column_names(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The top-level column names of a Parquet file, as its schema spells them.

    ``parquet_schema`` lists the schema's elements depth first, the root first,
    each with its number of children; the names of nested fields are skipped.
    """
    elements = con.execute(
        f"SELECT name, coalesce(num_children, 0) FROM parquet_schema({sql_string(str(path))})"
    ).fetchall()

    def after_subtree(index: int) -> int:
        following = index + 1
        for _child in range(elements[index][1]):
            following = after_subtree(following)
        return following

    names: list[str] = []
    index = 1
    for _column in range(elements[0][1] if elements else 0):
        names.append(elements[index][0])
        index = after_subtree(index)
    return names


def _exact_json_numbers_sql(record: str) -> str:
    """Rewrite every JSON number literal of ``record`` as a string holding its text.

    DuckDB parses JSON numbers into 64-bit floats. A number of at most 15
    significant digits survives that exactly (it is printed back as the
    shortest text that parses to the same float), so only records with a run
    of 16 or more digits are rewritten, which keeps the common case fast.

    Strings are matched first, so digits inside a string are left alone; a
    number match is wrapped in chr(1) marks and a string match gets an empty
    pair, then the empty pairs are removed and the marks become quotes (valid
    JSON never holds a raw chr(1)).
    """
    token = r'("(?:[^"\\]|\\.)*")|(-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)'
    marked = (
        f"regexp_replace({record}, {sql_string(token)}, '\\1' || chr(1) || '\\2' || chr(1), 'g')"
    )
    return f"replace(replace({marked}, chr(1) || chr(1), ''), chr(1), '\"')"


def _stage_json(
    con: duckdb.DuckDBPyConnection, path: Path, required: tuple[str, ...]
) -> StagedFile:
    con.execute(
        f"CREATE TEMP TABLE {_JSON_RECORDS_TABLE} AS "
        f"SELECT json FROM read_json_objects({sql_string(str(path))}, format = 'auto')"
    )
    (records, not_an_object) = con.execute(
        f"SELECT count(*), min(rowid) FILTER (WHERE json_type(json) <> 'OBJECT') + 1 "
        f"FROM {_JSON_RECORDS_TABLE}"
    ).fetchone() or (0, None)
    if not records:
        raise FileReadError("the file holds no JSON records (only blank lines or an empty array)")
    if not_an_object is not None:
        raise FileReadError(f"record {not_an_object} is not a JSON object")

    key_lists = con.execute(
        f"SELECT json_keys(json) AS keys, min(rowid) AS first_seen "
        f"FROM {_JSON_RECORDS_TABLE} GROUP BY ALL ORDER BY first_seen"
    ).fetchall()
    original_names: list[str] = []
    for keys, _first_seen in key_lists:
        original_names.extend(key for key in keys if key not in original_names)
    names = _match_names(original_names)
    _check_required(names, required)
    stage_columns = [f"c{position}" for position in range(len(names))]

    selects = "".join(
        f", json_extract_string(record, {sql_string(_json_path(original))}) AS {column}"
        for original, column in zip(original_names, stage_columns, strict=True)
    )
    exact = _exact_json_numbers_sql("json")
    con.execute(
        f"CREATE TEMP TABLE {STAGE_TABLE} AS "
        f"SELECT record_index + 1 AS {ROW_NUMBER}{selects} FROM ("
        f"  SELECT rowid AS record_index,"
        f"    CASE WHEN regexp_matches(json, '{_LONG_DIGIT_RUN}') THEN {exact} ELSE json END"
        f"      AS record"
        f"  FROM {_JSON_RECORDS_TABLE})"
    )
    con.execute(f"DROP TABLE {_JSON_RECORDS_TABLE}")
    return StagedFile(
        table=STAGE_TABLE,
        row_number_sql=ROW_NUMBER,
        columns=tuple(map(StagedColumn, names, stage_columns)),
    )


def _json_syntax_problem(path: Path) -> str | None:
    """Why a JSON file does not parse, and on which line: read again after DuckDB failed.

    DuckDB reports where its parser gave up, which for a record cut off inside
    a string is the next line. Records are decoded one after another from the
    whole text (one per line or pretty-printed alike), so the line named is
    the one of the record that breaks. None when the file is too large to read
    again, or parses here after all.
    """
    if path.stat().st_size > _JSON_RESCAN_LIMIT:
        return None
    content = path.read_bytes()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        return f"not UTF-8 text (invalid byte sequence on line {line}); save the file as UTF-8"
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position == len(text):
            return None
        start = position
        try:
            _record, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            start_line = text.count("\n", 0, start) + 1
            if error.msg.startswith("Invalid control character") and text[error.pos] in "\r\n":
                return (
                    f"not valid JSON: line {error.lineno}: a string is not closed at the end "
                    "of the line (a truncated record?)"
                )
            if error.pos >= len(text.rstrip()):
                return (
                    f"not valid JSON: line {start_line}: the record starting there is cut off "
                    "at the end of the file (truncated?)"
                )
            if error.lineno > start_line:
                return (
                    f"not valid JSON: line {start_line}: the record starting there is not "
                    f"complete ({error.msg} on line {error.lineno}, column {error.colno})"
                )
            return f"not valid JSON: line {error.lineno}: {error.msg} (column {error.colno})"


def _json_path(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'$."{escaped}"'

"""The bad-input corpus: every case folder under ``corpus/`` loads as its outcome.yml says.

Each case is copied into a fresh landing folder and run through
``ingest_landing`` on a fresh warehouse; a case with several scans adds the
files of ``scan<N>/`` before scan N. The test checks every batch of every scan
exactly (status, counts, quarantined row numbers and reasons, the one-line
error of a failed file; the share of quarantined rows that rejects a batch
whole applies only where the outcome sets ``max_quarantine_share``), the SQL
checks of the outcome, and for every batch that rows read = rows loaded + rows
quarantined, with the loaded and quarantined rows really in raw, and the
warning lines for files that no table loads. See ``corpus/README.md``.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from orchestration import contract
from orchestration.ingestion import BatchResult, ignored_landing_files, ingest_landing
from orchestration.ingestion.schema import qualified

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(path for path in CORPUS.iterdir() if path.is_dir() and path.name[:2].isdigit())
OUTCOME = "outcome.yml"
SKIPPED = "skipped"
# The corpus shows row-level reasons in files of a few rows, most of them bad, so a
# case loads without the share above which a batch is rejected whole unless it sets one.
WHOLE_BATCH = 1.0
STATUSES = ("loaded", "failed", "rejected", "duplicate", SKIPPED)


def _outcome(case: Path) -> dict[str, Any]:
    return yaml.safe_load((case / OUTCOME).read_text(encoding="utf-8"))


def _is_scan_folder(relative: Path) -> bool:
    first = relative.parts[0]
    return first.startswith("scan") and first[4:].isdigit()


def _case_files(case: Path) -> dict[str, Path]:
    """Landing path -> file in the case folder, for every file of every scan."""
    files: dict[str, Path] = {}
    for path in sorted(case.rglob("*")):
        relative = path.relative_to(case)
        if not path.is_file() or relative.as_posix() == OUTCOME:
            continue
        landing_path = Path(*relative.parts[1:]) if _is_scan_folder(relative) else relative
        files[landing_path.as_posix()] = path
    return files


def _copy_scan_files(case: Path, landing: Path, scan_number: int) -> None:
    """Copy the files a scan adds: the case folder's own files for scan 1, else scan<N>/."""
    if scan_number == 1:
        for path in case.iterdir():
            if path.name == OUTCOME or (path.is_dir() and _is_scan_folder(Path(path.name))):
                continue
            if path.is_dir():
                shutil.copytree(path, landing / path.name, dirs_exist_ok=True)
            else:
                shutil.copyfile(path, landing / path.name)
        return
    folder = case / f"scan{scan_number}"
    if folder.is_dir():
        shutil.copytree(folder, landing, dirs_exist_ok=True)


def _check_batch(con: duckdb.DuckDBPyConnection, result: BatchResult, expected: dict) -> None:
    where = f"{expected['file']} (batch {result.batch_id})"
    assert result.status == expected["status"], f"{where}: {result.error_message}"
    counts = (result.rows_read, result.rows_loaded, result.rows_quarantined)
    wanted = (expected["rows_read"], expected["rows_loaded"], expected["rows_quarantined"])
    assert counts == wanted, where
    if result.status in ("failed", "rejected"):
        message = result.error_message or ""
        assert message.startswith(f"{expected['file']}: "), message
        assert "\n" not in message
        assert expected["error"] in message, message
    else:
        assert result.error_message is None
        assert "error" not in expected
    quarantined = con.execute(
        f"SELECT row_number, reason FROM {qualified('quarantine')} "
        "WHERE batch_id = ? ORDER BY row_number",
        [result.batch_id],
    ).fetchall()
    wanted_rows = expected.get("quarantined", [])
    assert [number for number, _ in quarantined] == [row["row_number"] for row in wanted_rows], (
        where
    )
    for (number, reason), row in zip(quarantined, wanted_rows, strict=True):
        assert row["reason"] in reason, f"{where}, row {number}: {reason}"


def _check_every_batch_reconciles(con: duckdb.DuckDBPyConnection) -> None:
    """rows read = loaded + quarantined, and those rows are in raw and in quarantine."""
    batches = con.execute(
        f"SELECT batch_id, table_name, status, rows_read, rows_loaded, rows_quarantined "
        f"FROM {qualified('ingest_batches')} ORDER BY batch_id"
    ).fetchall()
    for batch_id, table_name, status, read, loaded, quarantined in batches:
        assert read == loaded + quarantined, batch_id
        raw_table = "program_versions" if table_name == "programs" else table_name
        (in_raw,) = con.execute(
            f"SELECT count(*) FROM {qualified(raw_table)} WHERE _batch_id = ?", [batch_id]
        ).fetchone()
        (held,) = con.execute(
            f"SELECT count(*) FROM {qualified('quarantine')} WHERE batch_id = ?", [batch_id]
        ).fetchone()
        assert (in_raw, held) == (loaded, quarantined), batch_id
        if status not in ("loaded", "rejected"):
            assert read == 0, batch_id
        if status == "rejected":
            assert (read, loaded) == (quarantined, 0), batch_id


def _csv_record_count(path: Path) -> int:
    """Records after the header, as Python's csv module reads the file (blank lines skipped)."""
    text = path.read_bytes().decode("utf-8-sig")
    records = [record for record in csv.reader(io.StringIO(text, newline="")) if record]
    return max(len(records) - 1, 0)


def _as_text(value: object) -> str:
    return str(value)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_corpus_case_has_its_outcome(case: Path, tmp_path: Path) -> None:
    outcome = _outcome(case)
    files = _case_files(case)
    landing = tmp_path / "landing"
    landing.mkdir()
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        for scan_number, scan in enumerate(outcome["scans"], start=1):
            _copy_scan_files(case, landing, scan_number)
            assert ignored_landing_files(landing) == scan.get("ignored", []), f"scan {scan_number}"
            results = ingest_landing(
                con,
                landing,
                max_quarantine_share=outcome.get("max_quarantine_share", WHOLE_BATCH),
            )
            expected = [entry for entry in scan["files"] if entry["status"] != SKIPPED]
            assert [r.source_file for r in results] == [entry["file"] for entry in expected], (
                f"scan {scan_number}"
            )
            for result, entry in zip(results, expected, strict=True):
                _check_batch(con, result, entry)
                if result.status == "loaded" and entry["file"].lower().endswith(".csv"):
                    assert result.rows_read == _csv_record_count(files[entry["file"]])
            for entry in scan["files"]:
                assert entry["file"] in files, f"{entry['file']} is not a file of the case"
            _check_every_batch_reconciles(con)
        for check in outcome.get("checks", []):
            got = [
                [_as_text(value) for value in row] for row in con.execute(check["sql"]).fetchall()
            ]
            assert got == check["rows"], check["sql"]
    finally:
        con.close()


def test_corpus_is_complete() -> None:
    """At least 40 cases, each described, and every file's fate stated in some scan."""
    assert len(CASES) >= 40
    for case in CASES:
        outcome = _outcome(case)
        assert outcome["description"].strip(), case.name
        named = {entry["file"] for scan in outcome["scans"] for entry in scan["files"]}
        assert set(_case_files(case)) == named, case.name
        for scan in outcome["scans"]:
            for entry in scan["files"]:
                assert entry["status"] in STATUSES, case.name
                if entry["status"] != SKIPPED:
                    assert entry["rows_read"] == entry["rows_loaded"] + entry["rows_quarantined"]
                    if entry["rows_read"] or entry["status"] != "rejected":
                        # A re-reported rejected batch lists the rows its first report held.
                        assert len(entry.get("quarantined", [])) == entry["rows_quarantined"]


def test_corpus_tables_are_contract_tables() -> None:
    """Every landing file of the corpus belongs to a table of the contract, is hidden, or
    is named in a warning line of its case."""
    tables = set(contract.LOAD_ORDER)
    for case in CASES:
        warnings = [line for scan in _outcome(case)["scans"] for line in scan.get("ignored", [])]
        for name in _case_files(case):
            first = Path(name).parts[0]
            stem = Path(first).stem if len(Path(name).parts) == 1 else first
            reported = any(line.startswith((f"{name}: ", f"{first}/: ")) for line in warnings)
            assert stem.lower() in tables or first.startswith(".") or reported, (
                f"{case.name}: {name}"
            )

"""The reliability report, on a stand-in run process that takes a second or two."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orchestration import reliability
from orchestration.cli import app
from orchestration.reliability import ReliabilityReport, run_corpus, run_reliability

FAKE_RUN = Path(__file__).with_name("fake_pipeline_run.py")
AS_OF = dt.date(2026, 6, 30)


def fake_command(*extra: str) -> reliability.RunCommand:
    def command(landing: Path, warehouse: Path, as_of: dt.date, lock_timeout: float) -> list[str]:
        del as_of
        return [sys.executable, str(FAKE_RUN), str(landing), str(warehouse), str(lock_timeout)]

    return lambda *args: [*command(*args), *extra]


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing" / "deals"
    folder.mkdir(parents=True)
    (folder / "2026-06-01.csv").write_text("deal_id\nD1\nD2\n-\n")
    (folder / "2026-06-02.csv").write_text("deal_id\nD3\nD1\n")
    (folder / "2026-06-03.csv").write_text("deal_id\nD4\n")
    return folder.parent


def test_a_reduced_report_finds_every_promise_kept(landing: Path, tmp_path: Path) -> None:
    report = run_reliability(
        [landing],
        tmp_path / "work",
        as_of=AS_OF,
        repeats=1,
        kill_after=(0.6,),
        readers=2,
        max_seconds=50,
        run_timeout=30,
        run_command=fake_command(),
    )

    assert report.ok, report.lines()
    assert (report.inputs_tried, report.files_tried) == (1, 3)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (6, 5, 1)
    assert report.rows_lost == 0
    assert report.repeated_runs_identical == report.repeated_runs == 1
    assert report.concurrent_pairs_ok == report.concurrent_pairs == 1
    assert report.killed_runs_recovered == report.killed_runs == 1
    assert report.reads_served > 0 and report.read_errors == 0
    # clean, repeat, two concurrent, killed, rerun
    assert report.runs == 6
    lines = report.lines()
    assert "rows lost: 0" in lines and "read errors: 0" in lines
    assert lines[-1] == "result: OK"


def test_rows_that_go_missing_fail_the_report(landing: Path, tmp_path: Path) -> None:
    report = run_reliability(
        [landing],
        tmp_path / "work",
        as_of=AS_OF,
        repeats=0,
        kill_after=(),
        concurrent=False,
        max_seconds=30,
        run_timeout=30,
        run_command=fake_command("--lose-rows"),
    )

    assert report.rows_lost == 3  # one per batch
    assert not report.ok
    assert report.lines()[-1] == "result: FAILED"


def test_a_spent_time_budget_skips_the_remaining_phases(landing: Path, tmp_path: Path) -> None:
    report = run_reliability(
        [landing],
        tmp_path / "work",
        as_of=AS_OF,
        repeats=2,
        kill_after=(0.5,),
        max_seconds=0,
        run_timeout=30,
        run_command=fake_command(),
    )

    assert report.runs == 1  # only the clean run
    assert len(report.skipped) == 3
    assert report.ok


def test_the_command_prints_the_report_and_fails_when_a_promise_breaks(
    landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[Path], dict[str, object]]] = []

    def fake_run(landings: list[Path], workdir: Path, **options: object) -> ReliabilityReport:
        calls.append((landings, options))
        return ReliabilityReport(inputs_tried=1, read_errors=len(calls) - 1)

    monkeypatch.setattr(reliability, "run_reliability", fake_run)
    arguments = ["reliability", "--landing", str(landing), "--workdir", str(tmp_path / "w")]
    arguments += ["--as-of", "2026-06-30", "--kill-after", "2"]

    passed = CliRunner().invoke(app, arguments)
    failed = CliRunner().invoke(app, arguments)

    assert passed.exit_code == 0, passed.output
    assert "rows lost: 0" in passed.stdout and "result: OK" in passed.stdout
    assert failed.exit_code == 1 and "read errors: 1" in failed.stdout
    [landings, options] = calls[0]
    assert landings == [landing.resolve()]
    assert options["as_of"] == AS_OF and options["kill_after"] == [2.0]


CORPUS = Path(__file__).resolve().parents[1] / "ingestion" / "corpus"
CORPUS_CASES = ("01-bom-crlf", "45-same-content-under-another-name")


def test_corpus_cases_are_ingested_scan_by_scan_and_every_row_accounted(tmp_path: Path) -> None:
    if not all((CORPUS / case).is_dir() for case in CORPUS_CASES):
        pytest.skip("the bad-input corpus is not there")
    corpus = tmp_path / "corpus"
    for case in CORPUS_CASES:
        shutil.copytree(CORPUS / case, corpus / case)
    (corpus / "99-not-text").mkdir()
    (corpus / "99-not-text" / "deals.csv").write_bytes(b"\x00\x01\x02")
    report = ReliabilityReport()

    run_corpus(corpus, tmp_path / "work", report)

    assert report.problems == []
    assert report.inputs_tried == 3
    assert report.rows_read > 0 and report.rows_lost == 0
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    # the second scan of case 45 loaded a copy under another name: nothing new
    assert (tmp_path / "work" / "45-same-content-under-another-name" / "landing").is_dir()

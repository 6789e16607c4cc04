"""A run killed with SIGKILL at any moment, then rerun, publishes the same marts as a clean run.

The killed runs are real ``incentives run`` processes on a copy of golden
case 01, killed while starting, while ingesting and while dbt builds. The
rerun after them must finish, and every public mart must hold exactly the
rows of the session's clean run (compared sorted, row by row). Running the
same landing folder once more must change nothing.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from pipeline_cases import AS_OF, CASE_LANDING, PublishedRun, copy_landing, settings_for

from orchestration.publish import (
    WarehouseLockedError,
    hold_build_lock,
    publish_warehouse,
    wait_until_build_file_is_free,
)
from orchestration.reliability import mart_contents
from orchestration.settings import PROJECT_ROOT, Settings

RUN_TIMEOUT_SECONDS = 240.0


class RunProcess:
    """``incentives run`` in its own process (and session), its output read line by line."""

    def __init__(self, settings: Settings) -> None:
        command = [sys.executable, "-m", "orchestration.cli", "run"]
        command += ["--landing", str(settings.landing_dir)]
        command += ["--warehouse", str(settings.warehouse), "--as-of", AS_OF.isoformat()]
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, marker: str, timeout: float = RUN_TIMEOUT_SECONDS) -> None:
        """Block until a line containing ``marker`` is printed; fail if the run ends first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                pytest.fail(f"the run ended before {marker!r}:\n{''.join(self.output)}")
            self.output.append(line)
            if marker in line:
                return
        pytest.fail(f"no {marker!r} within {timeout:g} s:\n{''.join(self.output)}")

    def kill(self) -> None:
        """SIGKILL the run's own process only, as ``kill -9 <pid>`` would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def finish(self) -> int:
        """Wait for the run to end; its exit code."""
        code = self.process.wait(timeout=RUN_TIMEOUT_SECONDS)
        while (line := self.lines.get(timeout=30)) is not None:
            self.output.append(line)
        return code

    def reap(self) -> None:
        """End whatever the run left behind in its session (a dbt child, for instance)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=30)


@pytest.fixture
def runs() -> Iterator[list[RunProcess]]:
    """Started runs; any process they leave behind is ended after the test."""
    started: list[RunProcess] = []
    yield started
    for run in started:
        run.reap()


def _start(settings: Settings, runs: list[RunProcess]) -> RunProcess:
    run = RunProcess(settings)
    runs.append(run)
    return run


def _kill_after_seconds(run: RunProcess, seconds: float) -> None:
    time.sleep(seconds)
    run.kill()


def _kill_at(run: RunProcess, marker: str, delay: float = 0.0) -> None:
    run.wait_for(marker)
    time.sleep(delay)
    run.kill()


def test_killed_runs_recover_to_the_marts_of_a_clean_run(
    published_run: PublishedRun, runs: list[RunProcess], tmp_path: Path
) -> None:
    assert published_run.exit_code == 0, published_run.stderr
    clean = mart_contents(published_run.settings.warehouse)
    settings = settings_for(tmp_path, copy_landing(CASE_LANDING, tmp_path / "landing"))

    kills = [
        lambda run: _kill_after_seconds(run, 1.0),  # while starting
        lambda run: _kill_at(run, "ingest_landing - programs:"),  # while ingesting
        lambda run: _kill_at(run, "dbt build into", 2.0),  # early in dbt
        lambda run: _kill_at(run, "START sql table model", 1.0),  # while dbt builds tables
    ]
    for kill in kills:
        run = _start(settings, runs)
        kill(run)
        assert run.process.returncode == -signal.SIGKILL
        # The lock dies with its holder.
        with hold_build_lock(settings.build_path, timeout=5):
            pass

    rerun = _start(settings, runs)
    assert rerun.finish() == 0, "".join(rerun.output)
    assert mart_contents(settings.warehouse) == clean

    # Loading everything again changes nothing.
    again = _start(settings, runs)
    assert again.finish() == 0, "".join(again.output)
    assert mart_contents(settings.warehouse) == clean
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        statuses = con.execute(
            "select status, count(*) from main.ingest_batches group by status"
        ).fetchall()
        runs_loaded = con.execute(
            "select batches_loaded from main.pipeline_runs order by published_at"
        ).fetchall()
    finally:
        con.close()
    files = sum(1 for path in CASE_LANDING.rglob("*") if path.is_file())
    assert statuses == [("loaded", files)]
    # The rerun after the kills published once, the last run loaded nothing new.
    assert len(runs_loaded) == 2 and runs_loaded[-1] == (0,)
    leftovers = [p.name for p in settings.warehouse.parent.iterdir() if p.suffix == ".publishing"]
    assert leftovers == []


def test_a_half_copied_publish_file_is_harmless_and_cleaned_up(tmp_path: Path) -> None:
    build = tmp_path / "incentives.build.duckdb"
    published = tmp_path / "incentives.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create table main.numbers as select range as n from range(3)")
    publish_warehouse(build, published)
    # What a publish killed in the middle of its copy leaves behind.
    half = tmp_path / f".{published.name}.k1ll3d.publishing"
    half.write_bytes(build.read_bytes()[:4096])

    with duckdb.connect(str(published), read_only=True) as reader:
        assert reader.execute("select count(*) from main.numbers").fetchone() == (3,)
    publish_warehouse(build, published)

    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    with duckdb.connect(str(published), read_only=True) as reader:
        assert reader.execute("select count(*) from main.numbers").fetchone() == (3,)


def test_a_run_waits_for_a_process_left_with_the_build_file_open(tmp_path: Path) -> None:
    build = tmp_path / "incentives.build.duckdb"
    duckdb.connect(str(build)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb; con = duckdb.connect(sys.argv[1]);"
            " print('open', flush=True); time.sleep(float(sys.argv[2]))",
            str(build),
            "1.5",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(WarehouseLockedError, match="still open in another process"):
            wait_until_build_file_is_free(build, timeout=0.2, poll=0.1)
        started = time.monotonic()
        wait_until_build_file_is_free(build, timeout=30, poll=0.1)
        assert time.monotonic() - started < 30
        assert holder.wait(timeout=30) == 0
    finally:
        holder.kill()
        holder.wait()

"""The reliability report: repeated, concurrent and killed runs while readers query the warehouse.

:func:`run_reliability` drives real ``incentives run`` processes on one or
more landing folders and checks what the project promises:

- every landing folder runs once cleanly, then again ``repeats`` times on the
  same warehouse: the marts must not change (compared sorted, row by row);
- two runs start at once: one runs, the other waits for the lock or exits
  with the lock message;
- a run is killed with SIGKILL at each of ``kill_after`` seconds, then rerun:
  the marts must equal the clean run's;
- every row read is loaded or quarantined (``raw.ingest_batches`` against the
  raw tables and the quarantine), so rows lost must be 0;
- reader threads open the published warehouse read-only and query it in a
  loop during all the runs: read errors must be 0;
- optionally, every case of a bad-input corpus (one folder per case, its
  files loaded in scans: the case's own files, then ``scan2/``, ``scan3/``...)
  is ingested into a fresh warehouse in this process, and its rows accounted
  for the same way (:func:`run_corpus`).

Every loop is bounded in count and time (``max_seconds``, ``run_timeout``);
phases that no longer fit in the time budget are skipped and reported.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb

from orchestration.contract import LANDING_TABLES, RAW_SCHEMA
from orchestration.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

# Public marts compared between runs, and the columns that name a batch.
COMPARED_MARTS: tuple[str, ...] = (
    "dim_partners",
    "fct_incentive_earnings",
    "fct_deal_log",
    "mart_partner_attainment",
    "mart_partner_earnings",
    "mart_partner_mdf",
    "mart_program_performance",
    "quarantine",
)
BATCH_COLUMNS = frozenset({"batch_id", "loaded_at"})
# What a reader asks the published warehouse, over and over.
READER_QUERY = "select count(*) from main.mart_partner_attainment"
LOCK_MESSAGE = "another run holds"
# Runs one after the other still wait for a dbt process that a killed run left behind.
SEQUENTIAL_LOCK_TIMEOUT = 300.0

RunCommand = Callable[[Path, Path, dt.date, float], list[str]]
"""Builds the command of one run from (landing folder, warehouse, as-of date, lock timeout)."""

MartContents = dict[str, list[tuple[object, ...]]]


def incentives_run_command(
    landing: Path, warehouse: Path, as_of: dt.date, lock_timeout: float
) -> list[str]:
    """``incentives run`` in a fresh Python process."""
    return [
        sys.executable,
        "-m",
        "orchestration.cli",
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        "--as-of",
        as_of.isoformat(),
        "--lock-timeout",
        f"{lock_timeout:g}",
    ]


@dataclasses.dataclass
class ReliabilityReport:
    """What the reliability runs tried and found."""

    inputs_tried: int = 0  # landing folders
    files_tried: int = 0  # landing files in them
    runs: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_lost: int = 0
    repeated_runs: int = 0
    repeated_runs_identical: int = 0
    concurrent_pairs: int = 0
    concurrent_pairs_ok: int = 0
    killed_runs: int = 0
    killed_runs_recovered: int = 0
    reads_served: int = 0
    read_errors: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)
    skipped: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was lost, every check held and no read failed."""
        return (
            not self.problems
            and self.rows_lost == 0
            and self.read_errors == 0
            and self.killed_runs_recovered == self.killed_runs
            and self.repeated_runs_identical == self.repeated_runs
            and self.concurrent_pairs_ok == self.concurrent_pairs
        )

    def lines(self) -> list[str]:
        """The report, one figure a line."""
        lines = [
            f"inputs tried: {self.inputs_tried} landing folders and corpus cases,"
            f" {self.files_tried} files, {self.runs} pipeline runs",
            f"rows read: {self.rows_read:,}; loaded: {self.rows_loaded:,}",
            f"rows quarantined: {self.rows_quarantined:,}",
            f"rows lost: {self.rows_lost:,}",
            f"repeated runs with identical marts: {self.repeated_runs_identical}"
            f" of {self.repeated_runs}",
            f"concurrent starts handled (one ran, the other waited or exited with the lock"
            f" message): {self.concurrent_pairs_ok} of {self.concurrent_pairs}",
            f"killed runs recovered: {self.killed_runs_recovered} of {self.killed_runs}",
            f"reads served during runs: {self.reads_served:,}",
            f"read errors: {self.read_errors:,}",
        ]
        lines += [f"skipped: {line}" for line in self.skipped]
        lines += [f"problem: {line}" for line in self.problems]
        lines.append("result: " + ("OK" if self.ok else "FAILED"))
        return lines


def mart_contents(warehouse: Path) -> MartContents:
    """Every compared mart present in ``warehouse``, without batch columns, sorted."""
    contents: MartContents = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        present = {
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main'"
                " and database_name = current_database()"
            ).fetchall()
        }
        for mart in COMPARED_MARTS:
            if mart not in present:
                continue
            columns = [
                row[0]
                for row in con.execute(f'describe main."{mart}"').fetchall()
                if row[0] not in BATCH_COLUMNS
            ]
            select = ", ".join(f'"{column}"' for column in columns)
            query = f'select {select} from main."{mart}" order by all'
            contents[mart] = con.execute(query).fetchall()
    finally:
        con.close()
    return contents


def _differences(expected: MartContents, actual: MartContents) -> list[str]:
    return [
        mart
        for mart in sorted(set(expected) | set(actual))
        if expected.get(mart) != actual.get(mart)
    ]


@dataclasses.dataclass(frozen=True)
class RowAccount:
    """Rows read, loaded and quarantined per the batch registry, and the rows that went missing."""

    read: int
    loaded: int
    quarantined: int
    lost: int
    mismatches: tuple[str, ...] = ()


def account_rows(build_warehouse: Path) -> RowAccount:
    """Reconcile ``raw.ingest_batches`` with the rows actually in the raw tables and quarantine.

    Per landing table, the rows read by its loaded batches must all be in
    ``raw.<table>`` or in ``raw.quarantine``; rows lost is the sum of the
    differences. A table without a tabular raw table (``programs``) is taken
    at the registry's word. ``mismatches`` names the tables whose registry
    counts disagree with the rows found.
    """
    read = loaded = quarantined = lost = 0
    mismatches: list[str] = []
    con = duckdb.connect(str(build_warehouse), read_only=True)
    try:
        tables = {
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = ?"
                " and database_name = current_database()",
                [RAW_SCHEMA],
            ).fetchall()
        }
        registry = con.execute(
            "select table_name, sum(rows_read), sum(rows_loaded), sum(rows_quarantined)"
            f" from {RAW_SCHEMA}.ingest_batches where status = 'loaded'"
            " group by table_name order by table_name"
        ).fetchall()
        for table_name, rows_read, claimed_loaded, claimed_quarantined in registry:
            found_loaded, found_quarantined = int(claimed_loaded), int(claimed_quarantined)
            if table_name in LANDING_TABLES and table_name in tables:
                (found_loaded,) = con.execute(
                    f'select count(*) from {RAW_SCHEMA}."{table_name}"'
                ).fetchone()
            if "quarantine" in tables:
                (found_quarantined,) = con.execute(
                    f"select count(*) from {RAW_SCHEMA}.quarantine as q"
                    f" join {RAW_SCHEMA}.ingest_batches as b using (batch_id)"
                    " where b.status = 'loaded' and b.table_name = ?",
                    [table_name],
                ).fetchone()
            read += int(rows_read)
            loaded += int(found_loaded)
            quarantined += int(found_quarantined)
            lost += abs(int(rows_read) - found_loaded - found_quarantined)
            if (found_loaded, found_quarantined) != (claimed_loaded, claimed_quarantined):
                mismatches.append(
                    f"{table_name}: registry says {claimed_loaded} loaded and"
                    f" {claimed_quarantined} quarantined, found {found_loaded} and"
                    f" {found_quarantined}"
                )
    finally:
        con.close()
    return RowAccount(read, loaded, quarantined, lost, tuple(mismatches))


class Readers:
    """Threads that open a published warehouse read-only and query it in a loop."""

    def __init__(
        self, warehouse: Path, *, threads: int = 1, pause: float = 0.05, max_reads: int = 100_000
    ) -> None:
        self.warehouse = warehouse
        self.pause = pause
        self.max_reads = max_reads
        self.served = 0
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(threads)]

    def set_warehouse(self, warehouse: Path) -> None:
        """Read another published file from now on."""
        with self._lock:
            self.warehouse = warehouse

    def _read_once(self) -> None:
        with self._lock:
            path = self.warehouse
        if not path.is_file():
            return  # nothing published yet: nothing to read, not an error
        try:
            con = duckdb.connect(str(path), read_only=True)
            try:
                con.execute(READER_QUERY).fetchone()
            finally:
                con.close()
        except duckdb.Error as exc:
            with self._lock:
                self.errors.append(f"{path}: {str(exc).splitlines()[0]}")
        else:
            with self._lock:
                self.served += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if self.served + len(self.errors) >= self.max_reads:
                    return
            self._read_once()
            self._stop.wait(self.pause)

    def __enter__(self) -> Readers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


@dataclasses.dataclass(frozen=True)
class RunOutcome:
    """How one run process ended."""

    returncode: int
    output: str


@dataclasses.dataclass(frozen=True)
class _Started:
    """A started run process and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log: Path


class _Runner:
    """Starts run processes, each in its own session, and reaps what they leave behind.

    Output goes to a log file per run, never to a pipe that could fill up and
    stall a run nobody reads.
    """

    def __init__(self, command: RunCommand, as_of: dt.date, run_timeout: float, logs: Path) -> None:
        self.command = command
        self.as_of = as_of
        self.run_timeout = run_timeout
        self.logs = logs
        self.started = 0

    def start(self, landing: Path, warehouse: Path, lock_timeout: float) -> _Started:
        self.started += 1
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"run-{self.started:03d}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                self.command(landing, warehouse, self.as_of, lock_timeout),
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return _Started(process, log)

    def finish(self, started: _Started) -> RunOutcome:
        try:
            returncode = started.process.wait(timeout=self.run_timeout)
        except subprocess.TimeoutExpired:
            self.reap(started)
            returncode = -signal.SIGKILL
        output = started.log.read_text(encoding="utf-8", errors="replace")
        return RunOutcome(returncode, output)

    def run(self, landing: Path, warehouse: Path, lock_timeout: float) -> RunOutcome:
        return self.finish(self.start(landing, warehouse, lock_timeout))

    @staticmethod
    def reap(started: _Started) -> None:
        """SIGKILL the run's whole session (the run and any dbt it started)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(started.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            started.process.wait(timeout=30)


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])


def _files(landing: Path) -> int:
    return sum(1 for path in landing.rglob("*") if path.is_file() and not path.name.startswith("."))


@contextlib.contextmanager
def _budget(report: ReliabilityReport, deadline: float, phase: str) -> Iterator[bool]:
    """Yields whether ``phase`` still fits in the time budget (and notes it when it does not)."""
    fits = time.monotonic() < deadline
    if not fits:
        report.skipped.append(f"{phase} (time budget spent)")
    yield fits


def run_reliability(
    landings: Sequence[Path],
    workdir: Path,
    *,
    as_of: dt.date,
    repeats: int = 2,
    kill_after: Sequence[float] = (3.0, 12.0),
    concurrent: bool = True,
    readers: int = 1,
    max_seconds: float = 1800.0,
    run_timeout: float = 600.0,
    concurrent_lock_timeout: float = 2.0,
    run_command: RunCommand = incentives_run_command,
    corpus: Path | None = None,
) -> ReliabilityReport:
    """Run each landing folder cleanly, repeatedly, concurrently and killed; report the outcome.

    Each landing folder gets its own warehouses under ``workdir`` (emptied
    first). ``kill_after`` lists the seconds after which a run is killed
    with SIGKILL (one killed run each, each followed by a rerun). ``corpus``
    names a bad-input corpus to ingest as well (see :func:`run_corpus`).
    """
    report = ReliabilityReport()
    deadline = time.monotonic() + max_seconds
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    runner = _Runner(run_command, as_of, run_timeout, workdir / "logs")
    with Readers(workdir / "none.duckdb", threads=readers) as reading:
        for index, landing in enumerate(landings):
            root = workdir / f"{index:02d}-{landing.name}"
            report.inputs_tried += 1
            report.files_tried += _files(landing)
            _exercise(
                landing,
                root,
                report,
                runner,
                reading,
                deadline,
                repeats=repeats,
                kill_after=kill_after,
                concurrent=concurrent,
                concurrent_lock_timeout=concurrent_lock_timeout,
            )
    if corpus is not None:
        run_corpus(corpus, workdir / "corpus", report, deadline=deadline)
    report.runs = runner.started
    report.reads_served = reading.served
    report.read_errors = len(reading.errors)
    report.problems += [f"read error: {error}" for error in reading.errors[:5]]
    return report


def _exercise(
    landing: Path,
    root: Path,
    report: ReliabilityReport,
    runner: _Runner,
    reading: Readers,
    deadline: float,
    *,
    repeats: int,
    kill_after: Sequence[float],
    concurrent: bool,
    concurrent_lock_timeout: float,
) -> None:
    """The clean, repeated, concurrent and killed runs of one landing folder."""
    clean = root / "clean" / "incentives.duckdb"
    reading.set_warehouse(clean)
    first = runner.run(landing, clean, SEQUENTIAL_LOCK_TIMEOUT)
    expected = mart_contents(clean) if clean.is_file() else None
    if first.returncode != 0:
        # A landing folder that must fail: what was served stays as it was (here: nothing).
        logger.info(
            "%s: the clean run exited %s: %s", landing, first.returncode, _tail(first.output)
        )
    for attempt in range(repeats):
        with _budget(report, deadline, f"{landing.name}: repeated run {attempt + 1}") as fits:
            if not fits:
                break
            outcome = runner.run(landing, clean, SEQUENTIAL_LOCK_TIMEOUT)
            report.repeated_runs += 1
            same_exit = outcome.returncode == first.returncode
            actual = mart_contents(clean) if clean.is_file() else None
            if same_exit and actual == expected:
                report.repeated_runs_identical += 1
            else:
                changed = _differences(expected or {}, actual or {})
                report.problems.append(
                    f"{landing.name}: repeated run {attempt + 1} exited {outcome.returncode}"
                    f" (first {first.returncode}); marts that changed: {changed or 'none'}"
                )
    if concurrent:
        with _budget(report, deadline, f"{landing.name}: concurrent runs") as fits:
            if fits:
                _concurrent_pair(landing, clean, report, runner, concurrent_lock_timeout)
    warehouses = [clean]
    for seconds in kill_after:
        with _budget(report, deadline, f"{landing.name}: run killed after {seconds:g} s") as fits:
            if not fits:
                break
            killed = root / f"killed-{seconds:g}s" / "incentives.duckdb"
            warehouses.append(killed)
            reading.set_warehouse(killed)
            _killed_run(landing, killed, seconds, expected, first.returncode, report, runner)
            reading.set_warehouse(clean)
    for warehouse in warehouses:
        build = warehouse.with_name(warehouse.stem + ".build" + warehouse.suffix)
        if not build.is_file():
            continue
        account = account_rows(build)
        if warehouse == clean:  # the other warehouses loaded the same files again
            report.rows_read += account.read
            report.rows_loaded += account.loaded
            report.rows_quarantined += account.quarantined
        report.rows_lost += account.lost
        if account.lost:
            report.problems.append(f"{landing.name}: {account.lost} rows lost in {build}")
        report.problems += [f"{landing.name}: {line}" for line in account.mismatches]


def _concurrent_pair(
    landing: Path,
    warehouse: Path,
    report: ReliabilityReport,
    runner: _Runner,
    lock_timeout: float,
) -> None:
    """Two runs at once: one runs; the other waits, or exits non-zero naming the lock."""
    report.concurrent_pairs += 1
    processes = [runner.start(landing, warehouse, lock_timeout) for _ in range(2)]
    outcomes = [runner.finish(process) for process in processes]
    ran = [o for o in outcomes if o.returncode == 0]
    refused = [o for o in outcomes if o.returncode != 0 and LOCK_MESSAGE in o.output]
    if len(ran) == 2 or (len(ran) == 1 and len(refused) == 1):
        report.concurrent_pairs_ok += 1
    else:
        report.problems.append(
            f"{landing.name}: concurrent runs exited {[o.returncode for o in outcomes]}: "
            + " / ".join(_tail(o.output, 2) for o in outcomes)
        )


def _killed_run(
    landing: Path,
    warehouse: Path,
    seconds: float,
    expected: MartContents | None,
    expected_returncode: int,
    report: ReliabilityReport,
    runner: _Runner,
) -> None:
    """Kill a run with SIGKILL after ``seconds``, rerun it, compare with the clean run."""
    report.killed_runs += 1
    started = runner.start(landing, warehouse, SEQUENTIAL_LOCK_TIMEOUT)
    try:
        started.process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        started.process.send_signal(signal.SIGKILL)  # the run only, as kill -9 <pid> does
        started.process.wait(timeout=30)
        killed = True
    else:
        killed = False
    # The rerun waits for the lock and for any dbt the killed run left behind.
    rerun = runner.run(landing, warehouse, SEQUENTIAL_LOCK_TIMEOUT)
    runner.reap(started)
    actual = mart_contents(warehouse) if warehouse.is_file() else None
    if rerun.returncode == expected_returncode and actual == expected:
        report.killed_runs_recovered += 1
        if not killed:
            report.skipped.append(
                f"{landing.name}: the run finished within {seconds:g} s, before the kill"
            )
    else:
        report.problems.append(
            f"{landing.name}: rerun after a kill at {seconds:g} s exited {rerun.returncode}"
            f" (clean {expected_returncode}); marts that differ:"
            f" {_differences(expected or {}, actual or {}) or 'none'}; {_tail(rerun.output)}"
        )


CORPUS_OUTCOME_FILE = "outcome.yml"


def _is_scan_folder(path: Path) -> bool:
    return path.is_dir() and path.name.startswith("scan") and path.name[4:].isdigit()


def _corpus_scans(case: Path) -> list[list[Path]]:
    """The files each scan of a corpus case adds: its own files first, then ``scan<N>/``."""
    first = [
        path
        for path in sorted(case.iterdir())
        if path.name != CORPUS_OUTCOME_FILE and not _is_scan_folder(path)
    ]
    later = sorted(
        (path for path in case.iterdir() if _is_scan_folder(path)),
        key=lambda path: int(path.name[4:]),
    )
    return [first, *([*sorted(folder.iterdir())] for folder in later)]


def run_corpus(
    corpus: Path, workdir: Path, report: ReliabilityReport, *, deadline: float | None = None
) -> None:
    """Ingest every case of ``corpus`` into its own fresh warehouse and account for its rows.

    A case is a folder whose name starts with two digits. Ingestion runs in
    this process (no dbt): the question is whether every row read was
    loaded or quarantined, whatever the input.
    """
    from orchestration.ingestion import ingest_landing

    cases = sorted(path for path in corpus.iterdir() if path.is_dir() and path.name[:2].isdigit())
    for case in cases:
        if deadline is not None and time.monotonic() >= deadline:
            report.skipped.append(f"corpus cases from {case.name} on (time budget spent)")
            return
        landing = workdir / case.name / "landing"
        database = workdir / case.name / "warehouse.duckdb"
        landing.mkdir(parents=True)
        report.inputs_tried += 1
        try:
            for scan in _corpus_scans(case):
                for path in scan:
                    if path.is_dir():
                        shutil.copytree(path, landing / path.name, dirs_exist_ok=True)
                    else:
                        shutil.copyfile(path, landing / path.name)
                report.files_tried += sum(
                    1 for path in scan for _ in (path.rglob("*") if path.is_dir() else [path])
                )
                con = duckdb.connect(str(database))
                try:
                    con.execute("set TimeZone = 'UTC'")
                    ingest_landing(con, landing)
                finally:
                    con.close()
        except Exception as exc:  # a case that breaks ingestion is reported, not raised
            report.problems.append(f"corpus {case.name}: ingestion raised {exc!r}")
            continue
        account = account_rows(database)
        report.rows_read += account.read
        report.rows_loaded += account.loaded
        report.rows_quarantined += account.quarantined
        report.rows_lost += account.lost
        if account.lost:
            report.problems.append(f"corpus {case.name}: {account.lost} rows lost")
        report.problems += [f"corpus {case.name}: {line}" for line in account.mismatches]

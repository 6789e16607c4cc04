"""The ``incentives`` command line: run the pipeline, make landing data, open the viewer.

Every option falls back to the ``INCENTIVES_*`` environment variables that
:class:`orchestration.settings.Settings` reads, then to the project defaults.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

from orchestration.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from orchestration.pipeline import PipelineResult

app = typer.Typer(
    help="Partner-incentive warehouse: landing files in, traceable marts out.",
    no_args_is_help=True,
    add_completion=False,
)
import_app = typer.Typer(help="Turn a published sample data set into a landing folder.")
app.add_typer(import_app, name="import")

STREAMLIT_APP = PROJECT_ROOT / "streamlit_app" / "app.py"
DEFINITIONS_MODULE = "orchestration.defs.definitions"
DEFAULT_CORPUS = PROJECT_ROOT / "tests" / "ingestion" / "corpus"
# How long a server gets to stop after Ctrl+C, then after SIGTERM, before it is killed.
_SHUTDOWN_GRACE_SECONDS = 20

LandingOption = Annotated[
    Path | None,
    typer.Option(
        "--landing", help="Landing folder (env INCENTIVES_LANDING_DIR; default data/landing)."
    ),
]
WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        help="Published warehouse file (env INCENTIVES_WAREHOUSE;"
        " default data/warehouse/incentives.duckdb).",
    ),
]
AsOfOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="'Today' for the run, YYYY-MM-DD (env INCENTIVES_AS_OF; default today, UTC).",
    ),
]
PortOption = Annotated[int, typer.Option("--port", help="Port of the viewer.")]


def _settings(
    landing: Path | None = None, warehouse: Path | None = None, as_of: dt.datetime | None = None
) -> Settings:
    """Settings from the environment, overridden by the options that were given."""
    overrides: dict[str, object] = {}
    if landing is not None:
        overrides["landing_dir"] = landing
    if warehouse is not None:
        overrides["warehouse"] = warehouse
    if as_of is not None:
        overrides["as_of"] = as_of.date()
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            typer.echo(f"error: setting {field}: {error['msg']}", err=True)
        raise typer.Exit(code=2) from exc
    # Absolute paths, so that messages say where things are whatever the working folder.
    return settings.model_copy(
        update={
            "landing_dir": settings.landing_dir.resolve(),
            "warehouse": settings.warehouse.resolve(),
            "build_warehouse": settings.build_path.resolve(),
        }
    )


def _has_landing_files(landing_dir: Path) -> bool:
    return landing_dir.is_dir() and any(
        path.is_file() and not path.name.startswith(".") for path in landing_dir.rglob("*")
    )


_ROW = "{:<12} {:>6} {:>7} {:>11} {:>11} {:>12}"


def _load_table_lines(result: PipelineResult) -> list[str]:
    """A small table of files and rows per landing table, with a total line."""
    if not result.tables:
        return []
    lines = ["", _ROW.format("table", "files", "failed", "rows read", "loaded", "quarantined")]
    for load in result.tables:
        lines.append(
            _ROW.format(
                load.table_name,
                load.batches,
                load.failed_batches,
                f"{load.rows_read:,}",
                f"{load.rows_loaded:,}",
                f"{load.rows_quarantined:,}",
            )
        )
    lines.append(
        _ROW.format(
            "total",
            result.batches,
            result.failed_batches,
            f"{result.rows_read:,}",
            f"{result.rows_loaded:,}",
            f"{result.rows_quarantined:,}",
        )
    )
    money = [
        f"{load.table_name} {column} {amount:,.2f}"
        for load in result.tables
        for column, amount in sorted(load.money_totals.items())
    ]
    if money:
        lines.append("money loaded: " + "; ".join(money))
    return [*lines, ""]


def _run(settings: Settings, lock_timeout: float, verbose: bool) -> bool:
    """Run the pipeline and print its summary; True when it succeeded."""
    # Imported here: loading the Dagster definitions parses the dbt project,
    # which the other commands do not need.
    from orchestration.pipeline import run_pipeline

    typer.echo(f"Running the pipeline on {settings.landing_dir} as of {settings.effective_as_of}")
    result = run_pipeline(
        settings, lock_timeout=lock_timeout, log_level="DEBUG" if verbose else "INFO"
    )
    for line in _load_table_lines(result):
        typer.echo(line)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if result.success:
        typer.echo(f"Published {result.warehouse} (as of {result.as_of}).")
        typer.echo(
            "Query it with any DuckDB client, e.g. "
            f"duckdb.connect('{result.warehouse}', read_only=True) or "
            f'the DuckDB CLI: duckdb -readonly {result.warehouse} -c "show all tables"'
        )
        return True
    for failure in result.failures:
        typer.echo(f"error: {failure}", err=True)
    return False


@app.command()
def run(
    landing: LandingOption = None,
    warehouse: WarehouseOption = None,
    as_of: AsOfOption = None,
    lock_timeout: Annotated[
        float,
        typer.Option(help="Seconds to wait while another run holds the build warehouse."),
    ] = 120.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    """Ingest the landing folder, build every model and publish the warehouse.

    Exits non-zero, with one line per cause on stderr, when a batch fails or a
    blocking check fails; the previously published warehouse is then left as
    it was.
    """
    if not _run(_settings(landing, warehouse, as_of), lock_timeout, verbose):
        raise typer.Exit(code=1)


@app.command()
def generate(
    out: Annotated[
        Path | None, typer.Option("--out", help="Landing folder to write (default data/landing).")
    ] = None,
    deals: Annotated[int, typer.Option(min=1, help="Number of deals.")] = 10_000,
    seed: Annotated[int, typer.Option(min=0, help="Random seed; same seed, same files.")] = 42,
    overwrite: Annotated[
        bool, typer.Option(help="Replace landing tables already in the folder.")
    ] = False,
) -> None:
    """Write a deterministic synthetic landing folder."""
    from orchestration.generator import generate_landing

    out_dir = out or _settings().landing_dir
    try:
        summary = generate_landing(out_dir, deals=deals, seed=seed, overwrite=overwrite)
    except (ValueError, FileExistsError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(summary.describe())


@import_app.command("adventureworks")
def import_adventureworks_command(
    src: Annotated[
        Path,
        typer.Argument(exists=True, file_okay=False, help="Folder of the AdventureWorks sample."),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Landing folder to write (default data/landing).")
    ] = None,
) -> None:
    """Import the AdventureWorks reseller sample into a landing folder."""
    from orchestration.importers import import_adventureworks

    out_dir = out or _settings().landing_dir
    try:
        summary = import_adventureworks(src, out_dir)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"Wrote landing files to {summary.out_dir}:")
    for table, count in summary.counts.items():
        typer.echo(f"  {table}: {count:,} rows")
    for note in summary.notes:
        typer.echo(f"  note: {note}")


def _run_foreground(command: list[str], env: dict[str, str]) -> int:
    """Run a server until it exits, or until Ctrl+C or SIGTERM asks this command to stop.

    The server runs in a process group of its own, with the default Ctrl+C
    handling even when this command was started in the background (where
    Ctrl+C is ignored and ``dagster dev`` then ignores SIGTERM too). On a stop
    request the whole group gets SIGINT, then SIGTERM, then SIGKILL, each after
    a grace time, so a server and every process it started end together.
    """
    process = subprocess.Popen(
        command,
        env=env,
        cwd=PROJECT_ROOT,
        start_new_session=True,
        preexec_fn=_default_interrupt_handling,
    )
    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: object) -> None:
        stop_requested.append(signum)

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop_requested:
            try:
                return process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
        _stop_process_group(process)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _default_interrupt_handling() -> None:
    """In the server's process, before it starts: Ctrl+C and SIGTERM do their default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Ask the server's process group to stop, more firmly each time it does not."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=_SHUTDOWN_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        # The server is gone; end what it started and left behind.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return


def _serve(warehouse: Path, port: int) -> None:
    if not warehouse.is_file():
        typer.echo(
            f"error: no warehouse at {warehouse}; run `incentives run` (or `incentives demo`)",
            err=True,
        )
        raise typer.Exit(code=1)
    typer.echo(f"Serving {warehouse} on http://localhost:{port} (Ctrl+C to stop)")
    env = {**os.environ, "INCENTIVES_WAREHOUSE": str(warehouse.resolve())}
    command = [sys.executable, "-m", "streamlit", "run", str(STREAMLIT_APP)]
    command += ["--server.port", str(port), "--server.headless", "true"]
    returncode = _run_foreground(command, env)
    if returncode != 0:
        raise typer.Exit(code=returncode)


@app.command()
def serve(warehouse: WarehouseOption = None, port: PortOption = 8501) -> None:
    """Open the viewer (Streamlit) on the published warehouse."""
    _serve(_settings(warehouse=warehouse).warehouse, port)


@app.command()
def demo(
    deals: Annotated[int, typer.Option(min=1, help="Deals to generate.")] = 10_000,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 42,
    as_of: AsOfOption = None,
    port: PortOption = 8501,
) -> None:
    """Generate landing data if the landing folder is empty, run the pipeline, open the viewer."""
    settings = _settings(as_of=as_of)
    if _has_landing_files(settings.landing_dir):
        typer.echo(f"Using the landing files already in {settings.landing_dir}")
    else:
        from orchestration.generator import generate_landing

        typer.echo(f"Generating {deals:,} deals into {settings.landing_dir}")
        typer.echo(generate_landing(settings.landing_dir, deals=deals, seed=seed).describe())
    if not _run(settings, lock_timeout=120.0, verbose=False):
        raise typer.Exit(code=1)
    _serve(settings.warehouse, port)


@app.command()
def reliability(
    landing: Annotated[
        list[Path] | None,
        typer.Option(
            "--landing",
            help="Landing folder to try (repeatable); default: a small one generated into"
            " <workdir>-input.",
        ),
    ] = None,
    workdir: Annotated[
        Path,
        typer.Option("--workdir", help="Scratch folder for the warehouses (emptied first)."),
    ] = PROJECT_ROOT / "data" / "reliability",
    as_of: AsOfOption = None,
    deals: Annotated[int, typer.Option(min=1, help="Deals in the generated folder.")] = 300,
    repeats: Annotated[int, typer.Option(min=0, help="Reruns on the same warehouse.")] = 2,
    kill_after: Annotated[
        list[float] | None,
        typer.Option(
            "--kill-after", help="Seconds after which a run is killed (repeatable; default 3, 12)."
        ),
    ] = None,
    readers: Annotated[int, typer.Option(min=1, help="Reader threads querying the warehouse.")] = 1,
    max_minutes: Annotated[
        float, typer.Option(min=1, help="Time budget; later phases are skipped past it.")
    ] = 30.0,
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus",
            help="Bad-input corpus to ingest too (one folder per case);"
            " default tests/ingestion/corpus when present.",
        ),
    ] = None,
    no_corpus: Annotated[bool, typer.Option("--no-corpus", help="Skip the corpus.")] = False,
) -> None:
    """Repeated, concurrent and killed runs while readers query the warehouse; print a report.

    Reports inputs tried, rows quarantined, rows lost (must be 0), killed runs
    recovered, reads served during runs and read errors (must be 0), and exits
    non-zero when any of those promises fails.
    """
    from orchestration.reliability import run_reliability

    # The corpus fails batches on purpose; its per-batch warnings would drown the report.
    logging.getLogger("orchestration.ingestion").setLevel(logging.ERROR)
    settings = _settings(as_of=as_of)
    workdir = workdir.resolve()
    landings = [path.resolve() for path in landing or []]
    if not landings:
        from orchestration.generator import generate_landing

        generated = workdir.with_name(workdir.name + "-input")
        if generated.exists():
            shutil.rmtree(generated)
        generate_landing(generated, deals=deals, seed=42)
        landings = [generated]
    for path in landings:
        if not path.is_dir():
            typer.echo(f"error: no landing folder at {path}", err=True)
            raise typer.Exit(code=2)
    kills = [3.0, 12.0] if kill_after is None else kill_after
    corpus = None if no_corpus else (corpus or DEFAULT_CORPUS)
    if corpus is not None and not corpus.is_dir():
        corpus = None
    typer.echo(
        f"Reliability runs on {len(landings)} landing folder(s) as of {settings.effective_as_of},"
        f" in {workdir}"
    )
    report = run_reliability(
        landings,
        workdir,
        as_of=settings.effective_as_of,
        repeats=repeats,
        kill_after=kills,
        readers=readers,
        max_seconds=max_minutes * 60,
        corpus=corpus,
    )
    for line in report.lines():
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(code=1)


@app.command()
def dagster(
    port: Annotated[int, typer.Option("--port", help="Port of the Dagster UI.")] = 3000,
) -> None:
    """Start the Dagster UI with the project's definitions (sensor, schedule, runs history).

    Run history is kept in $DAGSTER_HOME, by default .dagster_home in the project.
    """
    env = dict(os.environ)
    if "DAGSTER_HOME" not in env:
        home = PROJECT_ROOT / ".dagster_home"
        home.mkdir(parents=True, exist_ok=True)
        env["DAGSTER_HOME"] = str(home)
    command = [sys.executable, "-m", "dagster", "dev", "-m", DEFINITIONS_MODULE]
    command += ["--port", str(port)]
    typer.echo(f"Starting Dagster on http://localhost:{port} (DAGSTER_HOME={env['DAGSTER_HOME']})")
    returncode = _run_foreground(command, env)
    if returncode != 0:
        raise typer.Exit(code=returncode)


if __name__ == "__main__":
    app()

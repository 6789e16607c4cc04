"""Loading every landing file a second time, and rerunning, changes no mart.

A generated landing folder (partners, products, FX, deals with splits and
updates, quotas, payouts, MDF claims, programs) is run once. Then a copy of
every data file arrives again as a second batch of its table, under another
name, and the pipeline runs again on the same warehouse, then once more with
nothing new. Every public mart must hold exactly the rows of the first run,
compared sorted, row by row (batch ids and load times aside).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.generator import generate_landing
from orchestration.reliability import mart_contents

AS_OF = dt.date(2026, 3, 31)
AGAIN = "again"


def _run(landing: Path, warehouse: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--landing",
            str(landing),
            "--warehouse",
            str(warehouse),
            "--as-of",
            AS_OF.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output


def _land_every_data_file_again(landing: Path) -> int:
    """Copy each data file into ``<table>/again/``; returns the number of copies."""
    copies = 0
    for path in sorted(landing.rglob("*")):
        if not path.is_file() or path.suffix.lower() in (".yml", ".yaml"):
            continue
        relative = path.relative_to(landing)
        table = relative.parts[0] if len(relative.parts) > 1 else path.stem
        target = landing / table / AGAIN / "-".join(relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        copies += 1
    return copies


def _batch_statuses(build: Path) -> dict[str, int]:
    con = duckdb.connect(str(build), read_only=True)
    try:
        rows = con.execute(
            "select status, count(*) from raw.ingest_batches group by status"
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


@pytest.fixture(scope="module")
def generated_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("load_twice") / "landing"
    generate_landing(landing, deals=200, seed=11, progress=False)
    return landing


def test_every_file_loaded_twice_then_rerun_gives_identical_marts(
    generated_landing: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse" / "incentives.duckdb"
    _run(generated_landing, warehouse)
    first = mart_contents(warehouse)
    assert first["fct_incentive_earnings"], "the generated data earns nothing: nothing compared"
    batches_before = _batch_statuses(warehouse.with_name("incentives.build.duckdb"))

    copies = _land_every_data_file_again(generated_landing)
    assert copies > 0
    _run(generated_landing, warehouse)
    assert mart_contents(warehouse) == first

    # The copies were registered, each recognised by its content as already loaded.
    batches_after = _batch_statuses(warehouse.with_name("incentives.build.duckdb"))
    assert batches_after.get("loaded") == batches_before.get("loaded")
    assert sum(batches_after.values()) == sum(batches_before.values()) + copies

    _run(generated_landing, warehouse)
    assert mart_contents(warehouse) == first

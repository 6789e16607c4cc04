"""Publishing is atomic, and one run at a time holds the build warehouse."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from pipeline_cases import settings_for

from orchestration.pipeline import run_pipeline
from orchestration.publish import (
    WarehouseLockedError,
    hold_build_lock,
    lock_path,
    publish_warehouse,
)


def _write_build(path: Path, rows: int) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "create or replace table main.numbers as select range as n from range(?)", [rows]
        )
    finally:
        con.close()


def _count(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from main.numbers").fetchone()[0]
    finally:
        con.close()


def test_publish_copies_the_build_file_with_its_mode_and_no_temporary_file(tmp_path: Path) -> None:
    build = tmp_path / "incentives.build.duckdb"
    published = tmp_path / "published" / "incentives.duckdb"
    _write_build(build, 3)

    assert publish_warehouse(build, published) == published
    assert _count(published) == 3
    assert published.stat().st_mode == build.stat().st_mode
    assert sorted(p.name for p in published.parent.iterdir()) == ["incentives.duckdb"]


def test_a_reader_keeps_the_old_warehouse_until_it_reopens(tmp_path: Path) -> None:
    build = tmp_path / "incentives.build.duckdb"
    published = tmp_path / "incentives.duckdb"
    _write_build(build, 3)
    publish_warehouse(build, published)
    reader = duckdb.connect(str(published), read_only=True)
    try:
        _write_build(build, 5)
        publish_warehouse(build, published)
        assert reader.execute("select count(*) from main.numbers").fetchone()[0] == 3
    finally:
        reader.close()
    assert _count(published) == 5


def test_publish_refuses_a_missing_build_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        publish_warehouse(tmp_path / "missing.duckdb", tmp_path / "incentives.duckdb")
    assert not (tmp_path / "incentives.duckdb").exists()


@pytest.fixture
def lock_held_elsewhere(tmp_path: Path) -> Iterator[Path]:
    """A build path whose lock another process holds until the test ends."""
    build = tmp_path / "warehouse" / "incentives.build.duckdb"
    build.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock;"
            " lock = FileLock(sys.argv[1]); lock.acquire(); print('held', flush=True);"
            " time.sleep(60)",
            str(lock_path(build)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield build
    finally:
        holder.kill()
        holder.wait()


def test_a_second_writer_waits_then_names_the_lock(lock_held_elsewhere: Path) -> None:
    with (
        pytest.raises(WarehouseLockedError, match=r"another run holds .*\.lock"),
        hold_build_lock(lock_held_elsewhere, timeout=0.2),
    ):
        pass


def test_the_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    build = tmp_path / "incentives.build.duckdb"
    with hold_build_lock(build, timeout=0.2), hold_build_lock(build, timeout=0.2) as lock_file:
        assert lock_file == lock_path(build.resolve())


def test_run_pipeline_reports_the_lock_holder_and_writes_nothing(
    lock_held_elsewhere: Path, case_landing: Path
) -> None:
    settings = settings_for(lock_held_elsewhere.parent.parent, case_landing)
    assert settings.build_path == lock_held_elsewhere

    result = run_pipeline(settings, lock_timeout=0.2)

    assert not result.success and not result.published
    assert len(result.failures) == 1
    assert result.failures[0].startswith(f"another run holds {lock_path(settings.build_path)}")
    assert not settings.build_path.exists() and not settings.warehouse.exists()

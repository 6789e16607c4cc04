"""Build, then publish: the lock on the build warehouse and the atomic publish.

The pipeline writes into a working DuckDB file (``Settings.build_path``).
Readers open the published file (``Settings.warehouse``) read-only for each
query. Publishing copies the finished build file next to the published one
and renames it into place, so a reader sees either the previous warehouse or
the new one, never a half-written file.

One run at a time may write a build file: :func:`hold_build_lock` takes a
file lock on ``<build file>.lock``. The lock is re-entrant inside one
process, so the whole-run lock that :func:`orchestration.pipeline.run_pipeline`
holds does not block the assets that take it again for their own step (as
they must when Dagster runs each step in its own process).

A run killed with SIGKILL loses its file lock with its process; the dbt
process it started may keep the build file open a little longer, which
:func:`wait_until_build_file_is_free` waits out, and a temporary publish copy
it left behind is removed by the next publish. The build file itself is
DuckDB's, whose write-ahead log makes every committed batch survive a kill.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

logger = logging.getLogger(__name__)

# How long a run waits for another run to release the build warehouse.
LOCK_TIMEOUT_SECONDS = 120.0
# Suffix of the temporary copy that is renamed over the published file.
_PUBLISHING_SUFFIX = ".publishing"


class WarehouseLockedError(RuntimeError):
    """Another run holds the build warehouse and did not release it in time."""


def lock_path(build_path: Path) -> Path:
    """The lock file that guards ``build_path``."""
    return build_path.with_name(build_path.name + ".lock")


def _build_lock(build_path: Path) -> FileLock:
    path = lock_path(build_path.resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    # One lock object per path and process (is_singleton) that counts nested
    # acquisitions across threads (thread_local=False): a step that runs inside
    # a run holding the lock re-enters it instead of waiting for itself.
    return FileLock(path, is_singleton=True, thread_local=False)


@contextmanager
def hold_build_lock(build_path: Path, *, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[Path]:
    """Hold the write lock of a build warehouse; yields the lock file's path.

    Raises :class:`WarehouseLockedError` when another process holds the lock
    for longer than ``timeout`` seconds.
    """
    lock = _build_lock(build_path)
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise WarehouseLockedError(
            f"another run holds {lock.lock_file} (waited {timeout:g} s)"
        ) from exc
    try:
        yield Path(lock.lock_file)
    finally:
        lock.release()


def wait_until_build_file_is_free(
    build_path: Path, *, timeout: float = LOCK_TIMEOUT_SECONDS, poll: float = 0.5
) -> None:
    """Wait until no other process has ``build_path`` open; call it holding the build lock.

    A run killed with SIGKILL releases the build lock at once, but a dbt
    process it started goes on for a few seconds with the DuckDB file open.
    DuckDB's own file lock keeps the two from writing together; this waits
    for that process to end instead of failing the next run. Raises
    :class:`WarehouseLockedError` after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while build_path.is_file():
        try:
            duckdb.connect(str(build_path)).close()
        except duckdb.IOException as exc:
            reason = str(exc).splitlines()[0]
            if time.monotonic() >= deadline:
                raise WarehouseLockedError(
                    f"{build_path} is still open in another process (waited {timeout:g} s):"
                    f" {reason}"
                ) from exc
            logger.info("waiting for another process to close %s: %s", build_path, reason)
            time.sleep(poll)
        else:
            return


def checkpoint(build_path: Path) -> None:
    """Fold DuckDB's write-ahead log into the file so the file alone is complete."""
    con = duckdb.connect(str(build_path))
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def _publishing_files(warehouse: Path) -> list[Path]:
    """Temporary copies of earlier publishes of ``warehouse`` (left behind by a killed run)."""
    if not warehouse.parent.is_dir():
        return []
    return sorted(warehouse.parent.glob(f".{glob.escape(warehouse.name)}.*{_PUBLISHING_SUFFIX}"))


def publish_warehouse(build_path: Path, warehouse: Path) -> Path:
    """Copy the build warehouse onto the published path atomically; returns the published path.

    Call it with every connection to ``build_path`` closed (the caller holds
    the build lock). The copy goes to a temporary file in the published
    file's folder and is then renamed over the published file, so readers
    never see a partial file and a failure leaves the previous one intact.
    A temporary copy that a killed publish left behind (readers never open
    it) is removed first.
    """
    if not build_path.is_file():
        raise FileNotFoundError(f"no build warehouse to publish at {build_path}")
    checkpoint(build_path)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    for stale in _publishing_files(warehouse):
        logger.info("removing %s, left behind by an interrupted publish", stale)
        stale.unlink(missing_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{warehouse.name}.", suffix=_PUBLISHING_SUFFIX, dir=warehouse.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(build_path, tmp)
        # mkstemp creates the file private to its owner; readers get the build file's mode.
        shutil.copymode(build_path, tmp)
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, warehouse)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    logger.info("published %s to %s", build_path, warehouse)
    return warehouse

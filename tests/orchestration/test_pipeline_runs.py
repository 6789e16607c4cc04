"""Each publish records its run in ``main.pipeline_runs`` of the published warehouse."""

from __future__ import annotations

import datetime as dt

import duckdb
from pipeline_cases import AS_OF, CASE_LANDING, PublishedRun


def test_the_published_warehouse_says_when_it_was_loaded_and_built(
    published_run: PublishedRun,
) -> None:
    assert published_run.exit_code == 0, published_run.stderr
    con = duckdb.connect(str(published_run.settings.warehouse), read_only=True)
    try:
        rows = con.execute(
            "select run_id, as_of, started_at, published_at, batches_loaded, batches_total,"
            " last_loaded_at from main.pipeline_runs"
        ).fetchall()
        newest_batch = con.execute(
            "select max(loaded_at) from main.ingest_batches where status = 'loaded'"
        ).fetchone()[0]
    finally:
        con.close()
    files = sum(1 for path in CASE_LANDING.rglob("*") if path.is_file())
    [(run_id, as_of, started_at, published_at, loaded, total, last_loaded_at)] = rows
    assert run_id and as_of == AS_OF
    assert (loaded, total) == (files, files)
    assert last_loaded_at == newest_batch
    assert started_at <= last_loaded_at <= published_at
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert now - dt.timedelta(hours=1) < published_at <= now

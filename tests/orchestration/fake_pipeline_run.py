"""A stand-in for ``incentives run`` that the reliability tests start as a process.

It behaves like the real run where the reliability report looks: it holds the
build lock (or exits naming it), loads each new ``deals/*.csv`` file of the
landing folder as one batch in one transaction (a row whose ``deal_id`` is
``-`` is quarantined), builds one mart and publishes atomically; it pauses
between steps so that a kill lands mid-run. With ``--lose-rows`` it drops the
first good row of each batch while still counting it as loaded.

Usage: python fake_pipeline_run.py LANDING WAREHOUSE LOCK_TIMEOUT [--lose-rows]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import time
from pathlib import Path

import duckdb

from orchestration.publish import (
    WarehouseLockedError,
    hold_build_lock,
    publish_warehouse,
    wait_until_build_file_is_free,
)

SCHEMA = """
create schema if not exists raw;
create table if not exists raw.ingest_batches (
    batch_id integer, content_hash varchar, source_file varchar, table_name varchar,
    status varchar, rows_read integer, rows_loaded integer, rows_quarantined integer,
    loaded_at timestamp
);
create table if not exists raw.deals (deal_id varchar, _batch_id integer);
create table if not exists raw.quarantine (
    batch_id integer, source_file varchar, row_number integer, table_name varchar,
    reason varchar
);
"""


def load(con: duckdb.DuckDBPyConnection, landing: Path, lose_rows: bool) -> None:
    for path in sorted((landing / "deals").glob("*.csv")):
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        seen = con.execute(
            "select count(*) from raw.ingest_batches where content_hash = ?", [digest]
        ).fetchone()[0]
        if seen:
            continue
        values = content.decode().splitlines()[1:]
        good = [value for value in values if value != "-"]
        con.execute("begin")
        (batch_id,) = con.execute(
            "select coalesce(max(batch_id), 0) + 1 from raw.ingest_batches"
        ).fetchone()
        for value in good[1:] if lose_rows else good:
            con.execute("insert into raw.deals values (?, ?)", [value, batch_id])
        for number, value in enumerate(values, start=1):
            if value == "-":
                con.execute(
                    "insert into raw.quarantine values (?, ?, ?, 'deals', 'no deal_id')",
                    [batch_id, path.name, number],
                )
        con.execute(
            "insert into raw.ingest_batches values (?, ?, ?, 'deals', 'loaded', ?, ?, ?, ?)",
            [
                batch_id,
                digest,
                path.name,
                len(values),
                len(good),
                len(values) - len(good),
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
            ],
        )
        con.execute("commit")
        time.sleep(0.2)


def main() -> int:
    landing, warehouse = Path(sys.argv[1]), Path(sys.argv[2])
    lock_timeout = float(sys.argv[3])
    lose_rows = "--lose-rows" in sys.argv
    build = warehouse.with_name(warehouse.stem + ".build" + warehouse.suffix)
    build.parent.mkdir(parents=True, exist_ok=True)
    try:
        with hold_build_lock(build, timeout=lock_timeout):
            wait_until_build_file_is_free(build, timeout=lock_timeout)
            con = duckdb.connect(str(build))
            try:
                con.execute(SCHEMA)
                load(con, landing, lose_rows)
                con.execute(
                    "create or replace table main.mart_partner_attainment as"
                    " select deal_id as partner_id, count(*) as won_deals"
                    " from raw.deals group by deal_id"
                )
            finally:
                con.close()
            time.sleep(0.3)
            publish_warehouse(build, warehouse)
    except WarehouseLockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Published {warehouse}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every expectation outcome of the quality checks, kept in the build warehouse.

Each check step appends one row per expectation it judged to
``main.data_quality_results``: which run and asset, the suite and the Great
Expectations type, its severity, whether it passed and what was observed, and
where the Data Docs site of the build warehouse is. The publish copies the
build file after the checks, so readers of the published warehouse (the
viewer) see the outcomes of the run that built it. Rows are only appended:
older runs stay as history and readers pick the newest run.

dbt builds the models of schema ``main`` but leaves tables it does not know
alone, so this table survives every ``dbt build``; no model may take its name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.quality.validate import ExpectationOutcome

DATA_QUALITY_RESULTS_TABLE = "main.data_quality_results"

# Times are UTC without a time zone, like main.pipeline_runs and raw.ingest_batches.
DATA_QUALITY_RESULTS_DDL = f"""
create table if not exists {DATA_QUALITY_RESULTS_TABLE} (
    run_id varchar not null,
    checked_at timestamp not null,
    asset varchar not null,
    suite varchar not null,
    expectation varchar not null,
    description varchar not null,
    severity varchar not null,
    success boolean not null,
    observed varchar,
    data_docs_path varchar
)
"""

_INSERT_SQL = f"""
insert into {DATA_QUALITY_RESULTS_TABLE}
    (run_id, checked_at, asset, suite, expectation, description, severity, success, observed,
     data_docs_path)
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


@dataclasses.dataclass(frozen=True)
class AssetOutcome:
    """One expectation outcome and the asset (``raw/deals``, ``main/<mart>``) it judged."""

    asset: str
    outcome: ExpectationOutcome


def _utc_naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def record_outcomes(
    build_path: Path,
    outcomes: Sequence[AssetOutcome],
    *,
    run_id: str,
    checked_at: dt.datetime,
    data_docs_index: Path | None,
) -> int:
    """Append ``outcomes`` to ``main.data_quality_results`` (hold the build lock); returns rows.

    ``data_docs_index`` is the absolute path of the Data Docs ``index.html``
    (``None`` when the site could not be built). The rows of one call are
    written in one transaction: all of them or none.
    """
    docs = None if data_docs_index is None else str(data_docs_index.resolve())
    rows = [
        (
            run_id,
            _utc_naive(checked_at),
            item.asset,
            item.outcome.suite,
            item.outcome.expectation_type,
            item.outcome.description,
            item.outcome.severity,
            item.outcome.passed,
            item.outcome.detail,
            docs,
        )
        for item in outcomes
    ]
    con = duckdb.connect(str(build_path))
    try:
        con.execute(DATA_QUALITY_RESULTS_DDL)
        if rows:
            con.execute("begin transaction")
            try:
                con.executemany(_INSERT_SQL, rows)
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")
    finally:
        con.close()
    return len(rows)

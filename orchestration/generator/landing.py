"""Write a complete synthetic landing folder, streaming deals chunk by chunk.

Layout (every file follows the landing data contract)::

    programs.yml
    partners/batch-0001.csv, batch-0002.csv   first export, then a later one
    products.csv
    fx_rates.csv                               every weekday of the history
    deals/batch-0001.csv ... batch-NNNN.csv    first versions, in deal order
    deals/batch-<N+1>.csv                      later versions of deals that changed
    deal_splits/batch-*.csv                    split sets, numbered like deals
    quotas.csv, payouts.csv
    mdf_claims/batch-0001.csv, batch-0002.csv

Memory stays flat as the number of deals grows: only one chunk of deals is in
memory at a time, plus per-partner tables (about one partner per 200 deals).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from orchestration.contract import LANDING_TABLES
from orchestration.generator.deals import DealModel, generate_chunk
from orchestration.generator.finance import write_mdf_claims, write_payouts, write_quotas
from orchestration.generator.output import ArrowCsvFile
from orchestration.generator.programs import write_programs
from orchestration.generator.reference import (
    make_partners,
    write_fx_rates,
    write_partners,
    write_products,
)
from orchestration.generator.timeline import Timeline

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 100_000
MAX_DEALS_PER_BATCH = 250_000
MIN_DEAL_BATCHES = 3
PROGRAMS_FILE = "programs.yml"


@dataclass(frozen=True)
class GenerationSummary:
    """What :func:`generate_landing` wrote."""

    out_dir: Path
    seed: int
    deals: int  # distinct deals
    partners: int  # distinct partners
    rows: dict[str, int]  # rows per table, every version counted; programs: versions
    files: int
    first_date: dt.date  # first day a deal was created
    last_date: dt.date  # last day covered; the export is at its end

    def describe(self) -> str:
        """A few human-readable lines, for logs and the command line."""
        lines = [
            f"{self.deals:,} deals and {self.partners:,} partners in {self.files} files "
            f"under {self.out_dir}, {self.first_date} to {self.last_date} (seed {self.seed})"
        ]
        lines += [f"  {table}: {count:,} rows" for table, count in self.rows.items()]
        return "\n".join(lines)


def deal_batches(n_deals: int) -> list[tuple[int, int]]:
    """Deal-number ranges of the first-version batch files (at most 250,000 deals each)."""
    count = min(n_deals, max(MIN_DEAL_BATCHES, math.ceil(n_deals / MAX_DEALS_PER_BATCH)))
    size = math.ceil(n_deals / count)
    return [(first, min(first + size, n_deals)) for first in range(0, n_deals, size)]


def batch_file(number: int) -> str:
    return f"batch-{number:04d}.csv"


def _landing_entries(out_dir: Path) -> list[Path]:
    """Entries of ``out_dir`` that are landing tables: ``<table>.*``, ``<table>/``, programs."""
    names = set(LANDING_TABLES) | {"programs"}
    return sorted(
        entry
        for entry in out_dir.iterdir()
        if (entry.name if entry.is_dir() else entry.name.split(".")[0]) in names
    )


def _prepare(out_dir: Path, overwrite: bool) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    existing = _landing_entries(out_dir)
    if existing and not overwrite:
        raise FileExistsError(
            f"{out_dir} already holds landing data ({existing[0].name}, ...); "
            "choose an empty folder, or replace them with --overwrite"
        )
    for entry in existing:
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _write_deals(
    out_dir: Path, model: DealModel, chunk_size: int, progress: bool
) -> tuple[int, int, np.ndarray]:
    """Write deal and split batches chunk by chunk.

    Returns the deal rows, the split rows and the USD cents won for good per
    partner and quarter.
    """
    won_usd_cents = np.zeros((len(model.partners), len(model.timeline.quarters)), dtype=np.int64)
    deal_columns = LANDING_TABLES["deals"].column_names
    split_columns = LANDING_TABLES["deal_splits"].column_names
    batches = deal_batches(model.n_deals)
    later = batch_file(len(batches) + 1)
    deal_rows = split_rows = 0
    with (
        ArrowCsvFile(out_dir / "deals" / later, deal_columns) as later_deals,
        ArrowCsvFile(out_dir / "deal_splits" / later, split_columns) as later_splits,
        tqdm(total=model.n_deals, unit=" deals", desc="deals", disable=not progress) as bar,
    ):
        for number, (first, last) in enumerate(batches, start=1):
            name = batch_file(number)
            with (
                ArrowCsvFile(out_dir / "deals" / name, deal_columns) as deal_file,
                ArrowCsvFile(out_dir / "deal_splits" / name, split_columns) as split_file,
            ):
                for chunk_first in range(first, last, chunk_size):
                    chunk_last = min(chunk_first + chunk_size, last)
                    chunk = generate_chunk(model, chunk_first, chunk_last, won_usd_cents)
                    deal_file.write(chunk.first_versions.texts(model))
                    split_file.write(chunk.splits.texts(model))
                    later_deals.write(chunk.later_versions.texts(model))
                    later_splits.write(chunk.resplits.texts(model))
                    bar.update(chunk_last - chunk_first)
            deal_rows += deal_file.rows
            split_rows += split_file.rows
    return deal_rows + later_deals.rows, split_rows + later_splits.rows, won_usd_cents


def generate_landing(
    out_dir: Path,
    *,
    deals: int,
    seed: int,
    start: dt.date | None = None,
    progress: bool = True,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    overwrite: bool = False,
) -> GenerationSummary:
    """Write a deterministic synthetic landing folder with ``deals`` deals.

    The same ``deals``, ``seed`` and ``start`` always give byte-identical files,
    whatever ``chunk_size`` (deals generated and written at a time). Deals are
    created from 90 days before ``start`` (default 2025-01-01) and the folder
    is an export taken two years after ``start``, so any as-of date in the
    second year has closed history and open pipeline. Programs and quotas apply
    from ``start``'s quarter.

    ``out_dir`` may exist; if it already holds landing tables, they are
    replaced only when ``overwrite`` is true (other entries are left alone).
    """
    if deals < 1:
        raise ValueError("deals must be at least 1")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    out_dir = Path(out_dir)
    _prepare(out_dir, overwrite)
    timeline = Timeline.from_start(start)
    partners = make_partners(seed, deals, timeline)

    rows: dict[str, int] = {}
    rows["programs"] = write_programs(out_dir / PROGRAMS_FILE, timeline)
    rows["partners"] = write_partners(out_dir / "partners", partners, seed)
    rows["products"] = write_products(out_dir / "products.csv")
    rows["fx_rates"] = write_fx_rates(out_dir / "fx_rates.csv", timeline, seed)

    model = DealModel.build(seed, deals, timeline, partners)
    rows["deals"], rows["deal_splits"], won_usd_cents = _write_deals(
        out_dir, model, chunk_size, progress
    )
    rows["quotas"] = write_quotas(out_dir / "quotas.csv", partners, timeline, won_usd_cents, seed)
    rows["payouts"] = write_payouts(
        out_dir / "payouts.csv", partners, timeline, won_usd_cents, seed
    )
    rows["mdf_claims"] = write_mdf_claims(
        out_dir / "mdf_claims", partners, timeline, won_usd_cents, seed
    )

    summary = GenerationSummary(
        out_dir=out_dir,
        seed=seed,
        deals=deals,
        partners=len(partners),
        rows=rows,
        files=sum(
            len([p for p in entry.rglob("*") if p.is_file()]) if entry.is_dir() else 1
            for entry in _landing_entries(out_dir)
        ),
        first_date=timeline.history_start,
        last_date=timeline.last_day,
    )
    logger.info("generated landing data: %s", summary.describe())
    return summary

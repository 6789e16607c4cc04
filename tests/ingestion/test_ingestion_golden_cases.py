"""The golden cases' landing folders load completely, with nothing quarantined."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingestion_helpers import rows

from orchestration.ingestion import ingest_landing

CASES_DIR = Path(__file__).resolve().parents[3] / "shared" / "cases"
CASE_LANDINGS = sorted(CASES_DIR.glob("*/landing"))


@pytest.mark.skipif(not CASE_LANDINGS, reason=f"no golden cases under {CASES_DIR}")
@pytest.mark.parametrize("landing", CASE_LANDINGS, ids=[path.parent.name for path in CASE_LANDINGS])
def test_golden_case_landing_loads_without_quarantine(con, landing: Path) -> None:
    results = ingest_landing(con, landing)
    assert results
    assert {result.status for result in results} == {"loaded"}
    assert sum(result.rows_quarantined for result in results) == 0
    assert rows(con, "select count(*) from raw.quarantine") == [(0,)]
    deal_lines = sum(1 for _ in (landing / "deals.csv").open()) - 1
    assert rows(con, "select count(*) from raw.deals") == [(deal_lines,)]
    assert rows(con, "select count(*) from raw.program_settings") == [(1,)]

"""Links in a landing folder: followed where they lead to a file, reported where they do not."""

from __future__ import annotations

from pathlib import Path

from ingestion_helpers import DEAL_HEADER, WON_DEAL, csv_text, write

from orchestration.ingestion.discovery import discover_batches, ignored_landing_files


def test_a_linked_file_loads_and_links_that_lead_nowhere_or_to_folders_are_reported(
    tmp_path: Path,
) -> None:
    landing = tmp_path / "landing"
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere, "june/d.csv", csv_text(DEAL_HEADER, WON_DEAL))
    write(landing, "deals/may.csv", csv_text(DEAL_HEADER, WON_DEAL.replace("D1", "D2")))
    (landing / "deals" / "june").symlink_to(elsewhere / "june", target_is_directory=True)
    (landing / "deals" / "linked.csv").symlink_to(elsewhere / "june" / "d.csv")
    (landing / "deals" / "lost.csv").symlink_to(tmp_path / "missing.csv")
    (landing / "payouts.csv").symlink_to(tmp_path / "missing-payouts.csv")

    found = [
        path.relative_to(landing.resolve()).as_posix()
        for path in discover_batches(landing, "deals")
    ]

    assert found == ["deals/linked.csv", "deals/may.csv"]
    assert ignored_landing_files(landing) == [
        "deals/june/: a linked folder is not searched; ignored"
        " (move or copy its files into the folder)",
        "deals/lost.csv: a link to nothing; ignored",
        "payouts.csv: a link to nothing; ignored",
    ]

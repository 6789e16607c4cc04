"""The same arguments give the same bytes, whatever the chunk size; other seeds differ."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from generated_landing import N_DEALS, SEED, Generated, file_bytes, read_table

from orchestration.generator import generate_landing


def test_same_seed_gives_byte_identical_files(generated: Generated, tmp_path: Path) -> None:
    generate_landing(tmp_path, deals=N_DEALS, seed=SEED, progress=False)

    assert file_bytes(tmp_path) == file_bytes(generated.folder)


@pytest.mark.parametrize("chunk_size", [13, 97, 1_000_000])
def test_chunk_size_does_not_change_the_output(chunk_size: int, tmp_path: Path) -> None:
    reference, chunked = tmp_path / "reference", tmp_path / "chunked"
    generate_landing(reference, deals=1_000, seed=3, progress=False)
    generate_landing(chunked, deals=1_000, seed=3, progress=False, chunk_size=chunk_size)

    assert file_bytes(chunked) == file_bytes(reference)


def test_a_different_seed_gives_different_data(generated: Generated, tmp_path: Path) -> None:
    generate_landing(tmp_path, deals=N_DEALS, seed=SEED + 1, progress=False)
    ours, theirs = file_bytes(generated.folder), file_bytes(tmp_path)

    assert ours.keys() == theirs.keys()
    same = {name for name in ours if ours[name] == theirs[name]}
    # The catalogue and the programs are fixed reference data; everything drawn differs.
    assert same == {"products.csv", "programs.yml"}


def test_a_landing_folder_is_not_overwritten_by_accident(generated: Generated) -> None:
    with pytest.raises(FileExistsError):
        generate_landing(generated.folder, deals=1_000, seed=SEED, progress=False)


def test_overwrite_replaces_every_landing_table(tmp_path: Path) -> None:
    generate_landing(tmp_path, deals=1_200, seed=1, progress=False)
    (tmp_path / "deals" / "batch-0099.csv").write_text("stale\n")
    (tmp_path / ".keep").write_text("")

    generate_landing(tmp_path, deals=1_000, seed=2, progress=False, overwrite=True)
    fresh = tmp_path.parent / "fresh"
    generate_landing(fresh, deals=1_000, seed=2, progress=False)

    replaced = file_bytes(tmp_path)
    assert replaced.pop(".keep") == b""
    assert replaced == file_bytes(fresh)


def test_start_moves_every_date(tmp_path: Path) -> None:
    generate_landing(tmp_path, deals=1_000, seed=5, start=dt.date(2023, 7, 1), progress=False)

    programs = yaml.safe_load((tmp_path / "programs.yml").read_text())
    firsts = {p["versions"][0]["effective_from"] for p in programs["programs"]}
    assert min(firsts) == dt.date(2023, 7, 1)
    periods = sorted({row["period"] for row in read_table(tmp_path, "quotas")})
    assert periods[0] == "2023-Q3"
    assert periods[-1] == "2025-Q2"
    updated = max(row["updated_at"] for row in read_table(tmp_path, "deals"))
    assert updated < "2025-07-01"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"deals": 0, "seed": 1}, "deals"),
        ({"deals": 10, "seed": -1}, "seed"),
        ({"deals": 10, "seed": 1, "chunk_size": 0}, "chunk_size"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict, message: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=message):
        generate_landing(tmp_path, progress=False, **arguments)


@pytest.mark.parametrize("deals", [1, 2, 45])
def test_tiny_folders_are_complete(deals: int, tmp_path: Path) -> None:
    summary = generate_landing(tmp_path, deals=deals, seed=9, progress=False)

    rows = read_table(tmp_path, "deals")
    assert len({r["deal_id"] for r in rows}) == deals
    assert summary.rows["deals"] == len(rows)
    assert summary.files == len(file_bytes(tmp_path))
    assert summary.partners == 20

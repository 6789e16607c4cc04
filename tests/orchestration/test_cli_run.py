"""The ``incentives`` command line."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from pipeline_cases import PublishedRun
from typer.testing import CliRunner

from orchestration import cli
from orchestration.cli import app


def test_run_prints_counts_and_where_the_warehouse_is(published_run: PublishedRun) -> None:
    assert published_run.exit_code == 0, published_run.stderr
    lines = published_run.stdout.splitlines()
    total = next(line for line in lines if line.startswith("total "))
    assert total.split()[1:3] == ["6", "0"]  # six landing files, none failed
    assert f"Published {published_run.settings.warehouse}" in published_run.stdout
    money = next(line for line in lines if line.startswith("money loaded: "))
    assert "deals amount_USD" in money


def test_run_reads_the_environment_and_exits_non_zero_with_one_line_per_cause(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "no-such-landing"
    env = {
        "INCENTIVES_LANDING_DIR": str(missing),
        "INCENTIVES_WAREHOUSE": str(tmp_path / "warehouse" / "incentives.duckdb"),
        "INCENTIVES_AS_OF": "2026-06-30",
    }

    result = CliRunner(env=env).invoke(app, ["run"])

    assert result.exit_code == 1
    assert "as of 2026-06-30" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert any(f"the landing folder {missing} does not exist" in line for line in errors)
    assert (
        errors[-1]
        == f"error: nothing published; {tmp_path}/warehouse/incentives.duckdb is unchanged"
    )
    assert not (tmp_path / "warehouse" / "incentives.duckdb").exists()


def test_run_rejects_a_malformed_as_of_date() -> None:
    result = CliRunner().invoke(app, ["run", "--as-of", "31/12/2026"])
    assert result.exit_code == 2


def test_generate_writes_a_landing_folder(tmp_path: Path) -> None:
    out = tmp_path / "landing"
    result = CliRunner().invoke(
        app, ["generate", "--deals", "20", "--seed", "7", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "programs.yml").is_file()
    assert "20 deals" in result.stdout


def test_import_adventureworks_needs_an_existing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "adventureworks", str(tmp_path / "missing")])
    assert result.exit_code == 2


def test_serve_starts_streamlit_on_the_published_warehouse(
    published_run: PublishedRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def fake_run_foreground(command: list[str], env: dict[str, str]) -> int:
        calls.append((command, env))
        return 0

    monkeypatch.setattr(cli, "_run_foreground", fake_run_foreground)
    warehouse = published_run.settings.warehouse
    result = CliRunner().invoke(app, ["serve", "--warehouse", str(warehouse), "--port", "8555"])

    assert result.exit_code == 0, result.output
    [(command, env)] = calls
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert Path(command[4]) == cli.STREAMLIT_APP
    assert command[command.index("--server.port") + 1] == "8555"
    assert env["INCENTIVES_WAREHOUSE"] == str(warehouse.resolve())


def test_serve_refuses_a_missing_warehouse(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no warehouse at" in result.stderr


def test_demo_generates_only_into_an_empty_landing_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated: list[tuple[Path, int, int]] = []
    ran: list[Path] = []
    served: list[Path] = []

    def fake_generate(out_dir: Path, *, deals: int, seed: int) -> object:
        generated.append((out_dir, deals, seed))
        (out_dir / "deals.csv").parent.mkdir(parents=True, exist_ok=True)
        (out_dir / "deals.csv").write_text("deal_id\n")
        return SimpleNamespace(describe=lambda: "generated")

    monkeypatch.setattr("orchestration.generator.generate_landing", fake_generate)
    monkeypatch.setattr(cli, "_run", lambda settings, **_: ran.append(settings.landing_dir) or True)
    monkeypatch.setattr(cli, "_serve", lambda warehouse, port: served.append(warehouse))
    landing = tmp_path / "landing"
    runner = CliRunner(env={"INCENTIVES_LANDING_DIR": str(landing)})

    first = runner.invoke(app, ["demo", "--deals", "30", "--seed", "3"])
    second = runner.invoke(app, ["demo"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert generated == [(landing, 30, 3)]
    assert "Using the landing files already in" in second.stdout
    assert ran == [landing, landing] and len(served) == 2


def test_dagster_starts_dagster_dev_on_the_definitions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(
        cli, "_run_foreground", lambda command, env: calls.append((command, env)) or 0
    )

    result = CliRunner(env={"DAGSTER_HOME": str(tmp_path)}).invoke(
        app, ["dagster", "--port", "3111"]
    )

    assert result.exit_code == 0, result.output
    [(command, env)] = calls
    assert command[1:] == ["-m", "dagster", "dev", "-m", cli.DEFINITIONS_MODULE, "--port", "3111"]
    assert env["DAGSTER_HOME"] == str(tmp_path)

"""Suites for programs.yml and for every public mart: they pass on real runs, fail on broken data.

The marts are judged on the generated run (it has MDF claims and a
quarantined row, which golden case 01 lacks); each broken warehouse is a
private copy with one mart edited, and exactly the expectations the edit
breaks must fail.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import AssetKey
from quality_run import EXTRA_CLAIMS_FILE, CleanRun

from orchestration.contract import LANDING_TABLES, LOAD_ORDER
from orchestration.quality import frames, suites
from orchestration.quality.checks import MART_CHECKED, RAW_CHECKED, CheckedAsset, run_checks
from orchestration.quality.validate import validate_frame
from orchestration.settings import Settings

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MARTS_YAML = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "_marts__models.yml"
)
NEW_MART_SUITES = {
    suites.DIM_PARTNERS_KEYS_SUITE.name,
    suites.DIM_PARTNERS_CODES_SUITE.name,
    suites.INCENTIVE_EARNINGS_SUITE.name,
    suites.PARTNER_MDF_SUITE.name,
    suites.QUARANTINE_SUITE.name,
    suites.INGEST_BATCHES_SUITE.name,
}
PROGRAM_SUITES = {suite.name for suite in suites.programs_suites()}


def _checked(asset_key: AssetKey) -> CheckedAsset:
    return next(t for t in (*RAW_CHECKED, *MART_CHECKED) if t.asset_key == asset_key)


def _execute(settings: Settings, *statements: str) -> None:
    con = duckdb.connect(str(settings.build_path))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


def test_every_public_mart_and_landing_table_has_a_checked_asset() -> None:
    marts = {model["name"] for model in yaml.safe_load(MARTS_YAML.read_text())["models"]}
    assert {target.asset_key.path[-1] for target in MART_CHECKED} == marts
    # Every landing table and programs.yml, in load order (programs first).
    assert [t.asset_key.path[-1] for t in RAW_CHECKED] == list(LOAD_ORDER)
    assert set(LOAD_ORDER) == {*LANDING_TABLES, "programs"}


def test_the_new_suites_pass_on_a_run_with_mdf_claims_and_a_quarantined_row(
    generated_run: CleanRun,
) -> None:
    assert generated_run.result.success, generated_run.result.failures
    assert generated_run.result.published

    report = run_checks(generated_run.settings, [*RAW_CHECKED, *MART_CHECKED], since=EPOCH)

    assert report.passed, [o.line() for o in report.blocking_failures]
    assert {o.suite for o in report.outcomes} >= NEW_MART_SUITES | PROGRAM_SUITES
    # The frames are not trivially empty: there is data for every expectation to judge.
    con = duckdb.connect(str(generated_run.settings.build_path), read_only=True)
    try:
        mdf = frames.partner_mdf_frame(con)
        quarantine = frames.quarantine_frame(con)
        batches = frames.ingest_batches_frame(con)
        codes = frames.dim_partners_codes_frame(con)
    finally:
        con.close()
    assert len(mdf) > 3 and (mdf["mart_rows"] == 1).all()
    assert mdf["approved_minus_claims_usd"].notna().all()
    assert quarantine[["source_file", "quarantined_rows"]].values.tolist() == [
        [EXTRA_CLAIMS_FILE, 1]
    ]
    assert batches["rows_quarantined"].sum() == 1
    assert codes["partners"].sum() > len(codes) > 1


# Each case: the checked mart, SQL that breaks it, and the blocking expectations that must fail.
BROKEN_MARTS = {
    "duplicate partner": (
        "dim_partners",
        ["insert into main.dim_partners select * from main.dim_partners limit 1"],
        {"one dim_partners row per partner_id"},
    ),
    "unknown partner codes": (
        "dim_partners",
        [
            "update main.dim_partners set tier = 'diamond', region = null"
            " where partner_id = (select min(partner_id) from main.dim_partners)"
        ],
        {"tier is one of registered, silver, gold, platinum", "region is never missing"},
    ),
    "duplicate earning line and a missing credited amount": (
        "fct_incentive_earnings",
        [
            "insert into main.fct_incentive_earnings select * from main.fct_incentive_earnings"
            " where program_type = 'commission' limit 1",
            "update main.fct_incentive_earnings set credited_usd = null"
            " where deal_id = (select max(deal_id) from main.fct_incentive_earnings)",
        ],
        {
            "one fct_incentive_earnings row per deal_id, partner_id and program_id",
            "credited_usd is never missing",
        },
    ),
    "mdf accrual off by a cent": (
        "mart_partner_mdf",
        [
            "update main.mart_partner_mdf set accrued_usd = accrued_usd + 0.01"
            " where partner_id = (select min(partner_id) from main.mart_partner_mdf)"
        ],
        {
            "accrued_usd is the sum of the partner's mdf earning lines in fct_incentive_earnings",
            "mdf_available_usd = accrued_usd - approved_claims_usd - paid_claims_usd",
        },
    ),
    "mdf row duplicated and a claim status total changed": (
        "mart_partner_mdf",
        [
            # A second row for an existing key, all zero, so only the key count changes.
            "insert into main.mart_partner_mdf select partner_id, program_id, 0, 0, 0, 0, 0, 0, 0"
            " from main.mart_partner_mdf limit 1",
            "update main.mart_partner_mdf"
            " set approved_claims_usd = approved_claims_usd + 1,"
            " mdf_available_usd = mdf_available_usd - 1"
            " where approved_claims_usd > 0",
        ],
        {
            "one mart_partner_mdf row per partner and program",
            "approved_claims_usd is the sum of the current approved claims, in cents",
        },
    ),
    "mdf row missing": (
        "mart_partner_mdf",
        [
            "delete from main.mart_partner_mdf where rowid = (select min(rowid)"
            " from main.mart_partner_mdf where claims = 0 and accrued_usd > 0)"
        ],
        {
            "every partner and program with MDF accruals or claims has a mart_partner_mdf row",
            "accrued_usd is the sum of the partner's mdf earning lines in fct_incentive_earnings",
        },
    ),
    "quarantined row without reason or record number": (
        "quarantine",
        ["update main.quarantine set reason = '  ', row_number = 0, source_file = ''"],
        {
            "reason is never missing or empty",
            "row_number is at least 1 (1 = the first record after the header)",
            "source_file is never empty",
        },
    ),
    "batch row counts that do not add up": (
        "ingest_batches",
        [
            "update main.ingest_batches set rows_loaded = rows_loaded - 1"
            " where batch_id = (select min(batch_id) from main.ingest_batches)"
        ],
        {"rows_read = rows_loaded + rows_quarantined for every batch"},
    ),
    "quarantined row deleted": (
        "ingest_batches",
        ["delete from main.quarantine"],
        {"rows_quarantined equals the batch's rows in quarantine"},
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_MARTS))
def test_a_broken_mart_fails_exactly_the_expectations_it_breaks(
    generated_copy: Settings, case: str
) -> None:
    mart, statements, expected = BROKEN_MARTS[case]
    target = _checked(AssetKey(["main", mart]))

    _execute(generated_copy, *statements)
    report = run_checks(generated_copy, [target], since=EPOCH)

    assert not report.passed
    assert {o.description for o in report.blocking_failures} == expected


def test_bad_program_rows_in_an_arriving_batch_are_blocking_failures(
    clean_run: CleanRun,
) -> None:
    con = duckdb.connect(str(clean_run.settings.build_path), read_only=True)
    try:
        batch_ids = frames.batch_ids_loaded_since(con, "programs", EPOCH)
        suite = suites.program_rows_suite("program_versions")
        versions = frames.program_rows_frame(con, "program_versions", batch_ids, suite.columns())
        programs = frames.program_rows_frame(
            con, "programs", batch_ids, suites.program_rows_suite("programs").columns()
        )
    finally:
        con.close()
    assert batch_ids and len(versions) >= 1
    assert validate_frame(suite, versions).passed

    versions.loc[0, "period"] = "fortnight"
    versions.loc[0, "tiering"] = "progressive"
    versions.loc[0, "cap_usd"] = -versions.loc[0, "cap_usd"]
    versions.loc[0, "effective_to"] = versions.loc[0, "effective_from"] - dt.timedelta(days=1)
    report = validate_frame(suite, versions)
    assert {o.description for o in report.blocking_failures} == {
        "period is one of month, quarter, year",
        "tiering is one of marginal, retroactive",
        "cap_usd is not negative",
        "effective_to, where present, is on or after effective_from",
    }

    programs.loc[0, "program_type"] = "loyalty"
    programs = programs.loc[[0, 0]]
    report = validate_frame(suites.program_rows_suite("programs"), programs)
    assert {o.description for o in report.blocking_failures} == {
        "program_type is one of commission, rebate, spiff, bonus, mdf",
        "one row per program_id and programs file",
    }


def test_only_this_runs_programs_batches_are_judged_and_the_schema_always_is(
    build_copy: Settings,
) -> None:
    programs = _checked(AssetKey(["raw", "programs"]))
    since = dt.datetime.now(dt.UTC)

    nothing_new = run_checks(build_copy, [programs], since=since)
    assert nothing_new.passed
    assert {o.suite for o in nothing_new.outcomes} == {suites.programs_schema_suite().name}

    # The earlier programs batch turns bad (it is not judged again), and a programs batch
    # loaded after ``since`` has a band below 0, an unknown setting and an extra column.
    loaded_at = since.replace(tzinfo=None) + dt.timedelta(seconds=1)
    _execute(
        build_copy,
        "update raw.programs set program_type = 'loyalty'",
        "insert into raw.ingest_batches select 9001, 'hash', 'programs.yml', 'programs', 'yaml',"
        f" 'loaded', 1, 1, 0, null, timestamp '{loaded_at.isoformat(sep=' ')}'",
        "insert into raw.program_settings select * replace (9001 as _batch_id,"
        " 'fortnight' as attainment_period) from raw.program_settings",
        "insert into raw.program_bands select * replace (9001 as _batch_id,"
        " band_from - 1 as band_from) from raw.program_bands",
        "alter table raw.program_eligibility add column note varchar",
    )
    report = run_checks(build_copy, [programs], since=since)

    assert {o.suite for o in report.outcomes} == PROGRAM_SUITES
    assert {o.line().split(" (")[0] for o in report.blocking_failures} == {
        "raw_programs_schema: raw.program_eligibility has exactly the contract's columns and types",
        "raw_program_settings_rows: attainment_period is one of month, quarter, year",
        "raw_program_bands_rows: band_from is not negative",
    }

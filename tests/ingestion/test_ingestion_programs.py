"""programs.yml: parsed exactly, defaults filled in, invalid files rejected whole."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from ingestion_helpers import load, rows, write

from orchestration.ingestion import (
    ProgramsFileError,
    ingest_landing,
    ingest_table,
    parse_programs,
    parse_programs_file,
)

FULL = textwrap.dedent(
    """\
    fiscal_year_start_month: 7
    clawback_days: 90
    attainment_period: Month
    stage_probability:
      proposal: 0.55
    programs:
      - program_id: RESALE
        name: Resale commission
        type: commission
        versions:
          - version: 1
            effective_from: 2026-01-01
            effective_to: 2026-06-30
            period: quarter
            bands:
              - {from: 0, rate: 0.05}
              - {from: 100000, rate: 0.07}
              - {from: 250000.5, rate: 0.1}
            cap_usd: 40000.01
            eligible:
              tiers: [Silver, gold]
              regions: [NA, EMEA]
              families: [Networking]
          - version: 2
            effective_from: "2026-07-01"
            basis: units
            tiering: retroactive
            bands: [{from: 0, rate: 0.06}]
      - program_id: SPIFF-Q2
        type: spiff
        versions:
          - {version: 1, effective_from: 2026-04-01, effective_to: 2026-06-30,
             amount_per_unit: 25, eligible: {families: [Security], products: [P-100, 200]}}
      - program_id: MDF
        type: mdf
        description: Market development fund
        versions:
          - {version: 1, effective_from: 2026-01-01, period: quarter, accrual_rate: 0.02}
    """
)


def test_full_programs_file_becomes_exact_rows(con, landing: Path) -> None:
    write(landing, "programs.yml", FULL)
    result = load(con, landing, "programs")
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "loaded",
        4,
        4,
        0,
    )
    assert rows(con, "select * exclude (_source_file) from raw.program_settings") == [
        (7, 90, "month", 1)
    ]
    assert rows(
        con, "select stage, probability from raw.program_stage_probabilities order by probability"
    ) == [
        ("prospecting", Decimal("0.10")),
        ("qualification", Decimal("0.25")),
        ("proposal", Decimal("0.55")),
        ("negotiation", Decimal("0.75")),
    ]
    assert rows(
        con, "select program_id, program_name, program_type, description from raw.programs"
    ) == [
        ("RESALE", "Resale commission", "commission", None),
        ("SPIFF-Q2", None, "spiff", None),
        ("MDF", None, "mdf", "Market development fund"),
    ]
    versions = rows(
        con,
        "select program_id, version, effective_from, effective_to, period, basis, tiering, "
        "cap_usd, amount_per_unit, amount_per_deal, accrual_rate from raw.program_versions "
        "order by program_id, version",
    )
    assert versions == [
        (
            "MDF",
            1,
            dt.date(2026, 1, 1),
            None,
            "quarter",
            None,
            None,
            None,
            None,
            None,
            Decimal("0.02"),
        ),
        (
            "RESALE",
            1,
            dt.date(2026, 1, 1),
            dt.date(2026, 6, 30),
            "quarter",
            "revenue",
            "marginal",
            Decimal("40000.01"),
            None,
            None,
            None,
        ),
        (
            "RESALE",
            2,
            dt.date(2026, 7, 1),
            None,
            "quarter",
            "units",
            "retroactive",
            None,
            None,
            None,
            None,
        ),
        (
            "SPIFF-Q2",
            1,
            dt.date(2026, 4, 1),
            dt.date(2026, 6, 30),
            "quarter",
            None,
            None,
            None,
            Decimal("25"),
            None,
            None,
        ),
    ]
    assert rows(
        con, "select version, band_number, band_from, rate from raw.program_bands order by 1, 2"
    ) == [
        (1, 1, Decimal("0"), Decimal("0.05")),
        (1, 2, Decimal("100000"), Decimal("0.07")),
        (1, 3, Decimal("250000.5"), Decimal("0.1")),
        (2, 1, Decimal("0"), Decimal("0.06")),
    ]
    assert rows(
        con, "select program_id, dimension, value from raw.program_eligibility order by all"
    ) == [
        ("RESALE", "families", "Networking"),
        ("RESALE", "regions", "EMEA"),
        ("RESALE", "regions", "NA"),
        ("RESALE", "tiers", "gold"),
        ("RESALE", "tiers", "silver"),
        ("SPIFF-Q2", "families", "Security"),
        ("SPIFF-Q2", "products", "200"),
        ("SPIFF-Q2", "products", "P-100"),
    ]
    assert rows(con, "select distinct _batch_id, _source_file from raw.program_versions") == [
        (1, "programs.yml")
    ]


def test_defaults_of_a_minimal_file() -> None:
    document = parse_programs(
        {
            "programs": [
                {
                    "program_id": "R",
                    "type": "rebate",
                    "versions": [
                        {
                            "version": 1,
                            "effective_from": "2026-01-01",
                            "bands": [{"from": 0, "rate": 0}],
                        }
                    ],
                }
            ]
        }
    )
    assert document.rows["program_settings"] == [(1, None, "quarter")]
    assert dict(document.rows["program_stage_probabilities"]) == {
        "prospecting": Decimal("0.10"),
        "qualification": Decimal("0.25"),
        "proposal": Decimal("0.50"),
        "negotiation": Decimal("0.75"),
    }
    (version,) = document.rows["program_versions"]
    assert version[4:7] == ("quarter", "revenue", "marginal")
    assert document.version_count == 1


def test_yaml_floats_stay_exact() -> None:
    data = yaml.safe_load(
        "programs: [{program_id: M, type: mdf, "
        "versions: [{version: 1, effective_from: 2026-01-01, accrual_rate: 0.1}]}]"
    )
    (version,) = parse_programs(data).rows["program_versions"]
    assert version[-1] == Decimal("0.1")
    assert str(version[-1]) == "0.1"


def _one_version(program_type: str = "commission", **fields: object) -> dict:
    version: dict = {
        "version": 1,
        "effective_from": "2026-01-01",
        "bands": [{"from": 0, "rate": 0.05}],
    }
    version.update(fields)
    version = {key: value for key, value in version.items() if value is not None}
    return {"programs": [{"program_id": "P", "type": program_type, "versions": [version]}]}


def _two_versions(first: dict, second: dict) -> dict:
    base = {"bands": [{"from": 0, "rate": 0.05}]}
    return {
        "programs": [
            {
                "program_id": "P",
                "type": "commission",
                "versions": [{**base, **first}, {**base, **second}],
            }
        ]
    }


IN_P = "programs.yml: program P: "
IN_A = "programs.yml: program A: "
V1 = IN_P + "version 1: "

INVALID = [
    (_one_version("loyalty"), IN_P + "unknown type 'loyalty'"),
    (
        _one_version(bands=[]),
        V1 + "a band program needs a non-empty 'bands' list",
    ),
    (
        _one_version(bands=None),
        V1 + "a band program needs a non-empty 'bands' list",
    ),
    (
        _one_version(
            bands=[{"from": 0, "rate": 0.1}, {"from": 50, "rate": 0.2}, {"from": 50, "rate": 0.3}]
        ),
        V1 + "bands out of order: band 3 starts at 50, not above the previous band's 50",
    ),
    (
        _one_version(bands=[{"from": 10, "rate": 0.1}]),
        V1 + "the first band must start at 0, not 10",
    ),
    (
        _one_version(bands=[{"from": 0, "rate": -0.01}]),
        V1 + "band 1 has a negative rate (-0.01)",
    ),
    (
        _one_version(effective_to="2025-12-31"),
        V1 + "effective_to 2025-12-31 is before effective_from 2026-01-01",
    ),
    (
        _one_version(effective_from="01/01/2026"),
        V1 + "effective_from must be a date (YYYY-MM-DD), not '01/01/2026'",
    ),
    (
        _one_version(effective_form="2026-01-01"),
        V1 + "unknown key for commission 'effective_form'",
    ),
    (
        _one_version("spiff", bands=None),
        V1 + "a spiff needs amount_per_unit or amount_per_deal",
    ),
    (
        _one_version("spiff", bands=None, amount_per_unit=5, amount_per_deal=10),
        V1 + "a spiff pays per unit or per deal: give only one of the two",
    ),
    (
        _one_version("spiff", amount_per_unit=5),
        V1 + "unknown key for spiff 'bands'",
    ),
    (
        _one_version("mdf", bands=None),
        V1 + "an mdf program needs accrual_rate",
    ),
    (
        _one_version(eligible={"colours": ["red"]}),
        V1 + "unknown eligibility dimension 'colours'",
    ),
    (
        _one_version(eligible={"tiers": ["diamond"]}),
        V1 + "eligible.tiers: unknown value 'diamond'",
    ),
    (_one_version(period="week"), V1 + "unknown period 'week'"),
    (
        _one_version(cap_usd=-1),
        V1 + "cap_usd must not be negative, not -1",
    ),
    (
        _two_versions(
            {"version": 1, "effective_from": "2026-01-01", "effective_to": "2026-06-30"},
            {"version": 2, "effective_from": "2026-07-01", "period": "month"},
        ),
        IN_P + "all versions must share one period: version 1 uses quarter, version 2 uses month",
    ),
    (
        _two_versions(
            {"version": 1, "effective_from": "2026-01-01", "effective_to": "2026-06-30"},
            {"version": 2, "effective_from": "2026-06-30"},
        ),
        IN_P + "versions 1 (2026-01-01 to 2026-06-30) and 2 (from 2026-06-30) overlap",
    ),
    (
        _two_versions(
            {"version": 1, "effective_from": "2026-01-01"},
            {"version": 2, "effective_from": "2027-01-01"},
        ),
        IN_P + "versions 1 (2026-01-01 to open-ended) and 2 (from 2027-01-01) overlap",
    ),
    (
        _two_versions(
            {"version": 1, "effective_from": "2026-01-01", "effective_to": "2026-06-30"},
            {"version": 1, "effective_from": "2026-07-01"},
        ),
        IN_P + "duplicate version number 1",
    ),
    (
        {"fiscal_year_start_month": 13, "programs": []},
        "programs.yml: fiscal_year_start_month must be 1..12, not 13",
    ),
    (
        {"fiscal_year_start_month": 0, "programs": []},
        "programs.yml: fiscal_year_start_month must be 1..12, not 0",
    ),
    (
        {"attainment_period": "week", "programs": []},
        "programs.yml: unknown attainment_period 'week'",
    ),
    (
        {"stage_probability": {"won": 1}, "programs": []},
        "programs.yml: stage_probability: 'won' is not an open stage",
    ),
    (
        {
            "programs": [
                {
                    "program_id": "A",
                    "type": "mdf",
                    "versions": [
                        {"version": 1, "effective_from": "2026-01-01", "accrual_rate": 0.01}
                    ],
                }
            ]
            * 2
        },
        IN_A + "duplicate program_id",
    ),
    (
        {"programs": [{"program_id": "A", "type": "mdf", "versions": []}]},
        IN_A + "needs a non-empty 'versions' list",
    ),
    ({"programmes": []}, "programs.yml: unknown top-level key 'programmes'"),
    ([1, 2], "programs.yml: expected a mapping"),
    (None, "programs.yml: the file is empty"),
]


@pytest.mark.parametrize(
    ("data", "message"), INVALID, ids=[message[14:60] for _, message in INVALID]
)
def test_invalid_programs_are_rejected_with_a_clear_message(data, message: str) -> None:
    with pytest.raises(ProgramsFileError) as caught:
        parse_programs(data)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "programs.yml", "programs: [\n  - {program_id: A\n")
    with pytest.raises(ProgramsFileError, match=r"^programs.yml: not valid YAML: "):
        parse_programs_file(path)


def test_invalid_programs_file_fails_its_batch_and_loads_nothing(con, landing: Path) -> None:
    write(landing, "programs.yml", yaml.safe_dump(INVALID[3][0]))
    result = load(con, landing, "programs")
    assert result.status == "failed"
    assert result.error_message == INVALID[3][1]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (0, 0, 0)
    assert rows(con, "select count(*) from raw.programs") == [(0,)]
    assert rows(con, "select status, error_message from raw.ingest_batches") == [
        ("failed", INVALID[3][1])
    ]


def test_a_changed_programs_file_loads_as_a_new_batch(con, landing: Path) -> None:
    write(landing, "programs.yml", FULL)
    load(con, landing, "programs")
    assert ingest_table(con, landing, "programs") == []
    write(landing, "programs.yml", FULL.replace("clawback_days: 90", "clawback_days: 60"))
    assert load(con, landing, "programs").status == "loaded"
    assert rows(con, "select _batch_id, clawback_days from raw.program_settings order by 1") == [
        (1, 90),
        (2, 60),
    ]


MINIMAL = textwrap.dedent(
    """\
    programs:
      - program_id: A
        type: commission
        versions:
          - version: 1
            effective_from: 2026-01-01
            bands:
              - {from: 0, rate: 0.05}
            cap_usd: 40000
    """
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            MINIMAL.replace("2026-01-01", "2026-02-30"),
            "programs.yml: line 6: 2026-02-30 is not a valid date",
        ),
        (
            MINIMAL.replace("2026-01-01", "2026-13-01"),
            "programs.yml: line 6: 2026-13-01 is not a valid date",
        ),
        (
            MINIMAL.replace("rate: 0.05}", "rate: 0.05, rate: 0.5}"),
            "programs.yml: line 8: key 'rate' is given twice in one mapping (first on line 8)",
        ),
        (
            MINIMAL + "        cap_usd: 4000000\n",
            "programs.yml: line 10: key 'cap_usd' is given twice in one mapping (first on line 9)",
        ),
        (
            MINIMAL + MINIMAL,
            "programs.yml: line 10: key 'programs' is given twice in one mapping (first on line 1)",
        ),
    ],
    ids=["impossible-day", "month-13", "band-rate-twice", "cap-twice", "programs-twice"],
)
def test_impossible_dates_and_repeated_keys_are_rejected_with_their_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "programs.yml", text)
    with pytest.raises(ProgramsFileError) as caught:
        parse_programs_file(path)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_keys_given_next_to_a_merge_key_override_it(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "- {from: 0, rate: 0.05}",
        "- &band {from: 0, rate: 0.05}\n          - {<<: *band, from: 100000, rate: 0.07}",
    )
    document = parse_programs_file(write(tmp_path, "programs.yml", text))
    assert [row[-2:] for row in document.rows["program_bands"]] == [
        (Decimal(0), Decimal("0.05")),
        (Decimal(100000), Decimal("0.07")),
    ]


def test_impossible_date_fails_only_the_programs_batch(con, landing: Path) -> None:
    write(landing, "programs.yml", MINIMAL.replace("2026-01-01", "2026-02-30"))
    write(landing, "products.csv", "product_id,product_name,family,list_price_usd\nA,B,C,1\n")
    results = ingest_landing(con, landing)
    assert [(r.source_file, r.status) for r in results] == [
        ("programs.yml", "failed"),
        ("products.csv", "loaded"),
    ]
    assert results[0].error_message == (
        "programs.yml: line 6: 2026-02-30 is not a valid date (day is out of range for month)"
    )

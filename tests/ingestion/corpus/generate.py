"""Write the bad-input corpus: one folder per case, its landing files and ``outcome.yml``.

The files are committed; this script is how their exact bytes (byte order
marks, CRLF, UTF-16, cp1252, truncated Parquet) were made. Run it from the
repository root to rewrite every case folder::

    .venv/bin/python tests/ingestion/corpus/generate.py

A case folder holds the landing files of its first scan; a sub-folder
``scan2/`` holds files added to the landing folder before a second scan. See
``README.md`` for the layout of ``outcome.yml``.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

CORPUS = Path(__file__).resolve().parent

DEAL_COLUMNS = (
    "deal_id",
    "partner_id",
    "product_id",
    "quantity",
    "amount",
    "currency",
    "stage",
    "created_at",
    "expected_close_date",
    "closed_at",
    "cancelled_at",
    "updated_at",
)
DEAL_HEADER = ",".join(DEAL_COLUMNS)
_BASE_DEAL = {
    "deal_id": "D1",
    "partner_id": "P1",
    "product_id": "A-100",
    "quantity": "2",
    "amount": "1000.00",
    "currency": "USD",
    "stage": "won",
    "created_at": "2026-01-01T00:00:00Z",
    "expected_close_date": "2026-01-09",
    "closed_at": "2026-01-10T00:00:00Z",
    "cancelled_at": "",
    "updated_at": "2026-01-10T00:00:00Z",
}
PARTNER_HEADER = "partner_id,partner_name,region,country,tier,partner_type,enrolled_at,updated_at"
PRODUCT_HEADER = "product_id,product_name,family,list_price_usd"
SPLIT_HEADER = "deal_id,partner_id,split_pct"
FX_HEADER = "rate_date,currency,usd_per_unit"

PROGRAMS_GOOD_BANDS = """\
programs:
  - program_id: RESELL
    name: Reseller commission
    type: commission
    versions:
      - version: 1
        effective_from: 2026-01-01
        bands:
          - {from: 0, rate: 0.05}
          - {from: 100000, rate: 0.07}
"""


def deal(**changes: str) -> dict[str, str]:
    """A valid won deal with some values changed."""
    values = dict(_BASE_DEAL)
    values.update(changes)
    return values


def deal_line(**changes: str) -> str:
    return ",".join(deal(**changes).values())


def lines(*records: str, end: str = "\n") -> str:
    return "".join(record + end for record in records)


def deals_csv(*records: str, end: str = "\n") -> str:
    return lines(DEAL_HEADER, *records, end=end)


def loaded(file: str, read: int, quarantined: list[tuple[int, str]] | None = None) -> dict:
    quarantined = quarantined or []
    entry: dict[str, Any] = {
        "file": file,
        "status": "loaded",
        "rows_read": read,
        "rows_loaded": read - len(quarantined),
        "rows_quarantined": len(quarantined),
    }
    if quarantined:
        entry["quarantined"] = [
            {"row_number": number, "reason": reason} for number, reason in quarantined
        ]
    return entry


def failed(file: str, error: str) -> dict:
    return {
        "file": file,
        "status": "failed",
        "rows_read": 0,
        "rows_loaded": 0,
        "rows_quarantined": 0,
        "error": error,
    }


def rejected(
    file: str, read: int, quarantined: list[tuple[int, str]], error: str, *, again: bool = False
) -> dict:
    """A batch rejected whole: every row quarantined; ``again`` when a later scan re-reports it."""
    return {
        "file": file,
        "status": "rejected",
        "rows_read": 0 if again else read,
        "rows_loaded": 0,
        "rows_quarantined": 0 if again else read,
        "quarantined": [{"row_number": number, "reason": reason} for number, reason in quarantined],
        "error": error,
    }


def duplicate(file: str) -> dict:
    return {
        "file": file,
        "status": "duplicate",
        "rows_read": 0,
        "rows_loaded": 0,
        "rows_quarantined": 0,
    }


def skipped(file: str) -> dict:
    return {"file": file, "status": "skipped"}


def check(sql: str, *rows: list[str]) -> dict:
    return {"sql": sql, "rows": [list(row) for row in rows]}


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


CASES: list[dict[str, Any]] = []


def case(
    name: str,
    description: str,
    files: dict[str, str | bytes],
    scans: list[list[dict]],
    checks: list[dict] | None = None,
    scan2_files: dict[str, str | bytes] | None = None,
    ignored: list[list[str]] | None = None,
    max_quarantine_share: float | None = None,
) -> None:
    """Add a case; ``ignored`` holds, per scan, the warnings for files no table loads.

    ``max_quarantine_share`` sets the share of failing rows above which a batch
    is rejected whole; without it a case shows row-level reasons only.
    """
    CASES.append(
        {
            "name": name,
            "description": description,
            "files": files,
            "scan2_files": scan2_files or {},
            "scans": scans,
            "checks": checks or [],
            "ignored": ignored or [[] for _ in scans],
            "max_quarantine_share": max_quarantine_share,
        }
    )


# --- encodings, line ends, quoting -------------------------------------------------------

case(
    "bom-crlf",
    "UTF-8 with a byte order mark and CRLF line ends loads like plain UTF-8.",
    {"deals.csv": ("\ufeff" + deals_csv(deal_line(), deal_line(deal_id="D2"), end="\r\n"))},
    [[loaded("deals.csv", 2)]],
    [check("select deal_id from raw.deals order by _row_number", ["D1"], ["D2"])],
)
case(
    "crlf-quoted-line-break",
    "A quoted value holding a CRLF line break and commas is one record.",
    {
        "products.csv": lines(
            PRODUCT_HEADER,
            'A-1,"Router, edge\r\nmodel",Networking,10',
            "A-2,Switch,Networking,5",
            end="\r\n",
        )
    },
    [[loaded("products.csv", 2)]],
    [
        check(
            "select product_id, _row_number from raw.products order by 2",
            ["A-1", "1"],
            ["A-2", "2"],
        )
    ],
)
case(
    "quoted-commas",
    "Quoted values with commas and doubled quotes keep their text.",
    {
        "partners.csv": lines(
            PARTNER_HEADER,
            'P1,"Acme, Inc.",NA,US,gold,reseller,2025-01-01,2026-01-01T00:00:00Z',
            'P2,"The ""Best"" Partner",EMEA,DE,silver,msp,2025-01-01,2026-01-01T00:00:00Z',
        )
    },
    [[loaded("partners.csv", 2)]],
    [
        check(
            "select partner_name from raw.partners order by _row_number",
            ["Acme, Inc."],
            ['The "Best" Partner'],
        )
    ],
)
case(
    "utf16-with-bom",
    "UTF-16 (with its byte order mark) fails naming the encoding: landing text is UTF-8.",
    {"deals.csv": ("\ufeff" + deals_csv(deal_line(), end="\r\n")).encode("utf-16-le")},
    [[failed("deals.csv", "encoded as UTF-16")]],
)
case(
    "utf16-without-bom",
    "UTF-16 without a byte order mark fails: the header holds NUL bytes.",
    {"products.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10").encode("utf-16-le")},
    [[failed("products.csv", "NUL bytes")]],
)
case(
    "cp1252-then-good-file",
    "A cp1252 export (Caf\\xe9) fails naming the line; the next good file loads.",
    {
        "partners/2026-05-01.csv": lines(
            PARTNER_HEADER,
            "P1,Acme,NA,US,gold,reseller,2025-01-01,2026-01-01T00:00:00Z",
            "P2,Café Systèmes,EMEA,FR,silver,msp,2025-01-01,2026-01-01T00:00:00Z",
        ).encode("cp1252"),
        "partners/2026-05-02.csv": lines(
            PARTNER_HEADER, "P3,Beta,NA,US,gold,reseller,2025-01-01,2026-01-01T00:00:00Z"
        ),
    },
    [
        [
            failed("partners/2026-05-01.csv", "not UTF-8 text (invalid byte sequence on line 3)"),
            loaded("partners/2026-05-02.csv", 1),
        ]
    ],
    [check("select partner_id from raw.partners", ["P3"])],
)
case(
    "cp1252-ascii-only",
    "A cp1252 export holding only ASCII is byte for byte UTF-8 and loads.",
    {"products.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10").encode("cp1252")},
    [[loaded("products.csv", 1)]],
)
case(
    "semicolon-separated",
    "A semicolon-separated file fails: the separator must be a comma (never guessed).",
    {"deals.csv": deals_csv(deal_line()).replace(",", ";")},
    [[failed("deals.csv", "separated by ';', not by commas: the separator must be a comma")]],
)
case(
    "tab-separated",
    "A tab-separated file fails the same way.",
    {"products.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10").replace(",", "\t")},
    [[failed("products.csv", "separated by tabs")]],
)
case(
    "unbalanced-quote",
    "An unbalanced quote fails the file: every later value could be shifted.",
    {"deals.csv": deals_csv(deal_line(), deal_line(deal_id='"D2'), deal_line(deal_id="D3"))},
    [[failed("deals.csv", "unterminated quote")]],
)
case(
    "ragged-row-unquoted-thousands",
    "An unquoted 1,000.00 gives a record with one value too many: the file fails.",
    {"deals.csv": deals_csv(deal_line(), deal_line(deal_id="D2", amount="1,000.00"))},
    [[failed("deals.csv", "Expected Number of Columns: 12 Found: 13")]],
)
case(
    "ragged-row-missing-value",
    "A record with one value too few fails the file (never padded with blanks).",
    {"products.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10", "A-2,Switch,Networking")},
    [[failed("products.csv", "Expected Number of Columns: 4 Found: 3")]],
)
case(
    "empty-file",
    "A 0-byte file fails (not even a header); other tables still load.",
    {"deals.csv": b"", "products.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10")},
    [[loaded("products.csv", 1), failed("deals.csv", "the file is empty (0 bytes)")]],
)
case(
    "header-only",
    "A header without records loads 0 rows, with or without a final line break.",
    {
        "deals.csv": deals_csv(),
        "fx_rates.csv": FX_HEADER,
    },
    [[loaded("fx_rates.csv", 0), loaded("deals.csv", 0)]],
)
case(
    "blank-lines",
    "Blank lines are not records: record numbers skip them.",
    {"deals.csv": DEAL_HEADER + "\n\n" + deal_line() + "\n\n" + deal_line(deal_id="") + "\n\n"},
    [[loaded("deals.csv", 2, [(2, "missing deal_id")])]],
)
case(
    "mixed-line-ends",
    "CRLF and LF mixed in one file (concatenated exports) fail with a message saying so.",
    {
        "products.csv": PRODUCT_HEADER
        + "\r\n"
        + "A-1,Router,Networking,10\nA-2,Hub,Networking,5\r\n"
    },
    [[failed("products.csv", "mixes CRLF and LF line ends")]],
)
case(
    "bare-cr-line-ends",
    "Lines ending with a bare CR (classic Mac) fail with a message saying so.",
    {"products.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10", end="\r")},
    [[failed("products.csv", "bare carriage return (CR)")]],
)
case(
    "bom-only",
    "A file holding only a UTF-8 byte order mark has no header row and fails.",
    {"products.csv": b"\xef\xbb\xbf"},
    [[failed("products.csv", "no header row")]],
)
case(
    "quoted-header-and-values",
    "Quoted column names and values read like unquoted ones.",
    {"products.csv": '"product_id","family","list_price_usd"\r\n"A-1","Storage","12.50"\r\n'},
    [[loaded("products.csv", 1)]],
    [
        check(
            "select product_id, list_price_usd::varchar from raw.products", ["A-1", "12.5000000000"]
        )
    ],
)
case(
    "binary-file-named-csv",
    "A binary file under a CSV name fails as not UTF-8.",
    {"products.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"},
    [[failed("products.csv", "not UTF-8")]],
)

# --- columns --------------------------------------------------------------------------

case(
    "extra-columns",
    "Unknown columns are kept in _extra_columns and ignored downstream.",
    {"deals.csv": lines(DEAL_HEADER + ",Sales Rep,notes", deal_line() + ",Ann,first deal")},
    [[loaded("deals.csv", 1)]],
    [check("select _extra_columns from raw.deals", ['{"sales rep":"Ann","notes":"first deal"}'])],
)
case(
    "missing-optional-columns",
    "Missing optional columns read as empty; a won deal still needs closed_at.",
    {
        "deals.csv": lines(
            "deal_id,partner_id,product_id,quantity,amount,currency,stage,closed_at,updated_at",
            "D1,P1,A-100,1,10,USD,won,2026-01-10,2026-01-10",
            "D2,P1,A-100,1,10,USD,proposal,,2026-01-10",
        )
    },
    [[loaded("deals.csv", 2)]],
    [
        check(
            "select deal_id, created_at, expected_close_date, cancelled_at from raw.deals "
            "order by 1",
            ["D1", "None", "None", "None"],
            ["D2", "None", "None", "None"],
        )
    ],
)
case(
    "missing-optional-closed-at-column",
    "Without a closed_at column every won deal is quarantined; open ones load.",
    {
        "deals.csv": lines(
            "deal_id,partner_id,product_id,quantity,amount,currency,stage,updated_at",
            "D1,P1,A-100,1,10,USD,won,2026-01-10",
            "D2,P1,A-100,1,10,USD,qualification,2026-01-10",
        )
    },
    [[loaded("deals.csv", 2, [(1, "won deal without closed_at")])]],
)
case(
    "missing-required-column",
    "A missing required column fails the batch and names the column.",
    {
        "deals.csv": lines(
            DEAL_HEADER.replace("amount,", ""),
            deal_line().replace(",1000.00,", ","),
        )
    },
    [[failed("deals.csv", "missing required column amount")]],
)
case(
    "columns-in-another-order-and-case",
    "Columns match by name without regard to order, case and surrounding blanks.",
    {
        "partners.csv": lines(
            " UPDATED_AT ,Tier,Partner_ID,REGION , partner_type",
            "2026-01-01T00:00:00Z,Gold,P1,emea,Reseller",
        )
    },
    [[loaded("partners.csv", 1)]],
    [
        check(
            "select partner_id, region, tier, partner_type, partner_name from raw.partners",
            ["P1", "EMEA", "gold", "reseller", "None"],
        )
    ],
)
case(
    "duplicate-column-names",
    "Two columns with the same name (after trimming and case) fail the batch.",
    {"products.csv": lines("product_id,family, Product_ID", "A,Storage,B")},
    [[failed("products.csv", "column 'product_id' appears more than once")]],
)

# --- numbers --------------------------------------------------------------------------

case(
    "thousands-separators",
    "Thousands separators are never read away: the row is quarantined.",
    {
        "deals.csv": deals_csv(
            deal_line(),
            deal_line(deal_id="D2").replace("1000.00", '"1,000.00"'),
            deal_line(deal_id="D3", amount="1 000.00"),
            deal_line(deal_id="D4", amount="1'000.00"),
            deal_line(deal_id="D5", amount="$1000"),
        )
    },
    [
        [
            loaded(
                "deals.csv",
                5,
                [
                    (2, "amount is not a decimal number: '1,000.00'"),
                    (3, "amount is not a decimal number: '1 000.00'"),
                    (4, "amount is not a decimal number: '1'000.00'"),
                    (5, "amount is not a decimal number: '$1000'"),
                ],
            )
        ]
    ],
)
case(
    "comma-decimals",
    "Comma decimals are never reinterpreted as dots: the row is quarantined.",
    {
        "deals.csv": deals_csv(
            deal_line().replace("1000.00", '"1000,50"'),
            deal_line(deal_id="D2").replace("1000.00", '"1.000,50"'),
        ),
        "fx_rates.csv": lines(FX_HEADER, '2026-01-02,EUR,"1,08"'),
    },
    [
        [
            loaded("fx_rates.csv", 1, [(1, "usd_per_unit is not a decimal number: '1,08'")]),
            loaded(
                "deals.csv",
                2,
                [
                    (1, "amount is not a decimal number: '1000,50'"),
                    (2, "amount is not a decimal number: '1.000,50'"),
                ],
            ),
        ]
    ],
)
case(
    "amounts-with-many-decimals",
    "Any number of decimals loads; raw keeps 10 (rounded half away from zero), cents later.",
    {
        "deals.csv": deals_csv(
            deal_line(amount="1000.125"),
            deal_line(deal_id="D2", amount="0.33333333333333"),
            deal_line(deal_id="D3", amount="12.34567890125"),
        )
    },
    [[loaded("deals.csv", 3)]],
    [
        check(
            "select amount::varchar from raw.deals order by _row_number",
            ["1000.1250000000"],
            ["0.3333333333"],
            ["12.3456789013"],
        )
    ],
)
case(
    "huge-amounts",
    "Amounts beyond DECIMAL(28,10) (18 integer digits) are quarantined, not truncated.",
    {
        "deals.csv": deals_csv(
            deal_line(amount="999999999999999999.99"),
            deal_line(deal_id="D2", amount="1234567890123456789"),
            deal_line(deal_id="D3", amount="1e30"),
            deal_line(deal_id="D4", amount="99999999999999999999999999999999999999999"),
        )
    },
    [
        [
            loaded(
                "deals.csv",
                4,
                [
                    (2, "amount is too large (at most 18 digits before the point)"),
                    (3, "amount is too large (at most 18 digits before the point): '1e30'"),
                    (4, "amount is too large"),
                ],
            )
        ]
    ],
    [check("select amount::varchar from raw.deals", ["999999999999999999.9900000000"])],
)
case(
    "negative-and-zero-quantities",
    "Quantity below 1 and a negative amount are quarantined; a zero amount loads.",
    {
        "deals.csv": deals_csv(
            deal_line(quantity="0"),
            deal_line(deal_id="D2", quantity="-1"),
            deal_line(deal_id="D3", quantity="1.5"),
            deal_line(deal_id="D4", amount="-10.00"),
            deal_line(deal_id="D5", amount="0"),
            deal_line(deal_id="D6", quantity="3.0"),
        )
    },
    [
        [
            loaded(
                "deals.csv",
                6,
                [
                    (1, "quantity must be at least 1: '0'"),
                    (2, "quantity must be at least 1: '-1'"),
                    (3, "quantity is not a whole number: '1.5'"),
                    (4, "negative amount: '-10.00'"),
                ],
            )
        ]
    ],
    [check("select deal_id, quantity from raw.deals order by 1", ["D5", "2"], ["D6", "3"])],
)

# --- codes ----------------------------------------------------------------------------

case(
    "unknown-stages",
    "Stages match without regard to case; anything else is quarantined.",
    {
        "deals.csv": deals_csv(
            deal_line(stage="WON"),
            deal_line(deal_id="D2", stage="Closed Won"),
            deal_line(deal_id="D3", stage=""),
            deal_line(deal_id="D4", stage="open", closed_at=""),
        )
    },
    [
        [
            loaded(
                "deals.csv",
                4,
                [
                    (2, "unknown stage 'Closed Won' (expected one of prospecting"),
                    (3, "missing stage"),
                    (4, "unknown stage 'open'"),
                ],
            )
        ]
    ],
    [check("select stage from raw.deals", ["won"])],
)
case(
    "unknown-currencies",
    "A currency must be three letters (upper-cased); an unlisted code loads and "
    "finds no FX rate downstream.",
    {
        "deals.csv": deals_csv(
            deal_line(currency="eur"),
            deal_line(deal_id="D2", currency="XYZ"),
            deal_line(deal_id="D3", currency="US"),
            deal_line(deal_id="D4", currency="EURO"),
            deal_line(deal_id="D5", currency="€"),
            deal_line(deal_id="D6", currency=""),
        )
    },
    [
        [
            loaded(
                "deals.csv",
                6,
                [
                    (3, "currency is not a three-letter code: 'US'"),
                    (4, "currency is not a three-letter code: 'EURO'"),
                    (5, "currency is not a three-letter code: '€'"),
                    (6, "missing currency"),
                ],
            )
        ]
    ],
    [check("select currency from raw.deals order by _row_number", ["EUR"], ["XYZ"])],
)
case(
    "partner-enumerations",
    "Unknown regions, tiers and partner types are quarantined with the allowed values.",
    {
        "partners.csv": lines(
            PARTNER_HEADER,
            "P1,Acme,Europe,FR,gold,reseller,2025-01-01,2026-01-01",
            "P2,Beta,NA,US,diamond,reseller,2025-01-01,2026-01-01",
            "P3,Gamma,NA,US,gold,agency,2025-01-01,2026-01-01",
            "P4,Delta,apac,JP,Platinum,MSP,2025-01-01,2026-01-01",
        )
    },
    [
        [
            loaded(
                "partners.csv",
                4,
                [
                    (1, "unknown region 'Europe' (expected one of NA, EMEA, APAC, LATAM)"),
                    (2, "unknown tier 'diamond'"),
                    (3, "unknown partner_type 'agency'"),
                ],
            )
        ]
    ],
)

# --- dates and timestamps ---------------------------------------------------------------

case(
    "dates-in-other-formats",
    "Only ISO dates and timestamps are read; 03/05/2026 is ambiguous and is quarantined.",
    {
        "deals.csv": deals_csv(
            deal_line(expected_close_date="03/05/2026"),
            deal_line(deal_id="D2", expected_close_date="2026/03/05"),
            deal_line(deal_id="D3", closed_at="05.01.2026 10:00"),
            deal_line(deal_id="D4", updated_at="20260110"),
            deal_line(deal_id="D5", created_at='"Jan 1, 2026"'),
            deal_line(deal_id="D6", closed_at="2026-01-10", updated_at="2026-01-10 08:00"),
        )
    },
    [
        [
            loaded(
                "deals.csv",
                6,
                [
                    (1, "expected_close_date is not an ISO date (YYYY-MM-DD): '03/05/2026'"),
                    (2, "expected_close_date is not an ISO date (YYYY-MM-DD): '2026/03/05'"),
                    (3, "closed_at is not an ISO 8601 timestamp: '05.01.2026 10:00'"),
                    (4, "updated_at is not an ISO 8601 timestamp: '20260110'"),
                    (5, "created_at is not an ISO 8601 timestamp: 'Jan 1, 2026'"),
                ],
            )
        ]
    ],
    [
        check(
            "select closed_at, updated_at from raw.deals",
            ["2026-01-10 00:00:00", "2026-01-10 08:00:00"],
        )
    ],
)
case(
    "impossible-dates",
    "Dates that do not exist are quarantined, not rolled over.",
    {
        "deals.csv": deals_csv(
            deal_line(expected_close_date="2026-02-30"),
            deal_line(deal_id="D2", closed_at="2026-01-10T25:00:00Z"),
        )
    },
    [
        [
            loaded(
                "deals.csv",
                2,
                [
                    (1, "expected_close_date is not an ISO date (YYYY-MM-DD): '2026-02-30'"),
                    (2, "closed_at is not an ISO 8601 timestamp: '2026-01-10T25:00:00Z'"),
                ],
            )
        ]
    ],
)
case(
    "offsets-around-period-ends",
    "Offsets convert to UTC: 2026-03-31T23:30:00-02:00 closes in Q2, "
    "2026-04-01T00:30:00+02:00 in Q1.",
    {
        "deals.csv": deals_csv(
            deal_line(closed_at="2026-03-31T23:30:00-02:00", updated_at="2026-04-01T02:00:00Z"),
            deal_line(
                deal_id="D2",
                closed_at="2026-04-01T00:30:00+02:00",
                updated_at="2026-04-01T00:30:00+02:00",
            ),
            deal_line(
                deal_id="D3",
                closed_at="2026-12-31T23:59:59.999+0000",
                updated_at="2027-01-01T00:00:00z",
            ),
            deal_line(
                deal_id="D4",
                closed_at="2026-06-30T20:00:00-05:00",
                updated_at="2026-07-01T01:00:00Z",
            ),
        )
    },
    [[loaded("deals.csv", 4)]],
    [
        check(
            "select deal_id, closed_at, quarter(closed_at) from raw.deals order by 1",
            ["D1", "2026-04-01 01:30:00", "2"],
            ["D2", "2026-03-31 22:30:00", "1"],
            ["D3", "2026-12-31 23:59:59.999000", "4"],
            ["D4", "2026-07-01 01:00:00", "3"],
        )
    ],
)
case(
    "timestamp-spellings",
    "ISO 8601 spellings load in UTC (no seconds, t and z, +02, +05:45); "
    "a blank before the offset is quarantined.",
    {
        "partners.csv": lines(
            "partner_id,region,tier,partner_type,updated_at",
            "P1,NA,gold,msp,2026-03-31T23:30-02:00",
            "P2,NA,gold,msp,2026-03-31t23:30:00z",
            "P3,NA,gold,msp,2026-03-31T23:30:00-02",
            "P4,NA,gold,msp,2026-03-31T23:30:00+05:45",
            "P5,NA,gold,msp,2026-03-31 23:30",
            "P6,NA,gold,msp,2026-03-31T23:30:00 -02:00",
        )
    },
    [
        [
            loaded(
                "partners.csv",
                6,
                [(6, "updated_at is not an ISO 8601 timestamp: '2026-03-31T23:30:00 -02:00'")],
            )
        ]
    ],
    [
        check(
            "select partner_id, updated_at from raw.partners order by 1",
            ["P1", "2026-04-01 01:30:00"],
            ["P2", "2026-03-31 23:30:00"],
            ["P3", "2026-04-01 01:30:00"],
            ["P4", "2026-03-31 17:45:00"],
            ["P5", "2026-03-31 23:30:00"],
        )
    ],
)
case(
    "closed-deals-without-close-date",
    "Won and cancelled deals need closed_at, cancelled ones also cancelled_at; "
    "lost and open deals do not.",
    {
        "deals.csv": deals_csv(
            deal_line(closed_at=""),
            deal_line(deal_id="D2", stage="cancelled", closed_at=""),
            deal_line(deal_id="D3", stage="cancelled"),
            deal_line(deal_id="D4", stage="lost", closed_at=""),
            deal_line(deal_id="D5", stage="negotiation", closed_at=""),
            deal_line(deal_id="D6", stage="cancelled", cancelled_at="2026-01-10T00:00:00Z"),
        )
    },
    [
        [
            loaded(
                "deals.csv",
                6,
                [
                    (1, "won deal without closed_at"),
                    (2, "cancelled deal without closed_at; cancelled deal without cancelled_at"),
                    (3, "cancelled deal without cancelled_at"),
                ],
            )
        ]
    ],
)
case(
    "won-deal-with-future-close-date",
    "A deal whose closed_at is after its own updated_at is quarantined.",
    {
        "deals.csv": deals_csv(
            deal_line(closed_at="2026-12-31T00:00:00Z", updated_at="2026-01-10T00:00:00Z"),
            deal_line(deal_id="D2", closed_at="2026-01-10T00:00:01Z"),
            deal_line(deal_id="D3", closed_at="2026-01-10T01:00:00+01:00"),
        )
    },
    [
        [
            loaded(
                "deals.csv",
                3,
                [
                    (
                        1,
                        "closed_at '2026-12-31T00:00:00Z' is after updated_at "
                        "'2026-01-10T00:00:00Z'",
                    ),
                    (2, "closed_at '2026-01-10T00:00:01Z' is after updated_at"),
                ],
            )
        ]
    ],
)
case(
    "missing-keys-and-blank-values",
    "Blank keys are missing values; blanks around values are trimmed.",
    {
        "deals.csv": deals_csv(
            deal_line(deal_id=""),
            deal_line(deal_id="D2", partner_id="  "),
            deal_line(deal_id=" D3\t", amount=" 10.50 "),
        )
    },
    [[loaded("deals.csv", 3, [(1, "missing deal_id"), (2, "missing partner_id")])]],
    [check("select deal_id, amount::varchar from raw.deals", ["D3", "10.5000000000"])],
)

# --- duplicates and versions ---------------------------------------------------------------

case(
    "duplicate-rows-in-one-file",
    "Identical rows in one file all load (raw keeps everything).",
    {"deals.csv": deals_csv(deal_line(), deal_line(), deal_line())},
    [[loaded("deals.csv", 3)]],
    [check("select count(*), count(distinct _row_number) from raw.deals", ["3", "3"])],
)
case(
    "duplicate-rows-across-files",
    "The same row in two different files loads from both batches.",
    {
        "deals/2026-05-01.csv": deals_csv(deal_line(), deal_line(deal_id="D2")),
        "deals/2026-05-02.csv": deals_csv(deal_line(deal_id="D2"), deal_line(deal_id="D3")),
    },
    [[loaded("deals/2026-05-01.csv", 2), loaded("deals/2026-05-02.csv", 2)]],
    [check("select count(*) from raw.deals where deal_id = 'D2'", ["2"])],
)
case(
    "same-file-scanned-twice",
    "A second scan of an unchanged landing folder loads nothing.",
    {"deals.csv": deals_csv(deal_line())},
    [[loaded("deals.csv", 1)], [skipped("deals.csv")]],
    [check("select count(*) from raw.deals", ["1"])],
)
case(
    "same-content-under-another-name",
    "A copy under another name, in a later scan, is a duplicate and loads nothing.",
    {"deals.csv": deals_csv(deal_line())},
    [[loaded("deals.csv", 1)], [skipped("deals.csv"), duplicate("deals/resent.csv")]],
    [
        check("select count(*) from raw.deals", ["1"]),
        check(
            "select source_file, status from raw.ingest_batches order by batch_id",
            ["deals.csv", "loaded"],
            ["deals/resent.csv", "duplicate"],
        ),
    ],
    scan2_files={"deals/resent.csv": deals_csv(deal_line())},
)
case(
    "same-content-twice-in-one-scan",
    "Two files with the same bytes in one scan: the first in path order loads.",
    {
        "products.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10"),
        "products/copy.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10"),
    },
    [[loaded("products.csv", 1), duplicate("products/copy.csv")]],
)
case(
    "stale-version-after-newer",
    "An older version arriving later loads too; the greatest updated_at stays current.",
    {
        "deals/2026-05-02.csv": deals_csv(
            deal_line(closed_at="2026-05-01T00:00:00Z", updated_at="2026-05-02T00:00:00Z")
        ),
    },
    [
        [loaded("deals/2026-05-02.csv", 1)],
        [skipped("deals/2026-05-02.csv"), loaded("deals/2026-05-03.csv", 1)],
    ],
    [
        check("select count(*) from raw.deals", ["2"]),
        check(
            "select stage, _source_file from raw.deals "
            "order by updated_at desc, _batch_id desc, _row_number desc limit 1",
            ["won", "deals/2026-05-02.csv"],
        ),
    ],
    scan2_files={
        "deals/2026-05-03.csv": deals_csv(
            deal_line(stage="proposal", closed_at="", updated_at="2026-04-20T00:00:00Z")
        )
    },
)
case(
    "partner-missing-from-a-batch",
    "A partner absent from a later batch is not deleted: both batches load.",
    {
        "partners/2026-05-01.csv": lines(
            PARTNER_HEADER,
            "P1,Acme,NA,US,silver,reseller,2025-01-01,2026-05-01T00:00:00Z",
            "P2,Beta,EMEA,DE,gold,msp,2025-01-01,2026-05-01T00:00:00Z",
        ),
        "partners/2026-05-02.csv": lines(
            PARTNER_HEADER, "P1,Acme,NA,US,gold,reseller,2025-01-01,2026-05-02T00:00:00Z"
        ),
    },
    [[loaded("partners/2026-05-01.csv", 2), loaded("partners/2026-05-02.csv", 1)]],
    [
        check(
            "select partner_id, count(*) from raw.partners group by 1 order by 1",
            ["P1", "2"],
            ["P2", "1"],
        )
    ],
)

# --- splits, FX, quotas --------------------------------------------------------------

case(
    "split-shares-not-100",
    "A split set not summing to 100 is quarantined whole; a valid set loads.",
    {
        "deal_splits.csv": lines(
            SPLIT_HEADER, "D1,P1,60", "D1,P2,30", "D2,P1,50", "D2,P2,50.000", "D3,P1,100.01"
        )
    },
    [
        [
            loaded(
                "deal_splits.csv",
                5,
                [
                    (1, "split set for deal D1 sums to 90, not 100"),
                    (2, "split set for deal D1 sums to 90, not 100"),
                    (5, "split_pct must be greater than 0 and at most 100: '100.01'"),
                ],
            )
        ]
    ],
)
case(
    "split-row-without-partner",
    "A split row without a partner quarantines its whole set.",
    {"deal_splits.csv": lines(SPLIT_HEADER, "D1,P1,50", "D1,,50", "D2,P3,100")},
    [
        [
            loaded(
                "deal_splits.csv",
                3,
                [
                    (1, "split set for deal D1 has an invalid row (row 2)"),
                    (2, "missing partner_id"),
                ],
            )
        ]
    ],
)
case(
    "fx-weekend-gaps",
    "FX rates missing over a weekend load without quarantine (the last rate applies).",
    {
        "fx_rates.csv": lines(
            FX_HEADER, "2026-01-02,EUR,1.08", "2026-01-05,EUR,1.09", "2026-01-05,gbp,1.27"
        )
    },
    [[loaded("fx_rates.csv", 3)]],
)
case(
    "fx-bad-rates",
    "A zero rate and a non-ISO rate date are quarantined.",
    {"fx_rates.csv": lines(FX_HEADER, "2026-01-02,EUR,0", "02.01.2026,EUR,1.08")},
    [
        [
            loaded(
                "fx_rates.csv",
                2,
                [
                    (1, "usd_per_unit must be greater than 0: '0'"),
                    (2, "rate_date is not an ISO date (YYYY-MM-DD): '02.01.2026'"),
                ],
            )
        ]
    ],
)
case(
    "quota-at-another-grain",
    "A quota at another grain than the attainment period (quarter by default) is quarantined.",
    {"quotas.csv": lines("partner_id,period,quota_usd", "P1,2026-q2,100", "P1,2026-05,100")},
    [
        [
            loaded(
                "quotas.csv",
                2,
                [(2, "quota period '2026-05' is not at the attainment grain (quarter")],
            )
        ]
    ],
)

# --- programs.yml -----------------------------------------------------------------------

case(
    "programs-band-order",
    "programs.yml with bands out of order is rejected whole with a clear message.",
    {
        "programs.yml": PROGRAMS_GOOD_BANDS.replace("from: 100000", "from: 0").replace(
            "{from: 0, rate: 0.05}", "{from: 0, rate: 0.05}\n          - {from: 50000, rate: 0.06}"
        )
    },
    [[failed("programs.yml", "program RESELL: version 1: bands out of order")]],
)
case(
    "programs-overlapping-versions",
    "programs.yml with overlapping versions is rejected whole with a clear message.",
    {
        "programs.yml": PROGRAMS_GOOD_BANDS.replace(
            "        effective_from: 2026-01-01\n",
            "        effective_from: 2026-01-01\n        effective_to: 2026-06-30\n",
        )
        + """\
      - version: 2
        effective_from: 2026-06-01
        bands:
          - {from: 0, rate: 0.06}
"""
    },
    [[failed("programs.yml", "program RESELL: versions 1 (2026-01-01 to 2026-06-30) and 2")]],
)
case(
    "programs-valid",
    "A valid programs.yml loads one row per version.",
    {"programs.yml": PROGRAMS_GOOD_BANDS},
    [[loaded("programs.yml", 1)]],
    [
        check(
            "select band_number, band_from::varchar from raw.program_bands order by 1",
            ["1", "0.0000000000"],
            ["2", "100000.0000000000"],
        )
    ],
)

# --- Parquet and JSON ------------------------------------------------------------------------


def _products_parquet() -> bytes:
    return parquet_bytes(
        pa.table({"product_id": ["A-1", "A-2"], "family": ["Networking", "Storage"]})
    )


case(
    "truncated-parquet",
    "A truncated Parquet file fails naming the file; the next file loads.",
    {
        "products/1.parquet": _products_parquet()[: len(_products_parquet()) // 2],
        "products/2.csv": lines(PRODUCT_HEADER, "B-1,Backup,Storage,1"),
    },
    [[failed("products/1.parquet", "cannot read as Parquet"), loaded("products/2.csv", 1)]],
)
case(
    "parquet-bad-rows",
    "Parquet rows go through the same rules: a negative quantity is quarantined.",
    {
        "deals.parquet": parquet_bytes(
            pa.Table.from_pylist(
                [
                    {**deal(), "quantity": 2, "cancelled_at": None},
                    {**deal(deal_id="D2"), "quantity": -2, "cancelled_at": None},
                ]
            )
        )
    },
    [[loaded("deals.parquet", 2, [(2, "quantity must be at least 1: '-2'")])]],
)
case(
    "jsonl-bad-rows",
    "JSON Lines rows go through the same rules; record numbers count objects.",
    {
        "deals.jsonl": (
            '{"deal_id": "D1", "partner_id": "P1", "product_id": "A", "quantity": 1, '
            '"amount": "10.00", "currency": "USD", "stage": "proposal", '
            '"updated_at": "2026-01-10"}\n'
            '{"deal_id": "D2", "partner_id": "P1", "product_id": "A", "quantity": 1, '
            '"amount": "1,000.00", "currency": "USD", "stage": "proposal", '
            '"updated_at": "2026-01-10"}\n'
        )
    },
    [[loaded("deals.jsonl", 2, [(2, "amount is not a decimal number: '1,000.00'")])]],
)
case(
    "json-not-a-table",
    "A JSON file whose records are not objects fails the batch.",
    {"deals.jsonl": '[1, 2]\n"text"\n'},
    [[failed("deals.jsonl", "record 1 is not a JSON object")]],
)
case(
    "empty-jsonl-and-parquet-without-rows",
    "A 0-byte JSON Lines file fails; a Parquet file with a schema and no rows loads 0 rows.",
    {
        "deals.jsonl": b"",
        "products.parquet": parquet_bytes(
            pa.table(
                {
                    "product_id": pa.array([], pa.string()),
                    "family": pa.array([], pa.string()),
                }
            )
        ),
    },
    [[loaded("products.parquet", 0), failed("deals.jsonl", "the file is empty (0 bytes)")]],
)
case(
    "hidden-and-foreign-files",
    "Hidden files and files of other formats under a table folder are not landing files.",
    {
        "deals/2026-05-01.csv": deals_csv(deal_line()),
        "deals/.~lock.2026-05-01.csv#": "lock",
        "deals/.partial.csv": deals_csv(deal_line(deal_id="D9")),
        "deals/readme.txt": "exported from the CRM\n",
    },
    [
        [
            loaded("deals/2026-05-01.csv", 1),
            skipped("deals/.partial.csv"),
            skipped("deals/.~lock.2026-05-01.csv#"),
            skipped("deals/readme.txt"),
        ]
    ],
    ignored=[["deals/readme.txt: not a landing file format (.txt); ignored"]],
)


# --- faults found by trying bad input by hand ----------------------------------------------

case(
    "programs-impossible-date",
    "A programs.yml date that does not exist fails the file with its line; other tables load.",
    {
        "programs.yml": PROGRAMS_GOOD_BANDS.replace("2026-01-01", "2026-02-30"),
        "products.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10"),
    },
    [
        [
            failed("programs.yml", "line 7: 2026-02-30 is not a valid date"),
            loaded("products.csv", 1),
        ]
    ],
)
case(
    "programs-repeated-key",
    "A key given twice in one programs.yml mapping fails the file: the last one never wins.",
    {"programs.yml": PROGRAMS_GOOD_BANDS.replace("rate: 0.07}", "rate: 0.07, rate: 0.7}")},
    [[failed("programs.yml", "line 10: key 'rate' is given twice in one mapping")]],
)

case(
    "timestamp-offsets-out-of-range",
    "UTC offsets outside -12:00..+14:00 or with minutes above 59 are quarantined, not applied.",
    {
        "deals.csv": deals_csv(
            deal_line(deal_id="D1", created_at="2026-03-31T23:30:00+14:00"),
            deal_line(deal_id="D2", created_at="2026-03-31T23:30:00-12:00"),
            deal_line(deal_id="D3", created_at="2026-03-31T23:30:00+25:00"),
            deal_line(deal_id="D4", created_at="2026-03-31T23:30:00+99"),
            deal_line(deal_id="D5", created_at="2026-03-31T23:30:00+05:75"),
            deal_line(deal_id="D6", created_at="2026-03-31T23:30:00-1230"),
        )
    },
    [
        [
            loaded(
                "deals.csv",
                6,
                [
                    (3, "created_at is not an ISO 8601 timestamp: offset +25:00 is out of range"),
                    (4, "created_at is not an ISO 8601 timestamp: offset +99 is out of range"),
                    (5, "offset +05:75 is out of range (-12:00 to +14:00): '2026-03-31T23:30"),
                    (6, "offset -1230 is out of range"),
                ],
            )
        ]
    ],
    [
        check(
            "select deal_id, created_at from raw.deals order by _row_number",
            ["D1", "2026-03-31 09:30:00"],
            ["D2", "2026-04-01 11:30:00"],
        )
    ],
)

case(
    "parquet-columns-differing-in-case",
    "A Parquet file with columns Amount and amount fails naming both, as CSV and JSON do.",
    {
        "deals.parquet": parquet_bytes(
            pa.Table.from_pylist([{**deal(), "Amount": "5.00", "cancelled_at": None}])
        ),
        "products.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10"),
    },
    [
        [
            loaded("products.csv", 1),
            failed("deals.parquet", "column 'amount' appears more than once ('amount' and 'Amount"),
        ]
    ],
)

case(
    "utf16-without-bom-crlf",
    "UTF-16 without a byte order mark and with CRLF line ends fails on its NUL bytes, "
    "not as bare CR line ends.",
    {"deals.csv": deals_csv(deal_line(), end="\r\n").encode("utf-16-le")},
    [[failed("deals.csv", "the header holds NUL bytes: not UTF-8 text")]],
)
case(
    "parquet-named-csv",
    "Parquet bytes in a file named .csv fail saying it is Parquet, not naming missing columns.",
    {"products.csv": parquet_bytes(pa.table({"product_id": ["A-1"], "family": ["Networking"]}))},
    [[failed("products.csv", "not CSV text: it is a Parquet file (it starts with PAR1)")]],
)
case(
    "two-byte-order-marks",
    "A header after two UTF-8 byte order marks fails naming the second mark.",
    {"deals.csv": "\ufeff\ufeff" + deals_csv(deal_line())},
    [[failed("deals.csv", "the header starts with a second byte order mark (U+FEFF)")]],
)
case(
    "semicolon-header-with-quoted-comma",
    "A semicolon-separated header with a quoted comma is still recognised as semicolons.",
    {"deals.csv": 'deal_id;partner_id;"notes, misc";product_id\nD1;P1;x;A-100\n'},
    [[failed("deals.csv", "separated by ';', not by commas: the separator must be a comma")]],
)
case(
    "jsonl-truncated-line",
    "A JSON Lines record cut off inside a string fails naming its own line, not the next.",
    {
        "deals.jsonl": (
            '{"deal_id": "D1", "partner_id": "P1", "product_id": "A", "quantity": 1, '
            '"amount": "10.00", "currency": "USD", "stage": "proposal", '
            '"updated_at": "2026-01-10"}\n'
            '{"deal_id": "D2", "partner_id": "P1", "product_id": "A", "quantity": 1, '
            '"amount": "10.00", "currency": "USD", "stage": "proposal", "updated_at": "2026-01\n'
            '{"deal_id": "D3", "partner_id": "P1", "product_id": "A", "quantity": 1, '
            '"amount": "10.00", "currency": "USD", "stage": "proposal", '
            '"updated_at": "2026-01-10"}\n'
        )
    },
    [[failed("deals.jsonl", "not valid JSON: line 2: a string is not closed at the end")]],
)
case(
    "jsonl-blank",
    "A JSON Lines file of blank lines fails saying it holds no records.",
    {"deal_splits.jsonl": "\n  \n\n"},
    [[failed("deal_splits.jsonl", "the file holds no JSON records")]],
)
case(
    "quantity-too-large",
    "A quantity beyond a 64-bit whole number is quarantined as too large.",
    {"deals.csv": deals_csv(deal_line(), deal_line(deal_id="D2", quantity="99999999999999999999"))},
    [[loaded("deals.csv", 2, [(2, "quantity is too large (at most 18 digits)")])]],
)

case(
    "table-names-in-other-case",
    "Table file and folder names match without regard to case, as column names do.",
    {
        "Products.csv": lines(PRODUCT_HEADER, "A-1,Router,Networking,10"),
        "Deals.csv": deals_csv(deal_line()),
        "DEALS/2026-05-01.csv": deals_csv(deal_line(deal_id="D2")),
    },
    [[loaded("Products.csv", 1), loaded("DEALS/2026-05-01.csv", 1), loaded("Deals.csv", 1)]],
    [check("select deal_id from raw.deals order by _batch_id", ["D2"], ["D1"])],
)
case(
    "files-matching-no-table",
    "Files and folders that no table loads are not loaded, and each gives a warning line.",
    {
        "deals.csv": deals_csv(deal_line()),
        "deals_2026-07-03.csv": deals_csv(deal_line(deal_id="D2")),
        "deals.txt": "D3\n",
        "notes.txt": "sent by the CRM team\n",
        "archive/deals.csv": deals_csv(deal_line(deal_id="D4")),
        ".DS_Store": "hidden\n",
    },
    [
        [
            loaded("deals.csv", 1),
            skipped("deals_2026-07-03.csv"),
            skipped("deals.txt"),
            skipped("notes.txt"),
            skipped("archive/deals.csv"),
            skipped(".DS_Store"),
        ]
    ],
    [check("select deal_id from raw.deals", ["D1"])],
    ignored=[
        [
            "archive/: not a landing table folder; ignored",
            "deals.txt: not a landing file format (.txt); ignored",
            "deals_2026-07-03.csv: not a landing table name; ignored "
            "(batch files of deals go in the folder deals/)",
            "notes.txt: not a landing table name; ignored",
        ]
    ],
)


case(
    "batch-over-the-quarantine-share",
    "A file with more than the allowed share of failing rows is rejected whole, reported"
    " again while it stays, and a corrected file loads.",
    {
        "deals.csv": deals_csv(
            deal_line(),
            deal_line(deal_id="D2", quantity="0"),
            deal_line(deal_id="D3", currency="US"),
        )
    },
    [
        [
            rejected(
                "deals.csv",
                3,
                [
                    (1, "batch rejected: 2 of 3 rows failed their checks"),
                    (2, "quantity"),
                    (3, "currency"),
                ],
                "2 of 3 rows failed their checks, more than the allowed 50%",
            )
        ],
        [
            rejected(
                "deals.csv",
                3,
                [
                    (1, "batch rejected: 2 of 3 rows failed their checks"),
                    (2, "quantity"),
                    (3, "currency"),
                ],
                "2 of 3 rows failed their checks, more than the allowed 50%",
                again=True,
            ),
            loaded("deals/corrected.csv", 2),
        ],
    ],
    [check("select deal_id from raw.deals order by deal_id", ["D1"], ["D2"])],
    scan2_files={
        "deals/corrected.csv": deals_csv(deal_line(), deal_line(deal_id="D2")),
    },
    max_quarantine_share=0.5,
)


def _write_case(folder: Path, spec: dict[str, Any]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    for prefix, files in (("", spec["files"]), ("scan2/", spec["scan2_files"])):
        for name, content in files.items():
            path = folder / (prefix + name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    outcome: dict[str, Any] = {"description": spec["description"]}
    if spec["max_quarantine_share"] is not None:
        outcome["max_quarantine_share"] = spec["max_quarantine_share"]
    outcome |= {
        "scans": [
            {"files": files, **({"ignored": ignored} if ignored else {})}
            for files, ignored in zip(spec["scans"], spec["ignored"], strict=True)
        ],
    }
    if spec["checks"]:
        outcome["checks"] = spec["checks"]
    text = yaml.safe_dump(
        outcome, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    (folder / "outcome.yml").write_text(text, encoding="utf-8")


def main(write: Callable[[Path, dict[str, Any]], None] = _write_case) -> None:
    """Rewrite every case folder ``NN-name`` of the corpus."""
    for old in CORPUS.iterdir():
        if old.is_dir() and old.name[:2].isdigit():
            shutil.rmtree(old)
    for number, spec in enumerate(CASES, start=1):
        write(CORPUS / f"{number:02d}-{spec['name']}", spec)


if __name__ == "__main__":
    main()

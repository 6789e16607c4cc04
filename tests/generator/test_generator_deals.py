"""Generated deals and splits follow the landing contract and cover every lifecycle case."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from generated_landing import N_DEALS, Generated, header, read_table, table_files

from orchestration.contract import LANDING_TABLES, OPEN_STAGES, STAGES

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
CLAWBACK = dt.timedelta(days=90)


def _moment(text: str) -> dt.datetime:
    assert TIMESTAMP.match(text), text
    return dt.datetime.fromisoformat(text)


def _current(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """The current version of each deal: greatest updated_at, later rows win ties."""
    current: dict[str, dict[str, str]] = {}
    for row in rows:
        seen = current.get(row["deal_id"])
        if seen is None or row["updated_at"] >= seen["updated_at"]:
            current[row["deal_id"]] = row
    return current


def test_every_deal_file_has_the_contract_header(generated: Generated) -> None:
    for table in ("deals", "deal_splits"):
        files = table_files(generated.folder, table)
        assert len(files) >= 4
        for path in files:
            assert header(path) == list(LANDING_TABLES[table].column_names)


def test_row_counts_match_the_number_of_deals(generated: Generated) -> None:
    rows = read_table(generated.folder, "deals")
    files = table_files(generated.folder, "deals")
    first_batches = [r for r in rows if r["_file"] != files[-1].name]

    assert len({r["deal_id"] for r in rows}) == N_DEALS
    assert len(first_batches) == N_DEALS  # one first version per deal
    assert len({r["deal_id"] for r in first_batches}) == N_DEALS
    assert generated.summary.deals == N_DEALS
    for table, count in generated.summary.rows.items():
        if table != "programs":
            assert len(read_table(generated.folder, table)) == count, table


def test_every_deal_row_is_valid(generated: Generated) -> None:
    partners = {r["partner_id"]: r for r in read_table(generated.folder, "partners")}
    products = {r["product_id"] for r in read_table(generated.folder, "products")}
    fx_currencies = {r["currency"] for r in read_table(generated.folder, "fx_rates")}
    last_moment = dt.datetime.combine(generated.summary.last_date, dt.time.max, dt.UTC)
    for row in read_table(generated.folder, "deals"):
        assert row["stage"] in STAGES
        assert CURRENCY.match(row["currency"])
        assert row["currency"] == "USD" or row["currency"] in fx_currencies
        assert int(row["quantity"]) >= 1
        assert AMOUNT.match(row["amount"]), row["amount"]
        assert row["partner_id"] in partners
        assert row["product_id"] in products
        dt.date.fromisoformat(row["expected_close_date"])
        created, updated = _moment(row["created_at"]), _moment(row["updated_at"])
        assert created <= updated <= last_moment
        enrolled = _moment(partners[row["partner_id"]]["enrolled_at"])
        assert enrolled <= created
        if row["stage"] in OPEN_STAGES:
            assert row["closed_at"] == row["cancelled_at"] == ""
            continue
        closed = _moment(row["closed_at"])
        assert created < closed <= updated
        if row["stage"] == "cancelled":
            cancelled = _moment(row["cancelled_at"])
            assert closed < cancelled <= updated
        else:
            assert row["cancelled_at"] == ""


def test_deals_are_updated_in_a_later_batch(generated: Generated) -> None:
    rows = read_table(generated.folder, "deals")
    later_file = table_files(generated.folder, "deals")[-1].name
    first = {r["deal_id"]: r for r in rows if r["_file"] != later_file}
    changes: set[tuple[str, str]] = set()
    amount_changes = 0
    for later in (r for r in rows if r["_file"] == later_file):
        before = first[later["deal_id"]]
        assert later["updated_at"] > before["updated_at"]
        changes.add((before["stage"], later["stage"]))
        amount_changes += before["amount"] != later["amount"]

    assert {("won", "cancelled"), ("won", "won"), ("prospecting", "won")} <= changes
    assert any(before in OPEN_STAGES and after == "lost" for before, after in changes)
    assert any(before in OPEN_STAGES and after in OPEN_STAGES for before, after in changes)
    assert amount_changes > 0


def test_current_deals_cover_every_stage_and_both_sides_of_the_clawback_window(
    generated: Generated,
) -> None:
    current = _current(read_table(generated.folder, "deals"))
    stages = defaultdict(int)
    for row in current.values():
        stages[row["stage"]] += 1
    assert set(stages) == set(STAGES)
    assert stages["won"] > stages["cancelled"] > 0

    gaps = [
        _moment(r["cancelled_at"]) - _moment(r["closed_at"])
        for r in current.values()
        if r["stage"] == "cancelled"
    ]
    assert any(gap <= CLAWBACK for gap in gaps)
    assert any(gap > CLAWBACK for gap in gaps)
    # Open pipeline at the export: some still expected later, some overdue.
    expected = [r["expected_close_date"] for r in current.values() if r["stage"] in OPEN_STAGES]
    last_day = generated.summary.last_date.isoformat()
    assert any(day > last_day for day in expected)
    assert any(day <= last_day for day in expected)


def test_an_as_of_date_in_the_second_year_sees_history_and_pipeline(
    generated: Generated,
) -> None:
    as_of = (generated.summary.last_date - dt.timedelta(days=180)).isoformat() + "T23:59:59Z"
    known = _current([r for r in read_table(generated.folder, "deals") if r["updated_at"] <= as_of])
    stages = {row["stage"] for row in known.values()}
    assert set(STAGES) <= stages


def test_split_sets_sum_to_exactly_100(generated: Generated) -> None:
    rows = read_table(generated.folder, "deal_splits")
    deals = {r["deal_id"]: r for r in read_table(generated.folder, "deals")}
    sets: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        sets[(row["_file"], row["deal_id"])].append(row)

    assert len(sets) > 50
    sizes = set()
    for members in sets.values():
        shares = [Decimal(m["split_pct"]) for m in members]
        partners = [m["partner_id"] for m in members]
        assert sum(shares) == 100
        assert all(0 < share <= 100 for share in shares)
        assert len(set(partners)) == len(partners)
        assert partners[0] == deals[members[0]["deal_id"]]["partner_id"]
        sizes.add(len(members))
    assert sizes == {2, 3}


def test_some_split_sets_are_replaced_in_the_later_batch(generated: Generated) -> None:
    files = table_files(generated.folder, "deal_splits")
    rows = read_table(generated.folder, "deal_splits")
    first = defaultdict(list)
    for row in rows:
        if row["_file"] != files[-1].name:
            first[row["deal_id"]].append((row["partner_id"], row["split_pct"]))
    later = defaultdict(list)
    for row in rows:
        if row["_file"] == files[-1].name:
            later[row["deal_id"]].append((row["partner_id"], row["split_pct"]))

    assert later
    for deal_id, members in later.items():
        assert [p for p, _ in members] == [p for p, _ in first[deal_id]]
        assert members != first[deal_id]

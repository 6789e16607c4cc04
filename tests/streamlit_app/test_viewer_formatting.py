"""Display text of money, attainment, rates and other figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from streamlit_app.data.formatting import (
    format_amount,
    format_attainment,
    format_count,
    format_money,
    format_quantity,
    format_rate,
    format_ratio,
    format_timestamp,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1516.88"), "1,516.88 USD"),
        (Decimal("0"), "0.00 USD"),
        (Decimal("-87.50"), "-87.50 USD"),
        (Decimal("12345678901234.56"), "12,345,678,901,234.56 USD"),
        (Decimal("0.005"), "0.01 USD"),
        (Decimal("-0.004"), "0.00 USD"),
        (7, "7.00 USD"),
        ("1000.1", "1,000.10 USD"),
        (None, "—"),
    ],
)
def test_money_is_shown_exactly_with_two_decimals_and_separators(value, expected):
    assert format_money(value) == expected


def test_money_keeps_every_digit_a_float_would_lose():
    # 14 integer digits plus cents do not survive a round trip through a double.
    assert format_money(Decimal("99999999999999.99")) == "99,999,999,999,999.99 USD"


def test_money_refuses_binary_floats():
    with pytest.raises(TypeError, match="exact number"):
        format_money(1516.88)


def test_amount_has_no_currency():
    assert format_amount(Decimal("98483.12")) == "98,483.12"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("37.92"), "37.92 %"),
        (Decimal("123.4"), "123.40 %"),
        (Decimal("0"), "0.00 %"),
        (None, "no quota set"),
        (float("nan"), "no quota set"),
    ],
)
def test_attainment_reads_percent_or_no_quota_set(value, expected):
    assert format_attainment(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.07"), "7.00 %"),
        (Decimal("0.0500"), "5.00 %"),
        (Decimal("0.00125"), "0.125 %"),
        (Decimal("0.10"), "10.00 %"),
        (None, "—"),
    ],
)
def test_band_rate_is_a_percent_never_rounded_away(value, expected):
    assert format_rate(value) == expected


def test_ratio_count_quantity_and_timestamp():
    assert format_ratio(Decimal("0.05")) == "0.0500"
    assert format_ratio(0.125) == "0.1250"
    assert format_count(1234) == "1,234"
    assert format_count(2.0) == "2"
    assert format_count(None) == "—"
    assert format_quantity(Decimal("10.0000")) == "10"
    assert format_quantity(Decimal("1234.5000")) == "1,234.5"
    assert format_timestamp(dt.datetime(2026, 4, 15, 10, 0)) == "2026-04-15 10:00"
    assert format_timestamp(dt.date(2026, 4, 15)) == "2026-04-15"

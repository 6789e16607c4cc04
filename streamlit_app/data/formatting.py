"""Display text for the viewer's figures.

Money arrives from the warehouse as ``decimal.Decimal`` (DECIMAL(18,2)) and is
shown exactly: two decimals, thousands separators, and the currency code.
Binary floats are refused for money, so a figure can never be shown rounded
differently from the number a partner recomputes.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

NO_QUOTA = "no quota set"
"""Text shown where attainment is null (no quota, or a quota <= 0)."""

MISSING = "—"
"""Text shown for a figure that does not apply (for example no next band)."""

_CENTS = Decimal("0.01")


def is_missing(value: Any) -> bool:
    """Return True for ``None`` and the pandas/NumPy null markers."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_decimal(value: Any) -> Decimal:
    """Convert an exact number (Decimal, int or numeric text) to ``Decimal``.

    Binary floats are refused: a money figure that went through a double may
    already differ from the warehouse's exact value.
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number to display")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        return Decimal(value)
    raise TypeError(f"expected an exact number (Decimal, int or str), got {type(value).__name__}")


def format_amount(value: Any) -> str:
    """Format an exact number with two decimals and thousands separators.

    >>> format_amount(Decimal("1516.875"))
    '1,516.88'
    """
    if is_missing(value):
        return MISSING
    rounded = to_decimal(value).quantize(_CENTS, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never show "-0.00"
    return f"{rounded:,.2f}"


def format_money(value: Any, currency: str = "USD") -> str:
    """Format a money amount, e.g. ``Decimal("1516.88")`` -> ``'1,516.88 USD'``.

    A negative amount (for example an unpaid balance to be recovered) keeps its
    sign: ``'-250.00 USD'``.
    """
    if is_missing(value):
        return MISSING
    return f"{format_amount(value)} {currency}"


def _exact_or_float(value: Any) -> Decimal:
    """Decimal for a ratio that may come back as a double (not money)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return to_decimal(value)


def format_attainment(value: Any) -> str:
    """Format ``attainment_pct`` (already x100), e.g. ``'37.92 %'``.

    A null attainment means the partner has no quota (or a quota <= 0) for the
    period and reads ``'no quota set'``.
    """
    if is_missing(value):
        return NO_QUOTA
    pct = _exact_or_float(value).quantize(_CENTS, rounding=ROUND_HALF_UP)
    return f"{pct:,.2f} %"


def format_rate(value: Any) -> str:
    """Format a band rate given as a fraction, e.g. ``Decimal("0.07")`` -> ``'7.00 %'``.

    At least two decimals are shown, more when the rate needs them
    (``0.00125`` -> ``'0.125 %'``), so a rate is never shown rounded.
    """
    if is_missing(value):
        return MISSING
    pct = _exact_or_float(value) * 100
    exponent = pct.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return f"{pct.normalize():f} %"
    return f"{pct.quantize(_CENTS):,.2f} %"


def format_ratio(value: Any, places: int = 4) -> str:
    """Format a plain ratio such as ``cost_to_revenue`` with ``places`` decimals."""
    if is_missing(value):
        return MISSING
    quantum = Decimal(1).scaleb(-places)
    return f"{_exact_or_float(value).quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


def format_count(value: Any) -> str:
    """Format a whole number (rank, partner count) with thousands separators."""
    if is_missing(value):
        return MISSING
    return f"{int(value):,}"


def format_quantity(value: Any) -> str:
    """Format a quantity such as credited units: exact, without trailing zeros."""
    if is_missing(value):
        return MISSING
    number = _exact_or_float(value).normalize()
    if number == number.to_integral_value():
        return f"{number.to_integral_value():,f}"
    return f"{number:,f}"


def format_timestamp(value: Any) -> str:
    """Format a UTC timestamp as ``YYYY-MM-DD HH:MM`` (a date as ``YYYY-MM-DD``)."""
    if is_missing(value):
        return MISSING
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)

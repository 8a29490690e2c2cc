"""Exact money: amounts are integer cents everywhere; Decimal only at the edges.

Floats never touch a money amount. Formatting and parsing live here so every screen,
report and import agrees on them.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# The range of every amount a person or a file may enter: 0 to $1,000,000,000,000.00. Records accept
# up to ten times that (domain/records/base.py `Cents`: sums such as forecast totals), so whatever is
# let in here can always be read back, edited and exported.
MAX_CENTS = 100_000_000_000_000
MAX_AMOUNT = "$1,000,000,000,000.00"

# Digits with an optional decimal point: no sign but a leading minus (refused with its own reason),
# no exponent (`1e30`), no NaN or infinity, no more than 40 characters (nothing longer fits the range).
_AMOUNT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_NON_FINITE = {"nan", "-nan", "+nan", "snan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}


class MoneyError(ValueError):
    pass


def parse_cents(text: str | int | Decimal) -> int:
    """'1,234.5' -> 123450; '$99' -> 9900. The one parser of amounts (TUI forms, CLI options, filter words,
    imports): refuses more than two decimal places, negative amounts, exponent forms ('1e30'), NaN and
    infinity, and anything above MAX_AMOUNT, with a reason that can follow the field's name."""
    if isinstance(text, bool):
        raise MoneyError(f"not an amount: {text!r}")
    if isinstance(text, int):
        amount = Decimal(text)
    elif isinstance(text, Decimal):
        amount = text
    else:
        cleaned = str(text).strip().replace(",", "").replace("$", "").replace("_", "")
        if not cleaned:
            raise MoneyError("empty amount")
        if cleaned.lower() in _NON_FINITE:
            raise MoneyError(f"not a finite amount: {_shown(text)}")
        if len(cleaned) > 40 or not _AMOUNT.fullmatch(cleaned):
            raise MoneyError(f"not an amount: {_shown(text)} (write dollars as digits, e.g. 1,234.50)")
        amount = Decimal(cleaned)
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {_shown(text)}")
    if amount < 0:
        raise MoneyError(f"must be 0 or more, got {_shown(text)}")
    if amount > MAX_CENTS / 100:
        raise MoneyError(f"at most {MAX_AMOUNT}, got {_shown(text)}")
    if amount != amount.quantize(CENT):
        raise MoneyError(f"more than two decimal places: {_shown(text)}")
    return int(amount.quantize(CENT) * 100)


def _shown(text: object) -> str:
    """The value as typed, quoted and cut short (a refusal is one line)."""
    shown = repr(str(text) if not isinstance(text, str) else text)
    return shown if len(shown) <= 42 else shown[:40] + "…'"


def to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def to_json_number(cents: int) -> float | int:
    """Money for JSON output: an exact integer when whole dollars, else a 2-place number."""
    if cents % 100 == 0:
        return cents // 100
    return float(to_decimal(cents))


def format_money(cents: int, *, symbol: str = "$", compact: bool = False) -> str:
    """'$1,234.56'; compact gives '$1.2M', '$45.3K' for dashboards."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    if compact:
        dollars = Decimal(cents) / 100
        whole_dollars = dollars.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if whole_dollars < 1000:
            return f"{sign}{symbol}{whole_dollars}"
        # The unit is chosen after rounding, so $999,950 is "$1.0M", never "$1000.0K".
        for size, suffix in ((Decimal(1_000), "K"), (Decimal(1_000_000), "M"), (Decimal(1_000_000_000), "B")):
            scaled = (dollars / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if scaled < 1000 or suffix == "B":
                return f"{sign}{symbol}{scaled}{suffix}"
    whole, frac = divmod(cents, 100)
    return f"{sign}{symbol}{whole:,}.{frac:02d}"


def apply_percent(cents: int, percent: int | Decimal) -> int:
    """cents x percent / 100, rounded half-even to the cent (banker's rounding, no drift in sums)."""
    value = Decimal(cents) * Decimal(percent) / 100
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def line_total(unit_price_cents: int, quantity: Decimal, discount_pct: Decimal) -> int:
    """Total of one line item: unit price x quantity, less the discount, to the cent."""
    gross = Decimal(unit_price_cents) * quantity
    net = gross * (Decimal(100) - discount_pct) / Decimal(100)
    return int(net.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

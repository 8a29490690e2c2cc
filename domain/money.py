"""Exact money: amounts are integer cents everywhere; Decimal only at the edges.

Floats never touch a money amount. Formatting and parsing live here so every screen,
report and import agrees on them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class MoneyError(ValueError):
    pass


def parse_cents(text: str | int | Decimal) -> int:
    """'1,234.5' -> 123450; '$99' -> 9900. Rejects more than two decimal places."""
    if isinstance(text, int):
        return text * 100
    if isinstance(text, Decimal):
        amount = text
    else:
        cleaned = text.strip().replace(",", "").replace("$", "").replace("_", "")
        if not cleaned:
            raise MoneyError("empty amount")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise MoneyError(f"not an amount: {text!r}") from None
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {text!r}")
    if amount != amount.quantize(CENT):
        raise MoneyError(f"more than two decimal places: {text!r}")
    return int(amount * 100)


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

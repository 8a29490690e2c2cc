"""The one place the record editor turns typed text into values. Each parser returns the value or raises
ValueError with the reason (shown after the field's name). Money, dates and ids go through the domain's
own parsers, so `pantry add`, `pantry set` and the TUI's forms refuse the same things."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import Enum

from domain.inputs import check_text, parse_date, parse_id
from domain.money import MoneyError, parse_cents


def money(text: str) -> int:
    try:
        cents = parse_cents(text)
    except MoneyError as error:
        raise ValueError(str(error)) from None
    if cents < 0:
        raise ValueError(f"must not be negative, got {text!r}")
    return cents


def day(text: str) -> date:
    return parse_date(text.strip())  # a day that exists, written YYYY-MM-DD (domain/inputs.py)


def whole(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"expected a whole number, got {text!r}") from None


def record_id(text: str) -> int:
    return parse_id(text.strip())  # 1 to the largest id the databases hold (domain/inputs.py)


def decimal(text: str) -> Decimal:
    """Digits with an optional point (a trailing % allowed): no exponent, NaN or infinity (the input boundary's
    rule for amounts, docs/reliability.md)."""
    cleaned = text.strip().removesuffix("%").strip()
    if not re.fullmatch(r"[0-9]{1,15}(\.[0-9]{1,6})?", cleaned):
        raise ValueError(f"expected a number written with digits and a point, got {text!r}")
    return Decimal(cleaned)


def share(text: str) -> float:
    """A market share typed as a percentage ('25', '25%', '12.5') -> a fraction 0…1."""
    value = decimal(text)
    if not Decimal(0) <= value <= Decimal(100):
        raise ValueError(f"a percentage from 0 to 100, got {text!r}")
    return float(value / 100)


def flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("yes", "y", "true", "1", "on"):
        return True
    if lowered in ("no", "n", "false", "0", "off"):
        return False
    raise ValueError(f"expected yes or no, got {text!r}")


def choice(text: str, enum: type[Enum], exclude: tuple[str, ...] = ()) -> Enum:
    wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
    for member in enum:
        if member.value == wanted and member.value not in exclude:
            return member
    names = ", ".join(m.value for m in enum if m.value not in exclude)
    raise ValueError(f"expected one of {names}, got {text!r}")


def points(text: str) -> list[str]:
    """A list typed as comma- or semicolon-separated points ('' is the empty list)."""
    parts = [part.strip() for part in text.replace(";", ",").split(",")]
    return [part for part in parts if part]


def text(value: str) -> str:
    """Stripped; no control characters (newlines and tabs are the records' business: descriptions take them)."""
    return check_text(value, limit=20_000, multiline=True).strip()

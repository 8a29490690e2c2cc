"""Formatting for screens: money, dates, percentages, stage names. Plain strings, never markup."""

from __future__ import annotations

from datetime import date, datetime

from domain.money import format_money


def money(cents: int | None, *, compact: bool = False) -> str:
    return "—" if cents is None else format_money(cents, compact=compact)


def pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def label(identifier: str | None) -> str:
    """'closed_won' -> 'Closed won'."""
    if not identifier:
        return "—"
    text = identifier.replace("_", " ")
    return text[:1].upper() + text[1:]

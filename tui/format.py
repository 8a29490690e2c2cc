"""Formatting for screens: money, dates, percentages, stage names, report emphasis. Never markup."""

from __future__ import annotations

import re
from datetime import date, datetime

from rich.text import Text

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


_STRONG = re.compile(r"\*\*(.+?)\*\*")


def emphasised(text: str, style: str = "") -> Text:
    """A report's sentence as styled text: its Markdown `**strong**` in bold, without the asterisks (the
    Markdown export keeps them). Nothing else is interpreted: the text is never markup."""
    out = Text(style=style)
    last = 0
    for match in _STRONG.finditer(text):
        out.append(text[last:match.start()])
        out.append(match.group(1), style="bold")
        last = match.end()
    out.append(text[last:])
    return out

"""Formatting for screens: money, dates, percentages, stage names, report emphasis. Never markup."""

from __future__ import annotations

import math
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


def money_ticks(top: float, count: int = 4) -> tuple[list[float], list[str]]:
    """Axis ticks for a chart in thousands of dollars up to `top`: round steps (1, 2, 2.5 or 5 × a power of
    ten), labelled as money ("$250K", "$1.5M"), never "1169.3"."""
    if top <= 0:
        return [0.0], ["$0"]
    rough = top / count
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    ticks = [i * step for i in range(int(top // step) + 1)]
    return ticks, [money(round(t * 100_000), compact=True).replace(".0K", "K").replace(".0M", "M") for t in ticks]

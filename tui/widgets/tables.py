"""Rich tables built from plain text: every cell is a Text, so user data is never markup."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich import box
from rich.table import Table
from rich.text import Text


def cell(value: object, style: str = "") -> Text:
    return value if isinstance(value, Text) else Text(str(value), style=style)


def facts(pairs: Iterable[tuple[str, object]]) -> Table:
    """A two-column label/value table."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in pairs:
        table.add_row(Text(name), cell(value))
    return table


def rows(headers: Sequence[str], data: Iterable[Sequence[object]], *, right: Sequence[int] = (), title: str | None = None) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, title=Text(title, style="bold") if title else None, title_justify="left")
    for index, header in enumerate(headers):
        table.add_column(Text(header), justify="right" if index in right else "left", overflow="ellipsis", no_wrap=True,
                         min_width=len(header))
    for row in data:
        table.add_row(*(cell(v) for v in row))
    return table

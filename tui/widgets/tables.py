"""Rich tables built from plain text: every cell is a Text, so user data is never markup."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich import box
from rich.table import Table
from rich.text import Text

from tui.format import label, money


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


def rows(headers: Sequence[str], data: Iterable[Sequence[object]], *, right: Sequence[int] = (), title: str | None = None,
         wrap: Sequence[int] = ()) -> Table:
    """A table of plain-text cells. Right-aligned (numeric) columns never shrink below their widest
    value, so figures are never cut; text columns give way (ellipsis, or wrapping for `wrap`)."""
    data = [tuple(row) for row in data]
    table = Table(box=box.SIMPLE_HEAD, expand=True, title=Text(title, style="bold") if title else None, title_justify="left")
    for index, header in enumerate(headers):
        widest = max((len(str(row[index])) for row in data if index < len(row)), default=0)
        numeric = index in right
        # Every column may give way when the screen is narrow (Rich never shrinks a no_wrap column, and
        # would drop the last columns instead); single-line text columns keep to one line per cell
        # (the cell's own no_wrap), cut with an ellipsis. Numbers keep their full width.
        table.add_column(
            Text(header), justify="right" if numeric else "left",
            overflow="fold" if index in wrap else "ellipsis", no_wrap=numeric,
            min_width=max(len(header), widest) if numeric else min(len(header), 12),
        )
    one_line = {i for i in range(len(headers)) if i not in wrap and i not in right}
    for row in data:
        table.add_row(*(_one_line(cell(v)) if i in one_line else cell(v) for i, v in enumerate(row)))
    return table


def _one_line(text: Text) -> Text:
    text = text.copy()
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


def _audit_value(field: str, value: str | None) -> str:
    if value is None or value == "":
        return "—"
    if field.endswith("_cents") and value.lstrip("-").isdigit():
        return money(int(value))
    return value


def changes_table(entries: Sequence) -> Table:
    """A record's audit trail: when, who, what, and the field's old and new value (plain text)."""
    table = Table(box=box.SIMPLE_HEAD, expand=True, title=Text("Changes (audit log, latest first)", style="bold"),
                  title_justify="left")
    table.add_column(Text("When (UTC)"), no_wrap=True, min_width=16)
    table.add_column(Text("Who"), no_wrap=True, overflow="ellipsis", max_width=18)
    table.add_column(Text("Field"), no_wrap=True, overflow="ellipsis", max_width=22)
    table.add_column(Text("Old"), overflow="fold", ratio=1)
    table.add_column(Text("New"), overflow="fold", ratio=1)
    for e in entries:
        field = e.field or ""
        what = label(field.removesuffix("_cents")) if field else e.action.value
        table.add_row(Text(f"{e.at:%Y-%m-%d %H:%M}"), Text(e.actor), Text(what),
                      Text(_audit_value(field, e.old_value)), Text(_audit_value(field, e.new_value)))
    return table

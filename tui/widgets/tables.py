"""Rich tables built from plain text: every cell is a Text, so user data is never markup."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
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


KEY_CAP = 40  # an identifying column's name is never cut below this many cells while the table has room
KEY_SHORT = 16  # … and, on a terminal too narrow for every column at their fullest, below this many


def rows(headers: Sequence[str], data: Iterable[Sequence[object]], *, right: Sequence[int] = (), title: str | None = None,
         wrap: Sequence[int] = (), key: Sequence[int] = (0,)) -> "FitTable":
    """A table of plain-text cells that fits the width it is drawn at.

    `key` names the columns that identify a row (default: the first): they keep their full width (up to
    KEY_CAP cells when space is short) and never disappear. Right-aligned (numeric) columns never shrink
    below their widest value, so figures are never cut. Other text columns give way first (ellipsis, or
    wrapping for `wrap`); when even that is not enough, whole columns are left out, other text columns first,
    then figures from the right, and a line under the table names them."""
    return FitTable(tuple(headers), [tuple(row) for row in data], frozenset(right), title, frozenset(wrap),
                    frozenset(key))


class FitTable:
    """A Rich renderable: decides at render time, from the width it gets, which columns to show."""

    OVERHEAD_PER_COLUMN, OVERHEAD = 3, 1  # Rich's SIMPLE_HEAD box: padding and separator per column, one edge

    def __init__(self, headers, data, right, title, wrap, key) -> None:
        self.headers, self.data, self.right, self.title, self.wrap, self.key = headers, data, right, title, wrap, key
        # dates are read like figures: never cut ("2027-03-…" says nothing)
        self.dates = frozenset(i for i in range(len(headers)) if i not in right and _all_dates(data, i))

    def natural(self, index: int) -> int:
        return max(cell_len(self.headers[index]), self.widest(index))

    def widest(self, index: int) -> int:
        return max((cell_len(str(row[index])) for row in self.data if index < len(row)), default=0)

    def minimum(self, index: int, compact: bool) -> int:
        """The fewest cells a column is drawn in: figures whole (compact: their header on two lines if need
        be), identifying names whole up to KEY_CAP; other text as wide as its header, at most 12."""
        if index in self.right:
            if not compact:
                return self.natural(index)
            return max(self.widest(index), max((cell_len(w) for w in self.headers[index].split()), default=1))
        if index in self.dates:
            return self.natural(index) if not compact else max(self.widest(index), 4)
        if index in self.key:
            return min(self.natural(index), KEY_CAP if not compact else KEY_SHORT)
        return min(self.natural(index), max(min(cell_len(self.headers[index]), 12), 4))

    def needed(self, columns: list[int], compact: bool) -> int:
        return sum(self.minimum(i, compact) for i in columns) + self.OVERHEAD_PER_COLUMN * len(columns) + self.OVERHEAD

    def shown(self, width: int) -> tuple[list[int], bool]:
        """The columns drawn at `width`, and whether the figures' headers wrap to make room."""
        columns = list(range(len(self.headers)))
        whole = sum(self.natural(i) for i in columns) + self.OVERHEAD_PER_COLUMN * len(columns) + self.OVERHEAD
        if whole <= width:  # everything whole, every header on one line
            return columns, False
        # the order columns are given up in: other text from the right, then figures from the right
        figures = self.right | self.dates
        order = [i for i in reversed(columns) if i not in self.key and i not in figures]
        order += [i for i in reversed(columns) if i not in self.key and i in figures]
        for index in order:
            if self.needed(columns, True) <= width:
                break
            columns.remove(index)
        return columns, True

    def widths(self, width: int) -> dict[int, int]:
        """Each shown column's width: its minimum, then the room left given to identifying names up to their
        whole length, then to other text, then to the figures' headers (so they fit on one line)."""
        columns, compact = self.shown(width)
        widths = {i: self.minimum(i, compact) for i in columns}
        spare = width - self.needed(columns, compact)
        for group in ([i for i in columns if i in self.key], [i for i in columns if i not in self.key | self.right],
                      [i for i in columns if i in self.right]):
            for index in group:
                grow = max(0, min(spare, self.natural(index) - widths[index]))
                widths[index] += grow
                spare -= grow
        return widths

    def table(self, width: int) -> tuple[Table, list[int]]:
        widths = self.widths(width)
        columns = list(widths)
        table = Table(box=box.SIMPLE_HEAD, expand=False)  # the title is drawn above it, across the whole width
        for index in columns:
            header = self.headers[index]
            if index in self.right:  # the figures never wrap; a header wider than them does
                table.add_column(Text(header, justify="right"), justify="right", width=widths[index])
            else:
                table.add_column(Text(header), width=widths[index], no_wrap=index not in self.wrap,
                                 overflow="fold" if index in self.wrap else "ellipsis")
        one_line = {i for i in columns if i not in self.wrap and i not in self.right}
        for row in self.data:
            table.add_row(*(_one_line(cell(row[i])) if i in one_line else cell(row[i]) for i in columns if i < len(row)))
        return table, columns

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table, columns = self.table(options.max_width)
        if self.title:
            yield Text(self.title, style="bold")
        yield table
        left_out = [self.headers[i] for i in range(len(self.headers)) if i not in columns]
        if left_out:
            yield Text(f"Not shown at this width: {', '.join(left_out)}", style="dim", no_wrap=True, overflow="ellipsis")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(options.max_width, options.max_width)


DATE = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?")


def _all_dates(data, index: int) -> bool:
    values = [str(row[index]) for row in data if index < len(row) and str(row[index]) not in ("", "—")]
    return bool(values) and all(DATE.fullmatch(v) for v in values)


def _one_line(text: Text) -> Text:
    text = text.copy()
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


def _audit_value(field: str, value: str | None) -> str:
    if value is None or value == "":
        return "—"
    if field.endswith("_cents") and value.isascii() and value.lstrip("-").isdigit():
        return money(int(value))
    if value in ("True", "False", "true", "false"):  # a yes/no field ("Flagged False → True" read as code)
        return "yes" if value.lower() == "true" else "no"
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

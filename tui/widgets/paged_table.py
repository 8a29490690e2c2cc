"""A table over a paged data source: renders only the visible rows, fetches pages in workers.

The built-in DataTable measures and holds every row; this one holds a few pages in a
cache and asks its `fetch(offset, limit)` callable (run in a thread) for the rest, so a
list of 100,000 rows opens as fast as one of 100. Cells are plain text: nothing a user
typed is ever parsed as markup.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from tui.failures import KeepsRunning

T = TypeVar("T")


@dataclass(frozen=True)
class Column(Generic[T]):
    key: str
    label: str
    width: int
    get: Callable[[Any], str]
    align: str = "left"  # left | right
    style: Callable[[Any], str | None] | None = None  # optional per-cell style name (a component class)
    sortable: bool = True
    flex: int = 0  # >0: takes this share of the width left over by the fixed columns
    # a column that may be left out on a narrow terminal: the larger, the sooner (it is left out only when the
    # table cannot hold it even with the flexible columns at their narrowest); 0: always shown
    hide_below: int = 0
    shrink: int = 0  # a flexible column's narrowest, to make room for an optional column (0: its width)

    @property
    def narrowest(self) -> int:
        return min(self.width, self.shrink) if self.flex and self.shrink else self.width


@dataclass(frozen=True)
class PageResult:
    items: list
    offset: int
    total: int


class PagedTable(KeepsRunning, ScrollView, can_focus=True):
    """Rows come from `fetch(offset, limit) -> PageResult`, called in a thread worker."""

    COMPONENT_CLASSES = {
        "paged-table--header",
        "paged-table--cursor",
        "paged-table--odd",
        "paged-table--loading",
        "paged-table--warning",
        "paged-table--good",
        "paged-table--muted",
    }

    DEFAULT_CSS = """
    PagedTable {
        height: 1fr;
        background: $surface;
    }
    PagedTable > .paged-table--header { background: $panel; color: $text; text-style: bold; }
    PagedTable > .paged-table--cursor { background: $block-cursor-blurred-background; }
    PagedTable:focus > .paged-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    PagedTable > .paged-table--odd { background: $surface-lighten-1; }
    PagedTable > .paged-table--loading { color: $text-muted; }
    PagedTable > .paged-table--warning { color: $text-warning; }
    PagedTable > .paged-table--good { color: $text-success; }
    PagedTable > .paged-table--muted { color: $text-muted; }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page-down"),
        Binding("home", "edge(0)", "First", show=False, id="table.first"),
        Binding("end", "edge(1)", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Open", show=True, id="table.open"),
    ]

    cursor_row: reactive[int] = reactive(0)
    total: reactive[int | None] = reactive(None)

    class RowSelected(Message):
        def __init__(self, table: "PagedTable", item: Any) -> None:
            super().__init__()
            self.table = table
            self.item = item

        @property
        def control(self) -> "PagedTable":
            return self.table

    class RowHighlighted(RowSelected):
        pass

    class Loaded(Message):
        """A fetch finished; `total` rows match."""

        def __init__(self, table: "PagedTable", total: int) -> None:
            super().__init__()
            self.table = table
            self.total = total

        @property
        def control(self) -> "PagedTable":
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        fetch: Callable[[int, int], PageResult],
        *,
        page_size: int = 100,
        cache_pages: int = 12,
        empty_text: str = "Nothing to show.",
        row_height: int = 1,
        show_header: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        paused: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.paused = paused  # a hidden table fetches nothing until resumed
        self.columns = list(columns)
        self._fetch = fetch
        self.page_size = page_size
        self._cache_pages = cache_pages
        self._pages: OrderedDict[int, list] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self.empty_text = empty_text
        self.row_height = row_height
        self.header_height = 1 if show_header else 0
        self.error: str | None = None

    # -- data ----------------------------------------------------------------------------

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Drop cached pages and fetch again (after a filter change or a data change)."""
        self._generation += 1
        self._pages.clear()
        self._pending.clear()
        self.error = None
        if not keep_cursor:
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False)
        self._request(self.cursor_row // self.page_size)
        self.refresh()

    def pause(self) -> None:
        """Stop fetching (the table is hidden); reloads only forget the cached pages."""
        self.paused = True

    def resume(self) -> None:
        """Fetch again, starting with the page under the cursor (the table is shown)."""
        if self.paused:
            self.paused = False
            self._request(self.cursor_row // self.page_size)
            self.refresh()

    def item_at(self, row: int) -> Any | None:
        page = self._pages.get(row // self.page_size)
        if page is None:
            return None
        index = row % self.page_size
        return page[index] if index < len(page) else None

    @property
    def current_item(self) -> Any | None:
        return self.item_at(self.cursor_row)

    def _request(self, page_no: int) -> None:
        if self.paused or page_no < 0 or page_no in self._pages or page_no in self._pending:
            return
        if self.total is not None and page_no * self.page_size >= max(self.total, 1):
            return
        self._pending.add(page_no)
        self._load(page_no, self._generation)

    @work(thread=True, group="paged-table", name="Loading the list", exit_on_error=False)
    def _load(self, page_no: int, generation: int) -> None:
        worker = get_current_worker()
        try:
            result = self._fetch(page_no * self.page_size, self.page_size)
        except Exception as error:  # shown in the table, never a crash
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, page_no, generation, error)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._loaded, page_no, generation, result)

    def _failed(self, page_no: int, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page_no)
        self.error = f"Could not load: {error}"
        self.refresh()

    def _loaded(self, page_no: int, generation: int, result: PageResult) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page_no)
        self._pages[page_no] = list(result.items)
        self._pages.move_to_end(page_no)
        while len(self._pages) > self._cache_pages:
            self._pages.popitem(last=False)
        first_load = self.total is None
        self.total = result.total
        if self.cursor_row >= max(result.total, 1):
            self.cursor_row = max(result.total - 1, 0)
        self.virtual_size = self._virtual()
        self.refresh()
        self.post_message(self.Loaded(self, result.total))
        if first_load or page_no == self.cursor_row // self.page_size:
            item = self.current_item
            if item is not None:
                self.post_message(self.RowHighlighted(self, item))

    # -- geometry ------------------------------------------------------------------------

    @property
    def visible_columns(self) -> list[Column]:
        """Every column the width holds, flexible ones at their narrowest; those that may give way (hide_below)
        are left out one at a time, the largest hide_below first (the rightmost of equals), only as needed."""
        room = self.scrollable_content_region.width or self.size.width
        key = (room, len(self.columns))
        if getattr(self, "_fit_key", None) == key:
            return self._fit
        columns = list(self.columns)
        optional = sorted((c for c in columns if c.hide_below), key=lambda c: (-c.hide_below, -columns.index(c)))
        for column in optional:
            if sum(c.narrowest + 1 for c in columns) <= room:
                break
            columns.remove(column)
        self._fit_key, self._fit = key, columns
        return columns

    def _content_width(self) -> int:
        columns = self.visible_columns
        return sum(c.narrowest for c in columns) + len(columns)

    def _widths(self) -> list[int]:
        """Column widths for the current size: flexible columns at their narrowest, then the room left given
        back to them up to their width, then shared among them."""
        columns = self.visible_columns
        widths = [c.narrowest for c in columns]
        spare = self.scrollable_content_region.width - self._content_width()
        flexible = [i for i, c in enumerate(columns) if c.flex]
        if spare <= 0 or not flexible:
            return widths
        for i in flexible:
            grow = min(spare, columns[i].width - widths[i])
            widths[i] += grow
            spare -= grow
        shares = sum(columns[i].flex for i in flexible)
        given = 0
        for i in flexible:
            extra = spare * columns[i].flex // shares if i != flexible[-1] else spare - given
            given += extra
            widths[i] += extra
        return widths

    def _virtual(self) -> Size:
        return Size(self._content_width(), (self.total or 0) * self.row_height + self.header_height)

    def on_mount(self) -> None:
        self.virtual_size = self._virtual()
        self._request(0)

    def on_resize(self) -> None:
        self.virtual_size = self._virtual()

    @property
    def _body_rows(self) -> int:
        """How many whole rows fit on screen."""
        return max(1, (self.scrollable_content_region.height - self.header_height) // self.row_height)

    # -- rendering -----------------------------------------------------------------------

    def _cell(self, text: str, width: int, align: str) -> str:
        text = text.replace("\n", " ").replace("\r", " ").replace("\t", " ")
        if cell_len(text) > width:
            return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
        return set_cell_size(text, width) if align == "left" else " " * (width - cell_len(text)) + text

    def render_header(self, width: int) -> Strip:
        header = self.rich_style + self.get_component_rich_style("paged-table--header")
        segments = [
            Segment(self._cell(c.label, w, c.align) + " ", header) for c, w in zip(self.visible_columns, self._widths())
        ]
        scroll_x = self.scroll_offset.x
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, header)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y < self.header_height:
            return self.render_header(width)
        line = self.scroll_offset.y + y - self.header_height
        row, sub_line = divmod(line, self.row_height)
        total = self.total
        if total is None or row >= total:
            if line == 0:
                text = self.error or ("Loading…" if total is None else self.empty_text)
                style = base + self.get_component_rich_style("paged-table--loading")
                return Strip([Segment(" " + text, style)]).extend_cell_length(width, style).crop(0, width)
            return Strip.blank(width, base)
        item = self.item_at(row)
        if item is None:
            self._request(row // self.page_size)
            style = base + self.get_component_rich_style("paged-table--loading")
            text = " …" if sub_line == 0 else ""
            return Strip([Segment(text, style)]).extend_cell_length(width, style)
        row_style = base
        if row % 2 and self.row_height == 1:
            row_style = row_style + self.get_component_rich_style("paged-table--odd")
        if row == self.cursor_row:
            row_style = row_style + self.get_component_rich_style("paged-table--cursor")
        return self.render_item_line(item, sub_line, width, row_style)

    def render_item_line(self, item: Any, sub_line: int, width: int, row_style: Style) -> Strip:
        """One screen line of one item (tables: the only line). Subclasses draw cards here."""
        segments = []
        for column, column_width in zip(self.visible_columns, self._widths()):
            try:
                value = column.get(item)
            except Exception:
                value = "?"
            style = row_style
            if column.style is not None:
                name = column.style(item)
                if name:
                    style = row_style + self._cell_style(name)
            segments.append(Segment(self._cell(str(value), column_width, column.align) + " ", style))
        scroll_x = self.scroll_offset.x
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, row_style)

    def _cell_style(self, name: str) -> Style:
        cursor = self.get_component_rich_style("paged-table--cursor")
        style = self.get_component_rich_style(f"paged-table--{name}")
        return Style(color=style.color, bold=style.bold) if style != cursor else style

    # -- cursor --------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh()
        item = self.item_at(new)
        if item is not None and old != new:
            self.post_message(self.RowHighlighted(self, item))

    def _move_to(self, row: int) -> None:
        total = self.total or 0
        if total == 0:
            return
        row = max(0, min(total - 1, row))
        self.cursor_row = row
        top = round(self.scroll_y) // self.row_height
        visible = self._body_rows
        if row < top:
            self.scroll_to(y=row * self.row_height, animate=False)
        elif row >= top + visible:
            self.scroll_to(y=(row - visible + 1) * self.row_height, animate=False)
        self._request(row // self.page_size)

    def place_cursor(self, row: int) -> None:
        """Put the cursor on `row` even before a reload has counted it (a card just moved here)."""
        self.cursor_row = max(0, row)
        visible = self._body_rows
        top = round(self.scroll_y) // self.row_height
        if not top <= row < top + visible:
            self.scroll_to(y=max(0, row - visible + 1) * self.row_height, animate=False)
        self._request(row // self.page_size)

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor_row + direction * self._body_rows)

    def action_edge(self, end: int) -> None:
        self._move_to((self.total or 1) - 1 if end else 0)

    def action_select(self) -> None:
        item = self.current_item
        if item is not None:
            self.post_message(self.RowSelected(self, item))

    def on_click(self, event) -> None:
        if event.y < self.header_height:
            return
        row = (round(self.scroll_y) + event.y - self.header_height) // self.row_height
        if 0 <= row < (self.total or 0):
            if row == self.cursor_row and event.chain >= 2:
                self.action_select()
            self.cursor_row = row
            self.focus()

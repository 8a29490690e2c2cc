"""A list screen: a filter box, a status line and a paged table, with sorting by key."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationError
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Static

from domain.events import DataChanged
from domain.filter_syntax import WORD_KINDS, ParsedFilter, parse_filter
from domain.validation import field_errors
from tui.screens.base import PantryScreen
from tui.widgets.paged_table import Column, PagedTable


class ListScreen(PantryScreen):
    """Subclasses give COLUMNS, KINDS (record kinds whose change refreshes the list) and fetch()."""

    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="list.filter"),
        Binding("s", "sort_next", "Sort", id="list.sort"),
        Binding("S", "sort_reverse", "Reverse", show=False, id="list.reverse"),
        Binding("M", "mine", "Mine", id="list.mine"),
        Binding("escape", "focus_table", "Back to list", show=False, id="list.back"),
        Binding("n", "new_record", "New", id="list.new"),
        Binding("e", "edit_record", "Edit", id="list.edit"),
        Binding("D,delete", "archive_record", "Archive", show=False, id="list.archive"),
    ]
    ENTITY: ClassVar[str] = ""  # what `n`, `e` and `D` create, edit and archive (domain/editing/entities.py)
    KINDS: ClassVar[frozenset[str]] = frozenset()
    DEFAULT_SORT: ClassVar[str] = ""
    DEFAULT_DESCENDING: ClassVar[bool] = False
    PLACEHOLDER: ClassVar[str] = "Filter…"
    FILTER_WORDS: ClassVar[frozenset[str]] = frozenset(WORD_KINDS)  # the kinds of filter word the list takes

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.sort_key = self.DEFAULT_SORT
        self.descending = self.DEFAULT_DESCENDING
        self._debounce: Timer | None = None
        self.filter_error = ""
        self.current_filter: Any = None

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def fetch(self, offset: int, limit: int) -> Any:
        """Runs in a worker thread: return a Page(items, offset, total)."""
        raise NotImplementedError

    def build_filter(self, parsed: ParsedFilter) -> Any:
        """The list's filter from the filter box (runs on the UI thread; may raise ValueError)."""
        return None

    def open_item(self, item: Any) -> None:
        """Enter on a row."""

    # -- layout ----------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="filter-bar"):
            yield Input(placeholder=self.PLACEHOLDER, id="filter")
            yield Static(id="list-status", classes="list-status")
        yield PagedTable(self.columns(), self._fetch_connected, id="table", empty_text="No records match.")

    @property
    def table(self) -> PagedTable:
        return self.query_one("#table", PagedTable)

    def on_mount(self) -> None:
        super().on_mount()
        self._parse()
        self.query_one("#filter", Input).cursor_blink = getattr(self.app, "cursor_blink", True)
        self.table.focus()
        self._show_status()

    def _fetch_connected(self, offset: int, limit: int):
        with self.session.connection():
            return self.fetch(offset, limit)

    # -- status line ----------------------------------------------------------------------

    def _show_status(self) -> None:
        total = self.table.total
        count = "…" if total is None else f"{total:,} row{'' if total == 1 else 's'}"
        sort = self._sort_label()
        extra = self.status_extra()
        text = f"{count}  ·  sort: {sort}" + (f"  ·  {extra}" if extra else "")
        if self.filter_error:
            text = f"⚠ {self.filter_error}"
        self.query_one("#list-status", Static).update(Text(text, no_wrap=True))

    def status_extra(self) -> str:
        """A figure shown after the row count (e.g. the proposals' acceptance rate)."""
        return ""

    def _sort_label(self) -> str:
        keys = [c for c in self.columns() if c.sortable]
        for column in keys:
            if column.key == (self.sort_key or self.DEFAULT_SORT):
                return f"{column.label} {'↓' if self.descending else '↑'}"
        return "default"

    def on_paged_table_loaded(self, event: PagedTable.Loaded) -> None:
        self._show_status()

    def on_paged_table_row_selected(self, event: PagedTable.RowSelected) -> None:
        self.open_item(event.item)

    # -- filter and sort ------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "filter":
            return
        self.filter_text = event.value.strip()
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.25, self.reload)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.table.focus()

    @property
    def active_filter(self) -> Any:
        """The filter in force (parsed on first use: the table may ask for rows before on_mount)."""
        if self.current_filter is None:
            self.current_filter = self._filter(self._parsed())
        return self.current_filter

    def _filter(self, parsed: ParsedFilter) -> Any:
        """The list's filter; with the word `archived`, archived records are listed too (where `D` restores)."""
        built = self.build_filter(parsed)
        if parsed.archived and built is not None and "archived" in type(built).model_fields:
            built = built.model_copy(update={"archived": True})
        return built

    def _parsed(self) -> ParsedFilter:
        """The filter box's words; a word that does not filter this list is refused, naming what does."""
        return parse_filter(self.filter_text, self.session.clock.today()).only(self.FILTER_WORDS, f"the {self.TITLE_TEXT.lower()}")

    def _parse(self) -> bool:
        """Turn the filter box into the list's filter; on a mistake keep the last good one and say why."""
        try:
            self.current_filter = self._filter(self._parsed())
        except (ValueError, ValidationError) as error:
            self.filter_error = describe(error)
            return False
        self.filter_error = ""
        return True

    def reload(self, keep_cursor: bool = False) -> None:
        if not self._parse():
            self._show_status()
            return
        self.table.total = None
        self.table.reload(keep_cursor=keep_cursor)
        self._show_status()

    def action_mine(self) -> None:
        """Only my records (toggles `@my-login` in the filter box)."""
        actor = self.session.actor
        if actor is None:
            self.notify("No user for this session: start Pantry with --as LOGIN.", severity="warning")
            return
        box = self.query_one("#filter", Input)
        token = f"@{actor.login}"
        words = box.value.split()
        box.value = " ".join(w for w in words if w != token) if token in words else " ".join([token, *words])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_record", "edit_record", "archive_record") and not self.ENTITY:
            return False
        return super().check_action(action, parameters)

    def action_new_record(self) -> None:
        self.app.new_record(self.ENTITY, self.new_preset())

    def new_preset(self) -> dict[str, str]:
        """Values a New form opened from this list starts with (besides the defaults)."""
        return {}

    def action_edit_record(self) -> None:
        item = self.table.current_item
        if item is not None:
            self.app.edit_record(self.ENTITY, item.id)

    def action_archive_record(self) -> None:
        item = self.table.current_item
        if item is not None:
            self.app.archive_record(self.ENTITY, item.id, item_name(item))

    def action_focus_filter(self) -> None:
        # at once, not after the queued keys: a burst after `/` (a paste, keys over a slow SSH link) goes
        # into the box, not to the list's keys (`s` sorting, `t` going to Tasks)
        self.set_focus(self.query_one("#filter", Input))

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.focused is self.query_one("#filter", Input):
            self.table.focus()  # back on the list: the rows have the keyboard, so `/` filters again

    def action_focus_table(self) -> None:
        self.table.focus()

    def action_sort_next(self) -> None:
        keys = [c.key for c in self.columns() if c.sortable]
        current = self.sort_key or self.DEFAULT_SORT
        self.sort_key = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        self.descending = False
        self.reload()

    def action_sort_reverse(self) -> None:
        if not self.sort_key:
            self.sort_key = self.DEFAULT_SORT or self.columns()[0].key
        self.descending = not self.descending
        self.reload()

    def data_changed(self, event: DataChanged) -> None:
        if event.touches(*self.KINDS):
            self.table.reload(keep_cursor=True)


def describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        problem = field_errors(error)[0]
        return f"{problem.path}: {problem.reason}" if problem.path else problem.reason
    return str(error)


def item_name(item: Any) -> str:
    """A list row's name as a confirmation names it."""
    for attr in ("name", "title", "full_name", "number"):
        value = getattr(item, attr, None)
        if isinstance(value, str) and value:
            return value
    return f"#{item.id}"

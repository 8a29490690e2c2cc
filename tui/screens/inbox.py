"""The inbox: my notifications, grouped per deal and day, unread first; Enter opens the deal, r marks read."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from domain.services.inbox import inbox_entries, mark_read
from tui.failures import KeepsRunning
from tui.format import label


class InboxScreen(KeepsRunning, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="inbox.back"),
        Binding("r", "read", "Mark read", id="inbox.read"),
        Binding("R", "read_all", "All read", id="inbox.read-all"),
    ]

    @property
    def session(self):
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(id="inbox-title")
        yield DataTable(id="inbox", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Inbox"
        table = self.query_one("#inbox", DataTable)
        # the kind column fits its labels ("Lead assigned", "Stage duration exceeded")
        for title, key, width in (("", "new", 1), ("When", "when", 16), ("Kind", "kind", None), ("Message", "message", 80)):
            table.add_column(title, key=key, width=width)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="inbox", name="Loading the inbox", exit_on_error=False)
    def load(self) -> None:
        with self.session.connection():
            items = inbox_entries(self.session)
        self.app.call_from_thread(self.show, items)

    def show(self, items) -> None:
        self.items = {str(entry.ids[0]): entry for entry in items}
        unread = sum(1 for entry in items if entry.unread)
        who = self.session.actor.login if self.session.actor else "no user"
        self.query_one("#inbox-title", Static).update(Text(f" {who}: {unread} unread of {len(items)}", style="bold"))
        table = self.query_one("#inbox", DataTable)
        row = table.cursor_row
        table.clear()
        for entry in items:
            kind = label(entry.kinds[0]) + (f" +{len(entry.kinds) - 1}" if len(entry.kinds) > 1 else "")
            table.add_row(Text("●" if entry.unread else ""), Text(f"{entry.created_at:%Y-%m-%d %H:%M}"),
                          Text(kind, no_wrap=True, overflow="ellipsis"),  # "stalled_deal" -> "Stalled deal"
                          Text(entry.message, no_wrap=True, overflow="ellipsis"), key=str(entry.ids[0]))
        if items:
            table.move_cursor(row=min(row, len(items) - 1))

    def _current(self):
        table = self.query_one("#inbox", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.items.get(key)

    def action_read(self) -> None:
        entry = self._current()
        if entry is not None:
            self.write(list(entry.ids))

    def action_read_all(self) -> None:
        self.write([i for entry in self.items.values() if entry.unread for i in entry.ids])

    @work(thread=True, group="inbox-write", name="Marking read", exit_on_error=False)
    def write(self, ids: list[int]) -> None:
        with self.session.connection():
            mark_read(self.session, ids)
        self.app.call_from_thread(self.load)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        entry = self.items.get(event.row_key.value)
        if entry is not None and entry.opportunity_id:
            self.write(list(entry.ids))
            self.app.open_record("opportunity", entry.opportunity_id)

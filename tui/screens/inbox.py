"""The inbox: my notifications, unread first; Enter opens the deal, r marks read."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from domain.services.inbox import grouped, inbox, mark_read
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
            items = inbox(self.session)
        self.app.call_from_thread(self.show, items)

    def show(self, items) -> None:
        groups = grouped(items)
        self.items = {str(g.latest.id): g for g in groups}
        unread = sum(1 for n in items if n.read_at is None)
        who = self.session.actor.login if self.session.actor else "no user"
        self.query_one("#inbox-title", Static).update(Text(
            f" {who}: {unread} unread of {len(items)} · repeated alerts on one deal in one day on one row (×N)",
            style="bold"))
        table = self.query_one("#inbox", DataTable)
        row = table.cursor_row
        table.clear()
        for g in groups:
            n = g.latest
            message = Text(n.message, no_wrap=True, overflow="ellipsis")
            if g.count > 1:
                message = Text(f"×{g.count} ", style="bold").append_text(message)
            table.add_row(Text("●" if g.unread else ""), Text(f"{n.created_at:%Y-%m-%d %H:%M}"),
                          Text(label(n.kind), no_wrap=True, overflow="ellipsis"),  # "stalled_deal" -> "Stalled deal"
                          message, key=str(n.id))
        if groups:
            table.move_cursor(row=min(row, len(groups) - 1))

    def _current(self):
        table = self.query_one("#inbox", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.items.get(key)

    def action_read(self) -> None:
        group = self._current()
        if group is not None:
            self.write(list(group.ids))

    def action_read_all(self) -> None:
        self.write([i for g in self.items.values() if g.unread for i in g.ids])

    @work(thread=True, group="inbox-write", name="Marking read", exit_on_error=False)
    def write(self, ids: list[int]) -> None:
        with self.session.connection():
            mark_read(self.session, ids)
        self.app.call_from_thread(self.load)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        group = self.items.get(event.row_key.value)
        if group is not None and group.latest.opportunity_id:
            self.write(list(group.ids))
            self.app.open_record("opportunity", group.latest.opportunity_id)

"""A pushed screen that shows one record in sections; Escape goes back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui.failures import KeepsRunning


class DetailScreen(KeepsRunning, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="detail.back"),
        Binding("ctrl+r", "reload", "Refresh", id="detail.refresh"),
    ]

    refused = False
    """Loading failed (a record this user may not see, or one that is gone): only the way back is offered."""

    @property
    def session(self):
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with VerticalScroll(id="detail"):
            yield Static("Loading…", id="detail-body")
        yield from self.compose_links()  # under the record, always in sight
        yield Footer()

    def compose_links(self) -> ComposeResult:
        """Widgets under the record's sections that lead to related records (none by default)."""
        return iter(())

    def on_mount(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    def load(self) -> None:
        raise NotImplementedError

    def show_refusal(self, error: Exception) -> None:
        """Say why the record is not shown, and take the record's actions out of the footer."""
        self.refused = True
        self.query_one("#detail-body", Static).update(Text(str(error)))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Refused, the screen's own actions (refresh, edit, log…) are hidden and off; the app's and
        Textual's (back, copy) are not."""
        if self.refused:
            owner = next((cls for cls in type(self).__mro__ if f"action_{action}" in vars(cls)), None)
            return not (owner is not None and issubclass(owner, DetailScreen))
        return True

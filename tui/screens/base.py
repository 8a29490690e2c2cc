"""The frame every main screen shares: header, navigation bar, body, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from domain.events import DataChanged
from tui.widgets.nav_bar import NavBar

if TYPE_CHECKING:
    from domain.services.metrics import MetricsRecomputed
    from domain.session import Session


class PantryScreen(Screen):
    MODE: ClassVar[str] = ""
    TITLE_TEXT: ClassVar[str] = ""

    @property
    def session(self) -> "Session":
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        self.sub_title = self.TITLE_TEXT

    def on_mount(self) -> None:
        self.sub_title = self.TITLE_TEXT

    def on_resize(self) -> None:
        # Below 100 columns (an 80x24 SSH terminal) panels stack instead of standing side by side.
        self.set_class(self.size.width < 100, "narrow")

    def data_changed(self, event: DataChanged) -> None:
        """Called by the app when records changed (here or in another session). Override to refresh."""

    def metrics_updated(self, metrics: "MetricsRecomputed") -> None:
        """Called by the app with freshly recomputed pipeline figures and alerts. Override to show them."""

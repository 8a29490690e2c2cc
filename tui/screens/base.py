"""The frame every main screen shares: header, navigation bar, body, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from domain.events import DataChanged
from tui.failures import KeepsRunning
from tui.messages import MetricsUpdated, RecordsChanged
from tui.widgets.nav_bar import NavBar

if TYPE_CHECKING:
    from domain.pipeline import PipelineConfig
    from domain.services.metrics import MetricsRecomputed
    from domain.session import Session


class PantryScreen(KeepsRunning, Screen):
    MODE: ClassVar[str] = ""
    TITLE_TEXT: ClassVar[str] = ""

    # What changed while the screen was out of sight, applied when it is shown again: a move on
    # the kanban does not make the dashboard and the forecast (seconds of work at 100,000 deals)
    # reload behind it, and a screen visited later reloads once however many changes it missed.
    _missed_change: DataChanged | None = None
    _missed_metrics: "MetricsRecomputed | None" = None
    # The pipeline the screen was drawn under: when the session's changes (another process stored a new
    # version), the screen draws itself again (`pipeline_changed`).
    _pipeline: "PipelineConfig | None" = None

    @property
    def session(self) -> "Session":
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        self._pipeline = self.session.pipeline
        yield Header(icon="◆")
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        self.sub_title = self.TITLE_TEXT
        change, metrics = self._missed_change, self._missed_metrics
        self._missed_change = self._missed_metrics = None
        if self._pipeline_moved():
            self.pipeline_changed()
            return
        if metrics is not None:
            self.metrics_updated(metrics)
        if change is not None:
            self.data_changed(change)

    def on_records_changed(self, message: RecordsChanged) -> None:
        """From the app (a burst arrives merged): refresh now if the screen is in sight, else when it is shown."""
        event = message.event
        if self.is_current:
            if self._pipeline_moved():
                self.pipeline_changed()
            else:
                self.data_changed(event)
        else:
            self._missed_change = event if self._missed_change is None else self._missed_change.merge(event)

    def on_metrics_updated(self, message: MetricsUpdated) -> None:
        """From the app: show the figures now if the screen is in sight, else the latest when shown again."""
        if self.is_current:
            self.metrics_updated(message.metrics)
        else:
            self._missed_metrics = message.metrics

    def on_mount(self) -> None:
        self.sub_title = self.TITLE_TEXT

    def _pipeline_moved(self) -> bool:
        if self._pipeline is None or self._pipeline is self.session.pipeline:
            return False
        self._pipeline = self.session.pipeline
        return True

    def pipeline_changed(self) -> None:
        """The session works under a new pipeline version: by default, reload everything the screen shows."""
        self.data_changed(DataChanged(kinds=frozenset()))  # the figures follow: the metrics recompute on it too

    def data_changed(self, event: DataChanged) -> None:
        """Called by the app when records changed (here or in another session). Override to refresh."""

    def metrics_updated(self, metrics: "MetricsRecomputed") -> None:
        """Called by the app with freshly recomputed pipeline figures and alerts. Override to show them."""

"""A KPI tile: a label, a big figure and a line of context."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.failures import KeepsRunning


class Kpi(KeepsRunning, Static):
    DEFAULT_CSS = """
    Kpi {
        width: 1fr;
        height: 5;
        border: round $primary-darken-1;
        padding: 0 1;
        background: $surface;
    }
    Kpi.warning { border: round $warning; }
    Kpi.good { border: round $success; }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self._figure = "…"
        self._detail = ""

    def set(self, figure: str, detail: str = "", tone: str | None = None) -> None:
        self._figure = figure
        self._detail = detail
        self.set_class(tone == "warning", "warning")
        self.set_class(tone == "good", "good")
        self.update(self._content())

    def _content(self) -> Text:
        text = Text(self._figure, style="bold", no_wrap=True, overflow="ellipsis")
        text.append("\n")
        text.append(self._detail, style="dim")
        return text

    def on_mount(self) -> None:
        self.update(self._content())

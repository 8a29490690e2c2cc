"""The key map: every binding of the app and of the screen underneath, with the id `[keymap]` remaps."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.failures import KeepsRunning
from tui.widgets.tables import rows


class HelpScreen(KeepsRunning, ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Pantry CRM — keys   (Esc closes; an Id is what [keymap] remaps)", style="bold"))
            for title, keys in self.sections:
                yield Static(rows(["Key", "Action", "Id"], keys, title=title))

    def on_click(self) -> None:
        self.dismiss()

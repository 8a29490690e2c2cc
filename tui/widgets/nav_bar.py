"""The row of screens and their keys, with the current one highlighted. Click to switch."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.widget import Widget

from tui.failures import KeepsRunning

# Short names for terminals under 110 columns.
COMPACT = {"dashboard": "Dash", "kanban": "Kanban", "forecast": "Fcst", "opportunities": "Opps", "leads": "Leads",
           "accounts": "Accts", "contacts": "Cont", "proposals": "Props", "tasks": "Tasks", "reports": "Rpts"}

# (mode, key, label) in display order; the app binds the same keys.
SCREENS: tuple[tuple[str, str, str], ...] = (
    ("dashboard", "d", "Dashboard"),
    ("kanban", "k", "Kanban"),
    ("forecast", "f", "Forecast"),
    ("opportunities", "o", "Opportunities"),
    ("leads", "l", "Leads"),
    ("accounts", "a", "Accounts"),
    ("contacts", "c", "Contacts"),
    ("proposals", "p", "Proposals"),
    ("tasks", "t", "Tasks"),
    ("reports", "r", "Reports"),
)


class NavBar(KeepsRunning, Widget):
    DEFAULT_CSS = """
    NavBar { height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, active: str) -> None:
        super().__init__()
        self.active = active
        self._spans: list[tuple[int, int, str]] = []

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        self._spans = []
        compact = self.size.width < 110
        keymap = getattr(self.app, "user_keymap", {})
        for mode, key, name in SCREENS:
            if keymap.get(f"go-{mode}"):  # the user's key for the screen (README, "Your own keys")
                key = self.app.get_key_display(Binding(keymap[f"go-{mode}"].split(",")[0].strip(), ""))
            start = len(text)
            shown = COMPACT[mode] if compact else name
            gap = "" if compact else " "
            if mode == self.active:
                text.append(f" {key}{gap}", style="bold reverse")
                text.append(f"{shown} ", style="bold reverse")
            else:
                text.append(f" {key}{gap}", style="bold")
                text.append(f"{shown} ")
            self._spans.append((start, len(text), mode))
        return text

    def on_click(self, event: Click) -> None:
        for start, end, mode in self._spans:
            if start <= event.x < end:
                self.app.switch_mode(mode)
                return

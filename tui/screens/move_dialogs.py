"""Dialogs of a stage move: the lost reason, and why a move was refused (under 30 rows they have the
app's `-short` breakpoint class: tighter spacing, shorter lists, app.tcss)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static

from domain.inputs import InputError, check_text
from tui.failures import KeepsRunning

COMMON_REASONS = (
    "Price — competitor cheaper",
    "Went with incumbent distributor",
    "Product fit / spec mismatch",
    "Delivery schedule or territory",
    "No decision / budget frozen",
    "Timing — revisit next season",
)


class LostReasonScreen(KeepsRunning, ModalScreen[str | None]):
    """Ask why the deal was lost: pick a common reason or type one. Esc cancels the move."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="lost-reason.cancel")]

    def __init__(self, opportunity_name: str) -> None:
        super().__init__()
        self.opportunity_name = opportunity_name

    def compose(self) -> ComposeResult:
        with Vertical(id="lost-dialog", classes="dialog"):
            yield Static(Text(f"Close as lost: {self.opportunity_name}", style="bold"))
            yield Static(Text("Type a reason and press Enter, or pick one below (Tab, ↑↓, Enter).", style="dim"))
            yield OptionList(*COMMON_REASONS, id="lost-reasons")
            yield Input(placeholder="Lost reason…", id="lost-reason")
            yield Static(id="lost-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close as lost", variant="error", id="confirm")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#lost-reason", Input).cursor_blink = getattr(self.app, "cursor_blink", True)
        self.query_one("#lost-reason", Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#lost-reason", Input).value = str(event.option.prompt)
        self._confirm()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#lost-error", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._confirm()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm":
            self._confirm()
        else:
            self.dismiss(None)

    def _confirm(self) -> None:
        reason = self.query_one("#lost-reason", Input).value.strip()
        if not reason:
            self.query_one("#lost-error", Static).update(Text("lost reason: required to close a deal as lost"))
            return
        try:
            reason = check_text(reason)  # the move's own rule (domain/inputs.py): length, control characters
        except InputError as error:
            self.query_one("#lost-error", Static).update(Text(f"lost reason: {error}"))
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MessageScreen(KeepsRunning, ModalScreen[bool]):
    """A titled list of lines (why a move was refused, a conflict); Enter/Esc closes.

    With `confirm_label`, Enter answers True (e.g. "Reload"), Esc False.
    """

    BINDINGS = [
        Binding("escape", "close(False)", "Close", id="message.close"),
        Binding("enter", "close(True)", "OK", id="message.ok"),
    ]

    def __init__(self, title: str, lines: list[str], *, confirm_label: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(id="message-dialog", classes="dialog"):
            yield Static(Text(self.title_text, style="bold"))
            body = Text()
            for line in self.lines:
                body.append("• " + line + "\n")
            yield Static(body, id="message-lines")
            with Horizontal(classes="dialog-buttons"):
                if self.confirm_label:
                    yield Button(self.confirm_label, variant="primary", id="yes")
                yield Button("Cancel" if self.confirm_label else "Close", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_close(self, answer: bool) -> None:
        self.dismiss(bool(answer) and self.confirm_label is not None)

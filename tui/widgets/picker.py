"""A form field that finds a related record as you type: an input with the matches under it.

The search runs in a worker (the database is never read on the UI thread) a moment after the last
key, and only the newest search's answer is shown. ↓/↑ move in the matches, Enter takes one (the
input then shows its name; the field's value is its id or login), Esc closes the list. Typing an id
or a login and leaving the field works too: the record editor checks it on save.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from domain.views import PickerOption
from tui.failures import KeepsRunning

Search = Callable[[str], list[PickerOption]]


class Picker(KeepsRunning, Vertical):
    """`value` is the chosen record's id (or login); the input shows its name."""

    DEFAULT_CSS = """
    Picker { height: auto; }
    Picker OptionList { display: none; max-height: 6; margin: 0; }
    Picker.-open OptionList { display: block; }
    """

    BINDINGS = [
        Binding("down", "move(1)", "Next match", show=False, id="picker.next"),
        Binding("up", "move(-1)", "Previous match", show=False, id="picker.previous"),
        Binding("escape", "close", "Close the matches", show=False, id="picker.close"),
    ]

    DELAY = 0.15  # seconds after the last key before searching

    class Picked(Message):
        def __init__(self, picker: "Picker", option: PickerOption) -> None:
            super().__init__()
            self.picker = picker
            self.option = option

    def __init__(self, search: Search, *, value: str = "", label: str = "", placeholder: str = "type to search",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.search = search
        self.chosen = value
        self._label = label or value
        self._placeholder = placeholder
        self._options: list[PickerOption] = []
        self._asked = 0  # the newest search asked; older answers are dropped
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(value=self._label, placeholder=self._placeholder, select_on_focus=False)
        matches = OptionList()
        matches.can_focus = False  # Tab goes to the next field; ↓/↑ move in the matches from the input
        yield matches

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        """The chosen id or login; else what was typed (an id or a login typed by hand), stripped."""
        typed = self.input.value.strip()
        if self.chosen and typed == self._label:
            return self.chosen
        return typed

    def focus(self, scroll_visible: bool = True) -> "Picker":
        self.input.focus(scroll_visible)
        return self

    # -- searching ----------------------------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value == self._label and self.chosen:
            return
        self.chosen = ""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.DELAY, self._ask)
        self.post_message(self.Changed(self))

    class Changed(Message):
        """What the field holds changed (the form clears its error)."""

        def __init__(self, picker: "Picker") -> None:
            super().__init__()
            self.picker = picker

    def _ask(self) -> None:
        self._asked += 1
        asked, text = self._asked, self.input.value

        def run() -> None:
            options = self.search(text)
            self.app.call_from_thread(self._show, asked, options)

        self.run_worker(run, thread=True, exclusive=True, group=f"picker-{self.id}", name="Finding matches",
                        exit_on_error=False)

    def _show(self, asked: int, options: list[PickerOption]) -> None:
        if asked != self._asked or not self.is_mounted:
            return  # a newer search is on its way
        self._options = options
        matches = self.query_one(OptionList)
        matches.clear_options()
        for option in options:
            line = Text(option.label, no_wrap=True, overflow="ellipsis")
            if option.detail:
                line.append(f"  {option.detail}", style="dim")
            matches.add_option(Option(line))
        if not options:
            matches.add_option(Option(Text("no match", style="dim"), disabled=True))
        matches.highlighted = None  # ↓ takes the first match, Enter then takes the one chosen
        self.set_class(self.input.has_focus, "-open")

    # -- choosing -----------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if not self.has_class("-open") or not self._options:
            raise SkipAction()
        matches = self.query_one(OptionList)
        if matches.highlighted is None:
            matches.highlighted = 0 if step > 0 else len(self._options) - 1
        else:
            matches.highlighted = max(0, min(len(self._options) - 1, matches.highlighted + step))

    def action_close(self) -> None:
        if not self.has_class("-open"):
            raise SkipAction()
        self.remove_class("-open")

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        matches = self.query_one(OptionList)
        if self.has_class("-open") and self._options and matches.highlighted is not None:
            event.stop()  # Enter takes the match; it does not submit the form
            self._take(self._options[matches.highlighted])

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._options):
            self._take(self._options[event.option_index])

    def _take(self, option: PickerOption) -> None:
        self.chosen, self._label = option.value, option.label
        with self.input.prevent(Input.Changed):
            self.input.value = option.label
        self.input.cursor_position = len(option.label)
        self.remove_class("-open")
        self.post_message(self.Picked(self, option))

    def on_descendant_blur(self) -> None:
        if not self.input.has_focus:
            self.remove_class("-open")

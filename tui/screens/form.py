"""A modal form: labelled fields, validated as a whole, each invalid field named with its reason.

The caller gives the fields and a `validate(values) -> (result, errors)` function (which uses the
domain's pydantic types). Nothing is returned until every field is valid; Esc cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tui.failures import KeepsRunning
from tui.widgets.picker import Picker


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (label, value) for a choice; empty = free text
    placeholder: str = ""
    allow_blank: bool = True
    search: Callable | None = None  # a picker: (text) -> [PickerOption], run in a worker as you type
    shown: str = ""  # what a picker's input shows for `value` (the record's name)


Validator = Callable[[dict[str, str]], tuple[Any, dict[str, str]]]


class FormScreen(KeepsRunning, ModalScreen[Any]):
    """A form; under 30 rows it has the app's `-short` breakpoint class (tighter spacing: app.tcss)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.save"),
    ]

    def __init__(self, title: str, fields: list[Field], validate: Validator, *, submit_label: str = "Save") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.validate = validate
        self.submit_label = submit_label

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog form-dialog"):
            yield Static(Text(self.title_text, style="bold"))
            yield Static(Text(f"ctrl+s {self.submit_label.lower()} · esc cancel · tab next field", style="dim"),
                         classes="form-keys")
            for field in self.fields:
                yield Label(Text(field.label), classes="form-label")
                if field.search is not None:
                    yield Picker(field.search, value=field.value, label=field.shown, id=f"field-{field.name}",
                                 placeholder=field.placeholder or "type to search")
                elif field.options:
                    yield Select(
                        [(Text(label), value) for label, value in field.options],
                        value=field.value if field.value else Select.NULL,
                        allow_blank=field.allow_blank, id=f"field-{field.name}",
                    )
                else:
                    yield Input(value=field.value, placeholder=field.placeholder, id=f"field-{field.name}",
                                select_on_focus=False)  # a stray key must not replace what is there
                yield Static("", id=f"error-{field.name}", classes="error")
            yield Static("", id="form-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.submit_label, variant="primary", id="submit")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = getattr(self.app, "cursor_blink", True)
        first = self.query("Input, Select").first()
        first.focus()

    def values(self) -> dict[str, str]:
        result = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, Select):
                result[field.name] = "" if widget.is_blank() else str(widget.value)
            elif isinstance(widget, Picker):
                result[field.name] = widget.value
            else:
                result[field.name] = widget.value
        return result

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_submit()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._clear_error((event.input.id or "").removeprefix("field-"))

    def on_picker_changed(self, event: Picker.Changed) -> None:
        self._clear_error((event.picker.id or "").removeprefix("field-"))

    def _clear_error(self, name: str) -> None:
        for error in self.query(f"#error-{name}"):
            error.update("")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.dismiss(None)

    def action_submit(self) -> None:
        result, errors = self.validate(self.values())
        for field in self.fields:
            message = errors.get(field.name, "")
            self.query_one(f"#error-{field.name}", Static).update(Text(f"{field.label}: {message}" if message else ""))
        general = errors.get("", "")
        self.query_one("#form-error", Static).update(Text(general))
        if not errors:
            self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

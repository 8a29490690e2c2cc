"""A pushed screen that shows one record in sections; Escape goes back."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui.failures import KeepsRunning


class ReloadsOnChange:
    """A screen showing one record reloads it after any change (a form saved on it, an undo, another
    process): now if it is in sight, else once when it is shown again."""

    _stale = False

    def on_records_changed(self, message) -> None:
        if self.is_current:
            self.load()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.load()


class DetailScreen(ReloadsOnChange, KeepsRunning, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="detail.back"),
        Binding("ctrl+r", "reload", "Refresh", id="detail.refresh"),
        Binding("e", "edit_record", "Edit", id="detail.edit"),
        Binding("D,delete", "archive_record", "Archive", show=False, id="detail.archive"),
    ]
    ENTITY: ClassVar[str] = ""  # what `e` edits and `D` archives (domain/editing/entities.py); "" none
    record_name = ""  # the record's name once shown (the archive dialog names it)

    def record_id(self) -> int | None:
        """The id of the record shown."""
        return None

    def action_edit_record(self) -> None:
        if self.ENTITY and self.record_id() is not None:
            self.app.edit_record(self.ENTITY, self.record_id())

    def action_archive_record(self) -> None:
        if self.ENTITY and self.record_id() is not None:
            self.app.archive_record(self.ENTITY, self.record_id(), self.record_name or f"#{self.record_id()}")

    def new_here(self, entity: str, field: str) -> None:
        """A New form for a record of `entity` whose `field` is this record."""
        if self.record_id() is not None:
            self.app.new_record(entity, {field: str(self.record_id())})

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
        if action in ("edit_record", "archive_record") and not self.ENTITY:
            return False
        return True

"""New, edit and archive on any screen that shows records: the forms open from a worker that reads
the record and its defaults, and save through the record editor (tui/screens/record_form.py)."""

from __future__ import annotations

from functools import partial

from domain.editing.entities import ENTITIES
from domain.editing.form_values import new_values, shown_names, typed_values
from domain.errors import DomainError
from domain.money import format_money
from domain.services.record_editor import RecordEditor, summary
from tui.screens.move_dialogs import MessageScreen
from tui.screens.record_form import RecordFormScreen, noun

DETAIL_SCREENS = ("account", "opportunity", "contact", "lead")


class RecordActions:
    """The app's `new_record`, `edit_record` and `archive_record` (imported when first used: start-up
    does not pay for the forms). Database work runs in the app's workers."""

    def __init__(self, app) -> None:
        self.app = app

    def new_record(self, entity: str, preset: dict[str, str] | None = None) -> None:
        self.app.run_worker(partial(self._open_form, entity, None, dict(preset or {})), thread=True,
                            group="record-form-open", name="Opening the form", exit_on_error=False)

    def edit_record(self, entity: str, record_id: int) -> None:
        self.app.run_worker(partial(self._open_form, entity, record_id, {}), thread=True,
                            group="record-form-open", name="Opening the form", exit_on_error=False)

    def _open_form(self, entity: str, record_id: int | None, preset: dict[str, str]) -> None:
        session, spec = self.app.session, ENTITIES[entity]
        with session.connection():
            if record_id is None:
                values = new_values(session, spec) | preset
            else:
                values = typed_values(session, spec, RecordEditor(session).get(entity, record_id))
            names = shown_names(session, spec, values)
        form = RecordFormScreen(entity, values, names, record_id=record_id)
        self.app.call_from_thread(self.app.push_screen, form, partial(self._saved, entity, record_id is None))

    def _saved(self, entity: str, created: bool, record) -> None:
        if record is None:
            return
        name = summary(ENTITIES[entity], record)
        verb = "Added" if created else "Saved"
        self.app.notify(f"{verb} {noun(entity)} #{record.id}: {name}", markup=False)
        if created and entity in DETAIL_SCREENS:
            self.app.open_record(entity, record.id)

    def archive_record(self, entity: str, record_id: int, name: str) -> None:
        """Archive the record, or restore it if it is archived (the lists show those with the word `archived`);
        asks first either way."""
        if not ENTITIES[entity].archivable:
            self.app.notify(f"A {noun(entity)} is not archived: remove it from its record instead", markup=False)
            return
        self.app.run_worker(partial(self._ask_archive, entity, record_id, name), thread=True,
                            group="record-archive", name="Reading the record", exit_on_error=False)

    def _ask_archive(self, entity: str, record_id: int, name: str) -> None:
        session = self.app.session
        with session.connection():
            archived = getattr(RecordEditor(session).get(entity, record_id), "archived_at", None) is not None
        what = f"{noun(entity).capitalize()} #{record_id}: {name}"
        if archived:
            title, verb = f"Restore this {noun(entity)}?", "Restore"
            lines = [what, "It comes back to lists, figures and pickers."]
        else:
            title, verb = f"Archive this {noun(entity)}?", "Archive"
            lines = [what, "It leaves lists, figures and pickers; the audit log and exports keep it (--archived).",
                     "u undoes it; the word `archived` in a list's filter shows it, where D restores it."]
            if entity == "account":
                lines.append("Its deals and contacts stay as they are: archive them too if they are done with.")

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.run_worker(partial(self._archive, entity, record_id, name, not archived), thread=True,
                                    group="record-archive", name=f"{verb[:-1]}ing", exit_on_error=False)

        self.app.call_from_thread(self.app.push_screen, MessageScreen(title, lines, confirm_label=verb), answered)

    def _archive(self, entity: str, record_id: int, name: str, archive: bool = True) -> None:
        session = self.app.session
        editor = RecordEditor(session)
        try:
            with session.connection():
                (editor.archive if archive else editor.restore)(entity, record_id)
        except DomainError as error:
            self.app.call_from_thread(self.app.notify, str(error), severity="error", markup=False)
            return
        done = "Archived" if archive else "Restored"
        self.app.call_from_thread(self.app.notify, f"{done} {noun(entity)} #{record_id}: {name} (u undoes)",
                                  markup=False)

    # -- undo ---------------------------------------------------------------------------------------

    def undo_last(self) -> None:
        self.app.run_worker(self._find_last, thread=True, group="record-undo", name="Finding your last change",
                            exit_on_error=False)

    def _find_last(self) -> None:
        from domain.services.undo import Undo

        session = self.app.session
        try:
            with session.connection():
                entries = Undo(session).last()
        except DomainError as error:
            self.app.call_from_thread(self.app.notify, str(error), markup=False)
            return
        lines = [change_line(e) for e in entries[:8]]
        if len(entries) > 8:
            lines.append(f"… and {len(entries) - 8} more")
        when = f"{entries[0].at:%Y-%m-%d %H:%M} UTC"
        screen = MessageScreen(f"Undo your last change ({when})?", lines, confirm_label="Undo")
        self.app.call_from_thread(self.app.push_screen, screen, lambda yes: yes and self.app.run_worker(
            self._undo, thread=True, group="record-undo", name="Undoing", exit_on_error=False))

    def _undo(self) -> None:
        from domain.services.undo import Undo

        session = self.app.session
        try:
            with session.connection():
                undone = Undo(session).undo()
        except DomainError as error:
            self.app.call_from_thread(self.app.notify, str(error), severity="error", markup=False)
            return
        put_back = "; ".join(line.replace("_cents", "").replace("archived_at", "archived") for line in undone.reverted)
        self.app.call_from_thread(self.app.notify, f"Undone: {put_back}", markup=False)


def change_line(entry) -> str:
    """One audit entry as the undo dialog lists it, in the words and money of the screens."""
    what = f"{entry.table_name.replace('_', ' ')} #{entry.record_id}"
    action = getattr(entry.action, "value", entry.action)
    if action == "create":
        return f"{what}: created (undo archives or removes it)"
    if not entry.field:
        return f"{what}: {action}"
    if entry.field == "archived_at":
        now, before = ("archived", "active") if entry.new_value else ("active", "archived")
        return f"{what}: {now} → back to {before}"
    name, new, old = entry.field, entry.new_value, entry.old_value
    if name.endswith("_cents"):
        name = name.removesuffix("_cents")
        new, old = (format_money(int(v)) if v and v.isascii() and v.lstrip("-").isdigit() else v for v in (new, old))
    return f"{what}: {name.replace('_', ' ')} {new or '—'} → back to {old or '—'}"

"""New and Edit forms for every entity, built from the record editor's field list
(domain/editing/entities.py): the same fields, parsing and rules as `pantry add` and `pantry set`.

Saving runs the editor in a worker. Every invalid field is named under it, together, and nothing is
written; a possible duplicate account or contact is shown with the match, which `ctrl+o` opens, and
`ctrl+y` saves anyway. Related records (account, contact, owner, product…) are picked as you type.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import Static

from domain.editing.entities import ENTITIES, EntitySpec, FieldSpec
from domain.editing.form_values import picker_kind
from domain.errors import DomainError, DuplicateRecord, InvalidFields
from domain.services.record_editor import RecordEditor
from tui.format import label
from tui.screens.form import Field, FormScreen

NOUN = {"opportunity": "deal", "line-item": "product line", "deal-competitor": "competitor on the deal",
        "interaction": "interaction", "account-member": "account team member"}
HINT = {"money": "$", "date": "YYYY-MM-DD", "share": "%", "list": "comma-separated", "decimal": "number"}
KEY_HINT = {"discount": "%"}


def noun(entity: str) -> str:
    return NOUN.get(entity, entity.replace("-", " "))


def field_label(field: FieldSpec) -> str:
    text = label(field.key)
    hint = KEY_HINT.get(field.key) or HINT.get(field.kind)
    return f"{text} ({hint})" if hint else text


class RecordFormScreen(FormScreen):
    """`dismiss(record)` once saved; None when cancelled."""

    BINDINGS = [
        Binding("ctrl+y", "save_anyway", "Save anyway", show=False, id="record-form.save-anyway"),
        Binding("ctrl+o", "open_match", "Open the match", show=False, id="record-form.open-match"),
    ]

    def __init__(self, entity: str, values: dict[str, str], names: dict[str, str], *,
                 record_id: int | None = None) -> None:
        self.entity = entity
        self.spec: EntitySpec = ENTITIES[entity]
        self.record_id = record_id
        self.initial = values
        self.duplicates: list = []
        creating = record_id is None
        fields = [self._field(f, values.get(f.key, ""), names.get(f.key, ""))
                  for f in self.spec.fields if creating or not f.create_only]
        title = f"New {noun(entity)}" if creating else f"Edit {noun(entity)} #{record_id}"
        super().__init__(title, fields, self._no_check, submit_label="Save")

    def _field(self, spec: FieldSpec, value: str, shown: str) -> Field:
        required = spec.key in self.spec.required and self.record_id is None
        text = field_label(spec) + (" *" if required else "")
        kind = picker_kind(spec)
        if kind is not None:
            def search(typed: str, kind: str = kind):
                with self.session.connection():
                    return self.session.pick(kind, typed)

            return Field(spec.key, text, value, search=search, shown=shown or value,
                         placeholder=spec.help or f"type to find the {kind}")
        if spec.kind == "choice" and spec.enum is not None:
            options = tuple((label(m.value), m.value) for m in spec.enum if m.value not in spec.exclude)
            return Field(spec.key, text, value, options=options)
        if spec.kind == "bool":
            return Field(spec.key, text, value, options=(("Yes", "yes"), ("No", "no")))
        return Field(spec.key, text, value, placeholder=spec.help)

    @property
    def session(self):
        return self.app.session  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        super().on_mount()
        # the keyboard starts on the first field still to fill (a deal opened from its account has one)
        empty = next((f for f in self.fields if not self.initial.get(f.name, "").strip()), None)
        if empty is not None:
            self.query_one(f"#field-{empty.name}").focus()

    @staticmethod
    def _no_check(values):
        return values, {}

    def typed(self) -> dict[str, str]:
        """What to hand the editor: on a new record every filled field, on an edit what changed."""
        values = self.values()
        if self.record_id is None:
            return {key: text for key, text in values.items() if text.strip()}
        return {key: text for key, text in values.items() if text.strip() != self.initial.get(key, "").strip()}

    def action_submit(self, allow_duplicate: bool = False) -> None:
        typed = self.typed()
        problems = self._unpicked(typed)
        if problems:
            self.show_problems(problems)
            return
        if self.record_id is not None and not typed:
            self.dismiss(None)  # nothing changed: nothing to write
            return
        self.save(typed, allow_duplicate)

    def _unpicked(self, typed: dict[str, str]) -> list[tuple[str, str]]:
        """A record field holding a name that was typed but no match taken (ids and logins are fine)."""
        problems = []
        for spec in self.spec.fields:
            kind, text = picker_kind(spec), typed.get(spec.key, "")
            if kind not in (None, "user", "product") and text and not (text.isascii() and text.isdigit()):
                problems.append((spec.key, "choose one of the matches (↓ then Enter), or type its number"))
        return problems

    def action_save_anyway(self) -> None:
        if self.duplicates:
            self.action_submit(allow_duplicate=True)

    def action_open_match(self) -> None:
        if self.duplicates:
            record = self.duplicates[0][0]
            self.dismiss(None)
            self.app.open_record(self.spec.name, record.id)

    @work(thread=True, exclusive=True, group="record-form", name="Saving", exit_on_error=False)
    def save(self, typed: dict[str, str], allow_duplicate: bool) -> None:
        editor = RecordEditor(self.session)
        try:
            with self.session.connection():
                if self.record_id is None:
                    saved = editor.create(self.entity, typed, allow_duplicate=allow_duplicate)
                else:
                    saved = editor.update(self.entity, self.record_id, typed)
        except InvalidFields as error:
            self.app.call_from_thread(self.show_problems, error.problems)
            return
        except DuplicateRecord as error:
            self.app.call_from_thread(self.show_duplicates, error)
            return
        except DomainError as error:  # a rule or a role refused it, someone changed it meanwhile
            self.app.call_from_thread(self.show_problems, [("", str(error))])
            return
        self.app.call_from_thread(self.dismiss, saved)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        by_field = {}
        for key, reason in problems:
            by_field.setdefault(key if key in {f.name for f in self.fields} else "", []).append(reason)
        for field in self.fields:
            reasons = by_field.get(field.name)
            self.query_one(f"#error-{field.name}", Static).update(
                Text(f"{field.label.removesuffix(' *')}: {'; '.join(reasons)}" if reasons else ""))
        general = by_field.get("", [])
        count = len(problems)
        summary = f"Not saved: {count} problem{'s' if count != 1 else ''} to fix." if count else ""
        self.query_one("#form-error", Static).update(Text("\n".join([*general, summary] if general else [summary])))
        # in sight at any terminal size: the first bad field gets the keyboard; a refusal that names no
        # field (a rule, a role) is also a notification
        first = next((f for f in self.fields if by_field.get(f.name)), None)
        if first is not None:
            self.query_one(f"#field-{first.name}").focus()
        if general:
            self.notify("\n".join(general), title="Not saved", severity="error", markup=False)

    def show_duplicates(self, error: DuplicateRecord) -> None:
        self.duplicates = error.matches
        lines = [f"Not saved: a {error.kind} like this exists already:"]
        lines += [f"  #{record.id} {name} — {why}" for record, name, why in error.matches[:5]]
        lines.append("ctrl+o opens the first · ctrl+y saves this one anyway · esc cancels")
        self.query_one("#form-error", Static).update(Text("\n".join(lines)))
        self.notify("\n".join(lines), title="Possible duplicate", severity="warning", markup=False, timeout=10)

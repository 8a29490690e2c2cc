"""What a form shows for a record, field by field, as the user would type it — the inverse of
`domain/editing/parsing.py` — so that saving a form nobody changed changes nothing.

`typed_values` gives the text of each field; `shown_names` the names a picker shows for the ids it
holds ("Bistro Nord" for account 12). Both read through the session (visibility applies).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from domain.editing.entities import ENTITIES, EntitySpec, FieldSpec

if TYPE_CHECKING:
    from domain.records import Record
    from domain.session import Session

REPOSITORY = {name: spec.repo for name, spec in ENTITIES.items()}
NAME_OF = {
    "contact": lambda c: f"{c.first_name} {c.last_name}".strip(),
}


def typed(field: FieldSpec, value: Any) -> str:
    """One value as the user would type it."""
    if value is None or value == "":
        return ""
    if field.kind == "money":
        cents = int(value)
        return f"{cents // 100}.{cents % 100:02d}"
    if field.kind == "date" and isinstance(value, date):
        return value.isoformat()
    if field.kind == "share":
        return f"{Decimal(str(value)) * 100:f}".rstrip("0").rstrip(".")
    if field.kind == "bool":
        return "yes" if value else "no"
    if field.kind == "list":
        return ", ".join(str(v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def typed_values(session: "Session", spec: EntitySpec, record: "Record") -> dict[str, str]:
    """Each field of `spec` that maps to a record field, as text (a user field as the user's login)."""
    values: dict[str, str] = {}
    for field in spec.fields:
        if not field.field or not hasattr(record, field.field):
            continue
        value = getattr(record, field.field)
        if field.kind == "user" and value is not None:
            user = session.store.users.get(value)
            values[field.key] = user.login if user else ""
        else:
            values[field.key] = typed(field, value)
    return values


def shown_name(session: "Session", kind: str, value: str) -> str:
    """The name a picker shows for `value` (an id, or a login for a user)."""
    if not value:
        return ""
    if kind == "user":
        user = session.store.user_by_login(value)
        return f"{user.display_name} ({user.login})" if user else value
    repository = getattr(session.store, REPOSITORY.get(kind, "products" if kind == "product" else ""), None)
    if repository is None or not (value.isascii() and value.isdigit()):
        return value
    record = repository.get(int(value))
    if record is None:
        return value
    name = NAME_OF.get(kind)
    return name(record) if name else str(getattr(record, "name", None) or getattr(record, "title", None) or value)


def picker_kind(field: FieldSpec) -> str | None:
    """The kind of record a field picks, or None for a typed field."""
    if field.kind == "ref":
        return field.ref
    if field.kind == "user":
        return "user"
    if field.key == "product":
        return "product"
    return None


def shown_names(session: "Session", spec: EntitySpec, values: dict[str, str]) -> dict[str, str]:
    return {field.key: shown_name(session, kind, values.get(field.key, ""))
            for field in spec.fields if (kind := picker_kind(field)) and values.get(field.key)}


def new_values(session: "Session", spec: EntitySpec) -> dict[str, str]:
    """A new record's safe defaults: you own (or are assigned) what you create; its dates are today, in
    your time zone (the session's clock)."""
    values: dict[str, str] = {}
    today = session.clock.today().isoformat()
    for field in spec.fields:
        if field.kind == "user" and field.key in ("owner", "assignee") and session.actor is not None:
            values[field.key] = session.actor.login
        elif field.kind == "date" and "default: today" in field.help:
            values[field.key] = today
    return values

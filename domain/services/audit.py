"""Writing the audit log: who changed which field of which record, from what to what."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from domain.enums import AuditAction
from domain.records import AuditEntry

if TYPE_CHECKING:
    from store.store import Store


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def record_changes(store: "Store", *, actor: str, at: datetime, table: str, record_id: int, before: Any, after: Any,
                   fields: tuple[str, ...]) -> None:
    for field in fields:
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            store.audit.insert(AuditEntry(
                at=at, actor=actor, action=AuditAction.UPDATE, table_name=table, record_id=record_id,
                field=field, old_value=_text(old), new_value=_text(new),
            ))


def record_created(store: "Store", *, actor: str, at: datetime, table: str, record_id: int, summary: str) -> None:
    store.audit.insert(AuditEntry(
        at=at, actor=actor, action=AuditAction.CREATE, table_name=table, record_id=record_id, new_value=summary,
    ))

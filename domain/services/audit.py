"""Writing the audit log: who changed which field of which record, from what to what."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from domain.enums import AuditAction
from domain.records import AuditEntry

if TYPE_CHECKING:
    from domain.ports import Storage


def audit_text(value: Any) -> str | None:
    """A value as the audit log shows it: enums by value, dates in ISO form, None as None."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def record_changes(store: "Storage", *, actor: str, at: datetime, table: str, record_id: int, before: Any, after: Any,
                   fields: tuple[str, ...]) -> None:
    for field in fields:
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            store.audit.insert(AuditEntry(
                at=at, actor=actor, action=AuditAction.UPDATE, table_name=table, record_id=record_id,
                field=field, old_value=audit_text(old), new_value=audit_text(new),
            ))


def record_created(store: "Storage", *, actor: str, at: datetime, table: str, record_id: int, summary: str) -> None:
    store.audit.insert(AuditEntry(
        at=at, actor=actor, action=AuditAction.CREATE, table_name=table, record_id=record_id, new_value=summary,
    ))


def record_owner_change(store: "Storage", *, actor: str, at: datetime, table: str, record_id: int,
                        old_owner_id: int | None, new_owner_id: int | None) -> None:
    """A reassignment, written with logins (who had it, who has it now) rather than user ids."""
    logins = store.user_logins({i for i in (old_owner_id, new_owner_id) if i is not None})
    store.audit.insert(AuditEntry(
        at=at, actor=actor, action=AuditAction.UPDATE, table_name=table, record_id=record_id, field="owner",
        old_value=logins.get(old_owner_id) if old_owner_id is not None else None,
        new_value=logins.get(new_owner_id) if new_owner_id is not None else None,
    ))

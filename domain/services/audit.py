"""The audit log: who changed which field of which record, from what to what — written, and read back."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from domain.enums import AuditAction
from domain.records import AuditEntry

if TYPE_CHECKING:
    from domain.ports import Storage
    from domain.session import Session


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
                   fields: tuple[str, ...], unit: str | None = None) -> None:
    for field in fields:
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            store.audit.insert(AuditEntry(
                at=at, actor=actor, action=AuditAction.UPDATE, table_name=table, record_id=record_id,
                field=field, old_value=audit_text(old), new_value=audit_text(new), unit=unit,
            ))


def record_created(store: "Storage", *, actor: str, at: datetime, table: str, record_id: int, summary: str,
                   unit: str | None = None) -> None:
    store.audit.insert(AuditEntry(
        at=at, actor=actor, action=AuditAction.CREATE, table_name=table, record_id=record_id, new_value=summary,
        unit=unit,
    ))


def record_owner_change(store: "Storage", *, actor: str, at: datetime, table: str, record_id: int,
                        old_owner_id: int | None, new_owner_id: int | None, unit: str | None = None) -> None:
    """A reassignment, written with logins (who had it, who has it now) rather than user ids."""
    logins = store.user_logins({i for i in (old_owner_id, new_owner_id) if i is not None})
    store.audit.insert(AuditEntry(
        at=at, actor=actor, action=AuditAction.UPDATE, table_name=table, record_id=record_id, field="owner",
        old_value=logins.get(old_owner_id) if old_owner_id is not None else None,
        new_value=logins.get(new_owner_id) if new_owner_id is not None else None, unit=unit,
    ))


# -- reading it back -------------------------------------------------------------------------------


def _entries(store: "Storage", *, record_id: int | None, table: str | None, user: str | None,
             limit: int | None) -> list[AuditEntry]:
    """Matching entries, newest first (entries written at the same instant: the last written first)."""
    filters: dict[str, Any] = {}
    if record_id is not None:
        filters["record_id"] = record_id
    if table:
        filters["table_name"] = table
    if user:
        filters["actor"] = user
    found = store.audit.find(order_by="at", descending=True, limit=limit, **filters)
    if limit is not None and len(found) == limit:
        # the limit may cut through entries of one instant: take that whole instant, then cut again
        boundary = found[-1].at
        found = [e for e in found if e.at != boundary] + store.audit.find(at=boundary, **filters)
    found.sort(key=lambda e: (e.at, e.id), reverse=True)
    return found if limit is None else found[:limit]


def audit_log(session: "Session", *, record_id: int | None = None, table: str | None = None, user: str | None = None,
              limit: int | None = 100) -> list[AuditEntry]:
    """The audit entries this session may read, newest first: an admin everyone's; a rep their own changes,
    a manager their team's (asking for anyone else's is refused, with the names)."""
    if session.visible_logins() is None:
        return _entries(session.store, record_id=record_id, table=table, user=user, limit=limit)
    found: list[AuditEntry] = []
    for login in session.owners((user,) if user else ()):
        found += _entries(session.store, record_id=record_id, table=table, user=login, limit=limit)
    found.sort(key=lambda e: (e.at, e.id), reverse=True)
    return found if limit is None else found[:limit]

"""Undo: revert the acting user's last change (or a named one) through the audit log, as a new audited change.

A change is one unit of work: every audit entry it wrote carries its `unit`. Undoing it writes the old
values back (a field at a time, refusing when someone changed the field since), archives what it created
(deletes what cannot be archived, such as a deal's line item), and adds a marker entry (`field = 'undo'`,
`new_value` = the unit undone) in the same unit. `pantry undo` again undoes the change before that one:
undos and the changes they undid are skipped.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import datetime

from domain.editing.entities import ENTITIES
from domain.enums import AuditAction, ProposalStatus, TaskStatus
from domain.errors import NotFound, Refused, require_actor
from domain.records import AuditEntry, Record, StageChange
from domain.services.audit import audit_text
from domain.session import Session

MARKER = "undo"
_REPOS = {spec.table: spec.repo for spec in ENTITIES.values()}
_ARCHIVABLE = {spec.table for spec in ENTITIES.values() if spec.archivable}
_OWNER_FIELD = {"task": "assignee_id"}
_KINDS = {"line_item": "line_item", "opportunity_competitor": "opportunity", "account_team_member": "account",
          "contract": "account", "account_location": "account", "battlecard": "competitor"}


@dataclass(frozen=True)
class Undone:
    unit: str
    at: datetime
    reverted: tuple[str, ...]  # one line per record put back ("opportunity 12: stage", "task 4: archived")


class Undo:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store

    def last(self) -> list[AuditEntry]:
        """The entries of the acting user's last change that is neither an undo nor undone already."""
        require_actor(self.session)
        recent = self.store.audit.find(actor=self.session.actor_login, order_by="id", descending=True, limit=2000)
        undos = {e.unit for e in recent if e.field == MARKER}
        undone = {e.new_value for e in recent if e.field == MARKER}
        for entry in recent:
            if entry.unit and entry.unit not in undos and entry.unit not in undone:
                return self.store.audit.find(unit=entry.unit, order_by="id")
        raise Refused(f"nothing to undo: {self.session.actor_login} has no change left that can be undone")

    def named(self, entry_id: int) -> list[AuditEntry]:
        """The entries of the change the audit entry `entry_id` belongs to (one of the acting user's)."""
        require_actor(self.session)
        entry = self.store.audit.get(entry_id)
        if entry is None or entry.actor != self.session.actor_login:
            raise NotFound(f"change of {self.session.actor_login} with audit entry", entry_id)
        if not entry.unit:
            raise Refused(f"audit entry {entry_id} was written before changes could be undone")
        if entry.field == MARKER:
            raise Refused(f"audit entry {entry_id} is an undo; undo the change it undid again by hand")
        if self.store.audit.find(field=MARKER, new_value=entry.unit, limit=1):
            raise Refused(f"the change with audit entry {entry_id} was undone already")
        return self.store.audit.find(unit=entry.unit, order_by="id")

    def undo(self, entry_id: int | None = None) -> Undone:
        entries = self.last() if entry_id is None else self.named(entry_id)
        unit = entries[0].unit
        now = self.session.clock.now()
        reverted: list[str] = []
        with self.session.write(at=now) as change:
            for group in _grouped(list(reversed(entries))):
                line = self._revert(group, change, now)
                if line and line not in reverted:
                    reverted.append(line)
            first = entries[0]
            change.audit_entry(AuditAction.UPDATE, first.table_name, first.record_id, MARKER, None, unit)
        return Undone(unit, entries[0].at, tuple(reverted))

    # -- one entry -------------------------------------------------------------------------------------

    def _repo(self, table: str):
        name = _REPOS.get(table) or {"user": "users", "quota": "quotas"}.get(table)
        if name is None:
            raise Refused(f"changes to {table} cannot be undone (`pantry undo AUDIT_ID` undoes an earlier change; "
                          "`pantry audit` shows the ids)")
        return getattr(self.store, name)

    def _revert(self, group: list[AuditEntry], change, now: datetime) -> str | None:
        """One record's entries of the change: a create, an owner change, or field updates (put back together)."""
        entry = group[0]
        table, record_id = entry.table_name, entry.record_id
        if entry.field == MARKER:
            return None
        repo = self._repo(table)
        current = repo.get(record_id)
        change.touch(_KINDS.get(table, table), **{_KINDS.get(table, table): [record_id]})
        if entry.action is AuditAction.CREATE:
            if current is None:
                return None
            if table in _ARCHIVABLE:
                if current.archived_at is None:
                    self._save(repo, change, table, current, {"archived_at": now})
                return f"{table} {record_id}: archived (it was created by that change)"
            repo.delete(record_id)
            if table == "line_item":
                self._reprice(current.opportunity_id, change, now)
            return f"{table} {record_id}: removed (it was created by that change)"
        if entry.action is not AuditAction.UPDATE:
            raise Refused(f"a {entry.action.value} of {table} {record_id} cannot be undone")
        if current is None:
            raise Refused(f"{table} {record_id} no longer exists")
        if entry.field == "owner":
            return self._revert_owner(entry, repo, current, change)
        changes = {}
        for item in group:
            field = item.field
            if field not in type(current).model_fields:
                raise Refused(f"{table} {record_id}: {field} cannot be undone")
            if field in changes:  # changed twice in the change: back to the value before the first
                changes[field] = _typed(current, field, item.old_value)
                continue
            if audit_text(getattr(current, field)) != item.new_value:
                raise Refused(f"{table} {record_id}: {field} changed since (it is "
                              f"{audit_text(getattr(current, field))!r} now); nothing was undone")
            changes[field] = _typed(current, field, item.old_value)
        if table == "opportunity" and "stage" in changes:
            changes["stage_entered_at"] = now
        if table == "proposal" and "status" in changes:
            old = ProposalStatus(changes["status"])
            if old is ProposalStatus.DRAFT:
                changes.update(sent_at=None, decided_at=None)
            elif old in (ProposalStatus.SENT, ProposalStatus.EXPIRED):
                changes["decided_at"] = None
        if table == "task" and "status" in changes:
            changes["completed_at"] = now if changes["status"] == TaskStatus.DONE.value else None
        audited = tuple(dict.fromkeys(item.field for item in group))
        saved = self._save(repo, change, table, current, changes, audited=audited)
        if table == "opportunity" and "stage" in changes:
            self.store.stage_changes.insert(StageChange(
                opportunity_id=record_id, from_stage=current.stage, to_stage=saved.stage, changed_at=now,
                changed_by_id=self.session.actor.id, value_cents=saved.value_cents, probability=saved.probability,
            ))
            change.touch("stage_change")
        return f"{table} {record_id}: {', '.join(audited)}"

    def _revert_owner(self, entry: AuditEntry, repo, current: Record, change) -> str:
        field = _OWNER_FIELD.get(entry.table_name, "owner_id")
        logins = self.store.user_logins({getattr(current, field)} - {None})
        if logins.get(getattr(current, field)) != entry.new_value:
            raise Refused(f"{entry.table_name} {entry.record_id}: its owner changed since; nothing was undone")
        old = self.store.user_by_login(entry.old_value) if entry.old_value else None
        if entry.old_value and old is None:
            raise Refused(f"{entry.table_name} {entry.record_id}: user {entry.old_value!r} no longer exists")
        saved = self._save(repo, change, entry.table_name, current, {field: old.id if old else None}, audited=())
        change.audit_owner(entry.table_name, entry.record_id, getattr(current, field), getattr(saved, field))
        return f"{entry.table_name} {entry.record_id}: owner"

    def _save(self, repo, change, table: str, current: Record, changes: dict, audited=None) -> Record:
        fields = type(current).model_fields
        stamps = {k: v for k, v in (("updated_at", change.now), ("updated_by_id", self.session.actor.id))
                  if k in fields}
        record = type(current).model_validate({**current.model_dump(), **changes, **stamps})
        saved = repo.update(record, fields=set(changes) | set(stamps) | ({"version"} if "version" in fields else set()),
                            changed_by=self.session.actor_login)
        change.audit_update(table, current.id, current, saved, tuple(changes) if audited is None else audited)
        return saved

    def _reprice(self, opportunity_id: int, change, now: datetime) -> None:
        opp = self.store.opportunities.get(opportunity_id)
        if opp is None:
            return
        items = self.store.line_items.find(opportunity=opportunity_id)
        if not items:
            return
        total = sum(i.total_cents for i in items)
        if total != opp.value_cents:
            self._save(self.store.opportunities, change, "opportunity", opp, {"value_cents": total})


def _grouped(entries: list[AuditEntry]) -> list[list[AuditEntry]]:
    """Consecutive field updates of one record together (put back in one write, so that a proposal's status
    and its sent date return together); creates, owner changes and markers alone."""
    groups: list[list[AuditEntry]] = []
    for entry in entries:
        last = groups[-1][-1] if groups else None
        joins = (last is not None and entry.action is AuditAction.UPDATE and last.action is AuditAction.UPDATE
                 and (entry.table_name, entry.record_id) == (last.table_name, last.record_id)
                 and "owner" not in (entry.field, last.field) and MARKER not in (entry.field, last.field))
        if joins:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups


def _typed(record: Record, field: str, text: str | None):
    """The audit log's text of a value, as the record's field holds it (pydantic converts it back)."""
    if text is None:
        return None
    current = getattr(record, field)
    if isinstance(current, list):
        try:
            return list(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            raise Refused(f"{field}: the old value {text!r} cannot be read back") from None
    return text

"""One unit of work: every write of the domain goes through `with session.write(kinds, ids=...) as change:`.

    with session.write({"task"}, ids={"task": {task_id}}) as change:   # BEGIN (nested: a savepoint)
        saved = session.store.tasks.update(...)                         # the service's writes
        change.audit_update("task", task_id, before, saved, ("status",))   # its audit entries
        change.touch("notification")                                    # more kinds, found on the way
                                                                        # announce_change(kinds), COMMIT
    # after COMMIT: session.bus.publish(DataChanged(kinds, ids)), once

What it guarantees:
- one transaction: the block's writes commit together or not at all (an exception rolls back);
- the audit entries are written in that transaction, stamped with the unit's actor and time;
- other processes are told once: `store.announce_change(kinds)` inside the transaction, which the
  store delivers when it commits and never when it rolls back (PostgreSQL NOTIFY; SQLite needs
  nothing: other processes notice the commit through PRAGMA data_version);
- this process is told once, after COMMIT: one `DataChanged` on the session's bus; nothing after a
  rollback; nothing when the unit touched no kind (a write no screen shows, or nothing changed);
- nested use joins the outer unit (a savepoint inside its transaction): automations a stage move
  fires add their kinds to the move's one announcement.

The unit of work belongs to the thread that opened it (a TUI's workers each have their own).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.errors import Refused
from domain.events import DataChanged
from domain.services.audit import record_changes, record_created, record_owner_change

if TYPE_CHECKING:
    from domain.session import Session


class Change:
    """The unit of work in progress: what it touched (announced once after commit) and its audit."""

    def __init__(self, session: "Session", now: datetime) -> None:
        self.session = session
        self.now = now
        self.kinds: set[str] = set()
        self._after_commit: list = []
        self.ids: dict[str, set[int]] = {}
        self.unit = uuid.uuid4().hex  # stamped on its audit entries: `pantry undo` reverts a whole unit

    def touch(self, *kinds: str, **ids: Iterable[int]) -> None:
        """Records of these kinds change; `touch("lead", lead=[3, 4])` names the ids too."""
        self.kinds.update(kinds)
        for kind, touched in ids.items():
            self.kinds.add(kind)
            self.ids.setdefault(kind, set()).update(touched)

    # -- the audit log, in the same transaction --------------------------------------------------

    def audit_update(self, table: str, record_id: int, before: Any, after: Any, fields: Iterable[str], *,
                     actor: str | None = None) -> None:
        """One entry per field whose value differs between `before` and `after`."""
        record_changes(self.session.store, actor=actor or self.session.actor_login, at=self.now, table=table,
                       record_id=record_id, before=before, after=after, fields=tuple(fields), unit=self.unit)

    def audit_create(self, table: str, record_id: int, summary: str) -> None:
        record_created(self.session.store, actor=self.session.actor_login, at=self.now, table=table,
                       record_id=record_id, summary=summary, unit=self.unit)

    def audit_owner(self, table: str, record_id: int, old_owner_id: int | None, new_owner_id: int | None) -> None:
        """A reassignment, written with the logins of who had the record and who has it now."""
        record_owner_change(self.session.store, actor=self.session.actor_login, at=self.now, table=table,
                            record_id=record_id, old_owner_id=old_owner_id, new_owner_id=new_owner_id,
                            unit=self.unit)

    def audit_entry(self, action, table: str, record_id: int, field: str = "", old: str | None = None,
                    new: str | None = None) -> None:
        """One entry written as given (an archive, a restore, an undo's marker), stamped with this unit."""
        from domain.records import AuditEntry

        self.session.store.audit.insert(AuditEntry(
            at=self.now, actor=self.session.actor_login, action=action, table_name=table, record_id=record_id,
            field=field, old_value=old, new_value=new, unit=self.unit,
        ))

    def after_commit(self, action) -> None:
        """Run `action()` once the unit has committed, before this process hears of the change (a session
        that takes a new pipeline must do so before its screens repaint); never after a rollback."""
        self._after_commit.append(action)

    # -- the announcement ------------------------------------------------------------------------

    def event(self) -> DataChanged:
        return DataChanged(kinds=frozenset(self.kinds), ids={k: frozenset(v) for k, v in self.ids.items()})


class UnitsOfWork:
    """The unit of work each thread of a session has open (at most one; nested writes join it)."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def current(self) -> Change | None:
        return getattr(self._local, "change", None)

    @contextmanager
    def write(self, session: "Session", kinds: Iterable[str] = (), *,
              ids: Mapping[str, Iterable[int]] | None = None, at: datetime | None = None) -> Iterator[Change]:
        if getattr(session, "read_only", False):  # a Session; tests' stand-ins have no such flag
            raise Refused("this session is read-only (a command over SSH): it cannot change anything")
        outer = self.current
        if outer is not None:  # join: one transaction, one announcement
            outer.touch(*kinds, **(ids or {}))
            with session.store.atomic():
                yield outer
            return
        change = Change(session, at or session.clock.now())
        change.touch(*kinds, **(ids or {}))
        self._local.change = change
        try:
            with session.store.atomic():
                yield change
                if change.kinds:
                    session.store.announce_change(sorted(change.kinds))  # delivered by the COMMIT below
        finally:
            self._local.change = None
        for action in change._after_commit:
            action()
        if change.kinds:  # committed: tell this process, once
            session.bus.publish(change.event())

"""The inbox: a user's notifications (from automations and colleagues), newest unread first."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import require_actor
from domain.records import Notification
from domain.session import Session


def inbox(session: Session, limit: int = 200) -> list[Notification]:
    if session.actor is None:
        return []
    items = session.store.notifications.find(recipient=session.actor.id, order_by="created_at", descending=True,
                                              limit=limit)
    return sorted(items, key=lambda n: (n.read_at is not None, -n.created_at.timestamp()))


def mark_read(session: Session, notification_ids: list[int]) -> int:
    """Mark the actor's own notifications read; returns how many changed."""
    require_actor(session)
    now = session.clock.now()
    changed = 0
    with session.write(at=now) as change:
        for notification_id in notification_ids:
            note = session.store.notifications.require(notification_id)
            if note.recipient_id == session.actor.id and note.read_at is None:
                session.store.notifications.update(note.model_copy(update={"read_at": now}), fields={"read_at"})
                change.touch("notification")
                changed += 1
    return changed


@dataclass(frozen=True)
class InboxGroup:
    """Notifications of one kind about one deal on one day (UTC), shown as one row: the newest, and how many."""

    latest: Notification
    ids: tuple[int, ...]
    unread: int

    @property
    def count(self) -> int:
        return len(self.ids)


def grouped(items: list[Notification]) -> list[InboxGroup]:
    """Repeated alerts folded per deal, kind and day (196 "stage duration exceeded" after a start-up are a
    handful of rows); unread groups first, newest first. A notification about no deal stays on its own."""
    groups: dict[tuple, list[Notification]] = {}
    for note in items:
        key = ((note.opportunity_id, note.kind, note.created_at.date()) if note.opportunity_id is not None
               else ("single", note.id))
        groups.setdefault(key, []).append(note)
    result = []
    for notes in groups.values():
        notes.sort(key=lambda n: n.created_at, reverse=True)
        result.append(InboxGroup(notes[0], tuple(n.id for n in notes), sum(1 for n in notes if n.read_at is None)))
    return sorted(result, key=lambda g: (g.unread == 0, -g.latest.created_at.timestamp(), g.latest.id or 0))

"""The inbox: a user's notifications (from automations and colleagues), newest unread first."""

from __future__ import annotations

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

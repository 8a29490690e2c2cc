"""The inbox: a user's notifications (from automations and colleagues), newest unread first.

On screen they are grouped (`inbox_entries`): the notifications about one deal on one day (UTC) are
one entry — a deal that passed its time limit, had its manager notified and an e-mail fail the same
day is one line saying "3 notices", not three.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import require_actor
from domain.records import Notification
from domain.session import Session


@dataclass(frozen=True)
class InboxEntry:
    """One line of the inbox: one notification, or every one about the same deal on the same day."""

    ids: tuple[int, ...]
    day: date
    created_at: datetime  # the newest
    kinds: tuple[str, ...]  # distinct, newest first
    messages: tuple[str, ...]  # newest first
    unread: int  # how many of them are unread
    opportunity_id: int | None

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def message(self) -> str:
        if self.count == 1:
            return self.messages[0]
        return f"{self.messages[0]} (+{self.count - 1} more that day)"


def group_entries(notes: list[Notification]) -> list[InboxEntry]:
    """Group notifications per deal and per day (those about no deal stay alone), unread entries first,
    then the newest."""
    groups: dict[tuple, list[Notification]] = {}
    for note in sorted(notes, key=lambda n: (-n.created_at.timestamp(), -(n.id or 0))):
        key = (note.opportunity_id, note.created_at.date()) if note.opportunity_id else ("alone", note.id)
        groups.setdefault(key, []).append(note)
    entries = []
    for members in groups.values():
        kinds = tuple(dict.fromkeys(n.kind for n in members))
        entries.append(InboxEntry(
            ids=tuple(n.id for n in members), day=members[0].created_at.date(), created_at=members[0].created_at,
            kinds=kinds, messages=tuple(n.message for n in members),
            unread=sum(1 for n in members if n.read_at is None), opportunity_id=members[0].opportunity_id,
        ))
    return sorted(entries, key=lambda e: (e.unread == 0, -e.created_at.timestamp()))


UNREAD_LIMIT = 1000


def inbox_entries(session: Session, limit: int = 200) -> list[InboxEntry]:
    """The actor's latest `limit` notifications and every unread one, grouped (`group_entries`)."""
    if session.actor is None:
        return []
    notes = {n.id: n for n in session.store.notifications.find(
        recipient=session.actor.id, order_by="created_at", descending=True, limit=limit)}
    # every unread one too (up to UNREAD_LIMIT), however many newer ones were filed read since
    notes.update((n.id, n) for n in session.store.notifications.find(
        recipient=session.actor.id, read_at=None, order_by="created_at", descending=True, limit=UNREAD_LIMIT))
    return group_entries(list(notes.values()))


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

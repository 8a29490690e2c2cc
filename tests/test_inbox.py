"""The inbox's grouping per deal and per day (domain/services/inbox.py), without a database."""

from __future__ import annotations

from datetime import datetime, timezone

from domain.records import Notification
from domain.services.inbox import group_entries


def note(id_, opp, when, kind="automation", read=False, message="m"):
    at = datetime.fromisoformat(when).replace(tzinfo=timezone.utc)
    return Notification(id=id_, recipient_id=1, kind=kind, message=f"{message}{id_}", opportunity_id=opp,
                        created_at=at, read_at=at if read else None)


def test_notifications_about_one_deal_on_one_day_are_one_entry():
    notes = [
        note(1, 7, "2026-03-02 08:00"), note(2, 7, "2026-03-02 09:00", kind="digest"), note(3, 7, "2026-03-02 10:00"),
        note(4, 7, "2026-03-03 08:00"),  # the next day: an entry of its own
        note(5, 8, "2026-03-02 11:00", read=True),  # another deal
        note(6, None, "2026-03-02 12:00"), note(7, None, "2026-03-02 12:00"),  # about no deal: alone
    ]
    entries = group_entries(notes)
    assert [e.ids for e in entries] == [(4,), (7,), (6,), (3, 2, 1), (5,)]  # unread first, newest first
    seven = entries[3]
    assert (seven.count, seven.unread, seven.kinds) == (3, 3, ("automation", "digest"))
    assert seven.message == "m3 (+2 more that day)"
    assert entries[-1].unread == 0 and entries[0].message == "m4"


def test_an_entry_with_one_unread_member_is_unread():
    entries = group_entries([note(1, 7, "2026-03-02 08:00", read=True), note(2, 7, "2026-03-02 09:00")])
    assert len(entries) == 1 and entries[0].unread == 1

"""The people at each account: chefs, buyers, directors; who reports to whom, who decides."""

from __future__ import annotations

import random

from store.demo.accounts import Account
from store.demo.businesses import SHOWCASE_ACCOUNTS
from store.demo.chance import Weighted, chance, one, span
from store.demo.names import FIRST_NAMES, LAST_NAMES, SHOWCASE_CONTACTS, fold
from store.demo.timeline import MINUTE, Timeline
from store.demo.titles import TITLES, roles_for

CONTACT_COLUMNS = (
    "id", "external_id", "account_id", "first_name", "last_name", "title", "email", "phone", "buying_role",
    "reports_to_id", "created_at", "updated_at", "version",
)
_HEADCOUNT = {
    "small": Weighted(((1, 40), (2, 35), (3, 25))),
    "medium": Weighted(((1, 15), (2, 35), (3, 30), (4, 20))),
    "large": Weighted(((2, 20), (3, 30), (4, 30), (5, 20))),
    "enterprise": Weighted(((3, 20), (4, 35), (5, 45))),
}
_ROLE_TABLES: dict[tuple, Weighted] = {}


class People:
    """Contacts by id (index 0 unused): what activities, deals and leads need to quote them."""

    def __init__(self) -> None:
        self.first: list[str] = [""]
        self.last: list[str] = [""]
        self.title: list[str] = [""]
        self.email: list[str | None] = [None]
        self.phone: list[str] = [""]
        self.account: list[int] = [0]

    def __len__(self) -> int:
        return len(self.first) - 1


def make_contacts(rng: random.Random, timeline: Timeline, accounts: list[Account]):
    """Returns (People, contact rows). Fills each account's contact_ids / contact_ts (in creation order)."""
    rnd = rng.random
    now = timeline.now
    emails: set[str] = set()
    people = People()
    rows = []
    showcase = {account[0]: person for account, person in zip(SHOWCASE_ACCOUNTS, SHOWCASE_CONTACTS)}
    for a in accounts:
        senior_titles, other_titles = TITLES[a.industry]
        count = _HEADCOUNT[a.size].pick(rnd)
        # The first contact is the senior one, created with the account; the rest come later.
        members = [(a.created_ts + span(rnd, 5, 120) * MINUTE, True)]
        life = now - a.created_ts
        for _ in range(count - 1):
            members.append((a.created_ts + 3600 + int(rnd() * rnd() * life * 0.8), False))
        members.sort()
        titles_left = list(other_titles)
        first_id = None
        for created, senior in members:
            cid = len(rows) + 1
            if senior and a.name in showcase:
                first, last = showcase[a.name]
            else:
                first, last = one(rnd, FIRST_NAMES), one(rnd, LAST_NAMES)
            if senior:
                title = one(rnd, senior_titles)
            else:
                title = titles_left.pop(int(rnd() * len(titles_left))) if titles_left else one(rnd, other_titles)
            key = (title, senior)
            table = _ROLE_TABLES.get(key)
            if table is None:
                table = _ROLE_TABLES[key] = Weighted(roles_for(title, senior))
            role = table.pick(rnd) if chance(rnd, 0.92) else None
            email = None
            if chance(rnd, 0.96):
                base = ".".join(part for part in (fold(first), fold(last)) if part) or "contact"
                email, k = f"{base}@{a.domain}", 2
                while email in emails:
                    email, k = f"{base}{k}@{a.domain}", k + 1
                emails.add(email)
            phone = a.phone[:-2] + f"{int(rnd() * 100):02d}"
            if chance(rnd, 0.3):
                phone += f" x{span(rnd, 100, 499)}"
            reports_to = first_id if first_id is not None and chance(rnd, 0.6) else None
            updated = created + int(rnd() * (now - created) * 0.5)
            rows.append((cid, None, a.id, first, last, title, email, phone, role, reports_to, created, updated,
                         1 + int(rnd() * 3)))
            if first_id is None:
                first_id = cid
            a.contact_ids.append(cid)
            a.contact_ts.append(created)
            people.first.append(first)
            people.last.append(last)
            people.title.append(title)
            people.email.append(email)
            people.phone.append(phone)
            people.account.append(a.id)
    return people, rows


def contact_rows(rows, timeline: Timeline):
    ts = timeline.ts
    for r in rows:
        yield r[:10] + (ts(r[10]), ts(r[11]), r[12])

"""Activities (calls, emails, meetings, stage changes...) and meeting participants, streamed.

About ten activities per opportunity, so this is the bulk of the data: rows are produced
lazily by a generator (participants collected on the side) and never all held at once.
Per deal the activities are ordered by time, so ids grow with created_at within a deal.

Rules kept here: a stage change writes exactly one `stage_change` activity (no author);
every deal that reached qualification had a completed call before entering it; each sent
proposal has its `proposal` activity; open deals that are not idle had activity in the last
ten days and some have a meeting scheduled ahead; idle deals have none for 20+ days.
"""

from __future__ import annotations

import random
from bisect import bisect_right

from domain.money import format_money
from store.demo.accounts import Account
from store.demo.catalog import CATEGORIES, PRODUCTS
from store.demo.chance import Weighted, one
from store.demo.contacts import People
from store.demo.deals import SUPPLY_BY_INDUSTRY, Deal
from store.demo.leads import Lead
from store.demo.phrases import (
    ACTIVITY_TEMPLATES,
    LEAD_ACTIVITY_SUBJECTS,
    MEETING_LOCATIONS,
    OUTCOME_NOTES,
    PARTICIPANT_FEEDBACK,
)
from store.demo.timeline import DAY, HOUR, MINUTE, Timeline

ACTIVITY_COLUMNS = (
    "id", "kind", "subject", "description", "outcome", "sentiment", "next_steps", "scheduled_at", "completed_at",
    "follow_up_at", "duration_minutes", "location", "attachments", "account_id", "contact_id", "opportunity_id",
    "lead_id", "created_by_id", "created_at",
)
PARTICIPANT_COLUMNS = ("id", "activity_id", "contact_id", "role", "attended", "feedback")

_DEAL_KINDS = Weighted((("call", 20), ("email", 30), ("meeting", 14), ("demo", 5), ("presentation", 4),
                        ("phone", 9), ("note", 12), ("event", 2), ("support", 4)))
_ACCOUNT_KINDS = Weighted((("support", 22), ("call", 18), ("email", 24), ("meeting", 10), ("presentation", 4),
                           ("phone", 12), ("note", 7), ("event", 3)))
_AHEAD_KINDS = ("meeting", "call", "demo", "presentation", "meeting")
_MINUTES = {"call": (5, 30), "phone": (3, 20), "meeting": (30, 90), "demo": (45, 120), "presentation": (30, 90),
            "event": (60, 240), "support": (10, 60)}
_SCHEDULED = frozenset(("call", "meeting", "demo", "presentation", "event"))
_WITH_PEOPLE = frozenset(("meeting", "demo", "presentation"))
_OUTCOMES = {
    "won": Weighted((("positive", 55), ("neutral", 35), ("negative", 10))),
    "lost": Weighted((("positive", 30), ("neutral", 40), ("negative", 30))),
    "open": Weighted((("positive", 40), ("neutral", 45), ("negative", 15))),
}
_SENTIMENT = {"positive": (0.2, 1.0), "neutral": (-0.25, 0.3), "negative": (-1.0, -0.2)}
_EMAIL_FILES = ('["price-sheet.pdf"]', '["order-guide.xlsx"]', '["spec-sheets.zip"]', '["credit-application.pdf"]')
assert len(_EMAIL_FILES) == 4
_NO_FILES = "[]"
_PRODUCT_NAMES = {c: tuple(p.name for p in PRODUCTS if p.category == c) for c in CATEGORIES if c != "kitchen equipment"}
# kind -> (shortest minutes, spread of minutes or 0 when untimed, templates, has scheduled_at, has participants)
_KIND = {
    kind: (_MINUTES.get(kind, (0, 0))[0], (_MINUTES[kind][1] - _MINUTES[kind][0] + 1) if kind in _MINUTES else 0,
           ACTIVITY_TEMPLATES[kind], kind in _SCHEDULED, kind in _WITH_PEOPLE)
    for kind in ACTIVITY_TEMPLATES
}


def count_activities(deals: list[Deal], accounts: list[Account], leads: list[Lead]) -> int:
    total = 0
    for d in deals:
        total += len(d.times) + d.n_extra + (d.reached >= 1) + d.recent + d.future
        total += sum(1 for p in d.proposals if p.sent_ts is not None)
    total += sum(a.interactions + a.future_interactions for a in accounts)
    total += sum(x.n_acts for x in leads)
    return total


class ActivityStream:
    """Yields activity rows; `participants` fills up as meetings are written."""

    def __init__(self, rng: random.Random, timeline: Timeline, people: People) -> None:
        self.rng = rng
        self.rnd = rng.random
        self.timeline = timeline
        self.ts = timeline.ts_formatter()
        self.people = people
        self.participants: list[tuple] = []
        self.next_id = 1
        self.limit = timeline.now - MINUTE  # nothing is completed later than this

    # -- one activity -------------------------------------------------------------------------
    def _row(self, kind: str, t: int, account: Account | None, contact_id: int | None, deal_id: int | None,
             lead_id: int | None, user_id: int | None, outcomes: Weighted | None, category: str,
             ahead: int | None = None) -> tuple:
        """A call/email/meeting... at instant t (done), or created at t and scheduled at `ahead` (future).

        `category` is the supply category the conversation is about (never equipment: nobody
        orders a weekly case of combi ovens)."""
        rnd, ts = self.rnd, self.ts
        low, width, templates, scheduled_kind, with_people = _KIND[kind]
        duration = low + int(rnd() * width) if width else None
        products = _PRODUCT_NAMES[category]
        product = products[int(rnd() * len(products))]
        if contact_id:
            people = self.people
            args = (category, people.first[contact_id], people.title[contact_id], product, 40_000 + int(rnd() * 60_000))
        else:
            args = (category, "the team", "the buyer", product, 40_000 + int(rnd() * 60_000))
        subject, description = templates[int(rnd() * len(templates))]
        subject, description = subject.format(*args)[:200], description.format(*args)
        created = ts(t)
        outcome = sentiment = follow_up = completed = None
        next_steps = ""
        if ahead is None:
            if outcomes is not None and kind != "note":
                outcome = outcomes.pick(rnd)
                lo, hi = _SENTIMENT[outcome]
                sentiment = round(lo + (hi - lo) * rnd(), 2)
                if rnd() < 0.35:
                    notes = OUTCOME_NOTES[outcome]
                    next_steps = notes[int(rnd() * len(notes))]
            end = t + duration * MINUTE if duration else t
            if end > self.limit:
                end = max(t, self.limit)
            completed = ts(end) if end != t else created
            if outcome is not None and rnd() < 0.2:
                follow_up = ts(end + (2 + int(rnd() * 12)) * DAY)
            scheduled = created if scheduled_kind else None
        else:
            scheduled = ts(ahead)
        location = ""
        if with_people:
            location = MEETING_LOCATIONS[int(rnd() * len(MEETING_LOCATIONS))]
            if account is not None:
                self._meeting(account, ahead if ahead is not None else t, ahead is not None)
        elif kind == "event":
            location = "Regional foodservice expo"
        attachments = _EMAIL_FILES[int(rnd() * 4)] if kind == "email" and rnd() < 0.12 else _NO_FILES
        row = (
            self.next_id, kind, subject, description, outcome, sentiment, next_steps, scheduled, completed,
            follow_up, duration, location, attachments, account.id if account is not None else None, contact_id,
            deal_id, lead_id, user_id, created,
        )
        self.next_id += 1
        return row

    def _meeting(self, account: Account, t: int, upcoming: bool) -> None:
        rnd = self.rnd
        ids = account.contact_ids
        k = bisect_right(account.contact_ts, t) or 1
        wanted = 1 + int(rnd() * 3)
        chosen = {ids[int(rnd() * k)] for _ in range(wanted)}
        for n, cid in enumerate(sorted(chosen)):
            role = "organizer" if n == 0 and rnd() < 0.2 else ("optional" if rnd() < 0.2 else "attendee")
            attended = True if upcoming else rnd() >= 0.06
            feedback = "" if upcoming or rnd() >= 0.15 else (one(rnd, PARTICIPANT_FEEDBACK) if attended else "No-show")
            self.participants.append((len(self.participants) + 1, self.next_id, cid, role, attended, feedback))

    # -- per deal / account / lead -----------------------------------------------------------
    def deal_rows(self, d: Deal):
        rnd, tl = self.rnd, self.timeline
        now = tl.now
        a = d.account
        created = d.times[0]
        outcomes = _OUTCOMES[d.outcome]
        plan: list[tuple[int, int, str, object]] = []  # (time, order, what, detail)
        for i, t in enumerate(d.times):
            plan.append((t, 0, "stage", i))
        if d.reached >= 1:
            qualified = d.times[1]
            lo = created + (qualified - created) // 10
            plan.append((tl.between(rnd, lo, qualified - 90 * MINUTE), 1, "first_call", None))
        for p in d.proposals:
            if p.sent_ts is not None:
                plan.append((p.sent_ts, 1, "proposal", p))
        for _ in range(d.n_extra):
            plan.append((tl.between(rnd, created + 10 * MINUTE, d.window_end), 2, _DEAL_KINDS.pick(rnd), None))
        if d.recent:
            lo = max(created + 10 * MINUTE, now - 10 * DAY)
            plan.append((tl.between(rnd, lo, now - 30 * MINUTE), 2, _DEAL_KINDS.pick(rnd), None))
        if d.future:
            lo = max(created + 10 * MINUTE, now - 7 * DAY)
            ahead = tl.at_work(rnd, now + int((0.1 + rnd() * 21) * DAY))
            if ahead <= now + HOUR:
                ahead = now + (2 + int(rnd() * 46)) * HOUR
            plan.append((tl.between(rnd, lo, now - 20 * MINUTE), 3, one(rnd, _AHEAD_KINDS), ahead))
        plan.sort(key=_by_time)
        ts = self.ts
        for t, _order, what, detail in plan:
            if what == "stage":
                i = detail
                stage = d.path[i]
                if i == 0:
                    subject, description = f"Opportunity created in {stage}", f"Created in stage {stage}"
                else:
                    subject, description = f"Stage changed to {stage}", f"{d.path[i - 1]} → {stage}"
                row = (self.next_id, "stage_change", subject, description, None, None, "", None, ts(t), None, None,
                       "", _NO_FILES, a.id, None, d.id, None, None, ts(t))
                self.next_id += 1
                yield row
            elif what == "first_call":
                cid = d.contact_id
                duration = 15 + int(rnd() * 31)
                people = self.people
                row = (self.next_id, "call", f"Discovery call with {people.first[cid]} ({people.title[cid]})"[:200],
                       f"Qualified the {d.program}: needs, timing, budget and who signs off.",
                       "positive", round(0.3 + 0.7 * rnd(), 2), "Move to qualification", ts(t),
                       ts(t + duration * MINUTE), None, duration, "", _NO_FILES, a.id, cid, d.id, None, d.owner_id,
                       ts(t))
                self.next_id += 1
                yield row
            elif what == "proposal":
                p = detail
                row = (self.next_id, "proposal", f"Sent proposal {p.number}", f"{p.title} ({format_money(p.amount)})",
                       None, None, "Follow up on proposal questions", None, ts(t), None, None, "",
                       f'["{p.number}.pdf"]', a.id, d.contact_id, d.id, None, d.owner_id, ts(t))
                self.next_id += 1
                yield row
            else:
                contact = d.contact_id if rnd() < 0.6 else a.contact_at(rnd, t)
                yield self._row(what, t, a, contact, d.id, None, d.owner_id, outcomes, d.supply, detail)

    def account_rows(self, a: Account):
        rnd, tl = self.rnd, self.timeline
        category = SUPPLY_BY_INDUSTRY[a.industry].pick(rnd)
        now = tl.now
        hi = min(now - 30 * MINUTE, max(a.interactions_end, a.created_ts + 2 * HOUR))
        lo = min(max(a.created_ts + 2 * HOUR, tl.start), hi - HOUR)
        outcomes = _OUTCOMES["won" if a.status == "customer" else "open"]
        plan = [(tl.between(rnd, lo, hi), _ACCOUNT_KINDS.pick(rnd), None) for _ in range(a.interactions)]
        for _ in range(a.future_interactions):
            ahead = tl.at_work(rnd, now + int((1 + rnd() * 30) * DAY))
            if ahead <= now + HOUR:
                ahead = now + (2 + int(rnd() * 46)) * HOUR
            plan.append((tl.between(rnd, max(lo, now - 14 * DAY), now - 20 * MINUTE), "presentation", ahead))
        plan.sort(key=_by_time)
        for t, kind, ahead in plan:
            yield self._row(kind, t, a, a.contact_at(rnd, t), None, None, a.owner_id, outcomes, category, ahead)

    def lead_rows(self, x: Lead):
        rnd, ts = self.rnd, self.ts
        if x.n_acts == 0 or x.response_ts is None:
            return
        end = x.converted_ts if x.converted_ts is not None else self.timeline.now - 30 * MINUTE
        moments = [x.response_ts]
        if x.n_acts > 1:
            moments.append(x.response_ts + int((end - x.response_ts) * (0.2 + 0.6 * rnd())))
        for n, t in enumerate(moments):
            kind = "email" if (n == 0 and rnd() < 0.6) else "call"
            subject = one(rnd, LEAD_ACTIVITY_SUBJECTS[kind])
            duration = None if kind == "email" else 5 + int(rnd() * 20)
            outcome = None if kind == "email" else ("positive" if x.status in ("qualified", "converted") else
                                                    "neutral" if x.status == "contacted" else "negative")
            sentiment = None if outcome is None else round(_SENTIMENT[outcome][0] + 0.5 * rnd() * (
                _SENTIMENT[outcome][1] - _SENTIMENT[outcome][0]), 2)
            completed = t if duration is None else min(t + duration * MINUTE, self.timeline.now - MINUTE)
            row = (self.next_id, kind, subject, f"Lead from {x.source.lower()}: {x.company}"[:20_000], outcome,
                   sentiment, "", ts(t) if kind == "call" else None, ts(max(t, completed)), None, duration, "",
                   _NO_FILES, None, None, None, x.id, x.owner_id, ts(t))
            self.next_id += 1
            yield row

    def all_rows(self, deals: list[Deal], accounts: list[Account], leads: list[Lead]):
        for d in deals:
            yield from self.deal_rows(d)
        for a in accounts:
            yield from self.account_rows(a)
        for x in leads:
            yield from self.lead_rows(x)


def _by_time(item) -> tuple:
    return item[0], item[1]


"""Leads: inbound and outbound prospects, some answered within minutes, some converted into deals."""

from __future__ import annotations

import random

from store.demo.accounts import INDUSTRIES
from store.demo.businesses import NAME_MAKERS, domain_for
from store.demo.chance import Weighted, chance, log_span, one, span
from store.demo.contacts import People
from store.demo.deals import Deal
from store.demo.market import LEAD_SOURCES
from store.demo.names import FIRST_NAMES, LAST_NAMES, fold
from store.demo.people import SEGMENT_OF_INDUSTRY, Roster
from store.demo.phrases import FLAG_REASONS, LEAD_NOTES, UNQUALIFIED_NOTES
from store.demo.places import CITIES, phone
from store.demo.scale import Scale
from store.demo.timeline import DAY, HOUR, MINUTE, Timeline
from store.demo.titles import TITLES

LEAD_COLUMNS = (
    "id", "external_id", "name", "company", "title", "email", "phone", "source", "status", "score", "owner_id",
    "flagged", "flag_reason", "notes", "created_at", "first_response_at", "converted_at",
    "converted_opportunity_id", "converted_account_id", "converted_contact_id", "version",
)
LEAD_SOURCE_COLUMNS = ("id", "name", "channel", "cost_cents")
OVERNIGHT_LEADS = 12
_STATUS = Weighted((("new", 25), ("contacted", 31), ("qualified", 19), ("unqualified", 25)))
_SCORE = {"new": (10, 70), "contacted": (20, 75), "qualified": (50, 95), "unqualified": (0, 40), "converted": (65, 100)}
_SOURCE = Weighted((name, weight) for name, _, _, weight in LEAD_SOURCES)
_INDUSTRY = Weighted(zip(INDUSTRIES, (30, 7, 8, 8, 6, 8, 7, 3, 5, 6, 6, 4)))


class Lead:
    __slots__ = ("id", "name", "company", "title", "email", "phone", "source", "status", "score", "owner_id",
                 "flagged", "flag_reason", "notes", "created_ts", "response_ts", "converted_ts", "deal",
                 "account_id", "contact_id", "n_acts")


def lead_source_rows():
    for index, (name, channel, cost, _weight) in enumerate(LEAD_SOURCES, start=1):
        yield (index, name, channel, cost)


def make_leads(rng: random.Random, timeline: Timeline, scale: Scale, deals: list[Deal], people: People,
               roster: Roster) -> list[Lead]:
    rnd = rng.random
    now, start = timeline.now, timeline.start
    leads: list[Lead] = []

    # Converted leads became deals: same person, company, owner and source.
    eligible = [d for d in deals if d.times[0] >= start + 50 * DAY]
    for d in rng.sample(eligible, min(len(eligible), round(scale.leads * 0.2))):
        lead = Lead()
        cid = d.contact_id
        lead.name = f"{people.first[cid]} {people.last[cid]}"
        lead.company, lead.title = d.account.name, people.title[cid]
        lead.email, lead.phone = people.email[cid], people.phone[cid]
        lead.source, lead.status, lead.owner_id = d.source, "converted", d.owner_id
        lead.converted_ts = d.times[0]
        lead.created_ts = timeline.between(rnd, lead.converted_ts - 45 * DAY, lead.converted_ts - DAY)
        lead.response_ts = lead.created_ts + int(min(log_span(rnd, 300, 5 * DAY), (lead.converted_ts - lead.created_ts) / 2))
        lead.deal, lead.account_id, lead.contact_id = d, d.account.id, cid
        lead.notes = one(rnd, LEAD_NOTES).format(sites="two locations")
        leads.append(lead)

    for k in range(scale.leads - len(leads)):
        lead = Lead()
        industry = _INDUSTRY.pick(rnd)
        city = one(rnd, CITIES)
        first, last = one(rnd, FIRST_NAMES), one(rnd, LAST_NAMES)
        lead.name = f"{first} {last}"
        lead.company = NAME_MAKERS[industry](rnd)
        lead.title = one(rnd, TITLES[industry][0] + TITLES[industry][1])
        mailbox = ".".join(part for part in (fold(first), fold(last)) if part) or "info"
        lead.email = None if chance(rnd, 0.05) else f"{mailbox}@{domain_for(lead.company, industry)}"
        lead.phone = phone(rnd, city)
        lead.source = _SOURCE.pick(rnd)
        lead.converted_ts = lead.deal = lead.account_id = lead.contact_id = None
        owner = roster.rep_for(rnd, SEGMENT_OF_INDUSTRY[industry], city.region).id
        if k < OVERNIGHT_LEADS:
            # Came in overnight: nobody has looked at them yet.
            lead.status = "new"
            lead.created_ts = now - span(rnd, 5 * MINUTE, 16 * HOUR)
            lead.owner_id = None if k < 8 else owner
        else:
            lead.status = _STATUS.pick(rnd)
            if lead.status == "new":
                age = span(rnd, 17 * HOUR, 30 * DAY) if chance(rnd, 0.65) else span(rnd, 30 * DAY, now - start)
            else:
                age = int((now - start - DAY) * rnd() ** 1.3) + DAY
            created = timeline.at_work(rnd, now - age)
            # Only the overnight dozen arrived in the last 16 hours.
            lead.created_ts = created if now - created >= 17 * HOUR else now - age
            lead.owner_id = None if lead.status == "new" and chance(rnd, 0.4) else owner
        lead.response_ts = None
        if lead.status != "new":
            lead.response_ts = min(now - MINUTE, lead.created_ts + int(log_span(rnd, 300, 5 * DAY)))
        notes = UNQUALIFIED_NOTES if lead.status == "unqualified" else LEAD_NOTES
        lead.notes = one(rnd, notes).format(sites=f"{span(rnd, 2, 9)} locations")
        leads.append(lead)

    for index, lead in enumerate(leads):
        lo, hi = _SCORE[lead.status]
        lead.score = span(rnd, lo, hi)
        lead.flagged = lead.status != "converted" and (chance(rnd, 0.03) or index in (len(leads) - 1, len(leads) - 2))
        lead.flag_reason = one(rnd, FLAG_REASONS) if lead.flagged else ""
        lead.n_acts = {"new": 0, "contacted": 1, "unqualified": 1, "qualified": span(rnd, 1, 2), "converted": 2}[lead.status]
    leads.sort(key=lambda lead: lead.created_ts)
    for index, lead in enumerate(leads, start=1):
        lead.id = index
    return leads


def lead_rows(leads: list[Lead], timeline: Timeline):
    ts, tsn = timeline.ts, timeline.ts_or_none
    for x in leads:
        yield (
            x.id, None, x.name, x.company, x.title, x.email, x.phone, x.source, x.status, x.score, x.owner_id,
            x.flagged, x.flag_reason, x.notes, ts(x.created_ts), tsn(x.response_ts), tsn(x.converted_ts),
            x.deal.id if x.deal else None, x.account_id, x.contact_id, 1 + (x.response_ts is not None),
        )

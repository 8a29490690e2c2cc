"""Reps' to-do lists (overdue, due today, upcoming, done) and the notifications people received."""

from __future__ import annotations

import random

from domain.money import format_money
from store.demo.accounts import Account
from store.demo.chance import Weighted, chance, one, span
from store.demo.contacts import People
from store.demo.deals import Deal
from store.demo.leads import Lead
from store.demo.people import Roster
from store.demo.phrases import (
    ACCOUNT_TASK_TITLES,
    AUTOMATIONS,
    LEAD_TASK_TITLES,
    NOTIFICATIONS,
    TASK_TITLES,
)
from store.demo.scale import Scale
from store.demo.timeline import DAY, HOUR, MINUTE, Timeline

TASK_COLUMNS = (
    "id", "title", "description", "due_on", "priority", "status", "assignee_id", "opportunity_id", "account_id",
    "contact_id", "lead_id", "created_by_id", "created_by_automation", "created_at", "completed_at", "version",
)
NOTIFICATION_COLUMNS = ("id", "recipient_id", "kind", "message", "opportunity_id", "account_id", "lead_id",
                        "created_at", "read_at")
_PRIORITY = Weighted((("low", 15), ("normal", 50), ("high", 25), ("urgent", 10)))
_STATE = Weighted((("open", 45), ("done", 50), ("cancelled", 5)))
_DUE = Weighted((("overdue", 30), ("today", 15), ("upcoming", 45), ("none", 10)))
# The first tasks cover every state and every kind of due date.
_FORCED = (("open", "overdue"), ("open", "today"), ("open", "upcoming"), ("open", "none"), ("done", None),
           ("cancelled", None))
_DESCRIPTIONS = ("", "", "Bring the updated order guide.", "Check the last three invoices first.",
                 "Loop in the Executive Chef.", "Ask about the delivery window.")


def make_tasks(rng: random.Random, timeline: Timeline, scale: Scale, deals: list[Deal], accounts: list[Account],
               people: People, leads: list[Lead], roster: Roster) -> list[tuple]:
    rnd = rng.random
    now, today = timeline.now, timeline.today_day
    open_deals = [d for d in deals if not d.closed] or deals
    customers = [a for a in accounts if a.status == "customer"] or accounts
    waiting = [x for x in leads if x.status in ("new", "contacted") and x.owner_id] or None
    rows = []
    for k in range(scale.tasks):
        state, due_kind = _FORCED[k] if k < len(_FORCED) else (_STATE.pick(rnd), None)
        if state == "open" and due_kind is None:
            due_kind = _DUE.pick(rnd)
        deal = account = lead = None
        contact_id = None
        r = rnd()
        if r < 0.72 or (r >= 0.9 and waiting is None):
            deal = one(rnd, open_deals if state == "open" else deals)
            account, contact_id = deal.account, deal.contact_id
            assignee = deal.owner_id
            title = one(rnd, TASK_TITLES).format(first=people.first[contact_id], category=deal.category,
                                                 account=account.name)
            earliest = deal.times[0]
        elif r < 0.9:
            account = one(rnd, customers)
            assignee = account.owner_id
            title = one(rnd, ACCOUNT_TASK_TITLES).format(account=account.name)
            earliest = account.created_ts
        else:
            lead = one(rnd, waiting)
            assignee = lead.owner_id
            title = one(rnd, LEAD_TASK_TITLES).format(name=lead.name, company=lead.company or "their company")
            earliest = lead.created_ts
        title = title[:200]
        completed = None
        if state == "open":
            due = {"overdue": today - span(rnd, 1, 20), "today": today, "upcoming": today + span(rnd, 1, 30),
                   "none": None}[due_kind]
            anchor = min(due, today) if due is not None else today
            created = max(earliest, min(now - HOUR, timeline.at_work(rnd, (anchor - span(rnd, 1, 20)) * DAY)))
            if due is not None and due < created // DAY:
                due = created // DAY  # not due before it existed
        else:
            latest = deal.window_end if deal is not None and deal.closed else now - HOUR
            created = timeline.between(rnd, earliest, max(earliest + HOUR, latest - 2 * HOUR))
            created = max(earliest, min(created, now - 2 * HOUR))
            due = created // DAY + span(rnd, 0, 10)
            if state == "done":
                completed = min(now - MINUTE, created + span(rnd, HOUR, 9 * DAY))
        r = rnd()
        if r < 0.7:
            created_by, automation = assignee, ""
        elif r < 0.9:
            created_by, automation = roster.by_id[assignee].manager_id or assignee, ""
        else:
            created_by, automation = None, one(rnd, AUTOMATIONS)
        rows.append((
            k + 1, title, one(rnd, _DESCRIPTIONS), due, _PRIORITY.pick(rnd), state, assignee,
            deal.id if deal else None, account.id if account else None, contact_id, lead.id if lead else None,
            created_by, automation, created, completed, 1 + (state != "open"),
        ))
    return rows


def task_rows(rows: list[tuple], timeline: Timeline):
    ts, tsn, dsn = timeline.ts, timeline.ts_or_none, timeline.ds_or_none
    for r in rows:
        yield r[:3] + (dsn(r[3]),) + r[4:13] + (ts(r[13]), tsn(r[14]), r[15])


def _last_month_attainment(timeline: Timeline, deals: list[Deal], quotas: list[tuple], roster: Roster):
    """Per manager: (month label, won / quota of the team in the last full month, as a percent)."""
    today = timeline.today
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    start = f"{year:04d}-{month:02d}-01"
    won: dict[int, int] = {}
    for d in deals:
        if d.outcome == "won" and timeline.ds(d.close_day).startswith(start[:8]):
            won[d.owner_id] = won.get(d.owner_id, 0) + d.value
    quota = {row[1]: row[4] for row in quotas if row[2] == "month" and row[3] == start}
    label = f"{timeline.to_date(timeline.day_of(today) - today.day):%B %Y}"
    result = {}
    for manager in roster.managers:
        target = quota.get(manager.id)
        if target:
            team_won = sum(won.get(rep.id, 0) for rep in roster.team_of[manager.id])
            result[manager.id] = (label, round(100 * team_won / target))
    return result


def make_notifications(rng: random.Random, timeline: Timeline, deals: list[Deal], accounts: list[Account],
                       leads: list[Lead], roster: Roster, quotas: list[tuple], tasks: list[tuple]) -> list[tuple]:
    rnd = rng.random
    now = timeline.now
    attainment = _last_month_attainment(timeline, deals, quotas, roster)
    recent_won = [d for d in deals if d.outcome == "won" and d.times[-1] >= now - 30 * DAY] or \
        [d for d in deals if d.outcome == "won"]
    recent_lost = [d for d in deals if d.outcome == "lost" and d.times[-1] >= now - 30 * DAY] or \
        [d for d in deals if d.outcome == "lost"]
    stalled = [d for d in deals if d.mode in ("stalled", "idle")] or [d for d in deals if not d.closed]
    renewals = [a for a in accounts if a.renewal_day is not None and a.renewal_day >= timeline.today_day]
    assigned = [x for x in leads if x.owner_id is not None and x.created_ts >= now - 30 * DAY] or \
        [x for x in leads if x.owner_id is not None]
    rows = []

    sent: set[tuple] = set()

    def add(user, kind, message, deal=None, account=None, lead=None, when=None):
        if (user.id, message) in sent:
            return  # the same news twice is noise
        sent.add((user.id, message))
        when = min(now - MINUTE, when) if when is not None else now - span(rnd, 10 * MINUTE, 30 * DAY)
        read = None
        if now - when > 2 * HOUR and chance(rnd, 0.55):
            read = min(now - MINUTE, when + span(rnd, 5 * MINUTE, 2 * DAY))
        rows.append((len(rows) + 1, user.id, kind, message[:200], deal.id if deal else None,
                     account.id if account else None, lead.id if lead else None, when, read))

    overdue: dict[int, list[tuple]] = {}
    for task in tasks:
        if task[5] == "open" and task[3] is not None and task[3] < timeline.today_day:
            overdue.setdefault(task[6], []).append(task)
    everyone = (recent_won, recent_lost, stalled, renewals, assigned)
    for user in roster.users:
        # news about the user's own book only (their deals, a manager's reps'): docs/roles.md
        mine = {user.id} | {r.id for r in roster.team_of.get(user.id, [])}
        recent_won, recent_lost, stalled, renewals, assigned = (
            [x for x in pool if x.owner_id in mine] for pool in everyone)
        if user.role == "admin":
            add(user, "system", "Nightly backup completed")
            add(user, "system", "2 users have not signed in for 14 days")
            continue
        if user.role == "manager":
            if user.id in attainment:
                month, pct = attainment[user.id]
                first_of_month = (timeline.today_day - timeline.today.day + 1) * DAY
                add(user, "quota", NOTIFICATIONS["quota"].format(month=month, pct=pct),
                    when=timeline.at_work(rnd, first_of_month) if first_of_month < now - HOUR else None)
            kinds = ("deal_won", "deal_won", "deal_lost", "stalled_deal")
            count = span(rnd, 7, 11)
        else:
            kinds = ("lead_assigned", "stalled_deal", "renewal_due", "task_overdue")
            count = span(rnd, 3, 6)
        for _ in range(count):
            kind = one(rnd, kinds)
            if kind in ("deal_won", "deal_lost") and (recent_won if kind == "deal_won" else recent_lost):
                d = one(rnd, recent_won if kind == "deal_won" else recent_lost)
                owner = roster.by_id[d.owner_id].display_name
                message = NOTIFICATIONS[kind].format(owner=owner, deal=d.name, amount=format_money(d.value),
                                                     reason=d.lost_reason)
                closed_recently = d.times[-1] >= now - 30 * DAY
                add(user, kind, message, deal=d, account=d.account,
                    when=d.times[-1] + span(rnd, MINUTE, 10 * MINUTE) if closed_recently else None)
            elif kind == "renewal_due" and renewals:
                a = one(rnd, renewals)
                message = NOTIFICATIONS[kind].format(account=a.name, date=timeline.ds(a.renewal_day))
                add(user, kind, message, account=a)
            elif kind == "lead_assigned" and assigned:
                x = one(rnd, assigned)
                add(user, kind, NOTIFICATIONS[kind].format(lead=f"{x.name}, {x.company}"), lead=x,
                    when=max(x.created_ts, now - 30 * DAY) + span(rnd, MINUTE, HOUR))
            elif kind == "task_overdue" and overdue.get(user.id):
                task = one(rnd, overdue[user.id])
                add(user, kind, NOTIFICATIONS[kind].format(task=task[1]), when=(task[3] + 1) * DAY + 13 * HOUR)
            elif stalled:
                d = one(rnd, stalled)
                days = max(1, (now - d.times[-1]) // DAY)
                add(user, "stalled_deal", NOTIFICATIONS["stalled_deal"].format(deal=d.name, stage=d.stage, days=days),
                    deal=d, account=d.account)
    return rows


def notification_rows(rows: list[tuple], timeline: Timeline):
    ts, tsn = timeline.ts, timeline.ts_or_none
    for r in rows:
        yield r[:7] + (ts(r[7]), tsn(r[8]))

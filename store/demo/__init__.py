"""Deterministic, realistic demo data for Pantry CRM.

`generate_demo(db, seed=7, opportunities=2000, today=...)` fills an empty, upgraded database
with a food-service distributor's sales history: 18 months of deals walking through the
stages, the accounts and contacts they belong to, activities, proposals, leads, tasks,
quotas and the rest. The same seed, `today` and size always give byte-identical data, ids
included: everything comes from one `random.Random(seed)` and is anchored at noon UTC of
`today` (nothing reads the clock).

The work is split by subject: `people` (users, quotas), `accounts`, `contacts`, `deals`,
`paperwork` (proposals, documents), `leads`, `tasks` (tasks, notifications), `activities`
(streamed), with word lists in `names`, `places`, `businesses`, `titles`, `catalog`,
`market` and `phrases`, and the bulk insert in `writer`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime

from peewee import Database

from store.demo import accounts as _accounts
from store.demo import activities as _activities
from store.demo import contacts as _contacts
from store.demo import deals as _deals
from store.demo import leads as _leads
from store.demo import paperwork as _paperwork
from store.demo import people as _people
from store.demo import reference as _reference
from store.demo import tasks as _tasks
from store.demo.scale import Scale
from store.demo.summary import SUMMARY_FIELD, DemoError, DemoSummary
from store.demo.timeline import Timeline
from store.demo.writer import Writer
from store.errors import translated

__all__ = ["DemoError", "DemoSummary", "generate_demo"]

MAX_OPPORTUNITIES = 1_000_000


def generate_demo(
    db: Database,
    *,
    seed: int = 7,
    opportunities: int = 2000,
    today: date,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoSummary:
    """Fill `db` (upgraded, empty) with demo data; returns the row counts per table.

    Raises DemoError when the database already holds opportunities (or any other data the
    demo would write) or when the arguments make no sense. `progress(table, done, total)` is
    called as each table fills. A driver error on the way (COPY and the bulk inserts use the
    cursor directly) leaves as a domain error (store/errors.py).
    """
    with translated():
        return _generate(db, seed=seed, opportunities=opportunities, today=today, progress=progress)


def _generate(db: Database, *, seed: int, opportunities: int, today: date,
              progress: Callable[[str, int, int], None] | None) -> DemoSummary:
    if isinstance(today, datetime) or not isinstance(today, date):
        raise DemoError(f"today must be a date, not {type(today).__name__}")
    if isinstance(opportunities, bool) or not isinstance(opportunities, int) or not 1 <= opportunities <= MAX_OPPORTUNITIES:
        raise DemoError(f"opportunities must be a whole number from 1 to {MAX_OPPORTUNITIES:,}, not {opportunities!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise DemoError(f"seed must be a whole number, not {seed!r}")

    writer = Writer(db, progress)
    if writer.non_empty(["opportunity"]):
        raise DemoError(
            "the database already has opportunities; demo data is only generated into an empty database "
            "(use a new file or the demo database)"
        )
    busy = writer.non_empty(SUMMARY_FIELD)
    if busy:
        raise DemoError(
            f"the database already has data in {', '.join(busy)}; demo data is only generated into an empty database"
        )

    rng = random.Random(seed)
    timeline = Timeline(today)
    scale = Scale.for_opportunities(opportunities)

    roster = _people.make_roster(rng, timeline, scale)
    accounts = _accounts.make_accounts(rng, timeline, scale, roster)
    people, contact_rows = _contacts.make_contacts(rng, timeline, accounts)
    deals = _deals.make_deals(rng, timeline, scale, accounts, roster)
    locations, team, contracts = _accounts.settle_accounts(rng, timeline, accounts, roster)
    quotas = _people.make_quotas(rng, timeline, roster, _deals.won_by_rep_month(deals, timeline))
    proposals = _paperwork.make_proposals(rng, timeline, deals)
    documents = _paperwork.make_documents(rng, timeline, deals, contracts, {a.id: a for a in accounts})
    leads = _leads.make_leads(rng, timeline, scale, deals, people, roster)
    tasks = _tasks.make_tasks(rng, timeline, scale, deals, accounts, people, leads, roster)
    notifications = _tasks.make_notifications(rng, timeline, deals, accounts, leads, roster, quotas, tasks)

    with writer.loading():
        put = writer.insert
        put("user", _people.USER_COLUMNS, _people.user_rows(roster, timeline), len(roster.users))
        put("quota", _people.QUOTA_COLUMNS, quotas, len(quotas))
        put("account", _accounts.ACCOUNT_COLUMNS, _accounts.account_rows(accounts, timeline), len(accounts))
        put("account_location", _accounts.LOCATION_COLUMNS, locations, len(locations))
        put("account_team_member", _accounts.TEAM_COLUMNS, team, len(team))
        put("contract", _accounts.CONTRACT_COLUMNS, _accounts.contract_rows(contracts, timeline), len(contracts))
        put("contact", _contacts.CONTACT_COLUMNS, _contacts.contact_rows(contact_rows, timeline), len(contact_rows))
        del contact_rows
        put("product", _reference.PRODUCT_COLUMNS, list(_reference.product_rows()), len(_reference.PRODUCTS))
        put("lead_source", _leads.LEAD_SOURCE_COLUMNS, list(_leads.lead_source_rows()), len(_leads.LEAD_SOURCES))
        put("opportunity", _deals.OPPORTUNITY_COLUMNS, _deals.opportunity_rows(deals, timeline), len(deals))
        put("line_item", _deals.LINE_ITEM_COLUMNS, _deals.line_item_rows(deals), sum(len(d.lines) for d in deals))
        competitors = list(_reference.competitor_rows())
        put("competitor", _reference.COMPETITOR_COLUMNS, competitors, len(competitors))
        battlecards = list(_reference.battlecard_rows())
        put("battlecard", _reference.BATTLECARD_COLUMNS, battlecards, len(battlecards))
        put("opportunity_competitor", _deals.OPPORTUNITY_COMPETITOR_COLUMNS, _deals.opportunity_competitor_rows(deals),
            sum(len(d.rivals) for d in deals))
        put("lead", _leads.LEAD_COLUMNS, _leads.lead_rows(leads, timeline), len(leads))

        stream = _activities.ActivityStream(rng, timeline, people)
        put("activity", _activities.ACTIVITY_COLUMNS, stream.all_rows(deals, accounts, leads),
            _activities.count_activities(deals, accounts, leads))
        put("participant", _activities.PARTICIPANT_COLUMNS, stream.participants, len(stream.participants))
        del stream

        put("document", _paperwork.DOCUMENT_COLUMNS, _paperwork.document_rows(documents, timeline), len(documents))
        put("proposal", _paperwork.PROPOSAL_COLUMNS, _paperwork.proposal_rows(proposals, timeline), len(proposals))
        put("task", _tasks.TASK_COLUMNS, _tasks.task_rows(tasks, timeline), len(tasks))
        put("notification", _tasks.NOTIFICATION_COLUMNS, _tasks.notification_rows(notifications, timeline),
            len(notifications))
        put("stage_change", _deals.STAGE_CHANGE_COLUMNS, _deals.stage_change_rows(deals, timeline),
            sum(len(d.times) for d in deals))
        writer.execute([_last_activity(table, writer.postgres) for table in ("opportunity", "account")])
    writer.finish()
    return DemoSummary(**{SUMMARY_FIELD[table]: count for table, count in writer.counts.items()})


def _last_activity(table: str, postgres: bool) -> str:
    """SQL setting `last_activity_at` of every deal or account to its newest activity's created_at."""
    if postgres:
        # One grouped pass (the freshly loaded table has no planner statistics yet).
        return (
            f'UPDATE "{table}" SET "last_activity_at" = m.at FROM (SELECT "{table}_id" AS id, '
            f'MAX("created_at") AS at FROM "activity" WHERE "{table}_id" IS NOT NULL GROUP BY 1) AS m '
            f'WHERE m.id = "{table}"."id"'
        )
    return (
        f'UPDATE "{table}" SET "last_activity_at" = (SELECT MAX(a."created_at") FROM "activity" a '
        f'WHERE a."{table}_id" = "{table}"."id")'
    )

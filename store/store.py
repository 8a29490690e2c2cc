"""The Store: one open database, its repositories and its queries, behind one object.

It implements the domain's ports (`domain/ports.py`: `Storage` and the Protocols it is made of;
tests/test_ports.py checks it member by member). Domain services receive it as a Session's store;
nothing above the store sees Peewee, and no driver error leaves it (store/errors.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from functools import cached_property

from peewee import Database, SqliteDatabase, fn

from domain import records as r
from domain.facts import AlertKey, AlertLabel, RequirementFacts
from domain.filters import (
    AccountFilter,
    ContactFilter,
    LeadFilter,
    OpportunityFilter,
    ProductFilter,
    ProposalFilter,
    TaskFilter,
    UserFilter,
)
from domain.pipeline import PipelineConfig
from domain.views import PickerOption, SearchHit, StageTotal
from store import models as m
from store import schema
from store.database import describe, is_postgres, open_database
from store.errors import translated
from store.mapping import record_to_row_dict, row_dict_to_record
from store.queries import accounts, duplicates, leads, opportunities, people, pickers, pipeline, quotas, work
from store.queries.analytics import AnalyticsQueries
from store.queries.common import owned_by, user_ids
from store.queries.forecasting import ForecastQueries
from store.queries.insights import InsightQueries
from store.repository import Repository

CHANGE_CHANNEL = "pantry_changes"


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.users = Repository(m.UserRow, r.User, "user")
        self.quotas = Repository(m.QuotaRow, r.Quota, "quota")
        self.accounts = Repository(m.AccountRow, r.Account, "account")
        self.locations = Repository(m.AccountLocationRow, r.AccountLocation, "account location")
        self.team_members = Repository(m.AccountTeamMemberRow, r.AccountTeamMember, "account team member")
        self.contracts = Repository(m.ContractRow, r.Contract, "contract")
        self.contacts = Repository(m.ContactRow, r.Contact, "contact")
        self.products = Repository(m.ProductRow, r.Product, "product")
        self.lead_sources = Repository(m.LeadSourceRow, r.LeadSource, "lead source")
        self.opportunities = Repository(m.OpportunityRow, r.Opportunity, "opportunity")
        self.line_items = Repository(m.LineItemRow, r.LineItem, "line item")
        self.competitors = Repository(m.CompetitorRow, r.Competitor, "competitor")
        self.battlecards = Repository(m.BattlecardRow, r.Battlecard, "battlecard")
        self.opportunity_competitors = Repository(m.OpportunityCompetitorRow, r.OpportunityCompetitor, "opportunity competitor")
        self.leads = Repository(m.LeadRow, r.Lead, "lead")
        self.activities = Repository(m.ActivityRow, r.Activity, "activity")
        self.participants = Repository(m.ParticipantRow, r.Participant, "participant")
        self.documents = Repository(m.DocumentRow, r.Document, "document")
        self.proposals = Repository(m.ProposalRow, r.Proposal, "proposal")
        self.tasks = Repository(m.TaskRow, r.Task, "task")
        self.notifications = Repository(m.NotificationRow, r.Notification, "notification")
        self.stage_changes = Repository(m.StageChangeRow, r.StageChange, "stage change")
        self.forecast_snapshots = Repository(m.ForecastSnapshotRow, r.ForecastSnapshot, "forecast snapshot")
        self.audit = Repository(m.AuditRow, r.AuditEntry, "audit entry")
        self.outbox = Repository(m.OutboxRow, r.OutboxMessage, "outbox message")
        self.automation_runs = Repository(m.AutomationRunRow, r.AutomationRun, "automation run")
        self.pipeline_versions = Repository(m.PipelineVersionRow, r.PipelineVersion, "pipeline version")
        # Query namespaces of the analytics layer, one module each.
        self.analytics = AnalyticsQueries()
        self.forecasting = ForecastQueries()
        self.insights = InsightQueries()

    @cached_property
    def importing(self):
        """The importer's queries (imported on first use: the app and most commands never import)."""
        from store.queries.importing import ImportQueries

        return ImportQueries()

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str, *, create: bool = True) -> "Store":
        """Open the database at `url`; an empty one gets the schema when `create` is true."""
        db = open_database(url)
        try:
            schema.ensure_current(db, create=create)
        except Exception:
            db.close()
            raise
        return cls(db)

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def connection(self):
        """A connection for the calling thread (worker threads): opened here and closed on exit,
        unless the thread already had one open, which is left as it was."""
        if not self.db.is_closed():
            yield
            return
        self.db.connect()
        try:
            yield
        finally:
            if not self.db.in_transaction():
                self.db.close()

    @contextmanager
    def atomic(self):
        """A write transaction (nested: a savepoint); a driver error inside it, even from a cursor used
        directly (the importer's bulk writes), leaves as a domain error."""
        with translated(), self.db.atomic() as txn:
            yield txn

    @contextmanager
    def snapshot(self):
        """A read transaction: the reads inside it see one state of the database. On SQLite it begins
        DEFERRED (a reader in WAL mode takes no write lock, so writers are not held up meanwhile)."""
        lock = {"lock_type": "DEFERRED"} if isinstance(self.db, SqliteDatabase) and not self.db.in_transaction() else {}
        with self.db.atomic(**lock) as txn:
            yield txn

    @property
    def description(self) -> str:
        return describe(self.db)

    @property
    def is_postgres(self) -> bool:
        return is_postgres(self.db)

    def is_empty(self) -> bool:
        return not m.OpportunityRow.select().exists() and not m.AccountRow.select().exists()

    def announce_change(self, kinds) -> None:
        """Tell other processes what changes in the current transaction: PostgreSQL NOTIFY, which the
        server delivers when the transaction commits and drops when it rolls back. Called by the unit
        of work (domain/unit_of_work.py) at the end of its transaction, once.

        SQLite needs nothing: other processes notice any commit through PRAGMA data_version.
        """
        if self.is_postgres:
            import json

            self.db.execute_sql("SELECT pg_notify(%s, %s)", (CHANGE_CHANNEL, json.dumps(sorted(set(kinds)))))

    def watch(self, callback):
        """Start a thread that calls `callback(kinds)` when another process commits a change."""
        from store.watch import ChangeWatcher

        watcher = ChangeWatcher(self, callback)
        watcher.start()
        return watcher

    # -- the pipeline in force ----------------------------------------------------------------

    def pipeline_version_number(self) -> int:
        """The number of the pipeline version in force (0: none stored yet). Cheap: a change watcher asks it."""
        return m.PipelineVersionRow.select(fn.MAX(m.PipelineVersionRow.number)).scalar() or 0

    def pipeline_version(self, number: int | None = None) -> r.PipelineVersion | None:
        """A stored pipeline version; without a number the one in force (the highest)."""
        wanted = number if number is not None else self.pipeline_version_number()
        found = self.pipeline_versions.find(number=wanted)
        return found[0] if found else None

    def add_pipeline_version(self, version: r.PipelineVersion) -> r.PipelineVersion | None:
        """Store a pipeline version; None when another process stored that number first (nothing written)."""
        data = record_to_row_dict(m.PipelineVersionRow, version)
        new_id = m.PipelineVersionRow.insert(**data).on_conflict_ignore().execute()
        return version.model_copy(update={"id": new_id}) if new_id else None

    def opportunities_per_stage(self) -> dict[str, int]:
        """How many opportunities each stage id holds (every stage id in use, known to the pipeline or not)."""
        O = m.OpportunityRow
        return {stage: int(n) for stage, n in O.select(O.stage, fn.COUNT(O.id)).group_by(O.stage).tuples()}

    # -- users -----------------------------------------------------------------------------

    def user_by_login(self, login: str) -> r.User | None:
        found = self.users.find(login=login)
        return found[0] if found else None

    def touch_last_seen(self, user_id: int, at: datetime) -> None:
        m.UserRow.update(last_seen_at=at).where(m.UserRow.id == user_id).execute()

    # -- lists -----------------------------------------------------------------------------

    def opportunity_page(self, flt: OpportunityFilter, pipeline: PipelineConfig, offset: int = 0, limit: int = 50):
        return opportunities.page(flt, pipeline, offset, limit)

    def opportunities_in_stage(self, stage: str, flt: OpportunityFilter, pipeline: PipelineConfig, offset: int, limit: int):
        return opportunities.items_in_stage(stage, flt, pipeline, offset, limit)

    def rank_in_stage(self, stage: str, flt: OpportunityFilter, pipeline: PipelineConfig, value_cents: int,
                      opp_id: int) -> int:
        return opportunities.rank_in_stage(stage, flt, pipeline, value_cents, opp_id)

    def lead_page(self, flt: LeadFilter, offset: int = 0, limit: int = 50):
        return leads.page(flt, offset, limit)

    def account_page(self, flt: AccountFilter, pipeline: PipelineConfig, offset: int = 0, limit: int = 50):
        return accounts.page(flt, pipeline, offset, limit)

    def contact_page(self, flt: ContactFilter, offset: int = 0, limit: int = 50):
        return accounts.contact_page(flt, offset, limit)

    def proposal_page(self, flt: ProposalFilter, offset: int = 0, limit: int = 50):
        return work.proposal_page(flt, offset, limit)

    def task_page(self, flt: TaskFilter, offset: int = 0, limit: int = 50):
        return work.task_page(flt, offset, limit)

    def user_page(self, flt: UserFilter, offset: int = 0, limit: int = 50):
        return people.user_page(flt, offset, limit)

    def product_page(self, flt: ProductFilter, offset: int = 0, limit: int = 50):
        return people.product_page(flt, offset, limit)

    # -- pipeline engine --------------------------------------------------------------------

    def requirement_facts(self, opportunity_id: int) -> RequirementFacts:
        return pipeline.requirement_facts(opportunity_id)

    def requirement_facts_many(self, ids: list[int]) -> dict[int, RequirementFacts]:
        return pipeline.requirement_facts_many(ids)

    def opportunity_records(self, ids: list[int]) -> dict[int, r.Opportunity]:
        """The opportunities with these ids, by id (missing ids are left out)."""
        found = {}
        for start in range(0, len(ids), 500):
            query = m.OpportunityRow.select().where(m.OpportunityRow.id.in_(ids[start : start + 500]))
            found.update({d["id"]: row_dict_to_record(m.OpportunityRow, d, r.Opportunity) for d in query.dicts()})
        return found

    def alert_counts(self, stalled_before: dict[str, datetime], idle_before: datetime,
                     owners: tuple[str, ...] = ()) -> tuple[int, int]:
        return pipeline.alert_counts(stalled_before, idle_before, owners or None)

    def stalled_alert_keys(self, stage: str, cutoff: datetime, owners: tuple[str, ...] = (),
                           limit: int | None = None) -> list[AlertKey]:
        return pipeline.stalled_alert_keys(stage, cutoff, owners or None, limit)

    def idle_alert_keys(self, open_stages: tuple[str, ...], idle_before: datetime, owners: tuple[str, ...] = (),
                        limit: int | None = None) -> list[AlertKey]:
        return pipeline.idle_alert_keys(open_stages, idle_before, owners or None, limit)

    def alert_labels(self, ids: list[int]) -> dict[int, AlertLabel]:
        return pipeline.alert_labels(ids)

    def overdue_without_run(self, stage_id: str, automation: str, cutoff: datetime, limit: int = 500) -> list[int]:
        return pipeline.overdue_without_run(stage_id, automation, cutoff, limit)

    def automation_has_run(self, opportunity_id: int, automation: str, stay_started_at: datetime) -> bool:
        return pipeline.has_run(opportunity_id, automation, stay_started_at)

    def outbox_messages(self, status: str | None = None, logins: tuple[str, ...] | None = None,
                        limit: int = 50) -> list[r.OutboxMessage]:
        """The newest e-mails of the outbox; with `logins`, those to these users or about their deals."""
        O, Opp = m.OutboxRow, m.OpportunityRow
        query = O.select()
        if status:
            query = query.where(O.status == status)
        if logins is not None:
            theirs = Opp.select(Opp.id).where(owned_by(Opp.owner, logins))
            query = query.where(O.to_user.in_(user_ids(logins)) | O.opportunity.in_(theirs))
        query = query.order_by(O.created_at.desc(), O.id).limit(limit)
        return [row_dict_to_record(O, d, self.outbox.record_type) for d in query.dicts()]

    def set_last_activity(self, opportunity_id: int | None, account_id: int | None, at: datetime) -> None:
        """Move the last-activity stamps forward (never backward) after an activity is logged."""
        if opportunity_id is not None:
            m.OpportunityRow.update(last_activity_at=at).where(
                (m.OpportunityRow.id == opportunity_id)
                & (m.OpportunityRow.last_activity_at.is_null() | (m.OpportunityRow.last_activity_at < at))
            ).execute()
        if account_id is not None:
            m.AccountRow.update(last_activity_at=at).where(
                (m.AccountRow.id == account_id)
                & (m.AccountRow.last_activity_at.is_null() | (m.AccountRow.last_activity_at < at))
            ).execute()

    # -- aggregates ------------------------------------------------------------------------

    def stage_totals(self, flt: OpportunityFilter, pipeline: PipelineConfig) -> list[StageTotal]:
        return opportunities.stage_totals(flt, pipeline)

    # `logins` below: whose records a figure covers (None: everyone) — see domain/visibility.py.

    def probability_totals(self, pipeline: PipelineConfig, logins: tuple[str, ...] | None = None) -> list[tuple[int, int, int]]:
        return opportunities.probability_totals(pipeline, logins)

    def recent_activities(self, limit: int, logins: tuple[str, ...] | None = None) -> list:
        """The latest activities, newest first; with `logins`, those they logged or on their deals."""
        A, O = m.ActivityRow, m.OpportunityRow
        query = A.select()
        if logins is not None:
            theirs = O.select(O.id).where(owned_by(O.owner, logins))
            query = query.where(A.created_by.in_(user_ids(logins)) | A.opportunity.in_(theirs))
        query = query.order_by(A.created_at.desc(), A.id).limit(limit)
        return [row_dict_to_record(A, d, self.activities.record_type) for d in query.dicts()]

    def user_logins(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        return dict(m.UserRow.select(m.UserRow.id, m.UserRow.login).where(m.UserRow.id.in_(list(ids))).tuples())

    def quota_total(self, period: str, period_start: date, logins: tuple[str, ...] = ()) -> int:
        return quotas.quota_total(period, period_start, logins)

    def quota_by_login(self, period: str, period_start: date) -> dict[str, int]:
        return quotas.quota_by_login(period, period_start)

    def won_by_login(self, won_stage: str, start: date, end: date) -> dict[str, int]:
        return quotas.won_by_login(won_stage, start, end)

    def won_between(self, won_stage: str, start: date, end: date, logins: tuple[str, ...] = ()) -> tuple[int, int]:
        return quotas.won_between(won_stage, start, end, logins)

    def proposal_status_counts(self, logins: tuple[str, ...] | None = None) -> dict[str, int]:
        return work.proposal_status_counts(logins)

    def leads_created_since(self, since: datetime, logins: tuple[str, ...] | None = None,
                            unassigned: bool = False) -> int:
        return leads.created_since(since, logins, unassigned)

    def leads_by_source(self, logins: tuple[str, ...] | None = None, unassigned: bool = False) -> list[tuple[str, int, int]]:
        return leads.by_source(logins, unassigned)

    # -- duplicates (domain/services/duplicates.py) ------------------------------------------

    def account_candidates(self, name_word: str, domain: str, phone_tail: str) -> list[r.Account]:
        return duplicates.account_candidates(name_word, domain, phone_tail)

    def contact_candidates(self, first_name: str, last_name: str, email: str, phone_tail: str) -> list[r.Contact]:
        return duplicates.contact_candidates(first_name, last_name, email, phone_tail)

    def accounts_with_email_domain(self, domain: str) -> list[r.Account]:
        return duplicates.accounts_with_email_domain(domain)

    def pick(self, kind: str, text: str, limit: int = 8, logins: tuple[str, ...] | None = None) -> list[PickerOption]:
        return pickers.candidates(kind, text, limit, logins)

    def search(self, text: str, limit: int = 20, logins: tuple[str, ...] | None = None) -> list[SearchHit]:
        hits = [
            SearchHit("account", i, name, f"{city} · {tier}".strip(" ·"))
            for i, name, city, tier in accounts.search(text, limit, logins)
        ]
        hits += [
            SearchHit("opportunity", i, name, " · ".join(p for p in (account, stage, owner) if p))
            for i, name, account, stage, owner in opportunities.search(text, limit, logins)
        ]
        for kind, find in (("contact", pickers.contacts), ("lead", pickers.leads)):
            hits += [SearchHit(kind, int(o.value), o.label, o.detail) for o in find(text.strip(), limit, logins)]
        return hits

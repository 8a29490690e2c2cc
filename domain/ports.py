"""Ports: what the domain needs of storage, as Protocols. The store implements them.

The domain is written against these, never against the store's classes: a service receives a
`Session` whose `store` is a `Storage`, and reads `session.store.opportunities.require(id)` as
"a `RecordRepository[Opportunity]`'s `require`, which returns an `Opportunity` or raises
`NotFound`". `store/store.py` is the one implementation (SQLite and PostgreSQL through Peewee);
`tests/test_ports.py` checks it satisfies every Protocol here, member by member.

    Storage
    ├── Repositories        one RecordRepository per record type (users, opportunities, …)
    ├── Transactions        atomic, snapshot, connection, announce_change, watch  (the unit of work's seam)
    ├── ListQueries         the paged lists behind every screen and `pantry list`
    ├── PipelineQueries     requirement facts, alert keys and labels, automation bookkeeping
    ├── Aggregates          stage, probability, category, quota, won and lead totals; search
    ├── analytics           AnalyticsQueries   (conversion, durations, breakdowns, sources, reps)
    ├── forecasting         ForecastQueries    (deal histories at an instant, snapshots)
    ├── insights            InsightQueries     (account health facts, interactions, competition)
    └── importing           ImportQueries      (the importer's bulk reads and writes)

Every method raises only domain errors (`domain/errors.py`): `NotFound`, `VersionConflict`, or a
`StorageFailure` the store translated from its driver. Records and facts come back as the
domain's own types (`domain/records`, `domain/facts.py`, `domain/views.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from domain import records as r
from domain.facts import (
    AccountHealthFacts,
    AlertKey,
    AlertLabel,
    Breakdown,
    ClosedStats,
    ConversionRow,
    InteractionBucket,
    InteractionTotals,
    LeadResponseTotals,
    RepName,
    RepProfile,
    RequirementFacts,
    SourceLine,
    StageDuration,
)
from domain.filters import (
    AccountFilter,
    ContactFilter,
    LeadFilter,
    OpportunityFilter,
    ProductFilter,
    ProposalFilter,
    Scope,
    TaskFilter,
    UserFilter,
)
from domain.pipeline import PipelineConfig
from domain.services.forecast_state import DealHistory
from domain.views import (
    AccountItem,
    ContactItem,
    LeadItem,
    OpportunityItem,
    Page,
    PickerOption,
    ProductItem,
    ProposalItem,
    SearchHit,
    StageTotal,
    TaskItem,
    UserItem,
)

R = TypeVar("R", bound=r.Record)


# -- records --------------------------------------------------------------------------------------


@runtime_checkable
class RecordRepository(Protocol[R]):
    """Get, find, insert, update (optimistically locked) and delete the records of one type."""

    kind: str  # how messages name the record ("opportunity", "account team member")
    record_type: type[R]

    def get(self, record_id: int) -> R | None: ...

    def require(self, record_id: int) -> R:
        """The record, or NotFound."""
        ...

    def require_for_update(self, record_id: int) -> R:
        """The record, or NotFound, locked until the unit of work ends (read-modify-write without a race)."""
        ...

    def find(self, *, order_by: str = "id", descending: bool = False, limit: int | None = None,
             **equals: Any) -> list[R]:
        """Records whose fields equal the given values (`account=3`), ordered, optionally limited."""
        ...

    def count_where(self, **equals: Any) -> int: ...

    def count(self) -> int: ...

    def insert(self, record: R) -> R:
        """The record as stored, with its id."""
        ...

    def insert_many(self, records: list[R]) -> None: ...

    def update(self, record: R, *, changed_by: str | None = None, fields: set[str] | None = None) -> R:
        """Write `record` (only `fields`, when given) if its version is still the stored one, else
        VersionConflict naming who changed it and when; returns it with its next version."""
        ...

    def check_version(self, record: R, expected_version: int | None) -> None:
        """VersionConflict unless `record` stands at `expected_version` (None: any version will do)."""
        ...

    def delete(self, record_id: int) -> None: ...


@runtime_checkable
class Repositories(Protocol):
    users: RecordRepository[r.User]
    quotas: RecordRepository[r.Quota]
    accounts: RecordRepository[r.Account]
    locations: RecordRepository[r.AccountLocation]
    team_members: RecordRepository[r.AccountTeamMember]
    contracts: RecordRepository[r.Contract]
    contacts: RecordRepository[r.Contact]
    products: RecordRepository[r.Product]
    lead_sources: RecordRepository[r.LeadSource]
    opportunities: RecordRepository[r.Opportunity]
    line_items: RecordRepository[r.LineItem]
    competitors: RecordRepository[r.Competitor]
    battlecards: RecordRepository[r.Battlecard]
    opportunity_competitors: RecordRepository[r.OpportunityCompetitor]
    leads: RecordRepository[r.Lead]
    activities: RecordRepository[r.Activity]
    participants: RecordRepository[r.Participant]
    documents: RecordRepository[r.Document]
    proposals: RecordRepository[r.Proposal]
    tasks: RecordRepository[r.Task]
    notifications: RecordRepository[r.Notification]
    stage_changes: RecordRepository[r.StageChange]
    forecast_snapshots: RecordRepository[r.ForecastSnapshot]
    audit: RecordRepository[r.AuditEntry]
    outbox: RecordRepository[r.OutboxMessage]
    automation_runs: RecordRepository[r.AutomationRun]


# -- transactions and change announcements ----------------------------------------------------------


@runtime_checkable
class ChangeWatch(Protocol):
    """A running watch on other processes' commits."""

    def stop(self) -> None: ...


@runtime_checkable
class Transactions(Protocol):
    """The seam the unit of work (`Session.write`, domain/unit_of_work.py) is built on."""

    def atomic(self) -> AbstractContextManager[object]:
        """A write transaction on this thread's connection (nested: a savepoint). Committed when the
        block ends, rolled back when it raises."""
        ...

    def snapshot(self) -> AbstractContextManager[object]:
        """A read transaction: the reads inside see one consistent state of the database."""
        ...

    def connection(self) -> AbstractContextManager[None]:
        """This thread's connection, opened for the block (worker threads) and closed after it."""
        ...

    def announce_change(self, kinds: Iterable[str]) -> None:
        """Tell other processes that records of these kinds change in the current transaction: delivered
        when it commits, never when it rolls back (PostgreSQL NOTIFY; SQLite needs nothing, other
        processes notice any commit through PRAGMA data_version)."""
        ...

    def watch(self, callback: Callable[[frozenset[str]], None]) -> ChangeWatch:
        """Call `callback(kinds)` from a thread of the store's whenever another process commits
        (kinds empty: the database cannot say which)."""
        ...


# -- reads ------------------------------------------------------------------------------------------


@runtime_checkable
class ListQueries(Protocol):
    """Paged lists, filtered and sorted in SQL (a filter's `visible_owners` scopes them)."""

    def opportunity_page(self, flt: OpportunityFilter, pipeline: PipelineConfig, offset: int = 0,
                         limit: int = 50) -> Page[OpportunityItem]: ...

    def opportunities_in_stage(self, stage: str, flt: OpportunityFilter, pipeline: PipelineConfig, offset: int,
                               limit: int) -> list[OpportunityItem]: ...

    def rank_in_stage(self, stage: str, flt: OpportunityFilter, pipeline: PipelineConfig, value_cents: int,
                      opp_id: int) -> int: ...

    def lead_page(self, flt: LeadFilter, offset: int = 0, limit: int = 50) -> Page[LeadItem]: ...

    def account_page(self, flt: AccountFilter, pipeline: PipelineConfig, offset: int = 0,
                     limit: int = 50) -> Page[AccountItem]: ...

    def contact_page(self, flt: ContactFilter, offset: int = 0, limit: int = 50) -> Page[ContactItem]: ...

    def proposal_page(self, flt: ProposalFilter, offset: int = 0, limit: int = 50) -> Page[ProposalItem]: ...

    def task_page(self, flt: TaskFilter, offset: int = 0, limit: int = 50) -> Page[TaskItem]: ...

    def user_page(self, flt: UserFilter, offset: int = 0, limit: int = 50) -> Page[UserItem]: ...

    def product_page(self, flt: ProductFilter, offset: int = 0, limit: int = 50) -> Page[ProductItem]: ...


@runtime_checkable
class PipelineQueries(Protocol):
    """What the pipeline engine (requirements, alerts, automations) reads and stamps."""

    def requirement_facts(self, opportunity_id: int) -> RequirementFacts: ...

    def requirement_facts_many(self, ids: list[int]) -> dict[int, RequirementFacts]: ...

    def opportunity_records(self, ids: list[int]) -> dict[int, r.Opportunity]: ...

    def alert_counts(self, stalled_before: dict[str, datetime], idle_before: datetime,
                     owners: tuple[str, ...] = ()) -> tuple[int, int]: ...

    def stalled_alert_keys(self, stage: str, cutoff: datetime, owners: tuple[str, ...] = (),
                           limit: int | None = None) -> list[AlertKey]: ...

    def idle_alert_keys(self, open_stages: tuple[str, ...], idle_before: datetime, owners: tuple[str, ...] = (),
                        limit: int | None = None) -> list[AlertKey]: ...

    def alert_labels(self, ids: list[int]) -> dict[int, AlertLabel]: ...

    def overdue_without_run(self, stage_id: str, automation: str, cutoff: datetime, limit: int = 500) -> list[int]: ...

    def automation_has_run(self, opportunity_id: int, automation: str, stay_started_at: datetime) -> bool: ...

    def outbox_messages(self, status: str | None = None, logins: tuple[str, ...] | None = None,
                        limit: int = 50) -> list[r.OutboxMessage]:
        """The newest e-mails of the outbox; with `logins`, those to these users or about their deals."""
        ...

    def set_last_activity(self, opportunity_id: int | None, account_id: int | None, at: datetime) -> None: ...


@runtime_checkable
class Aggregates(Protocol):
    """Totals for the dashboard, the forecast and the reports. `logins`: whose records (None: everyone)."""

    def stage_totals(self, flt: OpportunityFilter, pipeline: PipelineConfig) -> list[StageTotal]: ...

    def probability_totals(self, pipeline: PipelineConfig,
                           logins: tuple[str, ...] | None = None) -> list[tuple[int, int, int]]: ...

    def recent_activities(self, limit: int, logins: tuple[str, ...] | None = None) -> list[r.Activity]: ...

    def user_logins(self, ids: set[int]) -> dict[int, str]: ...

    def quota_total(self, period: str, period_start: date, logins: tuple[str, ...] = ()) -> int: ...

    def quota_by_login(self, period: str, period_start: date) -> dict[str, int]: ...

    def won_by_login(self, won_stage: str, start: date, end: date) -> dict[str, int]: ...

    def won_between(self, won_stage: str, start: date, end: date, logins: tuple[str, ...] = ()) -> tuple[int, int]: ...

    def proposal_status_counts(self, logins: tuple[str, ...] | None = None) -> dict[str, int]: ...

    def leads_created_since(self, since: datetime, logins: tuple[str, ...] | None = None,
                            unassigned: bool = False) -> int: ...

    def leads_by_source(self, logins: tuple[str, ...] | None = None,
                        unassigned: bool = False) -> list[tuple[str, int, int]]: ...

    def search(self, text: str, limit: int = 20, logins: tuple[str, ...] | None = None) -> list[SearchHit]: ...

    def pick(self, kind: str, text: str, limit: int = 8, logins: tuple[str, ...] | None = None) -> list[PickerOption]:
        """What a form's picker offers for `kind` (account, contact, opportunity, lead, competitor, product,
        user): not archived, visible to `logins`, whose name contains `text`, in name order."""
        ...


# -- the query namespaces -----------------------------------------------------------------------------


@runtime_checkable
class AnalyticsQueries(Protocol):
    """`store.analytics`: grouped aggregates for pipeline analytics (docs/analytics.md)."""

    def closed_stats(self, won: str, lost: str, start: date | None, end: date | None, scope: Scope) -> ClosedStats: ...

    def conversion(self, pairs: list[tuple[str, list[str]]], start: datetime | None, end: datetime | None,
                   scope: Scope) -> list[ConversionRow]: ...

    def stage_durations(self, start: datetime | None, end: datetime | None, scope: Scope) -> list[StageDuration]: ...

    def stage_moves_between(self, start: datetime, end: datetime, order: dict[str, int],
                            scope: Scope) -> tuple[int, int]: ...

    def created_between(self, start: datetime, end: datetime, scope: Scope) -> tuple[int, int]: ...

    def breakdown(self, dimension: str, won: str, lost: str, open_stages: list[str], start: date | None,
                  end: date | None, scope: Scope) -> list[Breakdown]: ...

    def sources(self, won: str, start: datetime | None, end: datetime | None, scope: Scope) -> list[SourceLine]: ...

    def reps(self, scope: Scope, roles: tuple[str, ...] = ("rep",)) -> list[RepProfile]: ...

    def activities_by_user(self, start: datetime, end: datetime) -> dict[int, int]: ...

    def lead_response_by_owner(self, start: datetime | None, end: datetime | None) -> dict[int, tuple[float, int]]: ...

    def lead_response(self, start: datetime | None, end: datetime | None, scope: Scope,
                      min_score: int | None = None) -> tuple[float, int]: ...

    def lead_scores(self, start: datetime, end: datetime) -> tuple[int, int]: ...

    def leads_total(self, start: datetime | None, end: datetime | None, scope: Scope) -> tuple[int, int]: ...

    def mrr_on(self, day: date, owners: Collection[str] = (), team: str = "") -> int: ...


@runtime_checkable
class ForecastQueries(Protocol):
    """`store.forecasting`: the pipeline as it stood at an instant; the daily snapshots."""

    def deal_histories(self, at: datetime, *, lost_stage: str, with_products: bool = False) -> Iterator[DealHistory]: ...

    def snapshot_keys(self, taken_on: date) -> set[tuple[str, date, str, str]]: ...

    def insert_snapshots(self, snapshots: list[r.ForecastSnapshot]) -> int:
        """Store the snapshots not stored yet; returns how many were written."""
        ...

    def snapshots(self, period_kind: str, scope: str, *, period_end_before: date | None = None,
                  period_from: date | None = None) -> list[r.ForecastSnapshot]: ...


@runtime_checkable
class InsightQueries(Protocol):
    """`store.insights`: account health facts, interactions, lead response, competition."""

    def health_facts(self, *, as_of: datetime, engaged_since: datetime, last_year_from: date, prior_year_from: date,
                     kinds: Collection[str], contract_statuses: Collection[str], won_stage: str,
                     open_stages: Collection[str], account_ids: Collection[int] | None = None,
                     owners: Collection[str] = (), team: str = "",
                     deal_owners: Collection[str] | None = None) -> list[AccountHealthFacts]: ...

    def write_health_scores(self, scores: Mapping[int, int], at: datetime) -> int: ...

    def interaction_totals(self, *, start: datetime, end: datetime, middle: datetime, kinds: Collection[str],
                           account_id: int | None = None, authors: Collection[str] = (), team: str = "",
                           positive_from: float = 0.05, negative_to: float = -0.05) -> InteractionTotals: ...

    def interaction_buckets(self, *, start: datetime, end: datetime, granularity: str, kinds: Collection[str],
                            account_id: int | None = None, authors: Collection[str] = (),
                            team: str = "") -> list[InteractionBucket]: ...

    def activities_by_author(self, *, start: datetime, end: datetime, kinds: Collection[str],
                             authors: Collection[str] = (), team: str = "") -> dict[int, int]: ...

    def reps(self, logins: Collection[str] = (), team: str = "") -> list[RepName]: ...

    def lead_response(self, *, start: datetime, end: datetime, target_hours: float, account_id: int | None = None,
                      owners: Collection[str] = (), team: str = "") -> LeadResponseTotals: ...

    def competitors_of(self, opportunity_id: int) -> list[tuple[r.Competitor, str]]: ...

    def battlecards_of(self, competitor_ids: Collection[int]) -> dict[int, list[r.Battlecard]]: ...


@runtime_checkable
class ImportQueries(Protocol):
    """`store.importing`: what the importer (domain/importing) reads and writes in bulk, and the export."""

    def record_type(self, entity: str) -> type[r.Record]: ...

    def existing(self) -> Any:
        """What the database holds already, indexed for matching (logins, SKUs, external ids, names)."""
        ...

    def existing_ids(self, entity: str) -> set[int]: ...

    def references(self, entity: str) -> dict[str, str]:
        """record field -> the entity it refers to (`owner_id` -> `users`), for every foreign key."""
        ...

    def export(self, entity: str, batch: int = 2_000) -> Iterable[r.Record]: ...

    def ids_by_external_id(self, entity: str, external_ids: Iterable[str]) -> dict[str, int]: ...

    def records(self, entity: str, ids: Iterable[int]) -> dict[int, r.Record]: ...

    def line_items_of(self, opportunity_ids: Iterable[int]) -> dict[int, list[r.LineItem]]: ...

    def activity_keys(self, created_at: Iterable[datetime]) -> dict[tuple, int]: ...

    def insert_one(self, entity: str, record: r.Record) -> int: ...

    def insert_bulk(self, entity: str, records: list[r.Record], progress: Any = None) -> int: ...

    def update_many(self, entity: str, changes: list[tuple[int, dict[str, Any]]], progress: Any = None, *,
                    versioned: bool = True) -> int: ...

    def delete_line_items(self, opportunity_ids: Iterable[int]) -> None: ...

    def set_parent(self, account_id: int, parent_id: int) -> None: ...


@runtime_checkable
class DuplicateQueries(Protocol):
    """Candidates for a duplicate account or contact (a bounded number; the domain decides which match)."""

    def account_candidates(self, name_word: str, domain: str, phone_tail: str) -> list[r.Account]: ...

    def contact_candidates(self, first_name: str, last_name: str, email: str, phone_tail: str) -> list[r.Contact]: ...

    def accounts_with_email_domain(self, domain: str) -> list[r.Account]: ...


# -- all of it ----------------------------------------------------------------------------------------


@runtime_checkable
class Storage(Repositories, Transactions, ListQueries, PipelineQueries, Aggregates, DuplicateQueries, Protocol):
    """Everything the domain asks of storage: a Session's `store`."""

    analytics: AnalyticsQueries
    forecasting: ForecastQueries
    insights: InsightQueries
    importing: ImportQueries
    description: str  # what and where the database is, for messages ("SQLite /path/pantry.db")

    def is_empty(self) -> bool: ...

    def user_by_login(self, login: str) -> r.User | None: ...

    def touch_last_seen(self, user_id: int, at: datetime) -> None: ...


PORTS: tuple[type, ...] = (
    Storage, Repositories, Transactions, ListQueries, PipelineQueries, Aggregates, DuplicateQueries,
    AnalyticsQueries, ForecastQueries, InsightQueries, ImportQueries,
)

"""Bulk look-ups and inserts for `pantry import` / `pantry export`.

The importer (domain/importing) works on records and plain keys; this module is the only part
that touches the tables. Entities are named by their export name (`users`, `accounts`, ...).
Big tables are written with multi-row INSERTs in chunks sized to the drivers' parameter limits,
inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from domain import records as r
from store import models as m
from store.database import is_postgres
from store.mapping import record_to_row_dict, row_dict_to_record

# export/import name -> (model, record type), parents before children
ENTITIES: dict[str, tuple[type[m.BaseModel], type[r.Record]]] = {
    "users": (m.UserRow, r.User),
    "quotas": (m.QuotaRow, r.Quota),
    "accounts": (m.AccountRow, r.Account),
    "account_locations": (m.AccountLocationRow, r.AccountLocation),
    "account_team_members": (m.AccountTeamMemberRow, r.AccountTeamMember),
    "contracts": (m.ContractRow, r.Contract),
    "contacts": (m.ContactRow, r.Contact),
    "products": (m.ProductRow, r.Product),
    "lead_sources": (m.LeadSourceRow, r.LeadSource),
    "opportunities": (m.OpportunityRow, r.Opportunity),
    "line_items": (m.LineItemRow, r.LineItem),
    "competitors": (m.CompetitorRow, r.Competitor),
    "battlecards": (m.BattlecardRow, r.Battlecard),
    "opportunity_competitors": (m.OpportunityCompetitorRow, r.OpportunityCompetitor),
    "leads": (m.LeadRow, r.Lead),
    "activities": (m.ActivityRow, r.Activity),
    "participants": (m.ParticipantRow, r.Participant),
    "documents": (m.DocumentRow, r.Document),
    "proposals": (m.ProposalRow, r.Proposal),
    "tasks": (m.TaskRow, r.Task),
    "notifications": (m.NotificationRow, r.Notification),
    "stage_changes": (m.StageChangeRow, r.StageChange),
    "forecast_snapshots": (m.ForecastSnapshotRow, r.ForecastSnapshot),
    "audit": (m.AuditRow, r.AuditEntry),
    "outbox": (m.OutboxRow, r.OutboxMessage),
    "automation_runs": (m.AutomationRunRow, r.AutomationRun),
}

MAX_PARAMETERS = 30_000  # below SQLite's 32,766 and PostgreSQL's 65,535


@dataclass
class Existing:
    """What the database already holds, by the keys imports match on."""

    users: dict[str, int] = field(default_factory=dict)  # login -> id
    user_names: dict[str, str] = field(default_factory=dict)  # display name -> login
    products: dict[str, tuple[int, str, int]] = field(default_factory=dict)  # sku -> (id, name, list price)
    accounts: list[tuple[int, str | None, str, str]] = field(default_factory=list)  # id, external_id, name, domain
    opportunities: dict[str, int] = field(default_factory=dict)  # external_id -> id
    contacts: dict[str, int] = field(default_factory=dict)  # e-mail (lower) -> id
    contact_ids: dict[str, int] = field(default_factory=dict)  # external_id -> id
    leads: dict[str, int] = field(default_factory=dict)  # e-mail (lower) or phone digits -> id
    lead_ids: dict[str, int] = field(default_factory=dict)  # external_id -> id


class ImportQueries:
    entity_names = tuple(ENTITIES)

    def record_type(self, entity: str) -> type[r.Record]:
        return ENTITIES[entity][1]

    # -- reads -----------------------------------------------------------------------------

    def existing(self) -> Existing:
        found = Existing()
        for id_, login, display_name in m.UserRow.select(m.UserRow.id, m.UserRow.login, m.UserRow.display_name).tuples():
            found.users[login] = id_
            found.user_names.setdefault(display_name, login)
        found.products = {
            sku: (id_, name, price)
            for id_, sku, name, price in m.ProductRow.select(
                m.ProductRow.id, m.ProductRow.sku, m.ProductRow.name, m.ProductRow.list_price_cents
            ).tuples()
        }
        found.accounts = list(
            m.AccountRow.select(m.AccountRow.id, m.AccountRow.external_id, m.AccountRow.name, m.AccountRow.domain).tuples()
        )
        found.opportunities = {
            ext: id_
            for id_, ext in m.OpportunityRow.select(m.OpportunityRow.id, m.OpportunityRow.external_id)
            .where(m.OpportunityRow.external_id.is_null(False))
            .tuples()
        }
        for id_, ext, email in m.ContactRow.select(m.ContactRow.id, m.ContactRow.external_id, m.ContactRow.email).tuples():
            if ext:
                found.contact_ids[ext] = id_
            if email:
                found.contacts.setdefault(email.lower(), id_)
        for id_, ext, email, phone in m.LeadRow.select(m.LeadRow.id, m.LeadRow.external_id, m.LeadRow.email, m.LeadRow.phone).tuples():
            if ext:
                found.lead_ids[ext] = id_
            if email:
                found.leads.setdefault(email.lower(), id_)
            digits = "".join(c for c in phone or "" if c.isdigit())
            if len(digits) >= 7:
                found.leads.setdefault(digits, id_)
        return found

    def existing_ids(self, entity: str) -> set[int]:
        model = ENTITIES[entity][0]
        return {id_ for (id_,) in model.select(model.id).tuples()}

    def counts(self) -> dict[str, int]:
        return {name: model.select().count() for name, (model, _t) in ENTITIES.items()}

    def export(self, entity: str, batch: int = 2_000) -> Iterable[r.Record]:
        """Every record of one entity, in id order, read in batches."""
        model, record_type = ENTITIES[entity]
        last = 0
        while True:
            rows = list(model.select().where(model.id > last).order_by(model.id).limit(batch).dicts())
            if not rows:
                return
            for data in rows:
                yield row_dict_to_record(model, data, record_type)
            last = rows[-1]["id"]

    def opportunity_ids(self, external_ids: Iterable[str]) -> dict[str, int]:
        wanted = list(external_ids)
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 5_000):
            chunk = wanted[start : start + 5_000]
            query = m.OpportunityRow.select(m.OpportunityRow.id, m.OpportunityRow.external_id).where(
                m.OpportunityRow.external_id.in_(chunk)
            )
            found.update({ext: id_ for id_, ext in query.tuples()})
        return found

    # -- writes ----------------------------------------------------------------------------

    def insert_one(self, entity: str, record: r.Record) -> int:
        model = ENTITIES[entity][0]
        return model.insert(**record_to_row_dict(model, record)).execute()

    def insert_bulk(self, entity: str, records: list[r.Record], progress=None) -> int:
        """Multi-row INSERTs in chunks. Records with ids keep them (PostgreSQL's sequence is moved past)."""
        model = ENTITIES[entity][0]
        if not records:
            return 0
        rows = [record_to_row_dict(model, rec) for rec in records]
        # every row of one insert_many must have the same keys
        keys = sorted({k for row in rows for k in row})
        chunk = max(1, MAX_PARAMETERS // max(1, len(keys)))
        done = 0
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            model.insert_many(part).execute()
            done += len(part)
            if progress is not None:
                progress(entity, done, len(rows))
        if "id" in keys:
            self._sync_sequence(model)
        return done

    def set_parent(self, account_id: int, parent_id: int) -> None:
        m.AccountRow.update(parent=parent_id).where(m.AccountRow.id == account_id).execute()

    def set_manager(self, user_id: int, manager_id: int) -> None:
        m.UserRow.update(manager=manager_id).where(m.UserRow.id == user_id).execute()

    def _sync_sequence(self, model) -> None:
        db = getattr(model._meta.database, "obj", model._meta.database)
        if not is_postgres(db):
            return
        table = model._meta.table_name
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"'
        )

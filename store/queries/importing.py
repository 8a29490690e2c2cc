"""Bulk look-ups and inserts for `pantry import` / `pantry export`.

The importer (domain/importing) works on records and plain keys; this module is the only part
that touches the tables. Entities are named by their export name (`users`, `accounts`, ...).
Big tables are written with multi-row INSERTs in chunks sized to the drivers' parameter limits,
inside the caller's transaction.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from functools import cache
from operator import attrgetter
from typing import Any, Iterable

from peewee import BooleanField, CharField, DateField, FloatField, ForeignKeyField, IntegerField, TextField

from domain import records as r
from domain.importing.keys import email_key, person_key, phone_key
from store import models as m
from store.database import is_postgres
from store.fields import UTCDateTimeField
from store.mapping import row_dict_to_record

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
BATCH_ROWS = 5_000  # rows per executemany (and per progress report)
LOOKUP_CHUNK = 5_000  # values per IN (...) look-up


@dataclass
class Existing:
    """What the database already holds, by the keys imports match on."""

    users: dict[str, int] = field(default_factory=dict)  # login -> id
    user_names: dict[str, str] = field(default_factory=dict)  # display name -> login
    user_emails: dict[str, str] = field(default_factory=dict)  # e-mail (lower) -> login
    products: dict[str, tuple[int, str, int]] = field(default_factory=dict)  # sku -> (id, name, list price)
    accounts: list[tuple[int, str | None, str, str]] = field(default_factory=list)  # id, external_id, name, domain
    account_owners: dict[int, int] = field(default_factory=dict)  # account id -> owner id (owned accounts only)
    opportunities: dict[str, int] = field(default_factory=dict)  # external_id -> id
    contacts: dict[str, int] = field(default_factory=dict)  # e-mail (lower) -> id
    contact_ids: dict[str, int] = field(default_factory=dict)  # external_id -> id
    leads: dict[str, int] = field(default_factory=dict)  # email_key or phone_key -> id
    lead_ids: dict[str, int] = field(default_factory=dict)  # external_id -> id
    lead_people: dict[str, tuple[int, str]] = field(default_factory=dict)  # person_key(name, company) -> (id, name)


class ImportQueries:
    entity_names = tuple(ENTITIES)

    def record_type(self, entity: str) -> type[r.Record]:
        return ENTITIES[entity][1]

    # -- reads -----------------------------------------------------------------------------

    def existing(self) -> Existing:
        found = Existing()
        users = m.UserRow.select(m.UserRow.id, m.UserRow.login, m.UserRow.display_name, m.UserRow.email)
        for id_, login, display_name, email in users.tuples():
            found.users[login] = id_
            found.user_names.setdefault(display_name, login)
            if email:
                found.user_emails.setdefault(email.lower(), login)
        found.products = {
            sku: (id_, name, price)
            for id_, sku, name, price in m.ProductRow.select(
                m.ProductRow.id, m.ProductRow.sku, m.ProductRow.name, m.ProductRow.list_price_cents
            ).tuples()
        }
        A = m.AccountRow
        for id_, ext, name, domain, owner in A.select(A.id, A.external_id, A.name, A.domain, A.owner).tuples():
            found.accounts.append((id_, ext, name, domain))
            if owner is not None:
                found.account_owners[id_] = owner
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
        L = m.LeadRow
        for id_, ext, email, phone, name, company in L.select(L.id, L.external_id, L.email, L.phone, L.name,
                                                              L.company).tuples():
            if ext:
                found.lead_ids[ext] = id_
            for key in (email_key(email), phone_key(phone)):
                if key:
                    found.leads.setdefault(key, id_)
            found.lead_people.setdefault(person_key(name, company or ""), (id_, name))
        return found

    def existing_ids(self, entity: str) -> set[int]:
        model = ENTITIES[entity][0]
        return {id_ for (id_,) in model.select(model.id).tuples()}

    def references(self, entity: str) -> dict[str, str]:
        """record field -> the entity it refers to, for every foreign key of the entity's table."""
        by_model = {model: name for name, (model, _t) in ENTITIES.items()}
        model, record_type = ENTITIES[entity]
        out = {}
        for f in model._meta.sorted_fields:
            if isinstance(f, ForeignKeyField) and f.rel_model in by_model:
                name = f"{f.name}_id" if f"{f.name}_id" in record_type.model_fields else f.name
                if name in record_type.model_fields:
                    out[name] = by_model[f.rel_model]
        return out

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
        return self.ids_by_external_id("opportunities", external_ids)

    def ids_by_external_id(self, entity: str, external_ids: Iterable[str]) -> dict[str, int]:
        """external id -> id, for the records of `entity` (accounts, contacts, leads, opportunities) that have one."""
        model = ENTITIES[entity][0]
        wanted = list(dict.fromkeys(external_ids))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            query = model.select(model.id, model.external_id).where(model.external_id.in_(wanted[start : start + LOOKUP_CHUNK]))
            found.update({ext: id_ for id_, ext in query.tuples()})
        return found

    def records(self, entity: str, ids: Iterable[int]) -> dict[int, r.Record]:
        """The stored records with these ids (the ones that exist), by id."""
        model, record_type = ENTITIES[entity]
        wanted = sorted(set(ids))
        found: dict[int, r.Record] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            query = model.select().where(model.id.in_(wanted[start : start + LOOKUP_CHUNK]))
            for data in query.dicts():
                found[data["id"]] = row_dict_to_record(model, data, record_type)
        return found

    def line_items_of(self, opportunity_ids: Iterable[int]) -> dict[int, list[r.LineItem]]:
        model = m.LineItemRow
        wanted = sorted(set(opportunity_ids))
        found: dict[int, list[r.LineItem]] = defaultdict(list)
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            query = model.select().where(model.opportunity.in_(wanted[start : start + LOOKUP_CHUNK])).order_by(model.id)
            for data in query.dicts():
                found[data["opportunity"]].append(row_dict_to_record(model, data, r.LineItem))
        return found

    def activity_keys(self, created_at: Iterable[datetime]) -> dict[tuple, int]:
        """(kind, subject, created_at, opportunity, account, contact, lead) -> id of the stored activities
        created at one of these instants (how imported activities are recognised again)."""
        A = m.ActivityRow
        wanted = sorted(set(created_at))
        found: dict[tuple, int] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            query = A.select(A.id, A.kind, A.subject, A.created_at, A.opportunity, A.account, A.contact, A.lead).where(
                A.created_at.in_(wanted[start : start + LOOKUP_CHUNK]))
            for id_, kind, subject, at, opp, account, contact, lead in query.tuples():
                found.setdefault((kind, subject, at, opp, account, contact, lead), id_)
        return found

    # -- writes ----------------------------------------------------------------------------

    def insert_one(self, entity: str, record: r.Record) -> int:
        """Insert one record (through the same prepared statement as insert_bulk); its new id."""
        model = ENTITIES[entity][0]
        keep_id = record.id is not None
        columns = _columns(model, keep_id)
        db = _db(model)
        cursor = db.cursor()
        try:
            values = _row_values(model, record, columns)
            if is_postgres(db):
                marks = ", ".join("%s" for _ in columns)
                cursor.execute(_insert_sql(model, columns).replace("VALUES %s", f"VALUES ({marks})") + ' RETURNING "id"',
                               values)
                new_id = cursor.fetchone()[0]
            else:
                cursor.execute(_insert_sql(model, columns), values)
                new_id = cursor.lastrowid
        finally:
            cursor.close()
        if keep_id:
            self._sync_sequence(model)
        return new_id

    def insert_bulk(self, entity: str, records: list[r.Record], progress=None) -> int:
        """Batched INSERTs (one prepared statement, executemany). Records with ids keep them (PostgreSQL's
        sequence is moved past); records without get the next ones."""
        model = ENTITIES[entity][0]
        if not records:
            return 0
        with_id = [rec for rec in records if rec.id is not None]
        without = [rec for rec in records if rec.id is None]
        # a row may refer to a later row of its own table (a parent account, a manager): with ids
        # those references are written once every row is in
        own = _self_references(model) if with_id else ()
        later = [(rec.id, values) for rec in with_id
                 if (values := {name: getattr(rec, name) for name in own if getattr(rec, name) is not None})]
        done = 0
        db = _db(model)
        cursor = db.cursor()
        try:
            for group, keep_id in ((with_id, True), (without, False)):
                columns = _columns(model, keep_id)
                sql = _insert_sql(model, columns)
                blank = [i for i, f in enumerate(columns) if f"{f.name}_id" in own] if keep_id else []
                for start in range(0, len(group), BATCH_ROWS):
                    part = group[start : start + BATCH_ROWS]
                    rows = [_row_values(model, rec, columns) for rec in part]
                    for row in rows:
                        for i in blank:
                            row[i] = None
                    if is_postgres(db):
                        _copy(cursor, model, columns, rows)
                    else:
                        cursor.executemany(sql, rows)
                    done += len(part)
                    if progress is not None:
                        progress(f"writing {entity}", done, len(records))
        finally:
            cursor.close()
        if with_id:
            self._sync_sequence(model)
        if later:
            self.update_many(entity, later, versioned=False)
        return done

    def update_many(self, entity: str, changes: list[tuple[int, dict[str, Any]]], progress=None, *,
                    versioned: bool = True) -> int:
        """Set fields of stored records: (id, {record field: value}); the version (when the table has
        one) goes up by one. Records changing the same fields are written with one statement."""
        model = ENTITIES[entity][0]
        groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for record_id, values in changes:
            groups[tuple(sorted(values))].append((record_id, values))
        db = _db(model)
        mark = "%s" if is_postgres(db) else "?"
        versioned = versioned and "version" in model._meta.fields
        done = 0
        for names, items in groups.items():
            fields = [_field(model, name) for name in names]
            sets = [f'"{f.column_name}" = {mark}' for f in fields]
            if versioned and "version" not in names:
                sets.append('"version" = "version" + 1')
            sql = f'UPDATE "{model._meta.table_name}" SET {", ".join(sets)} WHERE "id" = {mark}'
            rows = [[f.db_value(_plain(values[name])) for f, name in zip(fields, names)] + [record_id]
                    for record_id, values in items]
            cursor = db.cursor()
            try:
                for start in range(0, len(rows), BATCH_ROWS):
                    cursor.executemany(sql, rows[start : start + BATCH_ROWS])
                    done += len(rows[start : start + BATCH_ROWS])
                    if progress is not None:
                        progress(f"updating {entity}", done, len(changes))
            finally:
                cursor.close()
        return done

    def delete_line_items(self, opportunity_ids: Iterable[int]) -> None:
        wanted = sorted(set(opportunity_ids))
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            m.LineItemRow.delete().where(m.LineItemRow.opportunity.in_(wanted[start : start + LOOKUP_CHUNK])).execute()

    def set_parent(self, account_id: int, parent_id: int) -> None:
        m.AccountRow.update(parent=parent_id).where(m.AccountRow.id == account_id).execute()

    def _sync_sequence(self, model) -> None:
        db = _db(model)
        if not is_postgres(db):
            return
        table = model._meta.table_name
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"'
        )


# -- fast inserts: the same values peewee would send, through one prepared statement ------------------


def _db(model):
    return getattr(model._meta.database, "obj", model._meta.database)


@cache
def _self_references(model) -> tuple[str, ...]:
    """The record fields of foreign keys to the model's own table (`parent_id`, `manager_id`, ...)."""
    return tuple(f"{f.name}_id" for f in model._meta.sorted_fields
                 if isinstance(f, ForeignKeyField) and f.rel_model is model)


@cache
def _columns(model, keep_id: bool) -> tuple:
    """The model's fields in insert order (with or without the id)."""
    return tuple(f for f in model._meta.sorted_fields if keep_id or f.name != "id")


def _insert_sql(model, columns: tuple) -> str:
    names = ", ".join(f'"{f.column_name}"' for f in columns)
    if is_postgres(_db(model)):
        return f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES %s'
    marks = ", ".join("?" for _ in columns)
    return f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ({marks})'


def _field(model, record_field: str):
    """The model field behind a record field (`owner_id` is the foreign key `owner`)."""
    fields = model._meta.fields
    if record_field in fields:
        return fields[record_field]
    if record_field.endswith("_id") and isinstance(fields.get(record_field[:-3]), ForeignKeyField):
        return fields[record_field[:-3]]
    raise KeyError(f"{model.__name__} has no field {record_field!r}")


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def _row_values(model, record: r.Record, columns: tuple) -> list:
    """The values peewee would bind for `record`, in `columns` order."""
    return [get(record) for get in _getters(model, columns)]


@cache
def _getters(model, columns: tuple) -> tuple:
    """Per column: record -> the value to bind (peewee's db_value where it changes anything)."""
    out = []
    for f in columns:
        name = f"{f.name}_id" if isinstance(f, ForeignKeyField) else f.name
        if isinstance(f, UTCDateTimeField):
            out.append(lambda rec, name=name: _naive_utc(getattr(rec, name)))
        elif isinstance(f, (ForeignKeyField, IntegerField, FloatField, BooleanField, DateField)):
            out.append(attrgetter(name))
        elif type(f) in (CharField, TextField):  # text, or an enum written by its value
            out.append(lambda rec, name=name: _plain(getattr(rec, name)))
        else:  # JSON lists, decimals: as peewee converts them
            out.append(lambda rec, name=name, f=f: f.db_value(_plain(getattr(rec, name))))
    return tuple(out)


def _naive_utc(value):
    if value is None:
        return None
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _copy(cursor, model, columns: tuple, rows: list[list]) -> None:
    """PostgreSQL: the rows through COPY (text format), much faster than INSERTs."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_text(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    names = ", ".join(f'"{f.column_name}"' for f in columns)
    cursor.copy_expert(f'COPY "{model._meta.table_name}" ({names}) FROM STDIN', buffer)


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text

"""The write pass: every staged record is matched against the database, then inserted, updated
(the fields its source sets that differ, each change in the audit log) or left unchanged — and
checked against the importing user's role first. The runner runs this inside one transaction and
rolls it back when anything was refused or invalid, or for a dry run.

Update rules (docs/import.md, "Re-importing: updates"):
* a record is updated only when it was matched by its external id (users by login, products by
  sku); one matched otherwise (a name, domain, e-mail or phone) is the same record found again and
  is left as it is;
* only the fields the file has a column for are compared; blank in the file is blank in Pantry;
* a stage change is appended to the stage history, never rewriting it: the changes the source
  dates after the last recorded one, then (if the deal is not yet in its source stage) one into it
  at the source's date, or at the import's time when the source gives none after the last change.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain import records as r
from domain.enums import AccountStatus, AuditAction
from domain.importing import maven
from domain.importing.access import Access
from domain.importing.keys import email_key, phone_key
from domain.importing.plan import Plan, Progress, SourceRow, StagedHistory, counted
from domain.importing.resolve import AccountIndex
from domain.pipeline import PipelineConfig
from domain.services.audit import audit_text
from domain.services.stage_moves import moved

# entities -> the audit log's table names
TABLES = {"users": "user", "products": "product", "accounts": "account", "contacts": "contact",
          "leads": "lead", "opportunities": "opportunity", "activities": "activity"}
# append-only history: a differing record of the `pantry` preset is reported, never rewritten
HISTORY = ("stage_changes", "audit", "outbox", "automation_runs", "forecast_snapshots", "notifications")
CHUNK = 5_000


@dataclass
class Tally:
    inserted: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    changed_fields: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    audit_entries: int = 0


@dataclass
class Refusal:
    source: SourceRow
    column: str
    reason: str


class Writer:
    def __init__(self, plan: Plan, existing: Any, queries: Any, *, pipeline: PipelineConfig, access: Access,
                 now: datetime, actor_login: str, actor_id: int | None, progress: Progress | None = None) -> None:
        self.plan, self.existing, self.queries = plan, existing, queries
        self.pipeline, self.access, self.now = pipeline, access, now
        self.actor_login, self.actor_id, self.progress = actor_login, actor_id, progress
        self.tally = Tally()
        self.refusals: list[Refusal] = []
        self.warnings: list[tuple[SourceRow, str, str]] = []
        self.audit: list[r.AuditEntry] = []
        self.pending: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        self.user_ids: dict[str, int] = dict(existing.users)

    # -- shared steps --------------------------------------------------------------------------

    def refuse(self, reason: str | None, source: SourceRow, column: str) -> None:
        if reason is not None:
            self.refusals.append(Refusal(source, column, reason))

    def changes(self, before: r.Record, after: r.Record, fields) -> dict[str, Any]:
        return {f: getattr(after, f) for f in sorted(fields) if getattr(before, f) != getattr(after, f)}

    def update(self, entity: str, before: r.Record, changes: dict[str, Any], *, audit: bool = True) -> None:
        """Queue the changed fields of one stored record (written by flush), with their audit entries."""
        values = dict(changes)
        record_fields = type(before).model_fields
        if "updated_at" in record_fields and "updated_at" not in values:
            values["updated_at"] = self.now
        if "updated_by_id" in record_fields:
            values["updated_by_id"] = self.actor_id
        self.pending[entity].append((before.id, values))
        self.tally.updated[entity] += 1
        for name, new in changes.items():
            self.tally.changed_fields[entity][name] += 1
            if audit:
                self.audit.append(r.AuditEntry(
                    at=self.now, actor=self.actor_login, action=AuditAction.UPDATE,
                    table_name=TABLES.get(entity, entity), record_id=before.id, field=name,
                    old_value=audit_text(getattr(before, name)), new_value=audit_text(new)))

    def flush(self, entity: str) -> None:
        if self.pending.get(entity):
            self.queries.update_many(entity, self.pending.pop(entity), self.progress)

    def run(self) -> None:
        if self.plan.native:
            self._native()
        else:
            self._users()
            self._products()
            self._accounts()
            self._contacts()
            self._opportunities()
            self._leads()
            self._activities()
        for entity in list(self.pending):
            self.flush(entity)
        self.tally.audit_entries = len(self.audit)
        self.queries.insert_bulk("audit", self.audit, self.progress)

    # -- users and products (admin) -----------------------------------------------------------

    def _users(self) -> None:
        stored = self.queries.records("users", [self.user_ids[u.key] for u in self.plan.users if u.key in self.user_ids])
        for u in self.plan.users:
            column = u.columns.get("login", "login")
            manager_id = self.user_ids.get(u.manager_key) if u.manager_key else None
            record = u.record.model_copy(update={"manager_id": manager_id})
            found = self.user_ids.get(u.key)
            if found is None:
                self.refuse(self.access.admin("users"), u.source, column)
                self.user_ids[u.key] = self.queries.insert_one("users", record)
                self.tally.inserted["users"] += 1
                continue
            before = stored.pop(found, None)  # None: a login the files list twice
            changes = self.changes(before, record, u.fields) if before is not None else {}
            if changes:
                self.refuse(self.access.admin("users"), u.source, column)
                self.update("users", before, changes)
            else:
                self.tally.unchanged["users"] += 1
        self.flush("users")

    def _products(self) -> None:
        by_sku = {sku: id_ for sku, (id_, _n, _p) in self.existing.products.items()}
        by_name = {maven.product_key(name): id_ for _sku, (id_, name, _p) in self.existing.products.items()}
        stored = self.queries.records("products", [by_sku[p.key] for p in self.plan.products if p.key in by_sku])
        for p in self.plan.products:
            column = p.columns.get("name", "name")
            key = maven.product_key(p.record.name)
            if p.key in by_sku:
                found = by_sku[p.key]
                before = stored.pop(found, None)
                changes = self.changes(before, p.record, p.fields) if before is not None else {}
                if changes:
                    self.refuse(self.access.admin("products"), p.source, column)
                    self.update("products", before, changes)
                else:
                    self.tally.unchanged["products"] += 1
            elif key in by_name:
                self.tally.unchanged["products"] += 1
                found = by_name[key]
            else:
                self.refuse(self.access.admin("products"), p.source, column)
                found = self.queries.insert_one("products", p.record)
                self.tally.inserted["products"] += 1
            by_sku.setdefault(p.key, found)
            by_name.setdefault(key, found)
        self.product_ids = by_name
        self.flush("products")

    # -- accounts and contacts ----------------------------------------------------------------

    def _accounts(self) -> None:
        index = self.index = AccountIndex(self.existing)
        self.account_owners: dict[int, int] = dict(self.existing.account_owners)
        stored = self.queries.records("accounts", [index.by_ext[a.key] for a in self.plan.accounts if a.key in index.by_ext])
        self.account_ext: dict[str, int] = dict(index.by_ext)
        inserted, matched = [], []
        for a in self.plan.accounts:
            owner_id = self.user_ids[a.owner_key] if a.owner_key else None
            record = a.record.model_copy(update={"owner_id": owner_id})
            found = index.match(a)
            if found is None:
                self.refuse(self.access.add(owner_id, f"account {a.key}"), a.source, self._owner_column(a))
                found = self.queries.insert_one("accounts", record)
                inserted.append((a, found))
                self.tally.inserted["accounts"] += 1
                if owner_id is not None:
                    self.account_owners[found] = owner_id
            elif found in stored and stored[found].external_id == a.key:
                matched.append((a, record, stored.pop(found)))
            else:
                self.tally.unchanged["accounts"] += 1  # the same account found again (name, domain): left as it is
            self.account_ext.setdefault(a.key, found)
            index.add(found, a.key, record.name, record.domain)
        for a, account_id in inserted:  # parents once every account of the files has an id
            if a.parent_key:
                self.queries.set_parent(account_id, index.find(a.parent_key))
        for a, record, before in matched:
            changes = self.changes(before, record, a.fields)
            if record.status is AccountStatus.CUSTOMER and before.status is AccountStatus.PROSPECT:
                changes["status"] = AccountStatus.CUSTOMER  # a won deal makes a prospect a customer; never back
            if a.has_parent_column:
                parent = index.find(a.parent_key) if a.parent_key else None
                if parent != before.parent_id:
                    changes["parent_id"] = parent
            if not changes:
                self.tally.unchanged["accounts"] += 1
                continue
            new_owner = changes.get("owner_id", before.owner_id)
            self.refuse(self.access.change(before.owner_id, new_owner, f"account {a.key}"), a.source,
                        self._owner_column(a))
            self.update("accounts", before, changes)
            if new_owner is None:
                self.account_owners.pop(before.id, None)
            else:
                self.account_owners[before.id] = new_owner
        self.flush("accounts")

    @staticmethod
    def _owner_column(a) -> str:
        return a.columns.get("owner") or a.columns.get("name", "account")

    def _account(self, key: str | None) -> int | None:
        return self.index.find(key) if key else None

    def _contacts(self) -> None:
        self.contact_ext: dict[str, int] = dict(self.existing.contact_ids)
        emails = dict(self.existing.contacts)
        stored = self.queries.records("contacts", [self.contact_ext[c.key] for c in self.plan.contacts
                                                   if c.key in self.contact_ext])
        for c in self.plan.contacts:
            account_id = self._account(c.account_key)
            record = c.record.model_copy(update={"account_id": account_id})
            email = email_key(record.email)
            what = f"contact {c.key}"
            column = c.columns.get("account", "account")
            if c.key in self.contact_ext:
                before = stored.pop(self.contact_ext[c.key], None)
                changes = self.changes(before, record, c.fields) if before is not None else {}
                if changes:
                    new_account = changes.get("account_id", before.account_id)
                    self.refuse(self.access.change(self.account_owners.get(before.account_id),
                                                   self.account_owners.get(new_account), what), c.source, column)
                    self.update("contacts", before, changes)
                else:
                    self.tally.unchanged["contacts"] += 1
                continue
            if email and email in emails:
                self.tally.unchanged["contacts"] += 1  # the same person found by e-mail: left as it is
                self.contact_ext[c.key] = emails[email]
                continue
            self.refuse(self.access.add(self.account_owners.get(account_id), what), c.source, column)
            contact_id = self.queries.insert_one("contacts", record)
            self.contact_ext[c.key] = contact_id
            self.tally.inserted["contacts"] += 1
            if email:
                emails[email] = contact_id
        self.flush("contacts")

    # -- opportunities ----------------------------------------------------------------------------

    def _opportunities(self) -> None:
        opps = self.plan.opportunities
        self.opp_ext: dict[str, int] = dict(self.existing.opportunities)
        self.opp_owners: dict[int, int] = {}
        stored = self.queries.records("opportunities", [self.opp_ext[o.key] for o in opps if o.key in self.opp_ext])
        stored_lines = self.queries.line_items_of(stored) if any(o.lines for o in opps if o.key in self.opp_ext) else {}
        new, lines, history, replaced = [], [], [], []
        new_keys: set[str] = set()
        for o in counted(opps, "matching opportunities", self.progress):
            owner_id = self.user_ids[o.owner_key]
            contact_id = next((self.contact_ext[k] for k in o.contact_keys if k in self.contact_ext), None)
            record = o.record.model_copy(update={"owner_id": owner_id, "account_id": self._account(o.account_key),
                                                 "contact_id": contact_id})
            what = f"opportunity {o.key}"
            owner_column = o.columns.get("owner", "owner")
            found = self.opp_ext.get(o.key)
            if found is None:
                if o.key in new_keys:
                    self.warnings.append((o.source, o.columns.get("id", "id"), f"{o.key}: listed twice in the files, "
                                          "imported once"))
                    continue
                new_keys.add(o.key)
                self.refuse(self.access.add(owner_id, what), o.source, owner_column)
                new.append((o, record))
                continue
            before = stored.pop(found, None)
            if before is None:  # an id the files list twice
                self.tally.unchanged["opportunities"] += 1
                continue
            out_of_scope = self.access.match(before.owner_id, what)
            if out_of_scope:  # refused before comparing: no answer about its values
                self.refuse(out_of_scope, o.source, owner_column)
                continue
            self.opp_owners[found] = owner_id if "owner_id" in o.fields else before.owner_id
            changes = self.changes(before, record, o.fields - {"stage", "probability"})
            if "probability" in o.fields and record.probability != before.probability and record.stage == before.stage:
                changes.update(probability=record.probability, probability_overridden=record.probability_overridden)
            appended: list[StagedHistory] = []
            if "stage" in o.fields and record.stage != before.stage:
                appended = self._stage_changes(before, record, o.history)
                last = appended[-1]
                after = moved(before, self.pipeline.stage(record.stage), now=last.changed_at, today=last.changed_at.date(),
                              actor_id=self.actor_id, lost_reason=before.lost_reason or None)
                for name in ("stage", "probability", "probability_overridden", "forecast_category",
                             "forecast_category_overridden", "stage_entered_at", "lost_reason"):
                    if getattr(after, name) != getattr(before, name):
                        changes[name] = getattr(after, name)
                if "probability" in o.fields and record.probability != after.probability:
                    changes.update(probability=record.probability, probability_overridden=record.probability_overridden)
                closed = record.actual_close_date if "actual_close_date" in o.fields else after.actual_close_date
                if closed != before.actual_close_date:
                    changes["actual_close_date"] = closed
                elif "actual_close_date" in changes and changes["actual_close_date"] == before.actual_close_date:
                    del changes["actual_close_date"]
            line_change = self._lines_changed(o, stored_lines.get(found, []))
            if changes or appended or line_change:
                current_owner = before.owner_id
                self.refuse(self.access.change(current_owner, changes.get("owner_id", current_owner), what),
                            o.source, owner_column)
                if changes:
                    self.update("opportunities", before, changes)
                else:
                    self.tally.updated["opportunities"] += 1
                for h in appended:
                    history.append(r.StageChange(opportunity_id=found, from_stage=h.from_stage, to_stage=h.to_stage,
                                                 changed_at=h.changed_at, changed_by_id=self.actor_id,
                                                 value_cents=h.value_cents, probability=h.probability))
                if line_change:
                    replaced.append(found)
                    lines += self._line_items(o, found)
                    self.tally.changed_fields["opportunities"]["line_items"] += 1
                    self.audit.append(r.AuditEntry(
                        at=self.now, actor=self.actor_login, action=AuditAction.UPDATE, table_name="opportunity",
                        record_id=found, field="line_items",
                        old_value="; ".join(f"{i.quantity} x {i.name} @ {i.unit_price_cents}" for i in stored_lines.get(found, [])),
                        new_value="; ".join(f"{line.quantity} x {line.name} @ {line.unit_price_cents}" for line in o.lines)))
            else:
                self.tally.unchanged["opportunities"] += 1
        self.flush("opportunities")
        self.queries.insert_bulk("opportunities", [record for _o, record in new], self.progress)
        self.tally.inserted["opportunities"] += len(new)
        ids = self.queries.ids_by_external_id("opportunities", (o.key for o, _rec in new))
        for o, record in new:
            opp_id = ids[o.key]
            self.opp_ext[o.key] = opp_id
            self.opp_owners[opp_id] = record.owner_id
            lines += self._line_items(o, opp_id)
            for h in o.history:
                history.append(r.StageChange(opportunity_id=opp_id, from_stage=h.from_stage, to_stage=h.to_stage,
                                             changed_at=h.changed_at, value_cents=h.value_cents, probability=h.probability))
        if replaced:
            self.queries.delete_line_items(replaced)
        self.queries.insert_bulk("line_items", lines, self.progress)
        self.queries.insert_bulk("stage_changes", history, self.progress)
        self.tally.inserted["line_items"] += len(lines)
        self.tally.inserted["stage_changes"] += len(history)

    def _line_items(self, o, opp_id: int) -> list[r.LineItem]:
        return [r.LineItem(opportunity_id=opp_id, product_id=self.product_ids[line.product_key], name=line.name,
                           quantity=line.quantity, unit_price_cents=line.unit_price_cents) for line in o.lines]

    def _lines_changed(self, o, stored: list[r.LineItem]) -> bool:
        if not o.lines:
            return False  # a source without line items leaves them as they are
        want = sorted((self.product_ids[line.product_key], line.quantity, line.unit_price_cents) for line in o.lines)
        have = sorted((i.product_id, i.quantity, i.unit_price_cents) for i in stored if i.discount_pct == 0)
        return want != have or len(stored) != len(o.lines)

    def _stage_changes(self, before: r.Opportunity, record: r.Opportunity,
                       source_history: list[StagedHistory]) -> list[StagedHistory]:
        """The changes to append: the source's changes dated after the last recorded one, chained from the
        stored stage, ending in the source's stage (at the import's time when the source has no later date)."""
        out: list[StagedHistory] = []
        previous, last = before.stage, before.stage_entered_at
        for h in source_history:
            if h.changed_at > last and h.to_stage != previous:
                # the value the source records for that step: a later value is not known before it (no leakage)
                out.append(StagedHistory(previous, h.to_stage, h.changed_at, h.value_cents, h.probability))
                previous, last = h.to_stage, h.changed_at
        if previous != record.stage:
            stage = self.pipeline.stage(record.stage)
            out.append(StagedHistory(previous, record.stage, max(self.now, last), record.value_cents, stage.probability))
        return out

    # -- leads ------------------------------------------------------------------------------------

    def _leads(self) -> None:
        self.lead_ext: dict[str, int] = dict(self.existing.lead_ids)
        self.lead_owners: dict[int, int | None] = {}
        keys = dict(self.existing.leads)
        stored = self.queries.records("leads", [self.lead_ext[x.key] for x in self.plan.leads if x.key in self.lead_ext])
        self.lead_owners.update({id_: rec.owner_id for id_, rec in stored.items()})
        new: list[r.Lead] = []
        new_keys: set[str] = set()
        for x in counted(self.plan.leads, "matching leads", self.progress):
            owner_id = self.user_ids[x.owner_key] if x.owner_key else None
            converted = {f"converted_{kind}_id": self._converted(kind, key) for kind, key in x.converted_keys.items()}
            record = x.record.model_copy(update={"owner_id": owner_id, **converted})
            what = f"lead {x.key}"
            column = x.columns.get("owner", "owner")
            own_keys = [k for k in (email_key(record.email), phone_key(record.phone)) if k]
            if x.key in self.lead_ext:
                before = stored.pop(self.lead_ext[x.key], None)
                if before is None:
                    self.tally.unchanged["leads"] += 1
                    continue
                out_of_scope = self.access.match(before.owner_id, what)
                if out_of_scope:  # refused before comparing: no answer about its values
                    self.refuse(out_of_scope, x.source, column)
                    continue
                changes = self.changes(before, record, x.fields | {f"converted_{k}_id" for k in x.converted_keys})
                if changes:
                    self.refuse(self.access.change(before.owner_id, changes.get("owner_id", before.owner_id), what),
                                x.source, column)
                    self.update("leads", before, changes)
                else:
                    self.tally.unchanged["leads"] += 1
                continue
            same = next((keys[k] for k in own_keys if k in keys), None)
            if same is not None:
                self.tally.unchanged["leads"] += 1  # the same lead found by e-mail or phone: left as it is
                if same:
                    self.lead_ext.setdefault(x.key, same)
                continue
            if x.key in new_keys:
                self.warnings.append((x.source, x.columns.get("id", "id"), f"{x.key}: listed twice in the files, "
                                      "imported once"))
                continue
            new_keys.add(x.key)
            self.refuse(self.access.add(owner_id, what), x.source, column)
            new.append(record)
            for k in own_keys:
                keys[k] = 0
        self.flush("leads")
        self.queries.insert_bulk("leads", new, self.progress)
        self.tally.inserted["leads"] += len(new)
        ids = self.queries.ids_by_external_id("leads", (rec.external_id for rec in new))
        for rec in new:
            self.lead_ext[rec.external_id] = ids[rec.external_id]
            self.lead_owners[ids[rec.external_id]] = rec.owner_id

    def _converted(self, kind: str, key: str) -> int | None:
        return {"account": self.account_ext, "contact": self.contact_ext, "opportunity": self.opp_ext}[kind].get(key)

    # -- activities -------------------------------------------------------------------------------

    def _activities(self) -> None:
        if not self.plan.activities:
            return
        linked = [self._links(a.links) for a in self.plan.activities]
        self._prefetch_owners({link["opportunity_id"] for link in linked if link.get("opportunity_id")},
                              {link["lead_id"] for link in linked if link.get("lead_id")})
        staged = []
        for a, links in zip(self.plan.activities, linked):
            if links.get("opportunity_id") and not links.get("account_id"):
                links["account_id"] = self._opp_account(links["opportunity_id"])
            created_by = self.user_ids[a.owner_key] if a.owner_key else None
            staged.append((a, a.record.model_copy(update={**links, "created_by_id": created_by})))
        existing = self.queries.activity_keys(rec.created_at for _a, rec in staged)
        for n, (a, record) in enumerate(staged):
            person = a.links.get("person")
            if self._key(record) not in existing and record.contact_id and person in self.lead_ext:
                # imported on a lead that has since become a contact: the same activity, on the lead
                on_lead = record.model_copy(update={"contact_id": None, "lead_id": self.lead_ext[person]})
                if self._key(on_lead) in existing:
                    staged[n] = (a, on_lead)
        stored = self.queries.records("activities", [existing[k] for k in (self._key(rec) for _a, rec in staged) if k in existing])
        new = []
        seen: set[tuple] = set()
        for a, record in counted(staged, "matching activities", self.progress):
            key = self._key(record)
            what = f"activity {a.key}"
            column = a.columns.get("owner", "owner")
            found = existing.get(key)
            if found is not None and found in stored:
                before = stored.pop(found)
                out_of_scope = self._activity_refusal(before, what, match=True)
                if out_of_scope:  # refused before comparing: no answer about its values
                    self.refuse(out_of_scope, a.source, column)
                    continue
                changes = self.changes(before, record, a.fields)
                if changes:
                    self.refuse(self.access.change(self._activity_owner(before), self._activity_owner(record), what),
                                a.source, column)
                    self.update("activities", before, changes)
                else:
                    self.tally.unchanged["activities"] += 1
                continue
            if key in seen or found is not None:
                self.warnings.append((a.source, a.columns.get("id", "id"), "the same activity as an earlier row "
                                      "(kind, subject, date and associations): not imported twice"))
                continue
            seen.add(key)
            self.refuse(self._activity_refusal(record, what), a.source, column)
            new.append(record)
        self.flush("activities")
        self.queries.insert_bulk("activities", new, self.progress)
        self.tally.inserted["activities"] += len(new)

    @staticmethod
    def _key(record: r.Activity) -> tuple:
        return (record.kind.value, record.subject, record.created_at, record.opportunity_id, record.account_id,
                record.contact_id, record.lead_id)

    def _links(self, links: dict[str, str]) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for link, key in links.items():
            if link == "opportunity":
                out["opportunity_id"] = self.opp_ext.get(key)
            elif link == "account":
                out["account_id"] = self.account_ext.get(key) or self.index.by_ext.get(key)
            elif link == "lead":
                out["lead_id"] = self.lead_ext.get(key)
            elif link == "person":  # a contact, else a lead (HubSpot contacts that are leads, Salesforce WhoId)
                if key in self.contact_ext:
                    out["contact_id"] = self.contact_ext[key]
                else:
                    out["lead_id"] = self.lead_ext.get(key)
            elif link == "what":  # an opportunity, else an account (Salesforce WhatId)
                if key in self.opp_ext:
                    out["opportunity_id"] = self.opp_ext[key]
                else:
                    out["account_id"] = self.account_ext.get(key) or self.index.by_ext.get(key)
        return out

    def _prefetch_owners(self, opportunity_ids: set[int], lead_ids: set[int]) -> None:
        """The accounts and owners of the deals and leads the activities are on (one query each)."""
        self._opp_accounts: dict[int, int | None] = {}
        for opp in self.queries.records("opportunities", opportunity_ids).values():
            self._opp_accounts[opp.id] = opp.account_id
            self.opp_owners.setdefault(opp.id, opp.owner_id)
        missing = lead_ids - set(self.lead_owners)
        for lead in self.queries.records("leads", missing).values():
            self.lead_owners[lead.id] = lead.owner_id

    def _opp_account(self, opp_id: int) -> int | None:
        return self._opp_accounts.get(opp_id)

    def _activity_refusal(self, record: r.Activity, what: str, *, match: bool = False) -> str | None:
        """Why the actor may not add (or, `match`, touch) this activity: its assignee's right, then the right
        to the deal or lead it is on (logging on a colleague's deal is refused as `pantry log` refuses it)."""
        check = self.access.match if match else self.access.add
        reason = check(self._activity_owner(record), what)
        if reason is None and record.opportunity_id is not None and record.opportunity_id in self.opp_owners:
            reason = check(self.opp_owners[record.opportunity_id], f"{what} on opportunity {record.opportunity_id}")
        elif reason is None and record.lead_id is not None and record.lead_id in self.lead_owners:
            reason = check(self.lead_owners[record.lead_id], f"{what} on lead {record.lead_id}")
        return reason

    def _activity_owner(self, record: r.Activity) -> int | None:
        """Its assignee, else the owner of the deal, the lead or the account it is on."""
        if record.created_by_id is not None:
            return record.created_by_id
        if record.opportunity_id is not None:
            return self.opp_owners.get(record.opportunity_id)
        if record.lead_id is not None:
            return self.lead_owners.get(record.lead_id)
        if record.account_id is not None:
            return self.account_owners.get(record.account_id)
        return None

    # -- the pantry preset ------------------------------------------------------------------------

    def _native(self) -> None:
        groups: dict[str, list] = defaultdict(list)
        for staged in self.plan.native:
            groups[staged.entity].append(staged)
        for entity in self.queries.entity_names:
            items = groups.get(entity)
            if not items:
                continue
            present = self.queries.existing_ids(entity)
            new = [s.record for s in items if s.record.id not in present]
            matched = [s for s in items if s.record.id in present]
            reason = self.access.admin("with the pantry preset") if new else None
            if reason:
                for s in items:
                    if s.record.id not in present:
                        self.refuse(reason, s.source, "id")
            stored: dict[int, r.Record] = {}
            for n, s in enumerate(counted(matched, f"comparing {entity}", self.progress)):
                if n % CHUNK == 0:  # the stored records a chunk at a time
                    stored = self.queries.records(entity, [x.record.id for x in matched[n : n + CHUNK]])
                before = stored[s.record.id]
                fields = [f for f in type(before).model_fields if f not in ("id", "version")]
                changes = self.changes(before, s.record, fields)
                if not changes:
                    self.tally.unchanged[entity] += 1
                elif entity in HISTORY:
                    self.tally.unchanged[entity] += 1
                    self.warnings.append((s.source, "id", f"differs from the stored {entity} record "
                                          f"{s.record.id} ({', '.join(changes)}): history is not rewritten"))
                else:
                    self.refuse(self.access.admin("with the pantry preset"), s.source, "id")
                    self.update(entity, before, changes)
            self.flush(entity)
            self.queries.insert_bulk(entity, new, self.progress)
            self.tally.inserted[entity] += len(new)

"""Creating, changing, archiving and restoring records by hand (`pantry add/set/archive/restore`, the TUI's
forms): typed values in, every bad field named at once, role rules, one unit of work each.

- Values arrive as text keyed by field (domain/editing/entities.py); parsing.py turns them into values.
  Every problem is collected, parse and record rules alike, and raised together (`InvalidFields`) before
  anything is written.
- Safe defaults: the acting user owns (or is assigned) what they create; dates default to today in the
  user's time zone (the clock's `today`).
- A rep creates only in their own book, a manager in their team's, an admin anywhere (domain/permissions.py).
- Every create, change, archive and restore is audited in its unit of work (`session.write`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timezone
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from domain.editing import parsing
from domain.editing.entities import ENTITIES, EntitySpec, FieldSpec
from domain.enums import ActivityKind, ProposalStatus, Role, TaskStatus
from domain.errors import DuplicateRecord, InvalidFields, Refused, require_actor
from domain.permissions import can_edit_owned, check_assign, check_edit_owned, describe
from domain.records import Account, Record, StageChange
from domain.services.duplicates import account_duplicates, contact_duplicates
from domain.session import Session
from domain.validation import field_errors

_STAMPS = ("updated_at", "updated_by_id")


def entity_spec(entity: str) -> EntitySpec:
    spec = ENTITIES.get(entity)
    if spec is None:
        raise Refused(f"unknown entity {entity!r} (choose from {', '.join(ENTITIES)})")
    return spec


def summary(spec: EntitySpec, record: Record) -> str:
    """A record's name as messages and the audit log show it."""
    for attr in ("name", "title", "subject", "number", "full_name"):
        value = getattr(record, attr, None)
        if isinstance(value, str) and value:
            return value
    return f"{spec.name} {record.id}"


class RecordEditor:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store

    # -- reading ---------------------------------------------------------------------------------------

    def get(self, entity: str, record_id: int) -> Record:
        spec = entity_spec(entity)
        record = self._repo(spec).require(record_id)
        return record

    def _repo(self, spec: EntitySpec):
        return getattr(self.store, spec.repo)

    # -- parsing: text -> values, every problem collected ------------------------------------------------

    def _parse(self, spec: EntitySpec, values: Mapping[str, str], *, creating: bool) -> tuple[dict, list]:
        parsed: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for key, text in values.items():
            field = spec.spec(key)
            if field is None:
                problems.append((key, f"not a field of {spec.name}"))
                continue
            if field.create_only and not creating:
                problems.append((key, f"cannot be changed after the {spec.name} is created"))
                continue
            try:
                parsed[key] = self._value(field, text)
            except ValueError as error:
                problems.append((key, str(error)))
        if creating:
            for key in spec.required:
                if parsed.get(key) in (None, "") and not any(k == key for k, _ in problems):
                    problems.append((key, "required"))
        elif not values:
            problems.append(("", f"name at least one field of the {spec.name} to change"))
        return parsed, problems

    def _value(self, field: FieldSpec, text: str) -> Any:
        text = "" if text is None else str(text)
        if not text.strip():
            return "" if field.kind in ("text",) else ([] if field.kind == "list" else None)
        kind = field.kind
        if kind == "text":
            return parsing.text(text)
        if kind == "money":
            return parsing.money(text)
        if kind == "date":
            return parsing.day(text)
        if kind == "int":
            return parsing.whole(text)
        if kind == "ref":
            return parsing.record_id(text)
        if kind == "decimal":
            return parsing.decimal(text)
        if kind == "share":
            return parsing.share(text)
        if kind == "bool":
            return parsing.flag(text)
        if kind == "choice":
            return parsing.choice(text, field.enum, field.exclude)
        if kind == "list":
            return parsing.points(text)
        if kind == "user":
            return parsing.text(text)
        raise ValueError(f"unknown kind {kind}")

    def _resolve(self, spec: EntitySpec, parsed: dict, problems: list) -> dict[str, Any]:
        """Logins -> users, ids -> records (which must exist and be in use). Returns the records found."""
        found: dict[str, Any] = {}
        for key, value in list(parsed.items()):
            field = spec.spec(key)
            if value in (None, "") or field is None:
                continue
            if field.kind == "user":
                user = self.store.user_by_login(value)
                if user is None or not user.active:
                    problems.append((key, f"no active user with login {value!r}"))
                else:
                    found[key] = user
                    parsed[key] = user.id
            elif field.kind == "ref":
                other = getattr(self.store, ENTITIES[field.ref].repo if field.ref in ENTITIES else "")
                record = other.get(value)
                if record is None:
                    problems.append((key, f"no {field.ref} {value}"))
                elif getattr(record, "archived_at", None) is not None:
                    problems.append((key, f"{field.ref} {value} is archived (restore it first)"))
                else:
                    found[key] = record
        return found

    def _validate(self, spec: EntitySpec, data: dict, problems: list) -> Record | None:
        try:
            return spec.record.model_validate(data)
        except ValidationError as error:
            names = {f.field: f.key for f in spec.fields if f.field}
            names.update({"name": "first_name"} if spec.name == "lead" else {})
            for problem in field_errors(error, names):
                key = problem.field if problem.field in {f.key for f in spec.fields} else spec.key_of(problem.field)
                if not any(k == key for k, _ in problems):
                    problems.append((key, problem.reason))
            return None

    # -- create ------------------------------------------------------------------------------------------

    def create(self, entity: str, values: Mapping[str, str], *, allow_duplicate: bool = False) -> Record:
        """A new record from typed values; InvalidFields names every bad one, Refused a rule or a role."""
        require_actor(self.session)
        spec = entity_spec(entity)
        now = self.session.clock.now()
        with self.session.write(spec.kinds, at=now) as change:
            parsed, problems = self._parse(spec, values, creating=True)
            found = self._resolve(spec, parsed, problems)
            data = self._new_data(spec, parsed, found, problems, now) if not _fatal(problems, parsed, spec) else None
            record = self._validate(spec, data, problems) if data is not None else None
            if problems or record is None:
                raise InvalidFields(f"cannot add {spec.name}", problems or [("", "invalid")])
            self._guard(spec, record, creating=True)
            if not allow_duplicate:
                self._refuse_duplicate(spec, record)
            saved = self._repo(spec).insert(record)
            self._after_create(spec, saved, change, now)
            change.touch(**{spec.table: [saved.id]})
            change.audit_create(spec.table, saved.id, summary(spec, saved))
        return self._repo(spec).require(saved.id)

    def _new_data(self, spec: EntitySpec, parsed: dict, found: dict, problems: list, now: datetime) -> dict | None:
        actor = self.session.actor
        today = self.session.clock.today()
        values = {f.field: parsed[f.key] for f in spec.fields if f.key in parsed and f.field and parsed[f.key] is not None}
        name = spec.name
        if name == "account":
            values.setdefault("industry", "other")
            values.setdefault("size", "small")
            values.setdefault("owner_id", actor.id)
            values.update(created_at=now, updated_at=now)
        elif name == "contact":
            values.update(created_at=now, updated_at=now)
            if values.get("email") == "":
                values["email"] = None
            if not values.get("buying_role"):
                values.pop("buying_role", None)
        elif name == "lead":
            values["name"] = f"{parsed.get('first_name', '')} {parsed.get('last_name', '')}".strip()
            values.setdefault("owner_id", actor.id)
            values.update(created_at=now)
            if values.get("email") == "":
                values["email"] = None
        elif name == "opportunity":
            first = self.session.pipeline.open_stages[0]
            values.setdefault("owner_id", actor.id)
            values.setdefault("started_on", today)
            values.setdefault("forecast_category", first.forecast_category)
            if "probability" in values:
                values["probability_overridden"] = True
            else:
                values["probability"] = first.probability
            if "forecast_category" in parsed and parsed["forecast_category"] is not None:
                values["forecast_category_overridden"] = True
            values.update(stage=first.id, stage_entered_at=now, created_at=now, updated_at=now,
                          updated_by_id=actor.id)
            account = found.get("account")
            contact = found.get("contact")
            if account is not None and contact is not None and contact.account_id != account.id:
                problems.append(("contact", f"contact {contact.id} is not at account {account.id}"))
        elif name == "line-item":
            product = self._product(parsed.get("product"), problems)
            if product is None:
                return None
            values.update(product_id=product.id)
            values.setdefault("name", product.name)
            values.setdefault("quantity", Decimal(1))
            values.setdefault("unit_price_cents", product.list_price_cents)
        elif name == "proposal":
            opp = found.get("opportunity")
            if opp is None:
                return None
            values.setdefault("amount_cents", opp.value_cents)
            values["number"] = self._proposal_number(opp.id)
            status = values.pop("status", None)
            if status not in (None, ProposalStatus.DRAFT):
                problems.append(("status", "a new proposal is a draft (send it with `pantry set proposal ID "
                                           "--status sent`)"))
            values.update(created_by_id=actor.id, created_at=now)
        elif name == "task":
            values.setdefault("assignee_id", actor.id)
            values.setdefault("due_on", today)
            values.update(created_by_id=actor.id, created_at=now)
            if values.get("status") is TaskStatus.DONE:
                values["completed_at"] = now
        elif name == "interaction":
            on = parsed.get("on")
            at = now if on is None or on == today else datetime.combine(on, time(12, 0), tzinfo=timezone.utc)
            if on is not None and on > today:
                values["scheduled_at"] = at
            else:
                values["completed_at"] = at
            if not any(parsed.get(k) for k in ("opportunity", "account", "contact", "lead")):
                problems.append(("opportunity", "name the deal, account, contact or lead it was with "
                                                "(--opportunity, --account, --contact or --lead)"))
                return None
            opp, contact = found.get("opportunity"), found.get("contact")
            if opp is not None:
                values.setdefault("account_id", opp.account_id)
            if contact is not None:
                values.setdefault("account_id", contact.account_id)
            values.update(created_by_id=actor.id, created_at=now)
        elif name == "account-member":
            values.setdefault("start_date", today)
        elif name == "contract":
            values.setdefault("start_date", today)
        return values

    def _product(self, text: str | None, problems: list):
        if not text:
            return None
        product = None
        if text.isascii() and text.isdigit():
            product = self.store.products.get(int(text))
        if product is None:
            matches = self.store.products.find(sku=text)
            product = matches[0] if matches else None
        if product is None:
            problems.append(("product", f"no product with id or SKU {text!r}"))
        elif not product.active:
            problems.append(("product", f"product {product.sku} is no longer sold"))
            return None
        return product

    def _proposal_number(self, opportunity_id: int) -> str:
        count = self.store.proposals.count_where(opportunity=opportunity_id)
        while True:
            count += 1
            number = f"P-{opportunity_id}-{count}"
            if not self.store.proposals.find(number=number):
                return number

    def _after_create(self, spec: EntitySpec, saved: Record, change, now: datetime) -> None:
        actor = self.session.actor
        if spec.name == "opportunity":
            self.store.stage_changes.insert(StageChange(
                opportunity_id=saved.id, from_stage=None, to_stage=saved.stage, changed_at=now, changed_by_id=actor.id,
                value_cents=saved.value_cents, probability=saved.probability,
            ))
            change.touch("stage_change")
        elif spec.name == "line-item":
            self._reprice(saved.opportunity_id, change, now)
        elif spec.name == "interaction" and saved.completed_at is not None:
            self.store.set_last_activity(saved.opportunity_id, saved.account_id, saved.completed_at)

    def _reprice(self, opportunity_id: int, change, now: datetime) -> None:
        """A deal with line items is worth their sum."""
        opp = self.store.opportunities.require(opportunity_id)
        total = sum(i.total_cents for i in self.store.line_items.find(opportunity=opportunity_id))
        if total == opp.value_cents:
            return
        updated = opp.model_copy(update={"value_cents": total, "updated_at": now,
                                         "updated_by_id": self.session.actor.id})
        saved = self.store.opportunities.update(updated, fields={"value_cents", "updated_at", "updated_by_id"},
                                                changed_by=self.session.actor_login)
        change.audit_update("opportunity", opp.id, opp, saved, ("value_cents",))
        change.touch(opportunity=[opp.id])

    # -- change ------------------------------------------------------------------------------------------

    def update(self, entity: str, record_id: int, values: Mapping[str, str], *,
               expected_version: int | None = None) -> Record:
        require_actor(self.session)
        spec = entity_spec(entity)
        now = self.session.clock.now()
        with self.session.write(spec.kinds, ids={spec.table: {record_id}}, at=now) as change:
            current = self._repo(spec).require(record_id)
            self._guard(spec, current, creating=False)
            if expected_version is not None:
                self._repo(spec).check_version(current, expected_version)
            parsed, problems = self._parse(spec, values, creating=False)
            found = self._resolve(spec, parsed, problems)
            changes = self._changes(spec, current, parsed, found, problems, now)
            record = self._validate(spec, {**current.model_dump(), **changes}, problems) if changes is not None else None
            if problems or record is None:
                raise InvalidFields(f"cannot change {spec.name} {record_id}", problems or [("", "invalid")])
            self._guard(spec, record, creating=False, before=current)
            stamps = {k: v for k, v in (("updated_at", now), ("updated_by_id", self.session.actor.id))
                      if k in spec.record.model_fields}
            record = record.model_copy(update=stamps)
            audited = [k for k in changes if k not in _STAMPS and getattr(current, k) != getattr(record, k)]
            if not audited:
                return current
            fields = set(changes) | set(stamps) | ({"version"} if "version" in spec.record.model_fields else set())
            saved = self._repo(spec).update(record, fields=fields, changed_by=self.session.actor_login)
            owner_field = next((f for f in ("owner_id", "assignee_id") if f in audited), None)
            change.audit_update(spec.table, record_id, current, saved, [k for k in audited if k != owner_field])
            if owner_field:
                change.audit_owner(spec.table, record_id, getattr(current, owner_field), getattr(saved, owner_field))
            change.touch(**{spec.table: [record_id]})
            self._after_update(spec, current, saved, change, now)
        return self._repo(spec).require(record_id)

    def _changes(self, spec: EntitySpec, current: Record, parsed: dict, found: dict, problems: list,
                 now: datetime) -> dict | None:
        changes: dict[str, Any] = {}
        for f in spec.fields:
            if f.key not in parsed or not f.field:
                continue
            value = parsed[f.key]
            if value is None and f.key in spec.required:
                problems.append((f.key, "required"))
                continue
            changes[f.field] = value
        name = spec.name
        if name in ("contact", "lead") and changes.get("email") == "":
            changes["email"] = None
        if name == "lead" and ("first_name" in parsed or "last_name" in parsed):
            first, _, last = current.name.partition(" ")
            first = parsed.get("first_name", first) or ""
            last = parsed.get("last_name", last) or ""
            if not first:
                problems.append(("first_name", "required"))
            changes["name"] = f"{first} {last}".strip()
        if name == "opportunity":
            if "probability" in changes:
                changes["probability_overridden"] = True
            if "forecast_category" in changes:
                changes["forecast_category_overridden"] = True
        if name == "proposal" and "status" in changes:
            from domain.services.proposal_actions import NEXT

            status = changes["status"]
            if status is None:
                problems.append(("status", "required"))
            elif status is not current.status:
                if status not in NEXT[current.status]:
                    choices = ", ".join(s.value for s in NEXT[current.status]) or "none: the proposal is decided"
                    problems.append(("status", f"a {current.status.value} proposal cannot become {status.value} "
                                               f"(next: {choices})"))
                elif status is ProposalStatus.SENT:
                    changes.update(sent_at=now, decided_at=None)
                elif status in (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN):
                    changes["decided_at"] = now
        if name == "task" and "status" in changes:
            if changes["status"] is None:
                problems.append(("status", "required"))
            elif changes["status"] is TaskStatus.DONE and current.status is not TaskStatus.DONE:
                changes["completed_at"] = now
            elif changes["status"] is not TaskStatus.DONE:
                changes["completed_at"] = None
        if name == "interaction" and "kind" in changes and changes["kind"] is ActivityKind.STAGE_CHANGE:
            problems.append(("kind", "a stage change is written by a move"))
        return changes

    def _after_update(self, spec: EntitySpec, before: Record, saved: Record, change, now: datetime) -> None:
        if spec.name == "line-item":
            self._reprice(saved.opportunity_id, change, now)
        elif spec.name == "opportunity":
            from domain.services.automations import Fired
            from domain.services.stage_moves import RequirementsWatcher

            RequirementsWatcher(self.session).check(saved, now=now, fired=Fired())

    # -- archive and restore -----------------------------------------------------------------------------

    def archive(self, entity: str, record_id: int) -> Record:
        return self._set_archived(entity, record_id, archived=True)

    def restore(self, entity: str, record_id: int) -> Record:
        return self._set_archived(entity, record_id, archived=False)

    def _set_archived(self, entity: str, record_id: int, *, archived: bool) -> Record:
        require_actor(self.session)
        spec = entity_spec(entity)
        if not spec.archivable:
            from domain.editing.entities import ARCHIVABLE

            raise Refused(f"a {spec.name} cannot be archived (these can: {', '.join(ARCHIVABLE)})")
        now = self.session.clock.now()
        with self.session.write(spec.kinds, ids={spec.table: {record_id}}, at=now) as change:
            current = self._repo(spec).require(record_id)
            self._guard(spec, current, creating=False)
            if archived == (current.archived_at is not None):
                state = "archived" if archived else "in use (not archived)"
                raise Refused(f"{spec.name} {record_id} is already {state}")
            values = {"archived_at": now if archived else None}
            fields = {"archived_at"} | ({"version"} if "version" in spec.record.model_fields else set())
            saved = self._repo(spec).update(current.model_copy(update=values), fields=fields,
                                            changed_by=self.session.actor_login)
            change.audit_update(spec.table, record_id, current, saved, ("archived_at",))
        return saved

    # -- who may -------------------------------------------------------------------------------------------

    def _guard(self, spec: EntitySpec, record: Record, *, creating: bool, before: Record | None = None) -> None:
        """Refused unless the actor may create or change `record` (and, for a change, had it before)."""
        actor = self.session.actor
        what = f"{spec.name} {record.id}" if record.id else f"a new {spec.name}"
        name = spec.name
        if name == "account":
            if creating or (before is not None and before.owner_id != record.owner_id):
                self._owner_ok(record.owner_id, what, before.owner_id if before else None, creating)
            if not creating and before is None:
                self._account_ok(record, what)
        elif name in ("contact", "account-member", "contract", "location"):
            if record.account_id is not None:
                self._account_ok(self.store.accounts.require(record.account_id), what)
            elif Role(actor.role) is Role.REP and (before is None or before.account_id is not None):
                raise Refused(f"{describe(actor)} cannot change {what}: a rep's contacts belong to their accounts")
        elif name == "lead":
            if creating or (before is not None and before.owner_id != record.owner_id):
                self._owner_ok(record.owner_id, what, before.owner_id if before else None, creating)
            elif not (record.owner_id is None and Role(actor.role) in (Role.MANAGER, Role.ADMIN)):
                check_edit_owned(actor, record.owner_id, self.store, what=what)
        elif name == "opportunity":
            if creating or (before is not None and before.owner_id != record.owner_id):
                self._owner_ok(record.owner_id, what, before.owner_id if before else None, creating)
            else:
                check_edit_owned(actor, record.owner_id, self.store, what=what)
            if record.account_id is not None and (creating or (before and before.account_id != record.account_id)):
                self._account_ok(self.store.accounts.require(record.account_id), f"account {record.account_id}")
        elif name in ("line-item", "deal-competitor", "proposal"):
            opp = self.store.opportunities.require(record.opportunity_id)
            check_edit_owned(actor, opp.owner_id, self.store, what=f"opportunity {opp.id}")
        elif name == "task":
            if creating or (before is not None and before.assignee_id != record.assignee_id):
                self._owner_ok(record.assignee_id, what, before.assignee_id if before else None, creating)
            elif not (Role(actor.role) is Role.REP and record.assignee_id == actor.id):
                check_edit_owned(actor, record.assignee_id, self.store, what=what)
            if creating and record.opportunity_id:
                opp = self.store.opportunities.require(record.opportunity_id)
                check_edit_owned(actor, opp.owner_id, self.store, what=f"opportunity {opp.id}")
        elif name == "interaction":
            if not creating and record.created_by_id == actor.id:
                return
            self._linked_ok(record, what)
        elif name == "product":
            if Role(actor.role) is Role.REP:
                raise Refused(f"{describe(actor)} cannot change the catalogue: managers and admins keep it")
            same = self.store.products.find(sku=record.sku, limit=1)
            if same and same[0].id != record.id:
                raise InvalidFields(f"cannot save {what}", [("sku", f"already the SKU of product {same[0].id} "
                                                                    f"({same[0].name})")])

    def _owner_ok(self, owner_id: int | None, what: str, old_owner_id: int | None, creating: bool) -> None:
        """A rep creates in their own book, a manager in their team's (or their own), an admin anywhere."""
        actor = self.session.actor
        if creating:
            if not can_edit_owned(actor, owner_id, self.store):
                login = self.store.user_logins({owner_id}).get(owner_id, f"user {owner_id}") if owner_id else "nobody"
                if Role(actor.role) is Role.REP:
                    raise Refused(f"{describe(actor)} cannot create {what} for {login}: a rep creates in their own "
                                  "book")
                raise Refused(f"{describe(actor)} cannot create {what} for {login}: {login} does not report to "
                              f"{actor.login}")
            return
        check_assign(actor, old_owner_id, owner_id, self.store, what=what)

    def _account_ok(self, account: Account, what: str) -> None:
        actor = self.session.actor
        if Role(actor.role) is Role.ADMIN or can_edit_owned(actor, account.owner_id, self.store):
            return
        if self.store.team_members.find(account=account.id, user=actor.id):
            return
        if account.owner_id is None and Role(actor.role) is Role.MANAGER:
            return
        check_edit_owned(actor, account.owner_id, self.store, what=f"account {account.id}" if account.id else what)

    def _linked_ok(self, record, what: str) -> None:
        actor = self.session.actor
        if record.opportunity_id:
            opp = self.store.opportunities.require(record.opportunity_id)
            check_edit_owned(actor, opp.owner_id, self.store, what=f"opportunity {opp.id}")
        elif record.lead_id:
            lead = self.store.leads.require(record.lead_id)
            if not (lead.owner_id is None and Role(actor.role) in (Role.MANAGER, Role.ADMIN)):
                check_edit_owned(actor, lead.owner_id, self.store, what=f"lead {lead.id}")
        elif record.account_id:
            self._account_ok(self.store.accounts.require(record.account_id), what)
        elif record.contact_id:
            contact = self.store.contacts.require(record.contact_id)
            if contact.account_id:
                self._account_ok(self.store.accounts.require(contact.account_id), what)

    # -- duplicates ------------------------------------------------------------------------------------------

    def _refuse_duplicate(self, spec: EntitySpec, record: Record) -> None:
        if spec.name == "account":
            matches = account_duplicates(self.store, record)
        elif spec.name == "contact":
            matches = contact_duplicates(self.store, record)
        else:
            return
        if matches:
            raise DuplicateRecord(spec.name, matches)


def _fatal(problems: list, parsed: dict, spec: EntitySpec) -> bool:
    """Problems that leave nothing to build a record from (a reference the builder needs is missing)."""
    keys = {k for k, _ in problems}
    return bool(keys & {"opportunity", "product"}) and spec.name in ("proposal", "line-item", "deal-competitor")


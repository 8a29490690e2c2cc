"""Every entity a person can create and change by hand, and its fields as typed (`pantry add ENTITY
--field value`, `pantry set ENTITY ID --field value`, later the TUI's forms).

A field's key is what the user types (`expected_close`, shown as `--expected-close`); `field` is the
record's field it sets ('' when the editor composes it, as a lead's name from first and last name).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain import records as r
from domain.enums import (
    AccountSize,
    AccountStatus,
    AccountTier,
    ActivityKind,
    BuyingRole,
    ContractStatus,
    ForecastCategory,
    Industry,
    LeadStatus,
    Outcome,
    Pricing,
    Priority,
    ProposalStatus,
    TaskStatus,
    TeamRole,
)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    field: str
    kind: str = "text"  # text money date int id decimal share bool choice list user ref
    help: str = ""
    enum: type[Enum] | None = None
    ref: str = ""  # the entity a `ref` field names by id
    exclude: tuple[str, ...] = ()  # enum values not offered
    create_only: bool = False  # cannot be changed by `set`

    @property
    def option(self) -> str:
        return "--" + self.key.replace("_", "-")

    @property
    def label(self) -> str:
        """As a form names it: `expected_close` -> "Expected close"."""
        return self.key.replace("_", " ").capitalize()

    @property
    def metavar(self) -> str:
        return {"money": "AMOUNT", "date": "YYYY-MM-DD", "int": "N", "id": "ID", "decimal": "NUMBER",
                "share": "PERCENT", "bool": "yes|no", "user": "LOGIN", "ref": "ID", "list": "A,B,…"}.get(
            self.kind, "TEXT")


@dataclass(frozen=True)
class EntitySpec:
    name: str  # as typed: `pantry add opportunity`
    table: str  # the audit log's table name
    repo: str  # the store's repository attribute
    record: type[r.Record]
    kinds: frozenset[str]  # what a change announces
    fields: tuple[FieldSpec, ...]
    required: tuple[str, ...]  # keys a create needs
    archivable: bool = False
    help: str = ""

    def spec(self, key: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.key == key), None)

    def key_of(self, record_field: str) -> str:
        """The key a record field is typed as (`value_cents` -> `value`), for naming pydantic's errors."""
        for f in self.fields:
            if f.field == record_field:
                return f.key
        return record_field.removesuffix("_id") if record_field.endswith("_id") else record_field


def _f(key, field=None, kind="text", **kw) -> FieldSpec:
    return FieldSpec(key, key if field is None else field, kind, **kw)


_ADDRESS = (_f("street", "hq_street"), _f("city", "hq_city"), _f("region", "hq_region"),
            _f("postal_code", "hq_postal_code"), _f("country", "hq_country"))

ENTITIES: dict[str, EntitySpec] = {e.name: e for e in (
    EntitySpec("account", "account", "accounts", r.Account, frozenset({"account"}), (
        _f("name"), _f("industry", kind="choice", enum=Industry), _f("size", kind="choice", enum=AccountSize),
        _f("tier", kind="choice", enum=AccountTier), _f("status", kind="choice", enum=AccountStatus),
        _f("parent", "parent_id", "ref", ref="account", help="the parent account's id"),
        _f("owner", "owner_id", "user", help="default: you"), _f("domain", help="web domain, e.g. example.com"),
        _f("phone"), _f("revenue", "annual_revenue_cents", "money", help="annual revenue"), *_ADDRESS,
        _f("renewal", "renewal_date", "date"),
    ), ("name",), archivable=True, help="a customer or prospect"),
    EntitySpec("contact", "contact", "contacts", r.Contact, frozenset({"contact"}), (
        _f("account", "account_id", "ref", ref="account"), _f("first_name"), _f("last_name"), _f("title"),
        _f("email"), _f("phone"), _f("buying_role", kind="choice", enum=BuyingRole),
        _f("reports_to", "reports_to_id", "ref", ref="contact", help="the id of the contact they report to"),
    ), ("account", "first_name", "last_name"), archivable=True, help="a person at an account"),
    EntitySpec("lead", "lead", "leads", r.Lead, frozenset({"lead"}), (
        _f("company"), _f("first_name", ""), _f("last_name", ""), _f("title"), _f("email"), _f("phone"),
        _f("source"), _f("score", kind="int", help="0-100"),
        _f("status", kind="choice", enum=LeadStatus, exclude=("converted",)),
        _f("owner", "owner_id", "user", help="default: you"), _f("notes"),
    ), ("company", "first_name", "last_name"), archivable=True, help="someone who may buy"),
    EntitySpec("opportunity", "opportunity", "opportunities", r.Opportunity, frozenset({"opportunity"}), (
        _f("account", "account_id", "ref", ref="account"), _f("name"), _f("value", "value_cents", "money"),
        _f("expected_close", "expected_close_date", "date"),
        _f("contact", "contact_id", "ref", ref="contact"), _f("owner", "owner_id", "user", help="default: you"),
        _f("source"), _f("budget", "budget_cents", "money"), _f("next_step"), _f("description"),
        _f("probability", kind="int", help="0-100: overrides the stage's"),
        _f("forecast_category", kind="choice", enum=ForecastCategory),
        _f("started", "started_on", "date", help="default: today", create_only=True),
    ), ("account", "name", "value", "expected_close"), archivable=True,
        help="a deal (it starts in the pipeline's first stage; `pantry move` changes the stage)"),
    EntitySpec("product", "product", "products", r.Product, frozenset({"product"}), (
        _f("name"), _f("sku", help="your code for it, unique"), _f("category"), _f("unit", help="default: each"),
        _f("list_price", "list_price_cents", "money"), _f("active", kind="bool", help="default: yes"),
        _f("description"),
    ), ("name", "sku", "category", "list_price"),
        help="a product of the catalogue (managers and admins keep it; a product no longer sold is made inactive)"),
    EntitySpec("line-item", "line_item", "line_items", r.LineItem, frozenset({"line_item", "opportunity"}), (
        _f("opportunity", "opportunity_id", "ref", ref="opportunity", create_only=True),
        _f("product", "product_id", "text", help="the product's id or SKU", create_only=True),
        _f("quantity", kind="decimal", help="default 1"),
        _f("unit_price", "unit_price_cents", "money", help="default: the product's list price"),
        _f("discount", "discount_pct", "decimal", help="percent, 0-100"), _f("name", help="default: the product's"),
    ), ("opportunity", "product"), help="a product on a deal (the deal's value becomes the sum of its lines)"),
    EntitySpec("deal-competitor", "opportunity_competitor", "opportunity_competitors", r.OpportunityCompetitor,
               frozenset({"opportunity"}), (
        _f("opportunity", "opportunity_id", "ref", ref="opportunity", create_only=True),
        _f("competitor", "competitor_id", "ref", ref="competitor", create_only=True), _f("notes"),
    ), ("opportunity", "competitor"), help="a competitor met on a deal"),
    EntitySpec("proposal", "proposal", "proposals", r.Proposal, frozenset({"proposal"}), (
        _f("opportunity", "opportunity_id", "ref", ref="opportunity", create_only=True), _f("title"),
        _f("amount", "amount_cents", "money", help="default: the deal's value"),
        _f("valid_until", kind="date"), _f("notes"),
        _f("status", kind="choice", enum=ProposalStatus,
           help="draft -> sent -> accepted/rejected/expired, or withdrawn"),
    ), ("opportunity", "title"), archivable=True, help="a proposal for a deal"),
    EntitySpec("task", "task", "tasks", r.Task, frozenset({"task"}), (
        _f("title"), _f("due", "due_on", "date", help="default: today"), _f("priority", kind="choice", enum=Priority),
        _f("assignee", "assignee_id", "user", help="default: you"), _f("description"),
        _f("status", kind="choice", enum=TaskStatus),
        _f("opportunity", "opportunity_id", "ref", ref="opportunity"), _f("account", "account_id", "ref", ref="account"),
        _f("contact", "contact_id", "ref", ref="contact"), _f("lead", "lead_id", "ref", ref="lead"),
    ), ("title",), archivable=True, help="something to do, optionally on a record"),
    EntitySpec("competitor", "competitor", "competitors", r.Competitor, frozenset({"competitor"}), (
        _f("name"), _f("strengths", kind="list"), _f("weaknesses", kind="list"),
        _f("pricing", kind="choice", enum=Pricing), _f("market_share", kind="share", help="percent, 0-100"),
        _f("website"),
    ), ("name",), archivable=True, help="a rival supplier"),
    EntitySpec("battlecard", "battlecard", "battlecards", r.Battlecard, frozenset({"competitor"}), (
        _f("competitor", "competitor_id", "ref", ref="competitor", create_only=True), _f("title"), _f("body"),
    ), ("competitor", "title"), help="how to win against a competitor"),
    EntitySpec("interaction", "activity", "activities", r.Activity, frozenset({"activity"}), (
        _f("kind", kind="choice", enum=ActivityKind, exclude=("stage_change",)), _f("subject"), _f("description"),
        _f("outcome", kind="choice", enum=Outcome), _f("next_steps"),
        _f("duration", "duration_minutes", "int", help="minutes"), _f("location"),
        _f("opportunity", "opportunity_id", "ref", ref="opportunity", create_only=True),
        _f("account", "account_id", "ref", ref="account", create_only=True),
        _f("contact", "contact_id", "ref", ref="contact", create_only=True),
        _f("lead", "lead_id", "ref", ref="lead", create_only=True),
        _f("on", "", "date", help="the day it happened (default: today)", create_only=True),
    ), ("kind", "subject"), archivable=True, help="a call, meeting, e-mail… on a deal, account, contact or lead"),
    EntitySpec("account-member", "account_team_member", "team_members", r.AccountTeamMember,
               frozenset({"account"}), (
        _f("account", "account_id", "ref", ref="account", create_only=True),
        _f("user", "user_id", "user", create_only=True), _f("role", kind="choice", enum=TeamRole),
        _f("primary", "is_primary", "bool"), _f("start", "start_date", "date", help="default: today"),
        _f("end", "end_date", "date"),
    ), ("account", "user", "role"), help="a user on an account's team"),
    EntitySpec("contract", "contract", "contracts", r.Contract, frozenset({"account"}), (
        _f("account", "account_id", "ref", ref="account", create_only=True), _f("number"),
        _f("value", "value_cents", "money"), _f("start", "start_date", "date", help="default: today"),
        _f("end", "end_date", "date"), _f("status", kind="choice", enum=ContractStatus),
        _f("auto_renew", kind="bool"),
    ), ("account", "value", "end"), help="a contract with an account"),
    EntitySpec("location", "account_location", "locations", r.AccountLocation, frozenset({"account"}), (
        _f("account", "account_id", "ref", ref="account", create_only=True), _f("name"),
        _f("street"), _f("city"), _f("region"), _f("postal_code"), _f("country"), _f("phone"),
    ), ("account", "name"), help="one of an account's sites"),
)}

ARCHIVABLE = tuple(name for name, spec in ENTITIES.items() if spec.archivable)

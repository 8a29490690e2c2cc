"""What `pantry list ENTITY` knows about each entity: its filter options, rows and table columns."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, fields
from typing import Any, Callable

from cli.context import UsageError
from cli.options import dollars, iso_date, percent, record_id
from cli.output import Column, col, money
from domain.enums import (
    AccountStatus,
    AccountTier,
    Industry,
    LeadStatus,
    ProposalStatus,
    Role,
    TaskStatus,
)
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
from domain.money import apply_percent
from domain.session import Session
from domain.views import (
    AccountItem,
    ContactItem,
    LeadItem,
    OpportunityItem,
    ProductItem,
    ProposalItem,
    TaskItem,
    UserItem,
)

Row = dict[str, Any]


@dataclass(frozen=True)
class Entity:
    name: str
    help: str
    filter_cls: type
    fetch: Callable[..., Any]  # (session, flt, offset, limit) -> Page
    keys: tuple[str, ...]  # JSON keys == CSV columns, in order
    to_row: Callable[[Any, Session], Row]
    columns: tuple[Column, ...]  # the table's subset
    add_filters: Callable[[argparse.ArgumentParser], None]
    filter_values: Callable[[argparse.Namespace, Session], dict[str, Any]]
    option_names: dict[str, str] = field(default_factory=dict)  # filter field -> option, for messages
    sort_hint: str = ""


def _values(enum) -> list[str]:
    return [member.value for member in enum]


def view_keys(view_cls: type) -> tuple[str, ...]:
    """A view's field names, money fields (`*_cents`) renamed without the suffix."""
    return tuple(f.name[: -len("_cents")] if f.name.endswith("_cents") else f.name for f in fields(view_cls))


def view_row(item: Any, _session: Session | None = None) -> Row:
    row: Row = {}
    for f in fields(item):
        value = getattr(item, f.name)
        if f.name.endswith("_cents"):
            row[f.name[: -len("_cents")]] = money(value)
        else:
            row[f.name] = value
    return row


def _percent(key: str) -> Callable[[Row], Any]:
    return lambda row: None if row.get(key) is None else f"{row[key]}%"


# -- opportunities -------------------------------------------------------------------------

OPPORTUNITY_KEYS = (
    "id", "name", "account_id", "account", "stage", "value", "probability", "weighted_value",
    "owner", "owner_name", "expected_close_date", "actual_close_date", "forecast_category",
    "days_in_stage", "days_idle", "stage_entered_at", "last_activity_at", "version",
)


def opportunity_row(item: OpportunityItem, session: Session) -> Row:
    today = session.clock.today()
    return {
        "id": item.id,
        "name": item.name,
        "account_id": item.account_id,
        "account": item.account,
        "stage": item.stage,
        "value": money(item.value_cents),
        "probability": item.probability,
        "weighted_value": money(apply_percent(item.value_cents, item.probability)),
        "owner": item.owner_login,
        "owner_name": item.owner_name,
        "expected_close_date": item.expected_close_date,
        "actual_close_date": item.actual_close_date,
        "forecast_category": item.forecast_category,
        "days_in_stage": item.days_in_stage(today),
        "days_idle": item.days_idle(today),
        "stage_entered_at": item.stage_entered_at,
        "last_activity_at": item.last_activity_at,
        "version": item.version,
    }


def _opportunity_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--owner", action="append", default=[], metavar="LOGIN", help="owner's login (repeatable)")
    g.add_argument("--team", default="", help="owners' team")
    g.add_argument("--stage", action="append", default=[], metavar="STAGE", help="pipeline stage id (repeatable)")
    g.add_argument("--status", choices=("open", "won", "lost", "closed", "any"), default="any", help="default: any")
    g.add_argument("--min-value", type=dollars, metavar="DOLLARS", help="value at least this many dollars")
    g.add_argument("--max-value", type=dollars, metavar="DOLLARS", help="value at most this many dollars")
    g.add_argument("--close-from", type=iso_date, metavar="YYYY-MM-DD", help="expected close on or after")
    g.add_argument("--close-to", type=iso_date, metavar="YYYY-MM-DD", help="expected close on or before")
    g.add_argument("--account-id", type=record_id, metavar="ID", help="only this account's deals")
    g.add_argument("--closed", metavar="PERIOD", default=None,
                   help="closed (won or lost, with --status) in this period, by actual close date: today, this-week, "
                   "last-week, this-month, last-month, this-quarter, last-quarter, YYYY-MM, YYYY-Qn, YYYY-MM-DD")


def _opportunity_values(args: argparse.Namespace, session: Session) -> dict[str, Any]:
    pipeline = session.pipeline
    unknown = [s for s in args.stage if not pipeline.has(s)]
    if unknown:
        choices = ", ".join(s.id for s in pipeline.stages)
        raise UsageError(f"--stage: unknown stage {unknown[0]!r} (choose from {choices})")
    return {
        "owners": tuple(args.owner),
        "team": args.team,
        "stages": tuple(args.stage),
        "status": args.status,
        "min_value_cents": args.min_value,
        "max_value_cents": args.max_value,
        "close_from": args.close_from,
        "close_to": args.close_to,
        "account_id": args.account_id,
        **_closed(args, session),
    }


def _closed(args: argparse.Namespace, session: Session) -> dict[str, Any]:
    if args.closed is None:
        return {}
    from domain.periods import named_period

    try:
        start, end = named_period(args.closed, session.clock.today())
    except ValueError as error:
        raise UsageError(f"--closed: {error}") from None
    return {"closed_from": start, "closed_to": end, "status": "closed" if args.status == "any" else args.status}


OPPORTUNITIES = Entity(
    name="opportunities",
    help="deals in the pipeline",
    filter_cls=OpportunityFilter,
    fetch=lambda s, f, o, n: s.opportunities(f, o, n),
    keys=OPPORTUNITY_KEYS,
    to_row=opportunity_row,
    columns=(
        col("ID", "id", numeric=True),
        col("Name", "name"),
        col("Account", "account"),
        col("Stage", "stage"),
        col("Value", "value", numeric=True),
        Column("Prob", _percent("probability"), numeric=True),
        col("Owner", "owner"),
        col("Close", "expected_close_date"),
        col("Days", "days_in_stage", numeric=True),
    ),
    add_filters=_opportunity_filters,
    filter_values=_opportunity_values,
    option_names={
        "owners": "--owner", "stages": "--stage", "min_value_cents": "--min-value",
        "max_value_cents": "--max-value", "close_from": "--close-from", "close_to": "--close-to",
        "account_id": "--account-id",
    },
    sort_hint="id, name, account, stage, value, probability, owner, close, days_in_stage, last_activity",
)


# -- leads ---------------------------------------------------------------------------------


def _lead_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--status", action="append", default=[], choices=_values(LeadStatus), help="repeatable")
    g.add_argument("--source", action="append", default=[], help="lead source name (repeatable)")
    g.add_argument("--owner", action="append", default=[], metavar="LOGIN", help="owner's login (repeatable)")
    g.add_argument("--unassigned", action="store_true", help="only leads with no owner")
    g.add_argument(
        "--flagged", action=argparse.BooleanOptionalAction, default=None,
        help="only flagged (--flagged) or unflagged (--no-flagged) leads",
    )


LEADS = Entity(
    name="leads",
    help="inbound leads",
    filter_cls=LeadFilter,
    fetch=lambda s, f, o, n: s.leads(f, o, n),
    keys=view_keys(LeadItem),
    to_row=view_row,
    columns=(
        col("ID", "id", numeric=True),
        col("Name", "name"),
        col("Company", "company"),
        col("Source", "source"),
        col("Status", "status"),
        col("Score", "score", numeric=True),
        col("Owner", "owner_login"),
        Column("Flag", lambda r: "flagged" if r.get("flagged") else ""),
        Column("Created", lambda r: r["created_at"].date() if r.get("created_at") else None),
    ),
    add_filters=_lead_filters,
    filter_values=lambda a, s: {
        "statuses": tuple(a.status), "sources": tuple(a.source), "owners": tuple(a.owner),
        "unassigned": a.unassigned, "flagged": a.flagged,
    },
    option_names={"statuses": "--status", "sources": "--source", "owners": "--owner"},
    sort_hint="id, name, company, source, status, score, owner, created",
)


# -- accounts ------------------------------------------------------------------------------


def _account_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--tier", action="append", default=[], choices=_values(AccountTier), help="repeatable")
    g.add_argument("--status", action="append", default=[], choices=_values(AccountStatus), help="repeatable")
    g.add_argument("--owner", action="append", default=[], metavar="LOGIN", help="owner's login (repeatable)")
    g.add_argument("--industry", default="", choices=_values(Industry), metavar="INDUSTRY",
                   help=f"one of {', '.join(_values(Industry))}")
    g.add_argument("--min-health", type=percent, metavar="0-100", help="health score at least")
    g.add_argument("--max-health", type=percent, metavar="0-100", help="health score at most")


ACCOUNTS = Entity(
    name="accounts",
    help="customer and prospect accounts",
    filter_cls=AccountFilter,
    fetch=lambda s, f, o, n: s.accounts(f, o, n),
    keys=view_keys(AccountItem),
    to_row=view_row,
    columns=(
        col("ID", "id", numeric=True),
        col("Name", "name"),
        col("Industry", "industry"),
        col("Tier", "tier"),
        col("Status", "status"),
        col("Owner", "owner_login"),
        col("City", "hq_city"),
        col("Health", "health_score", numeric=True),
        col("Open value", "open_value", numeric=True),
        col("Renewal", "renewal_date"),
    ),
    add_filters=_account_filters,
    filter_values=lambda a, s: {
        "tiers": tuple(a.tier), "statuses": tuple(a.status), "owners": tuple(a.owner),
        "industry": a.industry, "min_health": a.min_health, "max_health": a.max_health,
    },
    option_names={"tiers": "--tier", "statuses": "--status", "owners": "--owner"},
    sort_hint="id, name, industry, tier, status, owner, revenue, health, renewal, open_value",
)


# -- contacts ------------------------------------------------------------------------------


def _contact_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--account-id", type=record_id, metavar="ID", help="only this account's contacts")


CONTACTS = Entity(
    name="contacts",
    help="people at accounts",
    filter_cls=ContactFilter,
    fetch=lambda s, f, o, n: s.contacts(f, o, n),
    keys=view_keys(ContactItem),
    to_row=view_row,
    columns=(
        col("ID", "id", numeric=True),
        col("Name", "name"),
        col("Title", "title"),
        col("Account", "account"),
        col("Email", "email"),
        col("Phone", "phone"),
        col("Role", "buying_role"),
    ),
    add_filters=_contact_filters,
    filter_values=lambda a, s: {"account_id": a.account_id},
    sort_hint="id, name, title, account, email, buying_role",
)


# -- proposals -----------------------------------------------------------------------------


def _proposal_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--status", action="append", default=[], choices=_values(ProposalStatus), help="repeatable")
    g.add_argument("--owner", action="append", default=[], metavar="LOGIN", help="deal owner's login (repeatable)")


PROPOSALS = Entity(
    name="proposals",
    help="proposals sent on deals",
    filter_cls=ProposalFilter,
    fetch=lambda s, f, o, n: s.proposals(f, o, n),
    keys=view_keys(ProposalItem),
    to_row=view_row,
    columns=(
        col("ID", "id", numeric=True),
        col("Number", "number"),
        col("Title", "title"),
        col("Account", "account"),
        col("Owner", "owner_login"),
        col("Amount", "amount", numeric=True),
        col("Status", "status"),
        col("Valid until", "valid_until"),
    ),
    add_filters=_proposal_filters,
    filter_values=lambda a, s: {"statuses": tuple(a.status), "owners": tuple(a.owner)},
    option_names={"statuses": "--status", "owners": "--owner"},
    sort_hint="id, number, amount, status, sent, valid_until, account, owner",
)


# -- tasks ---------------------------------------------------------------------------------


def _task_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--assignee", action="append", default=[], metavar="LOGIN", help="assignee's login (repeatable)")
    g.add_argument("--status", action="append", default=[], choices=_values(TaskStatus), help="repeatable")
    g.add_argument("--due-before", type=iso_date, metavar="YYYY-MM-DD", help="due on or before")


TASKS = Entity(
    name="tasks",
    help="follow-up tasks",
    filter_cls=TaskFilter,
    fetch=lambda s, f, o, n: s.tasks(f, o, n),
    keys=view_keys(TaskItem),
    to_row=view_row,
    columns=(
        col("ID", "id", numeric=True),
        col("Due", "due_on"),
        col("Priority", "priority"),
        col("Status", "status"),
        col("Assignee", "assignee_login"),
        col("Title", "title"),
        col("Related", "related"),
    ),
    add_filters=_task_filters,
    filter_values=lambda a, s: {
        "assignees": tuple(a.assignee), "statuses": tuple(a.status), "due_before": a.due_before,
    },
    option_names={"assignees": "--assignee", "statuses": "--status"},
    sort_hint="id, title, due, priority, status, assignee",
)


# -- users ---------------------------------------------------------------------------------


def _user_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--role", action="append", default=[], choices=_values(Role), help="repeatable")
    g.add_argument(
        "--active", action=argparse.BooleanOptionalAction, default=None,
        help="only active (--active) or inactive (--no-active) users",
    )


USERS = Entity(
    name="users",
    help="sales reps, managers and admins",
    filter_cls=UserFilter,
    fetch=lambda s, f, o, n: s.users(f, o, n),
    keys=view_keys(UserItem),
    to_row=view_row,
    columns=(
        col("ID", "id", numeric=True),
        col("Login", "login"),
        col("Name", "display_name"),
        col("Role", "role"),
        col("Team", "team"),
        col("Region", "region"),
        col("Manager", "manager_login"),
        Column("Active", lambda r: "yes" if r.get("active") else "no"),
    ),
    add_filters=_user_filters,
    filter_values=lambda a, s: {"roles": tuple(a.role), "active": a.active},
    option_names={"roles": "--role"},
    sort_hint="id, login, name, role, team",
)


# -- products ------------------------------------------------------------------------------


def _product_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--category", default="", help="product category")


PRODUCTS = Entity(
    name="products",
    help="the product catalogue",
    filter_cls=ProductFilter,
    fetch=lambda s, f, o, n: s.products(f, o, n),
    keys=view_keys(ProductItem),
    to_row=view_row,
    columns=(
        col("ID", "id", numeric=True),
        col("SKU", "sku"),
        col("Name", "name"),
        col("Category", "category"),
        col("Unit", "unit"),
        col("List price", "list_price", numeric=True),
        Column("Active", lambda r: "yes" if r.get("active") else "no"),
    ),
    add_filters=_product_filters,
    filter_values=lambda a, s: {"category": a.category},
    sort_hint="id, sku, name, category, price",
)


ENTITIES: tuple[Entity, ...] = (ACCOUNTS, CONTACTS, LEADS, OPPORTUNITIES, PRODUCTS, PROPOSALS, TASKS, USERS)

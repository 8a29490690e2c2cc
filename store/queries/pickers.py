"""What a form's picker offers as you type: records of one kind whose name contains the text.

Each query reads at most `limit` rows in name order (the name columns are indexed), leaves archived
records out, and sees only what `logins` may see (None: everyone). A value is what the record editor
takes for the field: an id, or a user's login.
"""

from __future__ import annotations

from peewee import JOIN, fn

from domain.money import format_money
from domain.views import PickerOption
from store.models import (
    AccountRow,
    CompetitorRow,
    ContactRow,
    LeadRow,
    OpportunityRow,
    ProductRow,
    UserRow,
)
from store.queries.common import any_contains, restrict, visible_accounts


def _where_text(query, text: str, *fields):
    return query.where(any_contains(text, *fields)) if text else query


def accounts(text: str, limit: int, logins):
    query = AccountRow.select(AccountRow.id, AccountRow.name, AccountRow.hq_city, AccountRow.tier)
    if logins is not None:
        query = query.where(AccountRow.id.in_(visible_accounts(logins)))
    query = _where_text(query.where(AccountRow.archived_at.is_null()), text, AccountRow.name)
    return [PickerOption(str(i), name, " · ".join(p for p in (city, tier) if p))
            for i, name, city, tier in query.order_by(AccountRow.name, AccountRow.id).limit(limit).tuples()]


def contacts(text: str, limit: int, logins):
    full = ContactRow.first_name.concat(" ").concat(ContactRow.last_name)
    query = (ContactRow.select(ContactRow.id, ContactRow.first_name, ContactRow.last_name, ContactRow.title,
                               fn.COALESCE(AccountRow.name, ""))
             .join(AccountRow, JOIN.LEFT_OUTER, on=(ContactRow.account == AccountRow.id))
             .where(ContactRow.archived_at.is_null()))
    if logins is not None:
        query = query.where(ContactRow.account.in_(visible_accounts(logins)))
    query = _where_text(query, text, full, ContactRow.email)
    rows = query.order_by(ContactRow.last_name, ContactRow.first_name, ContactRow.id).limit(limit).tuples()
    return [PickerOption(str(i), f"{first} {last}".strip(), " · ".join(p for p in (account, title) if p))
            for i, first, last, title, account in rows]


def opportunities(text: str, limit: int, logins):
    query = (OpportunityRow.select(OpportunityRow.id, OpportunityRow.name, fn.COALESCE(AccountRow.name, ""),
                                   OpportunityRow.stage)
             .join(AccountRow, JOIN.LEFT_OUTER, on=(OpportunityRow.account == AccountRow.id))
             .where(OpportunityRow.archived_at.is_null()))
    query = _where_text(restrict(query, OpportunityRow.owner, logins), text, OpportunityRow.name)
    rows = query.order_by(OpportunityRow.name, OpportunityRow.id).limit(limit).tuples()
    return [PickerOption(str(i), name, " · ".join(p for p in (account, stage) if p)) for i, name, account, stage in rows]


def leads(text: str, limit: int, logins):
    query = LeadRow.select(LeadRow.id, LeadRow.name, LeadRow.company).where(LeadRow.archived_at.is_null())
    if logins is not None:
        query = query.where(LeadRow.owner.is_null() | LeadRow.owner.in_(
            UserRow.select(UserRow.id).where(UserRow.login.in_(list(logins)))))
    query = _where_text(query, text, LeadRow.name, LeadRow.company)
    return [PickerOption(str(i), name, company) for i, name, company in
            query.order_by(LeadRow.name, LeadRow.id).limit(limit).tuples()]


def competitors(text: str, limit: int, logins):
    query = _where_text(CompetitorRow.select(CompetitorRow.id, CompetitorRow.name, CompetitorRow.pricing)
                        .where(CompetitorRow.archived_at.is_null()), text, CompetitorRow.name)
    return [PickerOption(str(i), name, f"pricing: {pricing}") for i, name, pricing in
            query.order_by(CompetitorRow.name).limit(limit).tuples()]


def products(text: str, limit: int, logins):
    query = _where_text(ProductRow.select(ProductRow.id, ProductRow.name, ProductRow.sku, ProductRow.list_price_cents)
                        .where(ProductRow.active == True), text, ProductRow.name, ProductRow.sku)  # noqa: E712
    return [PickerOption(str(i), name, f"{sku} · {format_money(cents)}") for i, name, sku, cents in
            query.order_by(ProductRow.name, ProductRow.id).limit(limit).tuples()]


def users(text: str, limit: int, logins):
    query = UserRow.select(UserRow.login, UserRow.display_name, UserRow.role, UserRow.team).where(UserRow.active == True)  # noqa: E712
    if logins is not None:
        query = query.where(UserRow.login.in_(list(logins)))
    query = _where_text(query, text, UserRow.login, UserRow.display_name)
    return [PickerOption(login, f"{name} ({login})", " · ".join(p for p in (role, team) if p))
            for login, name, role, team in query.order_by(UserRow.display_name, UserRow.login).limit(limit).tuples()]


PICKERS = {"account": accounts, "contact": contacts, "opportunity": opportunities, "lead": leads,
           "competitor": competitors, "product": products, "user": users}


def candidates(kind: str, text: str, limit: int, logins) -> list[PickerOption]:
    return PICKERS[kind](text.strip(), limit, logins)

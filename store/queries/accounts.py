"""Account and contact lists, and account name search."""

from __future__ import annotations

from peewee import JOIN, SQL, fn

from domain.filters import AccountFilter, ContactFilter
from domain.pipeline import PipelineConfig
from domain.views import AccountItem, ContactItem
from store.models import AccountRow, ContactRow, OpportunityRow, UserRow
from store.queries.common import Page, any_contains, owned_by, page_of, visible_accounts

Owner = UserRow.alias("account_owner")
Parent = AccountRow.alias("parent")
Boss = ContactRow.alias("boss")


def _open_value(pipeline: PipelineConfig, visible_owners: tuple[str, ...] | None):
    """The open value of the account's deals this list's reader may see (a rep: their own deals on it)."""
    condition = (
        (OpportunityRow.account == AccountRow.id)
        & OpportunityRow.stage.in_([s.id for s in pipeline.open_stages])
    )
    seen = owned_by(OpportunityRow.owner, visible_owners)
    if seen is not None:
        condition &= seen
    return OpportunityRow.select(fn.COALESCE(fn.SUM(OpportunityRow.value_cents), 0)).where(condition)


def _where(query, flt: AccountFilter):
    if flt.visible_owners is not None:
        query = query.where(AccountRow.id.in_(visible_accounts(flt.visible_owners)))
    if not flt.archived:
        query = query.where(AccountRow.archived_at.is_null())
    if flt.tiers:
        query = query.where(AccountRow.tier.in_([t.value for t in flt.tiers]))
    if flt.statuses:
        query = query.where(AccountRow.status.in_([s.value for s in flt.statuses]))
    if flt.owners:
        query = query.where(Owner.login.in_(flt.owners))
    if flt.industry:
        query = query.where(AccountRow.industry == flt.industry)
    if flt.min_health is not None:
        query = query.where(AccountRow.health_score >= flt.min_health)
    if flt.max_health is not None:
        query = query.where(AccountRow.health_score <= flt.max_health)
    if flt.text:
        query = query.where(any_contains(flt.text, AccountRow.name, AccountRow.hq_city))
    return query


def _joined(columns):
    return (
        AccountRow.select(*columns)
        .join(Owner, JOIN.LEFT_OUTER, on=(AccountRow.owner == Owner.id))
        .switch(AccountRow)
        .join(Parent, JOIN.LEFT_OUTER, on=(AccountRow.parent == Parent.id))
    )


def count(flt: AccountFilter) -> int:
    return _where(_joined([fn.COUNT(AccountRow.id)]), flt).scalar() or 0


def page(flt: AccountFilter, pipeline: PipelineConfig, offset: int, limit: int) -> Page[AccountItem]:
    open_value = _open_value(pipeline, flt.visible_owners)
    columns = {
        "id": AccountRow.id, "name": AccountRow.name, "industry": AccountRow.industry,
        "tier": AccountRow.tier, "status": AccountRow.status, "owner": Owner.login,
        "revenue": AccountRow.annual_revenue_cents, "health": AccountRow.health_score,
        "renewal": AccountRow.renewal_date, "open_value": SQL("open_value"),  # the selected alias: a subquery has no .asc()
    }
    query = _where(
        _joined([
            AccountRow,
            fn.COALESCE(Owner.login, "").alias("owner_login"),
            fn.COALESCE(Parent.name, "").alias("parent_name"),
            open_value.alias("open_value"),
        ]),
        flt,
    )
    return page_of(query, flt, offset, limit, columns=columns, default="name", tiebreak=AccountRow.id,
                   item=_account_item, total=lambda: count(flt))


def _account_item(r: dict) -> AccountItem:
    return AccountItem(
        id=r["id"], name=r["name"], industry=r["industry"], size=r["size"], status=r["status"],
        tier=r["tier"], owner_login=r["owner_login"], parent=r["parent_name"], hq_city=r["hq_city"],
        hq_region=r["hq_region"], annual_revenue_cents=r["annual_revenue_cents"],
        health_score=r["health_score"], open_value_cents=int(r["open_value"] or 0),
        renewal_date=r["renewal_date"], last_activity_at=r["last_activity_at"],
    )


def search(text: str, limit: int, logins: tuple[str, ...] | None = None) -> list[tuple[int, str, str, str]]:
    """(id, name, city, tier) of accounts whose name contains `text`."""
    query = AccountRow.select(AccountRow.id, AccountRow.name, AccountRow.hq_city, AccountRow.tier)
    if logins is not None:
        query = query.where(AccountRow.id.in_(visible_accounts(logins)))
    query = (
        query.where(AccountRow.name.contains(text) & AccountRow.archived_at.is_null())
        .order_by(AccountRow.name)
        .limit(limit)
    )
    return list(query.tuples())


def _contact_where(query, flt: ContactFilter):
    if flt.visible_owners is not None:
        query = query.where(ContactRow.account.in_(visible_accounts(flt.visible_owners)))
    if not flt.archived:
        query = query.where(ContactRow.archived_at.is_null())
    if flt.account_id is not None:
        query = query.where(ContactRow.account == flt.account_id)
    if flt.text:
        query = query.where(
            any_contains(flt.text, ContactRow.first_name, ContactRow.last_name, ContactRow.email, AccountRow.name)
        )
    return query


def _contacts_joined(columns):
    return (
        ContactRow.select(*columns)
        .join(AccountRow, JOIN.LEFT_OUTER, on=(ContactRow.account == AccountRow.id))
        .switch(ContactRow)
        .join(Boss, JOIN.LEFT_OUTER, on=(ContactRow.reports_to == Boss.id))
    )


def contact_count(flt: ContactFilter) -> int:
    return _contact_where(_contacts_joined([fn.COUNT(ContactRow.id)]), flt).scalar() or 0


def contact_page(flt: ContactFilter, offset: int, limit: int) -> Page[ContactItem]:
    columns = {
        "id": ContactRow.id, "name": (ContactRow.last_name, ContactRow.first_name), "title": ContactRow.title,
        "account": AccountRow.name, "email": ContactRow.email, "buying_role": ContactRow.buying_role,
    }
    query = _contact_where(
        _contacts_joined([
            ContactRow,
            fn.COALESCE(AccountRow.name, "").alias("account_name"),
            Boss.first_name.alias("boss_first"),
            Boss.last_name.alias("boss_last"),
        ]),
        flt,
    )
    return page_of(query, flt, offset, limit, columns=columns, default="name", tiebreak=ContactRow.id,
                   item=_contact_item, total=lambda: contact_count(flt))


def _contact_item(r: dict) -> ContactItem:
    return ContactItem(
        id=r["id"], name=f"{r['first_name']} {r['last_name']}".strip(), title=r["title"],
        account_id=r["account"], account=r["account_name"], email=r["email"], phone=r["phone"],
        buying_role=r["buying_role"],
        reports_to=f"{r['boss_first'] or ''} {r['boss_last'] or ''}".strip(),
    )

"""User and product lists."""

from __future__ import annotations

from peewee import JOIN, fn

from domain.filters import ProductFilter, UserFilter
from domain.views import ProductItem, UserItem
from store.models import ProductRow, UserRow
from store.queries.common import Page, any_contains, order_by

Manager = UserRow.alias("mgr")


def user_page(flt: UserFilter, offset: int, limit: int) -> Page[UserItem]:
    query = UserRow.select(UserRow, fn.COALESCE(Manager.login, "").alias("manager_login")).join(
        Manager, JOIN.LEFT_OUTER, on=(UserRow.manager == Manager.id)
    )
    if flt.roles:
        query = query.where(UserRow.role.in_(flt.roles))
    if flt.active is not None:
        query = query.where(UserRow.active == flt.active)
    if flt.text:
        query = query.where(any_contains(flt.text, UserRow.login, UserRow.display_name))
    columns = {"id": UserRow.id, "login": UserRow.login, "name": UserRow.display_name, "role": UserRow.role, "team": UserRow.team}
    total = query.count()
    query = order_by(query, columns, flt.sort, flt.descending, "login", UserRow.id)
    items = [
        UserItem(
            id=r["id"], login=r["login"], display_name=r["display_name"], email=r["email"], role=r["role"],
            manager_login=r["manager_login"], team=r["team"], region=r["region"], active=r["active"],
        )
        for r in query.offset(offset).limit(limit).dicts()
    ]
    return Page(items=items, offset=offset, total=total)


def product_page(flt: ProductFilter, offset: int, limit: int) -> Page[ProductItem]:
    query = ProductRow.select()
    if flt.category:
        query = query.where(ProductRow.category == flt.category)
    if flt.text:
        query = query.where(any_contains(flt.text, ProductRow.name, ProductRow.sku))
    columns = {"id": ProductRow.id, "sku": ProductRow.sku, "name": ProductRow.name, "category": ProductRow.category, "price": ProductRow.list_price_cents}
    total = query.count()
    query = order_by(query, columns, flt.sort, flt.descending, "name", ProductRow.id)
    items = [
        ProductItem(
            id=r["id"], sku=r["sku"], name=r["name"], category=r["category"], unit=r["unit"],
            list_price_cents=r["list_price_cents"], active=r["active"],
        )
        for r in query.offset(offset).limit(limit).dicts()
    ]
    return Page(items=items, offset=offset, total=total)

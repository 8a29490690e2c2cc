"""User and product lists."""

from __future__ import annotations

from peewee import JOIN, fn

from domain.filters import ProductFilter, UserFilter
from domain.views import ProductItem, UserItem
from store.models import ProductRow, UserRow
from store.queries.common import Page, any_contains, page_of

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
    return page_of(query, flt, offset, limit, columns=columns, default="login", tiebreak=UserRow.id,
                   item=_user_item, total=query.count)


def _user_item(r: dict) -> UserItem:
    return UserItem(
        id=r["id"], login=r["login"], display_name=r["display_name"], email=r["email"], role=r["role"],
        manager_login=r["manager_login"], team=r["team"], region=r["region"], active=r["active"],
    )


def product_page(flt: ProductFilter, offset: int, limit: int) -> Page[ProductItem]:
    query = ProductRow.select()
    if flt.category:
        query = query.where(ProductRow.category == flt.category)
    if flt.text:
        query = query.where(any_contains(flt.text, ProductRow.name, ProductRow.sku))
    columns = {"id": ProductRow.id, "sku": ProductRow.sku, "name": ProductRow.name, "category": ProductRow.category, "price": ProductRow.list_price_cents}
    return page_of(query, flt, offset, limit, columns=columns, default="name", tiebreak=ProductRow.id,
                   item=_product_item, total=query.count)


def _product_item(r: dict) -> ProductItem:
    return ProductItem(
        id=r["id"], sku=r["sku"], name=r["name"], category=r["category"], unit=r["unit"],
        list_price_cents=r["list_price_cents"], active=r["active"],
    )

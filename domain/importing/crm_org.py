"""The org behind a Salesforce export: its users (User.csv) and products (Product2.csv).

Users are matched to Pantry users by e-mail (the `Email` column, else a `Username` that is an
e-mail address) or by login (a `Username` that is a Pantry login), else created: login from the
name (`Wayne Blackwell` -> `wayne.blackwell`, `.2` on a clash), role `manager` when someone in the
file reports to them, else `rep`; `IsActive` false -> inactive; manager = `ManagerId`. Every
Salesforce user id then resolves as an owner (`OwnerId`) without a mapping.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from domain import records as r
from domain.enums import Role
from domain.importing.crm import Columns, Reader, Row
from domain.importing.csvfile import CsvFile
from domain.importing.maven import login_for, product_key, sku_for
from domain.importing.plan import StagedLine, StagedProduct, StagedUser

FALSE = ("false", "0", "no", "n", "f")
USER_FIELDS = frozenset({"display_name", "email", "active", "manager_id"})


def users(reader: Reader, csv_file: CsvFile, columns: Columns, existing_logins: set[str],
          emails: dict[str, str]) -> None:
    """Stage the file's users and make every user id an owner key (reader.users[id] = login).

    `existing_logins`: the logins in the database; `emails`: e-mail (lower case) -> login."""
    plan = reader.plan
    rows: list[tuple[Row, str, str, str | None]] = []  # row, id, display name, e-mail
    for row in reader.rows(csv_file, columns):
        name = row.get("name") or f"{row.get('first')} {row.get('last')}".strip()
        if not name:
            plan.reject(row.source, row.col["name"], "blank: a user needs a name")
            continue
        email = (row.get("email") or (row.get("username") if "@" in row.get("username") else "")).lower() or None
        rows.append((row, row.get("id"), name, email))
    ids = {ext for _row, ext, _name, _email in rows}
    managers = {row.get("manager") for row, *_ in rows if row.get("manager") in ids}
    taken = set(existing_logins)
    login_of: dict[str, str] = {}
    new: list[tuple[Row, str, r.User]] = []
    for row, ext, name, email in rows:
        username = row.get("username").lower()
        found = (emails.get(email) if email else None) or (username if username in existing_logins else None)
        if found is not None:
            login_of[ext] = found
            reader.users[ext] = found
            plan.notes.append(f"{csv_file.name}:{row.source.line}: user {name!r} is Pantry user {found!r} "
                              f"(same {'e-mail' if email and emails.get(email) else 'login'})")
            continue
        base = login_for(name)
        login, n = base, 1
        while login in taken:
            n += 1
            login = f"{base}.{n}"
        taken.add(login)
        login_of[ext] = login
        reader.users[ext] = login
        user = reader.validated(row, r.User, dict(
            login=login, display_name=name, email=email, role=Role.MANAGER if ext in managers else Role.REP,
            active=row.get("active").lower() not in FALSE, created_at=reader.now,
        ), {"display_name": "name", "email": "email", "login": "name", "active": "active"})
        if user is not None:
            new.append((row, ext, user))
    # managers before the people who report to them (the writer links a manager by its login)
    manager_of = {row_ext: row.get("manager") for row, row_ext, _n, _e in rows}
    depth: dict[str, int] = {}

    def level(ext: str, seen: frozenset = frozenset()) -> int:
        if ext not in depth:
            manager = manager_of.get(ext)
            depth[ext] = 0 if manager not in ids or manager in seen or manager == ext else 1 + level(manager, seen | {ext})
        return depth[ext]

    for row, ext, user in sorted(new, key=lambda item: level(item[1])):
        manager = row.get("manager")
        manager_key = login_of.get(manager) if manager and manager != ext else None
        plan.users.append(StagedUser(user.login, user, row.source, manager_key, USER_FIELDS,
                                     {"login": row.col["id"], "manager": row.col["manager"]}))


PRODUCT_FIELDS = frozenset({"name", "category", "active", "description"})


def products(reader: Reader, csv_file: CsvFile, columns: Columns) -> None:
    """Product2: sku = ProductCode (else from the name), category = Family, list price = UnitPrice if
    the file has one (Product2 itself has none: a price book holds it), else 0."""
    plan = reader.plan
    fields = PRODUCT_FIELDS | ({"list_price_cents"} if columns.has("price") else set())
    for row in reader.rows(csv_file, columns):
        price = reader.money(row, "price")
        if price is False:
            continue
        sku = (row.get("code") or sku_for(row.get("name")) or row.get("id"))[:64]
        record = reader.validated(row, r.Product, dict(
            sku=sku, name=row.get("name"), category=row.get("family"), list_price_cents=price or 0,
            active=row.get("active").lower() not in FALSE, description=row.get("description"),
        ), {"sku": "code", "name": "name", "category": "family", "list_price_cents": "price"})
        if record is not None:
            plan.products.append(StagedProduct(sku, record, row.source, fields, {"name": row.col["name"]}))
            reader.__dict__.setdefault("product_names", {})[row.get("id")] = record.name


def line_items(reader: Reader, files: list[tuple[CsvFile, Columns]]) -> None:
    """OpportunityLineItem: each row a line of its deal (which must be in the files): the product by
    Product2Id (a product of the files) or by its name, quantity, unit price (else total / quantity).
    A deal's lines replace its stored ones when they differ (docs/import.md)."""
    plan = reader.plan
    names = reader.__dict__.get("product_names", {})
    deals = {o.key: o for o in plan.opportunities}
    for csv_file, columns in files:
        orphans = 0
        for source in csv_file.rows:
            row = Row(source, columns)
            deal = deals.get(row.get("opportunity"))
            if deal is None:
                orphans += 1
                continue
            name = names.get(row.get("product")) or row.get("product_name")
            if not name:
                plan.reject(source, row.col["product"], f"unknown product {row.get('product')!r}: not in the "
                            "files (import Product2 with it) and no product name column")
                continue
            try:
                quantity = Decimal(row.get("quantity").replace(",", ""))
                if not quantity.is_finite() or quantity <= 0 or quantity > 10**9:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                plan.reject(source, row.col["quantity"], f"not a quantity: {row.get('quantity')!r}")
                continue
            price = reader.money(row, "unit_price")
            total = reader.money(row, "total")
            if price is False or total is False:
                continue
            if price is None:
                price = int((Decimal(total or 0) / quantity).to_integral_value())
            deal.lines.append(StagedLine(product_key(name), name, quantity.quantize(Decimal("0.001")), price))
            deal.columns.setdefault("product", row.col["product"])
        if orphans:
            plan.notes.append(f"{csv_file.name}: {orphans:,} rows about deals that are not in the files: not imported")
            plan.unread[csv_file.name] = plan.unread.get(csv_file.name, 0) + orphans


__all__ = ["line_items", "products", "users"]

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TypeVar

from domain.errors import InvalidSort
from domain.views import Page
from store.models import AccountRow, AccountTeamMemberRow, UserRow

T = TypeVar("T")

__all__ = ["InvalidSort", "Page", "any_contains", "order_by", "owned_by", "page_of", "restrict", "user_ids", "visible_accounts"]


def any_contains(text: str, *fields):
    """Case-insensitive substring match on any of `fields` (LIKE wildcards in `text` are escaped)."""
    condition = None
    for field in fields:
        clause = field.contains(text)
        condition = clause if condition is None else (condition | clause)
    return condition


def order_by(query, columns: dict, sort: str, descending: bool, default: str, tiebreak):
    """Order by a whitelisted column; an unknown name is a ValueError naming the choices."""
    key = sort or default
    if key not in columns:
        raise InvalidSort(f"sort: unknown column {key!r} (choose from {', '.join(sorted(columns))})")
    column = columns[key]
    extra = ()
    if isinstance(column, tuple):  # a sort on several columns (last name, then first name)
        column, extra = column[0], column[1:]
    # empty values last in both directions, on SQLite and PostgreSQL alike
    ordered = [c.desc(nulls="LAST") if descending else c.asc(nulls="LAST") for c in (column, *extra)]
    return query.order_by(*ordered, tiebreak.desc() if descending else tiebreak.asc())


def page_of(query, flt, offset: int, limit: int, *, columns: dict, default: str, tiebreak, item: Callable[[dict], T],
            total: int | Callable[[], int], unsorted: tuple = (), flipped: Collection[str] = ()) -> Page[T]:
    """One page of a list: `query` ordered by the filter's sort column (one of `columns`; `default` when the
    filter names none, or the list's own `unsorted` order when it has one), rows [offset, offset + limit)
    made into items, and the total of the rows that match (`total`, counted only when asked for).

    `flipped` names the columns whose direction is the reverse of the figure shown (more days in a stage
    is an earlier entry date)."""
    if unsorted and not flt.sort:
        query = query.order_by(*unsorted)
    else:
        descending = not flt.descending if flt.sort in flipped else flt.descending
        query = order_by(query, columns, flt.sort, descending, default, tiebreak)
    items = [item(row) for row in query.offset(offset).limit(limit).dicts()]
    return Page(items=items, offset=offset, total=total() if callable(total) else total)


def user_ids(logins):
    """A subquery of the ids of the users with these logins."""
    return UserRow.select(UserRow.id).where(UserRow.login.in_(list(logins)))


def owned_by(column, logins):
    """`column` (a user id) belongs to one of `logins`; None when `logins` is None (no restriction)."""
    return None if logins is None else column.in_(user_ids(logins))


def restrict(query, column, logins):
    """The query limited to rows whose `column` (a user id) is one of `logins` (None: unchanged)."""
    condition = owned_by(column, logins)
    return query if condition is None else query.where(condition)


def visible_accounts(logins):
    """A subquery of the ids of the accounts these users own or are on the account team of."""
    owned = AccountRow.select(AccountRow.id).where(owned_by(AccountRow.owner, logins))
    teamed = AccountTeamMemberRow.select(AccountTeamMemberRow.account).where(
        owned_by(AccountTeamMemberRow.user, logins))
    return owned | teamed

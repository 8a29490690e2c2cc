from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    offset: int
    total: int


def any_contains(text: str, *fields):
    """Case-insensitive substring match on any of `fields` (LIKE wildcards in `text` are escaped)."""
    condition = None
    for field in fields:
        clause = field.contains(text)
        condition = clause if condition is None else (condition | clause)
    return condition


class InvalidSort(ValueError):
    """An unknown sort column; the message names the choices."""


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

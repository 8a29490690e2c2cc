"""Date arithmetic in SQL that means the same on SQLite and PostgreSQL, and timestamps read back."""

from __future__ import annotations

from datetime import datetime, timezone

from peewee import SQL, NodeList, fn

from store.database import is_postgres
from store.models import database_proxy


def on_postgres() -> bool:
    """Is the open database PostgreSQL (else SQLite)?"""
    return is_postgres(database_proxy.obj)


def utc_instant(value) -> datetime | None:
    """A timestamp read without the column's converter (an aggregate, a subquery column: SQLite hands back
    naive UTC text) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def date_days(later, earlier):
    """Whole days between two DATE columns (later - earlier)."""
    if on_postgres():
        return later - earlier
    return fn.julianday(later) - fn.julianday(earlier)


def timestamp_days(later, earlier):
    """Fractional days between two timestamp columns (later - earlier)."""
    if on_postgres():
        return fn.date_part("epoch", later - earlier) / 86400.0
    return fn.julianday(later) - fn.julianday(earlier)


def timestamp_hours(later, earlier):
    """Fractional hours between two timestamp columns (later - earlier)."""
    if on_postgres():
        return fn.date_part("epoch", later - earlier) / 3600.0
    return (fn.julianday(later) - fn.julianday(earlier)) * 24.0


def as_date(column):
    """The calendar date (UTC) of a timestamp column."""
    if on_postgres():
        return NodeList((SQL("CAST("), column, SQL(" AS DATE)")), glue="")
    return fn.date(column)


def month_first(column):
    """The first day (UTC) of the calendar month holding a timestamp: text `YYYY-MM-01` on SQLite, a DATE on
    PostgreSQL (`as_day` reads either)."""
    if on_postgres():
        return NodeList((SQL("CAST(date_trunc('month', "), column, SQL(") AS DATE)")), glue="")
    return fn.strftime("%Y-%m-01", column)


def as_day(value):
    """A date read back from `month_first` (or any DATE column) on either database."""
    from datetime import date

    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])

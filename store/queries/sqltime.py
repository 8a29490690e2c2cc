"""Date arithmetic in SQL that means the same on SQLite and PostgreSQL."""

from __future__ import annotations

from peewee import SQL, NodeList, PostgresqlDatabase, fn

from store.models import database_proxy


def _postgres() -> bool:
    return isinstance(database_proxy.obj, PostgresqlDatabase)


def date_days(later, earlier):
    """Whole days between two DATE columns (later - earlier)."""
    if _postgres():
        return later - earlier
    return fn.julianday(later) - fn.julianday(earlier)


def timestamp_days(later, earlier):
    """Fractional days between two timestamp columns (later - earlier)."""
    if _postgres():
        return fn.date_part("epoch", later - earlier) / 86400.0
    return fn.julianday(later) - fn.julianday(earlier)


def timestamp_hours(later, earlier):
    return timestamp_days(later, earlier) * 24.0


def as_date(column):
    """The calendar date (UTC) of a timestamp column."""
    if _postgres():
        return NodeList((SQL("CAST("), column, SQL(" AS DATE)")), glue="")
    return fn.date(column)


def month_first(column):
    """The first day (UTC) of the calendar month holding a timestamp: text `YYYY-MM-01` on SQLite, a DATE on
    PostgreSQL (`as_day` reads either)."""
    if _postgres():
        return NodeList((SQL("CAST(date_trunc('month', "), column, SQL(") AS DATE)")), glue="")
    return fn.strftime("%Y-%m-01", column)


def as_day(value):
    """A date read back from `month_first` (or any DATE column) on either database."""
    from datetime import date

    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])

"""Opening a database: URL resolution, SQLite pragmas, PostgreSQL, and the default location.

Both kinds of database are opened as `TranslatingDatabase`s: every statement, BEGIN, COMMIT,
ROLLBACK and connect runs inside `store.errors.translated()`, so a driver error leaves the store as
a domain error (`domain/errors.py`) with a plain message, wherever it happens.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from peewee import Database, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse

from domain.errors import DatabaseUnavailable
from store.errors import translated
from store.models import database_proxy

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
    # 8 MiB page cache per connection: each worker thread has its own, and the OS caches the file anyway
    # (64 MiB each made the app's peak memory grow with the data, for no measurable speed: performance.md)
    "cache_size": -8 * 1024,
    "temp_store": "memory",
}


class DatabaseUrlError(ValueError):
    pass


class TranslatingDatabase:
    """Mixed into Peewee's database classes: driver errors become domain errors (store/errors.py)."""

    def connect(self, reuse_if_open=False):
        with translated():
            return super().connect(reuse_if_open)

    def execute_sql(self, sql, params=None):
        with translated():
            return super().execute_sql(sql, params)

    def begin(self, *args, **kwargs):
        with translated():
            return super().begin(*args, **kwargs)

    def commit(self):
        with translated():
            return super().commit()

    def rollback(self):
        with translated():
            return super().rollback()


class PantrySqliteDatabase(TranslatingDatabase, SqliteDatabase):
    pass


class PantryPostgresqlDatabase(TranslatingDatabase, PostgresqlDatabase):
    pass


POSTGRES_INSTALL = "pip install 'pantry-crm[postgres]'"


class DriverMissing(DatabaseUnavailable):
    """A PostgreSQL URL, but the driver (an optional extra) is not installed."""

    def __init__(self) -> None:
        super().__init__(f"PostgreSQL needs the psycopg2 driver, which is not installed: {POSTGRES_INSTALL}")


def require_postgres_driver() -> None:
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        raise DriverMissing() from None


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def normalise_url(url: str) -> str:
    """Accept a bare file path as SQLite; otherwise require a known scheme."""
    if "://" not in url:
        return sqlite_url(url)
    scheme = urlparse(url).scheme
    if scheme not in ("sqlite", "postgres", "postgresql"):
        raise DatabaseUrlError(f"--db: unsupported database scheme {scheme!r} (use a file path, sqlite:/// or postgresql://)")
    return url


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, as the database is opened: sqlite:///relative.db -> relative.db (from
    the working directory), sqlite:////abs/x.db -> /abs/x.db. None for an in-memory database (sqlite://,
    sqlite:///:memory:) and for any other scheme."""
    if not url.startswith("sqlite://"):
        return None
    rest = url.split("://", 1)[1]
    path = rest[1:] if rest.startswith("/") else rest
    return Path(path) if path and path != ":memory:" else None


def is_postgres(db: Database) -> bool:
    return isinstance(db, PostgresqlDatabase)


def open_database(url: str) -> Database:
    """Connect to the database at `url` and bind every model to it."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # Write transactions begin IMMEDIATE: they take the write lock first (waiting up to the busy timeout
        # for another writer) instead of reading under a snapshot that a commit elsewhere makes stale,
        # which SQLite refuses at once with "database is locked" when the transaction then writes.
        db = PantrySqliteDatabase(str(path) if path else ":memory:", pragmas=SQLITE_PRAGMAS, timeout=10,
                                  lock_type="IMMEDIATE")
    else:
        require_postgres_driver()
        params = parse(url)
        if not params.get("database"):
            raise DatabaseUrlError(f"--db: {url!r} names no database (postgresql://host/dbname)")
        db = PantryPostgresqlDatabase(**params)
    database_proxy.initialize(db)
    db.connect(reuse_if_open=True)
    return db


def describe(db: Database) -> str:
    if isinstance(db, SqliteDatabase):
        return f"SQLite {db.database}"
    return f"PostgreSQL {db.database}"

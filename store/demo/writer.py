"""Bulk writing: row tuples straight through the DB-API cursor, one transaction per table.

Ids are assigned by the generators, so foreign keys are known without reading anything back.
Rows carry timestamps and dates already in the store's text form (naive UTC), decimals as
text and booleans as bools, which both SQLite and PostgreSQL accept as-is. SQLite gets them
through `executemany`; PostgreSQL through COPY (CSV), several times faster than INSERTs.

For big tables the secondary indexes are dropped for the load and recreated from their own
definitions afterwards, inside the same transaction (building an index once is far cheaper
than keeping it sorted row by row). Foreign keys are not checked row by row either: on
PostgreSQL a big table's foreign-key constraints are dropped and re-added (which validates all
rows at once); on SQLite enforcement is switched off for the load (rows are written parents
first with known ids, and the tests check the result with PRAGMA foreign_key_check).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice

from peewee import Database, PostgresqlDatabase

Progress = Callable[[str, int, int], None]
CHUNK = 25_000
_PG_NULL = "\\N"  # how COPY is told a value is NULL (an empty string stays an empty string)
DEFER_INDEXES_FROM = 20_000  # rows


class Writer:
    def __init__(self, db: Database, progress: Progress | None) -> None:
        self.db = db
        self.postgres = isinstance(db, PostgresqlDatabase)
        self.progress = progress
        self.counts: dict[str, int] = {}

    # -- checks ---------------------------------------------------------------------------
    def non_empty(self, tables: Iterable[str]) -> list[str]:
        return [t for t in tables if self.db.execute_sql(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() is not None]

    # -- session --------------------------------------------------------------------------
    @contextmanager
    def loading(self):
        """SQLite: foreign keys off and a rollback journal for the load; both restored afterwards."""
        if self.postgres:
            yield
            return
        fk = self.db.execute_sql("PRAGMA foreign_keys").fetchone()[0]
        journal = self.db.execute_sql("PRAGMA journal_mode").fetchone()[0]
        self.db.execute_sql("PRAGMA foreign_keys = OFF")
        # A rollback journal writes a fresh table's pages once; WAL writes them twice (log, then
        # checkpoint). SQLite keeps WAL if another connection has the file open.
        if journal.lower() == "wal":
            self.db.execute_sql("PRAGMA journal_mode = DELETE")
        try:
            yield
        finally:
            self.db.execute_sql(f"PRAGMA foreign_keys = {int(fk)}")
            if journal.lower() == "wal":
                self.db.execute_sql("PRAGMA journal_mode = WAL")

    # -- inserts ---------------------------------------------------------------------------
    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple], total: int) -> int:
        """Insert `rows` (an iterable, consumed in chunks) into `table` in one transaction."""
        names = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            sql = f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv, NULL \'{_PG_NULL}\')'
            fallback = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(columns))})'
        else:
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
        done = 0
        self._report(table, 0, total)
        with self.db.atomic():
            recreate = self._drop_indexes(table) if total >= DEFER_INDEXES_FROM else []
            cursor = self.db.cursor()
            for chunk in _chunked(rows):
                if self.postgres and hasattr(cursor, "copy_expert"):
                    cursor.copy_expert(sql, _csv(chunk))
                elif self.postgres:  # a driver without psycopg2's COPY API
                    cursor.executemany(fallback, chunk)
                else:
                    cursor.executemany(sql, chunk)
                done += len(chunk)
                self._report(table, done, max(total, done))
            for statement in recreate:
                self.db.execute_sql(statement)
        self.counts[table] = self.counts.get(table, 0) + done
        if done != total:
            self._report(table, done, done)
        return done

    def execute(self, statements: Sequence[str]) -> None:
        with self.db.atomic():
            for statement in statements:
                self.db.execute_sql(statement)

    def finish(self) -> None:
        """PostgreSQL: move each id sequence past the ids written by hand; refresh planner statistics."""
        if not self.postgres:
            return
        with self.db.atomic():
            for table in self.counts:
                self.db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"'
                )
            self.db.execute_sql("ANALYZE " + ", ".join(f'"{table}"' for table in self.counts))

    # -- internals -----------------------------------------------------------------------------
    def _report(self, table: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(table, done, total)

    def _drop_indexes(self, table: str) -> list[str]:
        """Drop the table's secondary indexes (PostgreSQL: and its foreign keys); returns the
        statements that recreate them. Re-adding a foreign key checks every row in one pass."""
        recreate: list[str] = []
        if self.postgres:
            keys = self.db.execute_sql(
                "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class t ON t.oid = c.conrelid "
                "WHERE c.contype = 'f' AND t.relname = %s AND t.relnamespace = current_schema()::regnamespace "
                "ORDER BY c.conname",
                (table,),
            ).fetchall()
            for name, definition in keys:
                self.db.execute_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                recreate.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            found = self.db.execute_sql(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = %s AND t.relnamespace = current_schema()::regnamespace "
                "AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) "
                "ORDER BY i.relname",
                (table,),
            ).fetchall()
        else:
            found = self.db.execute_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
                "ORDER BY name",
                (table,),
            ).fetchall()
        for name, _definition in found:
            self.db.execute_sql(f'DROP INDEX "{name}"')
        return [definition for _name, definition in found] + recreate


def _chunked(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        yield chunk



def _csv(rows: list[tuple]) -> io.StringIO:
    """Rows as CSV for COPY: NULL written as \\N, strings quoted only when needed."""
    buffer = io.StringIO()
    write = csv.writer(buffer, lineterminator="\n").writerow
    null = _PG_NULL
    for row in rows:
        write([null if value is None else value for value in row])
    buffer.seek(0)
    return buffer

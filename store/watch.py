"""Noticing changes made by other processes on the same database.

SQLite: every connection's `PRAGMA data_version` changes when another connection commits;
a watcher thread polls it on its own connection. PostgreSQL: services NOTIFY on commit
(`Store.announce_change`) and a watcher thread LISTENs on its own connection.
Either way the callback receives the set of record kinds that changed (empty = unknown).
"""

from __future__ import annotations

import json
import select
import sqlite3
import threading
from collections.abc import Callable

from peewee import PostgresqlDatabase, SqliteDatabase

from store.store import CHANGE_CHANNEL, Store

Callback = Callable[[frozenset[str]], None]


class ChangeWatcher(threading.Thread):
    def __init__(self, store: Store, callback: Callback, *, interval: float = 0.25) -> None:
        super().__init__(name="pantry-change-watcher", daemon=True)
        self.store = store
        self.callback = callback
        self.interval = interval
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        db = self.store.db
        try:
            if isinstance(db, SqliteDatabase):
                self._watch_sqlite(db.database)
            elif isinstance(db, PostgresqlDatabase):
                self._watch_postgres(db)
        except Exception:  # a watcher must never take the app down; the timer still refreshes
            return

    def _watch_sqlite(self, path: str) -> None:
        if path == ":memory:":
            return
        connection = sqlite3.connect(path, timeout=10, check_same_thread=False)
        try:
            last = connection.execute("PRAGMA data_version").fetchone()[0]
            while not self._stop_event.wait(self.interval):
                current = connection.execute("PRAGMA data_version").fetchone()[0]
                if current != last:
                    last = current
                    self.callback(frozenset())
        finally:
            connection.close()

    def _watch_postgres(self, db: PostgresqlDatabase) -> None:
        import psycopg2
        import psycopg2.extensions

        connection = psycopg2.connect(database=db.database, **db.connect_params)
        try:
            connection.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {CHANGE_CHANNEL}")
            while not self._stop_event.is_set():
                ready, _, _ = select.select([connection], [], [], self.interval)
                if not ready:
                    continue
                connection.poll()
                kinds: set[str] = set()
                while connection.notifies:
                    note = connection.notifies.pop(0)
                    try:
                        kinds.update(json.loads(note.payload))
                    except ValueError:
                        pass
                self.callback(frozenset(kinds))
        finally:
            connection.close()

"""Versioned schema: migrations under store/migrations/, run with playhouse.migrations.

A database records the migrations applied to it in `schema_migration`. `upgrade` applies
the pending ones in order, each in its own transaction. A database that has applied a
migration this program does not know (written by a newer Pantry) is refused untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peewee import Database
from playhouse.migrations import Runner

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HISTORY_TABLE = "schema_migration"


class SchemaError(RuntimeError):
    pass


class SchemaTooNew(SchemaError):
    pass


class SchemaOutOfDate(SchemaError):
    pass


@dataclass(frozen=True)
class SchemaStatus:
    applied: tuple[str, ...]
    pending: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.applied

    @property
    def current(self) -> bool:
        return not self.pending and not self.unknown


def _runner(db: Database) -> Runner:
    return Runner(db, directory=str(MIGRATIONS_DIR), table_name=HISTORY_TABLE)


def status(db: Database) -> SchemaStatus:
    rows = _runner(db).status()
    return SchemaStatus(
        applied=tuple(m.name for m in rows if m.applied and m.path is not None),
        pending=tuple(m.name for m in rows if not m.applied),
        unknown=tuple(m.name for m in rows if m.applied and m.path is None),
    )


def _refuse_newer(state: SchemaStatus) -> None:
    if state.unknown:
        raise SchemaTooNew(
            "this database was upgraded by a newer Pantry CRM (it has migration "
            f"{', '.join(state.unknown)}, which this program does not know); "
            "upgrade Pantry CRM to open it. Nothing was changed."
        )


def upgrade(db: Database) -> list[str]:
    """Apply every pending migration; returns their names. Refuses a newer schema."""
    _refuse_newer(status(db))
    return _runner(db).up()


def ensure_current(db: Database, *, create: bool) -> None:
    """Check the schema before use. An empty database is created when `create` is true."""
    state = status(db)
    _refuse_newer(state)
    if state.pending:
        if state.is_empty and create:
            upgrade(db)
            return
        if state.is_empty:
            raise SchemaOutOfDate("the database has no Pantry CRM schema yet: run `pantry db upgrade`")
        raise SchemaOutOfDate(
            f"the database schema is out of date ({len(state.pending)} pending migration(s)): run `pantry db upgrade`"
        )

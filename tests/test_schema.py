"""The versioned schema: migrations, the history table, refusals, and SQLite's settings."""

from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from urllib.parse import urlparse

import peewee
import pytest
from playhouse.schema_diff import diff_models

from domain import records as r
from store import schema
from store.database import open_database
from store.models import ALL_MODELS
from store.repository import Repository
from store.schema import HISTORY_TABLE, SchemaOutOfDate, SchemaTooNew
from store.store import Store

ON_POSTGRES = bool(os.environ.get("PANTRY_TEST_DATABASE_URL", "").strip())


def sqlite_only(why: str):
    return pytest.mark.skipif(ON_POSTGRES, reason=f"SQLite-only ({why}); PANTRY_TEST_DATABASE_URL is set")


def postgres_only(why: str):
    def mark(test):
        test = pytest.mark.postgres(test)
        return pytest.mark.skipif(
            not ON_POSTGRES, reason=f"PostgreSQL-only ({why}): set PANTRY_TEST_DATABASE_URL=postgresql://..."
        )(test)

    return mark

TABLES = sorted([m._meta.table_name for m in ALL_MODELS] + [HISTORY_TABLE])


@pytest.fixture
def db(database_url):
    """A raw connection to an empty database (models bound to it), closed afterwards."""
    database = open_database(database_url)
    yield database
    if not database.is_closed():
        database.close()


def snapshot(database) -> dict[str, int]:
    """Every table and its row count: what "nothing changed" is checked against."""
    return {
        table: database.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        for table in sorted(database.get_tables())
    }


def _history(database) -> list[str]:
    return [row[0] for row in database.execute_sql(f'SELECT name FROM "{HISTORY_TABLE}" ORDER BY name').fetchall()]


# -- upgrade ------------------------------------------------------------------------------------


def test_fresh_database_upgrade_applies_the_initial_migration(db):
    assert db.get_tables() == []
    state = schema.status(db)
    assert state.is_empty and state.pending == ALL_MIGRATIONS and not state.current

    assert schema.upgrade(db) == list(ALL_MIGRATIONS)

    assert sorted(db.get_tables()) == TABLES
    assert _history(db) == list(ALL_MIGRATIONS)
    state = schema.status(db)
    assert state.applied == ALL_MIGRATIONS and state.current


def test_migrated_schema_matches_the_models(db):
    schema.upgrade(db)
    diff = diff_models(db, ALL_MODELS)
    assert not diff, f"the migrations differ from store/models:\n{diff}"
    # schema_diff looks at columns and indexes only; nullability and foreign keys too:
    for model in ALL_MODELS:
        table = model._meta.table_name
        columns = {c.name: c for c in db.get_columns(table)}
        for field in model._meta.sorted_fields:
            assert columns[field.column_name].null == field.null, f"{table}.{field.column_name} nullability"
        in_db = {(fk.column, fk.dest_table) for fk in db.get_foreign_keys(table)}
        in_model = {(f.column_name, f.rel_model._meta.table_name) for f in model._meta.refs}
        assert in_db == in_model, f"{table} foreign keys"


@sqlite_only("compares the CREATE TABLE text SQLite keeps in sqlite_master")
def test_migrated_tables_have_the_models_exact_ddl(db, tmp_path):
    """On SQLite the stored CREATE TABLE text shows types, defaults, FKs and ON DELETE rules."""
    schema.upgrade(db)
    reference = peewee.SqliteDatabase(str(tmp_path / "reference.db"))
    with reference.bind_ctx(ALL_MODELS):
        for model in ALL_MODELS:
            model._schema.create_table(safe=False)  # tables only: see docs/data-model.md on index names
    query = "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    migrated = dict(db.execute_sql(query).fetchall())
    expected = dict(reference.execute_sql(query).fetchall())
    migrated.pop(HISTORY_TABLE)
    assert migrated == expected
    reference.close()


def test_upgrade_again_is_a_no_op(db):
    schema.upgrade(db)
    Store(db).users.insert(r.User(login="ana", display_name="Ana", created_at=datetime.now(timezone.utc)))
    before = snapshot(db)
    assert schema.upgrade(db) == []
    assert snapshot(db) == before
    assert _history(db) == list(ALL_MIGRATIONS)


def test_store_open_creates_an_empty_database_only_when_asked(database_url):
    with pytest.raises(SchemaOutOfDate, match=r"no Pantry CRM schema yet: run `pantry db upgrade`"):
        Store.open(database_url, create=False)
    probe = open_database(database_url)
    assert probe.get_tables() == []  # refusing created nothing
    probe.close()
    with Store.open(database_url) as store:
        assert sorted(store.db.get_tables()) == TABLES
        assert store.is_empty()


# -- refusals -----------------------------------------------------------------------------------


def test_newer_schema_is_refused_untouched(store, make, database_url):
    make.opportunity()
    store.db.execute_sql(
        f'INSERT INTO "{HISTORY_TABLE}" (name, applied) VALUES (%s, %s)' % (store.db.param, store.db.param),
        ("9999_future", datetime(2030, 1, 1)),
    )
    store.close()
    probe = open_database(database_url)
    before = snapshot(probe)
    probe.close()

    with pytest.raises(SchemaTooNew) as caught:
        Store.open(database_url)
    message = str(caught.value)
    assert "9999_future" in message and "newer Pantry CRM" in message and "Nothing was changed" in message

    probe = open_database(database_url)
    with pytest.raises(SchemaTooNew):
        schema.upgrade(probe)
    with pytest.raises(SchemaTooNew):
        schema.ensure_current(probe, create=False)
    assert schema.status(probe).unknown == ("9999_future",)
    assert snapshot(probe) == before
    probe.close()


# Every migration the program ships, in order (read from store/migrations/).
ALL_MIGRATIONS = tuple(sorted(p.stem for p in schema.MIGRATIONS_DIR.glob("[0-9]*.py")))

SECOND_MIGRATION = '''"""Test-only: a migration this database has not had yet."""
from peewee import TextField


def up(migrator, db):
    migrator.migrate(migrator.add_column('setting', 'note', TextField(default='')))
'''


@pytest.fixture
def migrations_dir(tmp_path, monkeypatch) -> Path:
    """A copy of the migrations directory the program reads, for a test to add to."""
    directory = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, directory, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", directory)
    return directory


def test_pending_migration_is_reported_not_applied(db, migrations_dir):
    # The database as the previous release left it: 0001 applied, with data in it...
    schema.upgrade(db)
    db.execute_sql("INSERT INTO \"setting\" (\"key\", \"value\") VALUES ('k', 'v')")
    before = snapshot(db)
    # ...then this program ships a second migration.
    (migrations_dir / "0900_setting_note.py").write_text(SECOND_MIGRATION)

    state = schema.status(db)
    assert state.applied == ALL_MIGRATIONS and state.pending == ("0900_setting_note",)
    for create in (False, True):  # an existing database is never upgraded implicitly
        with pytest.raises(SchemaOutOfDate, match=r"out of date \(1 pending migration\(s\)\): run `pantry db upgrade`"):
            schema.ensure_current(db, create=create)
    assert snapshot(db) == before

    assert schema.upgrade(db) == ["0900_setting_note"]
    schema.ensure_current(db, create=False)
    assert "note" in {c.name for c in db.get_columns("setting")}
    assert db.execute_sql("SELECT \"value\", note FROM \"setting\" WHERE \"key\" = 'k'").fetchall() == [("v", "")]


def test_lost_history_reads_as_no_schema_and_upgrade_adopts_it(store, make, database_url):
    """Tables present but `schema_migration` emptied (e.g. restored without it).

    Nothing tells such a database from an empty one but the history, so it is reported
    as having no schema; `pantry db upgrade` then re-runs 0001, whose CREATE ... IF NOT
    EXISTS leaves the existing tables and rows alone.
    """
    make.opportunity()
    store.db.execute_sql(f'DELETE FROM "{HISTORY_TABLE}"')
    store.close()

    probe = open_database(database_url)
    with pytest.raises(SchemaOutOfDate, match=r"no Pantry CRM schema yet: run `pantry db upgrade`"):
        schema.ensure_current(probe, create=False)
    assert schema.upgrade(probe) == list(ALL_MIGRATIONS)
    schema.ensure_current(probe, create=False)
    assert probe.execute_sql('SELECT COUNT(*) FROM "opportunity"').fetchone()[0] == 1
    probe.close()


# -- column limits ------------------------------------------------------------------------------


def test_every_valid_record_fits_its_columns(store):
    """PostgreSQL enforces VARCHAR(n) and SQLite does not: a record's limits must not exceed the column's."""
    problems = []
    for repo in (v for v in vars(store).values() if isinstance(v, Repository)):
        properties = repo.record_type.model_json_schema()
        for field in repo.model._meta.sorted_fields:
            if not isinstance(field, peewee.CharField) or isinstance(field, peewee.ForeignKeyField):
                continue
            annotation = repo.record_type.model_fields[field.name].annotation
            enum_type = next((a for a in (annotation, *getattr(annotation, "__args__", ())) if isinstance(a, type) and issubclass(a, Enum)), None)
            if enum_type is not None:
                longest = max(len(member.value) for member in enum_type)
            else:
                prop = properties["properties"][field.name]
                options = prop.get("anyOf", [prop])
                longest = next((o.get("maxLength") for o in options if o.get("type") == "string"), None)
            if longest is None or longest > field.max_length:
                problems.append(f"{repo.model._meta.table_name}.{field.name}: record allows {longest}, column {field.max_length}")
    assert not problems, "\n".join(problems)


@postgres_only("reads the column types from information_schema")
def test_postgres_column_types(store):
    def column_type(table, column):
        return store.db.execute_sql(
            "SELECT data_type, numeric_precision, numeric_scale FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s AND column_name = %s",
            (table, column),
        ).fetchone()

    assert column_type("opportunity", "value_cents")[0] == "bigint"
    assert column_type("line_item", "quantity") == ("numeric", 12, 3)
    assert column_type("line_item", "discount_pct") == ("numeric", 5, 2)
    assert column_type("opportunity", "created_at")[0] == "timestamp without time zone"
    assert column_type("lead", "flagged")[0] == "boolean"
    assert column_type("competitor", "strengths")[0] == "text"
    assert column_type("user", "login")[0] == "character varying"  # the reserved word, quoted


@sqlite_only("SQLite's declared column types")
def test_sqlite_declared_types(store):
    declared = {
        (table, c.name): c.data_type.upper()
        for table in ("opportunity", "line_item", "competitor")
        for c in store.db.get_columns(table)
    }
    assert declared[("opportunity", "value_cents")] == "INTEGER"  # BIGINT is INTEGER in SQLite: 64-bit
    assert declared[("line_item", "quantity")] == "DECIMAL(12, 3)"
    assert declared[("line_item", "discount_pct")] == "DECIMAL(5, 2)"
    assert declared[("opportunity", "created_at")] == "DATETIME"
    assert declared[("competitor", "strengths")] == "TEXT"


# -- SQLite settings ----------------------------------------------------------------------------


@sqlite_only("PRAGMAs exist only in SQLite")
def test_sqlite_pragmas_in_effect(store):
    def pragma(name):
        return store.db.execute_sql(f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") > 0
    assert pragma("synchronous") == 1  # NORMAL


@sqlite_only("WAL is SQLite's journal mode; PostgreSQL readers never wait for writers")
def test_wal_lets_a_reader_keep_reading_while_another_connection_writes(store, make, database_url):
    make.user()
    path = urlparse(database_url).path
    reader = peewee.SqliteDatabase(path)
    writer = peewee.SqliteDatabase(path, pragmas={"busy_timeout": 200}, timeout=0.2)
    try:
        assert reader.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"  # WAL is a property of the file
        reader.execute_sql("BEGIN")
        assert reader.execute_sql('SELECT COUNT(*) FROM "user"').fetchone()[0] == 1  # read transaction holds a snapshot

        # In rollback-journal mode this commit would wait for the reader and fail "database is locked".
        writer.execute_sql(
            'INSERT INTO "user" (login, display_name, role, team, region, active, created_at, version) '
            "VALUES ('bo', 'Bo', 'rep', '', '', 1, '2026-03-16 12:00:00', 1)"
        )
        assert writer.execute_sql('SELECT COUNT(*) FROM "user"').fetchone()[0] == 2

        assert reader.execute_sql('SELECT COUNT(*) FROM "user"').fetchone()[0] == 1  # still its snapshot
        reader.execute_sql("COMMIT")
        assert reader.execute_sql('SELECT COUNT(*) FROM "user"').fetchone()[0] == 2
    finally:
        reader.close()
        writer.close()
    assert store.users.count() == 2


@sqlite_only("BEGIN IMMEDIATE is SQLite's; PostgreSQL locks rows, not the database")
def test_a_write_transaction_waits_for_another_writer_instead_of_failing(store, make):
    """A transaction that reads, then writes, while another connection commits in between: with a
    deferred BEGIN the write fails at once ("database is locked", the snapshot is stale); with BEGIN
    IMMEDIATE the other writer waits for the lock and both commit."""
    make.user(login="first")
    read, errors = threading.Event(), []

    def reads_then_writes():
        try:
            with store.connection(), store.atomic():
                assert store.users.count() == 1
                read.set()
                time.sleep(0.3)  # the other connection tries to commit now
                make.user(login="second")
        except Exception as error:  # reported below
            errors.append(error)

    worker = threading.Thread(target=reads_then_writes)
    worker.start()
    assert read.wait(5)
    with store.atomic():  # this thread's own connection: waits for the worker's commit
        make.user(login="third")
    worker.join(10)
    assert errors == []
    assert sorted(u.login for u in store.users.find()) == ["first", "second", "third"]


# -- the documentation ----------------------------------------------------------------------------


def test_data_model_doc_describes_every_table_and_column():
    """docs/data-model.md has a section per table naming each of its columns."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "data-model.md").read_text(encoding="utf-8")
    missing = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        heading = f"### `{table}`\n"
        if heading not in doc:
            missing.append(f"no section {heading.strip()}")
            continue
        section = doc.split(heading, 1)[1].split("\n### ", 1)[0]
        for field in model._meta.sorted_fields:
            if field.column_name != "id" and f"`{field.column_name}`" not in section:
                missing.append(f"{table}.{field.column_name}")
    assert not missing, "docs/data-model.md is missing: " + ", ".join(missing)

"""The store implements the domain's ports, and speaks only the domain's errors.

1. `Store` (and each of its repositories and query namespaces) satisfies every Protocol of
   domain/ports.py: `isinstance` with `runtime_checkable`, and member by member the same
   parameters (names, kinds, defaults) as the Protocol declares.
2. Every driver error the store can meet leaves it as a domain error with a plain message:
   unique violation, foreign key failure, database locked or busy, connection lost, NUL in a
   string on PostgreSQL, integer out of range — on a real database where the database can be
   made to fail that way, and through Peewee's own exception wrapper for the rest.
"""

from __future__ import annotations

import inspect
import sqlite3
import typing
from datetime import datetime, timezone

import peewee
import psycopg2
import psycopg2.errors
import pytest

from domain import ports
from domain import records as r
from domain.enums import AuditAction, Role
from domain.errors import (
    DatabaseBusy,
    DatabaseUnavailable,
    DomainError,
    DuplicateValue,
    MissingReference,
    StorageFailure,
    UnstorableValue,
)
from store.database import PantrySqliteDatabase
from store.errors import translate, translated
from store.models import database_proxy
from store.store import Store
from tests.conftest import NOW, ON_POSTGRES

# -- 1. the ports -------------------------------------------------------------------------------------


def _members(protocol: type) -> dict[str, object]:
    """The members a Protocol declares itself (methods and annotated attributes), not those of its bases."""
    found: dict[str, object] = {}
    for name, value in vars(protocol).items():
        if not name.startswith("_") and callable(value):
            found[name] = value
    for name in vars(protocol).get("__annotations__", {}):
        found.setdefault(name, None)
    return found


def _shape(function) -> list[tuple[str, object, object]]:
    """(name, kind, default) of each parameter after self: what a caller relies on."""
    parameters = list(inspect.signature(function).parameters.values())[1:]
    return [(p.name, p.kind, p.default) for p in parameters]


def _implementations(store: Store):
    """(Protocol, the object that must implement it), for every port."""
    yield ports.Storage, store
    for protocol in (ports.Repositories, ports.Transactions, ports.ListQueries, ports.PipelineQueries,
                     ports.Aggregates):
        yield protocol, store
    yield ports.AnalyticsQueries, store.analytics
    yield ports.ForecastQueries, store.forecasting
    yield ports.InsightQueries, store.insights
    yield ports.ImportQueries, store.importing
    for name in typing.get_type_hints(ports.Repositories):
        yield ports.RecordRepository, getattr(store, name)


def test_every_port_is_listed():
    declared = {value for value in vars(ports).values()
                if isinstance(value, type) and getattr(value, "_is_protocol", False) and value.__module__ == ports.__name__}
    assert declared - {ports.RecordRepository, ports.ChangeWatch} == set(ports.PORTS)


def test_the_store_satisfies_every_port(store):
    for protocol, implementation in _implementations(store):
        assert isinstance(implementation, protocol), f"{type(implementation).__name__} is not a {protocol.__name__}"


def test_the_store_implements_every_member_with_the_declared_parameters(store):
    problems = []
    for protocol, implementation in _implementations(store):
        for name, declared in _members(protocol).items():
            if not hasattr(implementation, name):
                problems.append(f"{type(implementation).__name__} has no {name} ({protocol.__name__})")
                continue
            actual = getattr(type(implementation), name, None)
            if declared is None or not callable(actual) or isinstance(actual, type):
                continue
            if _shape(declared) != _shape(actual):
                problems.append(f"{type(implementation).__name__}.{name}{inspect.signature(actual)} differs from "
                                f"{protocol.__name__}.{name}{inspect.signature(declared)}")
    assert not problems, "\n".join(problems)


def test_repositories_hold_the_record_types_the_port_promises(store):
    for name, hint in typing.get_type_hints(ports.Repositories).items():
        (record_type,) = typing.get_args(hint)
        assert getattr(store, name).record_type is record_type, name


def test_the_watch_the_store_starts_is_a_change_watch(store):
    watch = store.watch(lambda kinds: None)
    try:
        assert isinstance(watch, ports.ChangeWatch)
    finally:
        watch.stop()


def test_check_version_names_who_changed_the_record(store, make):
    user = make.user(login="maria")
    opp = make.opportunity()
    store.opportunities.check_version(opp, None)  # any version will do
    store.opportunities.check_version(opp, opp.version)
    changed = store.opportunities.update(opp.model_copy(update={"name": "Theirs", "updated_by_id": user.id}))
    with pytest.raises(DomainError, match=f"opportunity {opp.id} was changed by maria"):
        store.opportunities.check_version(changed, opp.version)


# -- 2. driver errors become domain errors --------------------------------------------------------------


def _wrapped(driver_error: BaseException) -> BaseException:
    """The exception Peewee raises for `driver_error` (its own wrapper does the wrapping)."""
    try:
        with peewee.__exception_wrapper__:
            raise driver_error
    except BaseException as wrapped:  # noqa: BLE001 - whatever the wrapper made of it
        return wrapped
    raise AssertionError("the wrapper swallowed the error")


DRIVER_ERRORS = [
    # (what the driver raised, the domain error, words the message must hold)
    (sqlite3.IntegrityError("UNIQUE constraint failed: user.login"), DuplicateValue, "user.login: that value is already taken"),
    (sqlite3.IntegrityError("FOREIGN KEY constraint failed"), MissingReference, "does not exist"),
    (sqlite3.IntegrityError("NOT NULL constraint failed: opportunity.name"), UnstorableValue, "opportunity.name: a value is required"),
    (sqlite3.IntegrityError("CHECK constraint failed: probability"), UnstorableValue, "outside what the database allows"),
    (sqlite3.OperationalError("database is locked"), DatabaseBusy, "busy"),
    (sqlite3.OperationalError("database table is locked"), DatabaseBusy, "busy"),
    (sqlite3.OperationalError("unable to open database file"), DatabaseUnavailable, "cannot be reached"),
    (sqlite3.ProgrammingError("Cannot operate on a closed database."), StorageFailure, "closed database"),
    (OverflowError("Python int too large to convert to SQLite INTEGER"), UnstorableValue, "too large"),
    (psycopg2.errors.UniqueViolation('duplicate key value violates unique constraint "user_login"'), DuplicateValue,
     "already taken"),
    (psycopg2.errors.ForeignKeyViolation('insert or update on table "account_location" violates foreign key constraint'),
     MissingReference, "does not exist"),
    (psycopg2.errors.ForeignKeyViolation('update or delete on table "account" violates foreign key constraint "x" on '
                                         'table "contact"\nDETAIL:  Key (id)=(1) is still referenced from table '
                                         '"contact".'), MissingReference, "still referred to"),
    (psycopg2.errors.NotNullViolation('null value in column "name" violates not-null constraint'), UnstorableValue,
     "a value is required"),
    (psycopg2.errors.NumericValueOutOfRange("integer out of range"), UnstorableValue, "out of range"),
    (psycopg2.errors.StringDataRightTruncation("value too long for type character varying(200)"), UnstorableValue,
     "value too long"),
    (psycopg2.errors.DeadlockDetected("deadlock detected"), DatabaseBusy, "busy"),
    (psycopg2.errors.LockNotAvailable("could not obtain lock on row"), DatabaseBusy, "busy"),
    (psycopg2.errors.SerializationFailure("could not serialize access"), DatabaseBusy, "busy"),
    (psycopg2.errors.AdminShutdown("terminating connection due to administrator command"), DatabaseUnavailable,
     "cannot be reached"),
    (psycopg2.OperationalError("server closed the connection unexpectedly\n\tThis probably means ..."),
     DatabaseUnavailable, "server closed the connection unexpectedly)"),
    (psycopg2.OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
     DatabaseUnavailable, "cannot be reached"),
    (psycopg2.InterfaceError("connection already closed"), DatabaseUnavailable, "connection to the database was lost"),
    (ValueError("A string literal cannot contain NUL (0x00) characters."), UnstorableValue, "NUL character"),
    (psycopg2.errors.UndefinedTable('relation "nope" does not exist'), StorageFailure, "database error"),
]


@pytest.mark.parametrize(("driver_error", "expected", "words"), DRIVER_ERRORS,
                         ids=[f"{type(e).__name__}-{i}" for i, (e, _, _) in enumerate(DRIVER_ERRORS)])
def test_each_driver_error_becomes_a_domain_error_with_a_plain_message(driver_error, expected, words):
    with pytest.raises(expected) as caught:
        with translated():
            raise _wrapped(driver_error)
    message = str(caught.value)
    assert words in message
    assert "\n" not in message and "Traceback" not in message
    assert type(caught.value) is expected  # the most precise kind, not just a StorageFailure
    assert caught.value.__cause__ is not None  # the original stays attached, for the log


def test_errors_that_are_not_the_drivers_pass_through():
    for error in (ValueError("bad value"), KeyError("x"), RuntimeError("boom"), DuplicateValue("already one")):
        assert translate(error) is None
        with pytest.raises(type(error)):
            with translated():
                raise error


def test_a_unique_violation_is_a_duplicate_naming_the_field(store, make):
    make.user(login="ana")
    with pytest.raises(DuplicateValue, match="login") as caught:
        store.users.insert(r.User(login="ana", display_name="Another Ana", role=Role.REP, created_at=NOW))
    assert "already taken" in str(caught.value)
    assert store.users.count() == 1


def test_a_foreign_key_failure_is_a_missing_reference(store):
    with pytest.raises(MissingReference, match="does not exist"):
        store.locations.insert(r.AccountLocation(account_id=999_999, name="Nowhere"))
    assert store.locations.count() == 0


def test_an_integer_out_of_range_is_unstorable(store):
    entry = r.AuditEntry(at=NOW, actor="x", action=AuditAction.UPDATE, table_name="opportunity", record_id=2**70)
    with pytest.raises(UnstorableValue, match="(too large|out of range)"):
        store.audit.insert(entry)
    assert store.audit.count() == 0


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL refuses NUL in text; SQLite stores it")
def test_a_nul_character_on_postgresql_is_unstorable(store):
    with pytest.raises(UnstorableValue, match="NUL"):
        store.users.insert(r.User(login="nul", display_name="Bad\x00Name", role=Role.REP, created_at=NOW))
    assert store.users.count() == 0


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's write lock")
def test_a_locked_sqlite_database_is_busy(store, make, database_url):
    make.user(login="ana")
    path = store.db.database
    holder = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    impatient = PantrySqliteDatabase(path, pragmas={"busy_timeout": 100, "journal_mode": "wal"}, timeout=0.1,
                                     lock_type="IMMEDIATE")
    holder.execute("BEGIN IMMEDIATE")  # another session holds the write lock
    try:
        database_proxy.initialize(impatient)
        with pytest.raises(DatabaseBusy, match="busy"):
            with impatient.atomic():
                impatient.execute_sql("UPDATE user SET team = 'x'")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        impatient.close()
        database_proxy.initialize(store.db)


@pytest.mark.skipif(ON_POSTGRES, reason="a SQLite file that cannot be opened")
def test_a_sqlite_database_that_cannot_be_opened_is_unavailable(tmp_path):
    (tmp_path / "a-directory.db").mkdir()
    try:
        with pytest.raises(DatabaseUnavailable, match="cannot be reached"):
            Store.open(f"sqlite:///{tmp_path / 'a-directory.db'}")
    finally:
        database_proxy.initialize(peewee.SqliteDatabase(":memory:"))


@pytest.mark.skipif(not ON_POSTGRES, reason="a PostgreSQL connection the server ends")
def test_a_lost_postgresql_connection_is_unavailable(store, make):
    make.user(login="ana")
    pid = store.db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    other = psycopg2.connect(database=store.db.database, **store.db.connect_params)
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
    finally:
        other.close()
    with pytest.raises(DatabaseUnavailable):
        store.users.find(login="ana")
    store.db.close()  # the next use reconnects
    assert store.users.find(login="ana")[0].login == "ana"


def test_the_cli_says_what_the_database_refused_in_one_line(tmp_path, capsys):
    from cli.main import main

    (tmp_path / "a-directory.db").mkdir()
    code = main(["list", "users", "--db", str(tmp_path / "a-directory.db")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("pantry: the database cannot be reached") and err.count("\n") == 1
    assert "Traceback" not in err


def test_an_old_record_id_past_64_bits_is_refused_plainly(capsys, database_url, store):
    from cli.main import main

    store.users.insert(r.User(login="ana", display_name="Ana", role=Role.ADMIN,
                              created_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    code = main(["move", str(2**70), "closed_won", "--as", "ana", "--db", database_url])
    err = capsys.readouterr().err
    # refused at the boundary now (domain/inputs.py parse_id), before any query: a usage error naming the argument
    assert code == 2 and "Traceback" not in err
    assert err.splitlines()[-1].startswith("pantry move: error: argument OPPORTUNITY_ID: expected an id from 1 to ")


@pytest.mark.parametrize(("driver_error", "expected", "words"), DRIVER_ERRORS,
                         ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else None)
def test_a_driver_error_raised_by_a_cursor_used_directly_is_translated_too(driver_error, expected, words):
    """The importer's bulk writes and the demo's COPY use the driver's cursor: its errors are not wrapped."""
    with pytest.raises(expected, match=words.replace("(", r"\(").replace(")", r"\)")):
        with translated():
            raise driver_error


def test_a_duplicate_written_through_the_cursor_inside_a_transaction_is_a_duplicate(store, make):
    make.user(login="ana")
    mark = store.db.param
    columns = '"login", "display_name", "role", "active", "created_at", "team", "region", "version"'
    with pytest.raises(DuplicateValue, match="login"):
        with store.atomic():
            cursor = store.db.cursor()
            cursor.execute(f'INSERT INTO "user" ({columns}) VALUES ({", ".join([mark] * 8)})',
                           ("ana", "Ana again", "rep", True, NOW.isoformat(), "", "", 1))
    assert store.users.count() == 1

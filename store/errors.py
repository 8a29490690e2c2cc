"""Driver errors turned into domain errors, so nothing above the store names peewee, sqlite3 or psycopg2.

Every statement, BEGIN, COMMIT, ROLLBACK and connect of the store's databases runs inside
`translated()` (see `TranslatingDatabase` in store/database.py), and so does every transaction
(`Store.atomic`) and the demo generator, which also reach the driver's cursor directly (bulk
inserts, COPY). What the drivers raise arrives here as Peewee's wrappers (IntegrityError, OperationalError, DataError, InterfaceError…, the
driver's exception as their `orig`) or, for a few value problems, as plain Python
errors; each leaves as one of `domain.errors`:

| driver says                                          | domain error          |
|------------------------------------------------------|-----------------------|
| UNIQUE constraint failed / unique violation (23505)  | DuplicateValue        |
| FOREIGN KEY constraint failed / 23503                | MissingReference      |
| NOT NULL or CHECK constraint failed / 23502, 23514   | UnstorableValue       |
| database is locked or busy / deadlock, lock timeout  | DatabaseBusy          |
| cannot connect, connection lost or closed            | DatabaseUnavailable   |
| NUL (0x00) in a string (PostgreSQL)                  | UnstorableValue       |
| integer out of range (22003) / OverflowError         | UnstorableValue       |
| any other data error (too long, bad text …)          | UnstorableValue       |
| any other database error                             | StorageFailure        |

The message is one plain line that says what happened and that nothing was saved; the original
exception stays attached as `__cause__` for the log.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager

import peewee

from domain.errors import (
    DatabaseBusy,
    DatabaseUnavailable,
    DomainError,
    DuplicateValue,
    MissingReference,
    StorageFailure,
    UnstorableValue,
)

NOTHING_SAVED = "nothing was saved"
SQLITE_MAX_INTEGER = 2**63 - 1

# PostgreSQL SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html)
PG_UNIQUE, PG_FOREIGN_KEY, PG_NOT_NULL, PG_CHECK = "23505", "23503", "23502", "23514"
PG_OUT_OF_RANGE = "22003"
PG_BUSY = ("40001", "40P01", "55P03", "57014")  # serialization, deadlock, lock not available, statement timeout
PG_UNAVAILABLE_CLASSES = ("08", "57P")  # connection exceptions, operator intervention (shutdown)

_BUSY_TEXT = ("database is locked", "database table is locked", "database is busy")
_UNAVAILABLE_TEXT = (
    "unable to open database file", "could not connect", "connection refused", "server closed the connection",
    "connection already closed", "terminating connection", "no connection to the server", "connection to server",
    "ssl syscall error", "could not receive data", "could not send data", "cursor already closed",
    "database connection not opened", "cannot operate on a closed database",
)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def _driver_error(error: BaseException) -> BaseException:
    """The driver's own exception inside a Peewee wrapper (Peewee keeps it as `orig`)."""
    original = getattr(error, "orig", None)
    return original if isinstance(original, BaseException) else error


# psycopg2's exception classes by name, for an exception that carries no code (made by hand, in tests)
_PG_CLASS_CODES = {
    "UniqueViolation": PG_UNIQUE, "ForeignKeyViolation": PG_FOREIGN_KEY, "NotNullViolation": PG_NOT_NULL,
    "CheckViolation": PG_CHECK, "NumericValueOutOfRange": PG_OUT_OF_RANGE, "SerializationFailure": "40001",
    "DeadlockDetected": "40P01", "LockNotAvailable": "55P03", "QueryCanceled": "57014", "AdminShutdown": "57P01",
}


def _pgcode(driver: BaseException) -> str:
    return getattr(driver, "pgcode", None) or _PG_CLASS_CODES.get(type(driver).__name__, "")


def _detail(driver: BaseException) -> str:
    diag = getattr(driver, "diag", None)
    return (getattr(diag, "message_detail", None) or "") if diag is not None else ""


def _pg_columns(detail: str) -> str:
    """`Key (login)=(ana) already exists.` -> `login`; `Key (a, b)=(…)` -> `a, b`."""
    found = re.search(r"Key \(([^)]*)\)", detail)
    return found.group(1) if found else ""


def _sqlite_columns(message: str) -> str:
    """`UNIQUE constraint failed: user.login, user.team` -> `user.login, user.team`."""
    return message.split(":", 1)[1].strip() if ":" in message else ""


def _integrity(driver: BaseException) -> DomainError:
    message, code = _first_line(driver), _pgcode(driver)
    lowered = message.lower()
    if code == PG_UNIQUE or "unique" in lowered:
        where = _pg_columns(_detail(driver)) or _sqlite_columns(message)
        what = f"{where}: " if where else ""
        return DuplicateValue(f"{what}that value is already taken by another record; {NOTHING_SAVED}")
    if code == PG_FOREIGN_KEY or "foreign key" in lowered:
        detail = _detail(driver)
        if "still referenced" in detail or "still referenced" in str(driver) or lowered.startswith("update or delete"):
            return MissingReference(f"the record is still referred to by others; {NOTHING_SAVED}")
        where = _pg_columns(detail)
        what = f"{where}: " if where else ""
        return MissingReference(f"{what}it refers to a record that does not exist; {NOTHING_SAVED}")
    if code == PG_NOT_NULL or "not null" in lowered or "null value" in lowered:
        column = getattr(getattr(driver, "diag", None), "column_name", None) or _sqlite_columns(message)
        return UnstorableValue(f"{column or 'a field'}: a value is required; {NOTHING_SAVED}")
    if code == PG_CHECK or "check constraint" in lowered:
        return UnstorableValue(f"a value is outside what the database allows ({message}); {NOTHING_SAVED}")
    return StorageFailure(f"the database refused the change ({message}); {NOTHING_SAVED}")


def _operational(driver: BaseException) -> DomainError:
    message, code = _first_line(driver), _pgcode(driver)
    lowered = message.lower()
    if code in PG_BUSY or any(text in lowered for text in _BUSY_TEXT) or "deadlock" in lowered:
        return DatabaseBusy("the database is busy (another session holds it); try again in a moment")
    if code.startswith(PG_UNAVAILABLE_CLASSES) or any(text in lowered for text in _UNAVAILABLE_TEXT):
        return DatabaseUnavailable(f"the database cannot be reached ({message})")
    return StorageFailure(f"database error: {message}")


def _data(driver: BaseException) -> DomainError:
    message, code = _first_line(driver), _pgcode(driver)
    if code == PG_OUT_OF_RANGE or "out of range" in message.lower():
        return UnstorableValue(f"a number is out of range for the database ({message}); {NOTHING_SAVED}")
    return UnstorableValue(f"a value the database cannot store ({message}); {NOTHING_SAVED}")


def _driver_errors() -> tuple[type[BaseException], ...]:
    try:
        import psycopg2
    except ImportError:  # SQLite only
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg2.Error)


def _wrapped(error: BaseException) -> BaseException:
    """A driver's own exception (raised by a cursor used directly) as Peewee would have wrapped it."""
    try:
        with peewee.__exception_wrapper__:
            raise error
    except peewee.PeeweeException as wrapped:
        return wrapped
    except BaseException:  # a driver error Peewee has no class for
        return peewee.DatabaseError(error, *error.args)
    raise AssertionError("unreachable")


def translate(error: BaseException) -> DomainError | None:
    """The domain error standing for a driver error, or None when `error` is not one."""
    if isinstance(error, DomainError):
        return None
    if isinstance(error, _driver_errors()):
        error = _wrapped(error)
    if isinstance(error, OverflowError):  # sqlite3 binding a Python int beyond 64 bits
        return UnstorableValue(f"a number is too large for the database (at most {SQLITE_MAX_INTEGER:,}); "
                               f"{NOTHING_SAVED}")
    if isinstance(error, ValueError) and "NUL" in str(error) and "0x00" in str(error):  # psycopg2
        return UnstorableValue(f"text cannot contain a NUL character (\\x00); {NOTHING_SAVED}")
    if isinstance(error, peewee.IntegrityError):
        return _integrity(_driver_error(error))
    if isinstance(error, peewee.DataError):
        return _data(_driver_error(error))
    if isinstance(error, peewee.InterfaceError):
        return DatabaseUnavailable(f"the connection to the database was lost ({_first_line(_driver_error(error))})")
    if isinstance(error, (peewee.OperationalError, peewee.InternalError)):
        return _operational(_driver_error(error))
    if isinstance(error, peewee.DatabaseError):
        return StorageFailure(f"database error: {_first_line(_driver_error(error))}")
    return None


@contextmanager
def translated():
    """Run the block; a driver error leaving it is raised again as its domain error."""
    try:
        yield
    except Exception as error:
        domain_error = translate(error)
        if domain_error is None:
            raise
        raise domain_error from error

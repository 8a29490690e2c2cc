"""The errors of the domain: what the CLI exits 1 with and the TUI shows, each with a plain message.

- `Refused`: a rule or a permission refused the action.
- `NotFound`, `VersionConflict`: the record is not there, or changed since it was read.
- `StorageFailure` and its kinds: the database could not do it (a duplicate, a missing
  reference, busy, unreachable, a value it cannot hold). The store translates its drivers'
  exceptions (peewee, sqlite3, psycopg2) into these, so nothing above the store names a driver.

All of them mean: nothing was written. `InvalidSort` is a bad sort column (a usage error).
"""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """Anything the user must act on; `str(error)` says what, in one plain line."""


class Refused(DomainError):
    """A rule or a permission refused the action; nothing was written."""


class NoActor(Refused):
    def __init__(self) -> None:
        super().__init__(
            "no Pantry user for this session: changes need a user of this database "
            "(run with --as LOGIN; `pantry list users` shows the logins)"
        )


def require_actor(session) -> None:
    if session.actor is None:
        raise NoActor()


class NotFound(DomainError):
    def __init__(self, kind: str, record_id: int | str) -> None:
        super().__init__(f"{kind} {record_id} not found")
        self.kind = kind
        self.record_id = record_id


class VersionConflict(DomainError):
    """The record changed since it was read; nothing was written."""

    def __init__(self, kind: str, record_id: int, changed_by: str | None, changed_at: datetime | None) -> None:
        who = changed_by or "another session"
        when = f" at {changed_at:%Y-%m-%d %H:%M} UTC" if changed_at else ""
        super().__init__(f"{kind} {record_id} was changed by {who}{when} since you opened it; reload and try again")
        self.kind = kind
        self.record_id = record_id
        self.changed_by = changed_by
        self.changed_at = changed_at


class InvalidSort(DomainError, ValueError):
    """An unknown sort column; the message names the choices."""


# -- the database could not do it (translated from the drivers by the store) -------------------


class StorageFailure(DomainError):
    """The database refused or failed the operation; the transaction was rolled back."""


class DuplicateValue(StorageFailure):
    """A value that must be unique (a login, a SKU, a proposal number…) is taken."""


class MissingReference(StorageFailure):
    """A record refers to another that does not exist (or is still referred to)."""


class DatabaseBusy(StorageFailure):
    """Another session holds the database (SQLite's lock, a PostgreSQL lock or deadlock); try again."""


class DatabaseUnavailable(StorageFailure):
    """The database cannot be reached: the connection failed or was lost."""


class UnstorableValue(StorageFailure):
    """A value the database cannot hold: a NUL character in text, an integer out of range."""


class InvalidFields(DomainError):
    """Typed values refused, every one at once: `problems` is (field key, reason) in the order given.
    The key is the editor's (`expected_close`); the CLI shows it as `--expected-close`, a form as its label."""

    def __init__(self, what: str, problems: list[tuple[str, str]]) -> None:
        self.what = what
        self.problems = problems
        super().__init__(f"{what}: " + "; ".join(f"{key}: {reason}" if key else reason for key, reason in problems))


class DuplicateRecord(Refused):
    """A new account or contact matches existing ones; `matches` are (record, why) pairs."""

    def __init__(self, kind: str, matches: list) -> None:
        self.kind = kind
        self.matches = matches
        shown = "; ".join(f"{kind} {record.id} {label!r} ({why})" for record, label, why in matches[:5])
        super().__init__(f"a {kind} like this exists already: {shown}")

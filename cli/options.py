"""Global options (--db, --as, --as-of, --demo), accepted before or after any subcommand.

The top-level parser defines them with real defaults; every subparser defines them again
with `default=argparse.SUPPRESS`, so a subparser only sets what was actually typed after
the subcommand (and argparse copies it over the top-level value). Hence
`pantry --db X list users` and `pantry list users --db X` give the same namespace.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from datetime import date
from typing import Iterator

from cli.context import GlobalOptions, UsageError, open_session, parse_as_of
from cli.errors import CommandError
from domain.inputs import SHORT_TEXT, InputError, check_text, parse_count, parse_date, parse_id
from domain.money import MoneyError, parse_cents
from domain.session import Session
from domain.settings import load_settings


def add_global_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    unset = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("global options (before or after the subcommand)")
    group.add_argument(
        "--db", metavar="URL", default=unset,
        help="database: a file path, sqlite:///PATH or postgresql://... (default: `db` in the settings, "
        "$PANTRY_DB, else pantry.db in the user data dir, `data_dir`/$PANTRY_DATA_DIR overrides the dir)",
    )
    group.add_argument(
        "--as", dest="login", metavar="LOGIN", default=unset,
        help="act as the user with this login (default: your OS login)",
    )
    group.add_argument(
        "--as-of", dest="as_of", metavar="YYYY-MM-DD", default=unset,
        help="evaluate 'today' as this date (days in stage, demo data anchor, ...)",
    )
    group.add_argument(
        "--pipeline", metavar="FILE", default=unset,
        help="the pipeline (TOML) a new database starts with (default: `pipeline` in the settings, else the "
        "shipped default); the database keeps its own: change it with `pantry pipeline set FILE`",
    )
    group.add_argument(
        "--demo", action="store_true", default=False if top else argparse.SUPPRESS,
        help="use the demo database (the TUI creates it on first use)",
    )


def global_options(args: argparse.Namespace) -> GlobalOptions:
    db = getattr(args, "db", None)
    login = getattr(args, "login", None)
    as_of_text = getattr(args, "as_of", None)
    if db is not None and not db.strip():
        raise UsageError("--db: expected a database URL or file path, got an empty string")
    if login is not None and not login.strip():
        raise UsageError("--as: expected a login, got an empty string")
    as_of = parse_as_of(as_of_text) if as_of_text is not None else None
    return GlobalOptions(db=db, login=login, as_of=as_of, demo=bool(getattr(args, "demo", False)),
                         pipeline=getattr(args, "pipeline", None), settings=load_settings())


@contextmanager
def session_for(options: GlobalOptions, *, empty_hint: bool = True, strict_pipeline: bool = True) -> Iterator[Session]:
    """An open Session for one command; the store is closed afterwards."""
    try:
        session = open_session(options, strict_pipeline=strict_pipeline)
    except UsageError as exc:
        # open_session raises UsageError only for an unknown --as login: the option is well
        # formed, the database just has no such user, so it is a refusal (exit 1), not usage.
        raise CommandError(str(exc)) from None
    try:
        if empty_hint and session.store.is_empty() and not options.demo:
            print(f"pantry: note: {session.store.description} has no data yet "
                  "(`pantry --demo` and `--demo` use the demo database; `pantry demo --db URL` fills one)",
                  file=sys.stderr)
        yield session
    finally:
        session.store.close()


# -- argparse value types: a bad value is an argparse error (exit 2) naming the option ----------


def dollars(text: str) -> int:
    """A money amount in dollars ('1,234.50', '$99') -> cents, 0 to $1,000,000,000,000.00."""
    try:
        return parse_cents(text)
    except MoneyError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _boundary(parse, text: str):
    try:
        return parse(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def iso_date(text: str) -> date:
    """YYYY-MM-DD, a day that exists."""
    return _boundary(parse_date, text)


def record_id(text: str) -> int:
    """A record's id: 1 to 2**63-1 (what the databases hold), so an id never overflows a query."""
    return _boundary(parse_id, text)


def non_negative_int(text: str) -> int:
    return _boundary(lambda t: parse_count(t, minimum=0), text)


def positive_int(text: str) -> int:
    return _boundary(lambda t: parse_count(t, minimum=1), text)


def version_number(text: str) -> int:
    """A record's version (--expect-version): 1 or more, at most what the database holds."""
    return _boundary(lambda t: parse_count(t, minimum=1), text)


def percent(text: str) -> int:
    return _boundary(lambda t: parse_count(t, minimum=0, maximum=100), text)


def text_option(limit: int = SHORT_TEXT, *, multiline: bool = False):
    """An argparse type for free text: at most `limit` characters (the record's own limit, so what is stored
    can be read back and exported), no control characters."""
    def parse(text: str) -> str:
        return _boundary(lambda t: check_text(t, limit=limit, multiline=multiline), text)

    parse.__name__ = "text"
    return parse

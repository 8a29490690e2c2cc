"""`pantry db upgrade` and `pantry db status`: the database schema and its migrations.

These open the database with `open_database` (not `Store.open`, which refuses or creates a
schema): `upgrade` must work on a database with pending migrations. A database written by
a newer Pantry (it lists a migration this program does not know) is refused untouched.
"""

from __future__ import annotations

import argparse
import sys

from cli.context import GlobalOptions, database_url
from cli.options import add_global_options
from store import schema
from store.database import describe, open_database, sqlite_path

NAME = "db"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="database schema: upgrade, status", allow_abbrev=False,
        description="Manage the database schema.",
    )
    add_global_options(parser)
    commands = parser.add_subparsers(dest="db_command", metavar="COMMAND", title="commands", required=True)
    upgrade = commands.add_parser(
        "upgrade", help="apply pending migrations (creates the schema on an empty database)", allow_abbrev=False,
        description="Apply every pending migration, each in its own transaction. "
        "A database upgraded by a newer Pantry CRM is refused and left unchanged.",
    )
    add_global_options(upgrade)
    upgrade.set_defaults(handler=run_upgrade)
    status = commands.add_parser(
        "status", help="show applied, pending and unknown migrations", allow_abbrev=False,
        description="Show the database and its applied, pending and unknown migrations. Changes nothing.",
    )
    add_global_options(status)
    status.set_defaults(handler=run_status)


def run_upgrade(args: argparse.Namespace, options: GlobalOptions) -> int:
    url = database_url(options)
    db = open_database(url)
    try:
        out = sys.stdout
        out.write(f"database: {describe(db)}\n")
        applied = schema.upgrade(db)  # raises SchemaTooNew before changing anything
        if applied:
            for name in applied:
                out.write(f"applied {name}\n")
        else:
            out.write("schema is up to date\n")
    finally:
        db.close()
    return 0


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "(none)"


def run_status(args: argparse.Namespace, options: GlobalOptions) -> int:
    url = database_url(options)
    out = sys.stdout
    path = sqlite_path(url)
    if path is not None and not path.exists():
        # do not create a file just to report on it
        out.write(f"database: SQLite {path} (does not exist)\n")
        out.write("no schema yet: `pantry db upgrade` creates it\n")
        return 0
    db = open_database(url)
    try:
        state = schema.status(db)
        out.write(f"database: {describe(db)}\n")
        out.write(f"applied:  {_names(state.applied)}\n")
        out.write(f"pending:  {_names(state.pending)}\n")
        out.write(f"unknown:  {_names(state.unknown)}\n")
    finally:
        db.close()
    if state.unknown:
        out.write("this database was upgraded by a newer Pantry CRM: upgrade Pantry CRM to open it\n")
    elif state.is_empty:
        out.write("no schema yet: run `pantry db upgrade`\n")
    elif state.pending:
        out.write(f"{len(state.pending)} pending migration(s): run `pantry db upgrade`\n")
    else:
        out.write("schema is up to date\n")
    return 0

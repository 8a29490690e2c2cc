"""The terminal UI: `pantry` with no subcommand, `pantry --demo`, or `pantry tui`.

`tui.app` (and with it textual) is imported only here, inside the function, so the other
subcommands start fast and work without a terminal.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from cli.commands.demo_cmd import (
    DEFAULT_OPPORTUNITIES,
    DEFAULT_SEED,
    delete_sqlite_files,
    generate_into,
    has_data,
)
from cli.context import GlobalOptions, database_url, demo_day, make_clock
from cli.errors import CommandError
from cli.options import add_global_options, session_for
from domain.settings import Settings, SettingsError
from store.database import sqlite_path
from store.store import Store

NAME = "tui"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="open the terminal UI (also what `pantry` alone does)", allow_abbrev=False,
        description="Open the terminal UI. With --demo, on the demo database (generated on first use).",
    )
    add_global_options(parser)
    parser.set_defaults(handler=run)


def ensure_demo_database(options: GlobalOptions) -> None:
    """Make sure the demo database has data, generating it (progress on stderr) if not.

    The default demo database (in the user data dir) is ours: when it is missing or has no
    opportunities (say, an interrupted generation) it is rebuilt from scratch. A database
    given with --db is only filled when it is completely empty.
    """
    url = database_url(replace(options, demo=True))
    own_file = options.db is None
    path = sqlite_path(url)
    today = demo_day(make_clock(options.as_of))
    err = sys.stderr
    if own_file and path is not None and path.exists():
        with Store.open(url) as store:
            if store.opportunities.count() > 0:
                return
        delete_sqlite_files(path)
    with Store.open(url) as store:
        if store.opportunities.count() > 0:
            return
        if has_data(store):
            raise CommandError(
                f"{store.description} has data but no opportunities; it is not a demo database "
                "(run `pantry demo --db ... --force` to replace it, or use another --db)"
            )
        err.write(f"creating the demo database at {store.description} ...\n")
        err.flush()
        generate_into(store, seed=DEFAULT_SEED, opportunities=DEFAULT_OPPORTUNITIES, today=today, err=err)


def check_keymap(settings: Settings) -> None:
    """A binding id in `[keymap]` that no key has is refused, like any mistake in the settings (exit 2)."""
    if not settings.keymap:
        return
    from tui.keymap import unknown_ids

    where = settings.origin("keymap")
    unknown = unknown_ids(settings.keymap)
    if unknown:
        raise SettingsError([f"{where}: {binding_id}: no key has this id (the help screen, ?, lists the ids)"
                             for binding_id in unknown])


def has_terminal() -> bool:
    """Both ends of the TUI are a terminal: keys come in on stdin, the screen goes out on stdout."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


NO_TERMINAL = ("the terminal UI needs a terminal, and this session has none (over SSH, connect with `ssh -t`; "
               "without a terminal run a command instead, e.g. `pantry list opportunities`)")


def run(args: argparse.Namespace | None, options: GlobalOptions) -> int:
    try:
        from tui.app import run_app
    except ImportError as exc:
        raise CommandError(f"the terminal UI is not available ({exc})") from None
    check_keymap(options.settings)  # a mistake in the settings is named first, terminal or not
    if not has_terminal():  # `ssh -T host`, a pipe, cron: the TUI would wait for keys that never come
        raise CommandError(NO_TERMINAL)
    if options.demo:
        ensure_demo_database(options)
    with session_for(options) as session:
        code = run_app(session, demo=options.demo)
    return 0 if code is None else int(code)

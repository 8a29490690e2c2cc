"""`pantry demo`: write the generated demo dataset into a database.

The generator lives in `store.demo` and is imported only when it is needed.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TextIO

from cli.context import GlobalOptions, database_url, demo_day, make_clock
from cli.errors import CommandError
from cli.options import add_global_options, positive_int
from store.database import sqlite_path
from store.store import Store

NAME = "demo"
DEFAULT_SEED = 7
DEFAULT_OPPORTUNITIES = 2000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="write the demo dataset into a database", allow_abbrev=False,
        description="Generate a realistic demo dataset (default: into the demo database in the user data dir). "
        "Refuses a database that already has data unless --force. --as-of anchors the data's dates.",
    )
    add_global_options(parser)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    parser.add_argument(
        "--opportunities", type=positive_int, default=DEFAULT_OPPORTUNITIES, metavar="N",
        help=f"number of opportunities (default: {DEFAULT_OPPORTUNITIES}); other tables scale with it",
    )
    parser.add_argument(
        "--force", action="store_true",
        help="replace an existing database (SQLite only: the file and its -wal/-shm are deleted first)",
    )
    parser.set_defaults(handler=run)


# -- progress ------------------------------------------------------------------------------


class Progress:
    """The generator's progress callback: one updating line on a terminal, else a line per table."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        isatty = getattr(stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.table: str | None = None
        self.last: tuple[int, int] = (0, 0)
        self.reported = True
        self.width = 0
        self.drawn_at = 0.0

    def __call__(self, table: str, done: int, total: int) -> None:
        if table != self.table:
            self._finish_table()
            self.table, self.reported = table, False
        self.last = (done, total)
        if self.tty:
            now = time.monotonic()
            if done >= total or now - self.drawn_at >= 0.05:
                self.drawn_at = now
                self._draw(f"generating {table}: {done:,}/{total:,}")
        elif done >= total:
            self._line()

    def _draw(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self.width))
        self.width = len(text)
        self.stream.flush()

    def _line(self) -> None:
        done, total = self.last
        self.stream.write(f"generated {self.table}: {done:,}/{total:,}\n")
        self.stream.flush()
        self.reported = True

    def _finish_table(self) -> None:
        if self.table is not None and not self.reported and not self.tty:
            self._line()

    def close(self) -> None:
        self._finish_table()
        if self.tty and self.width:
            self._draw("")
            self.stream.write("\r")
            self.stream.flush()


# -- writing the demo ----------------------------------------------------------------------


def delete_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        target = path.with_name(path.name + suffix)
        if target.exists():
            target.unlink()


def has_data(store: Store) -> bool:
    return not store.is_empty() or store.users.count() > 0


COUNTED = (
    ("users", "users"), ("accounts", "accounts"), ("contacts", "contacts"), ("products", "products"),
    ("leads", "leads"), ("opportunities", "opportunities"), ("line items", "line_items"),
    ("activities", "activities"), ("proposals", "proposals"), ("tasks", "tasks"), ("quotas", "quotas"),
)


def generate_into(store: Store, *, seed: int, opportunities: int, today: date, err: TextIO) -> list[tuple[str, int]]:
    """Run the demo generator on an open store (schema present); returns (table, rows) counts."""
    try:
        from store.demo import DemoError, generate_demo
    except ImportError as exc:
        raise CommandError(f"the demo generator is not available ({exc})") from None
    progress = Progress(err)
    try:
        generate_demo(store.db, seed=seed, opportunities=opportunities, today=today, progress=progress)
    except DemoError as exc:
        raise CommandError(f"demo data could not be generated: {exc}") from None
    finally:
        progress.close()
    # health scores are a cached figure: compute them once for the new accounts
    from domain.clock import FixedClock
    from domain.pipeline import DEFAULT_PIPELINE
    from domain.services.account_health import refresh_health_scores
    from domain.session import Session

    session = Session(store=store, clock=FixedClock.on(today), pipeline=DEFAULT_PIPELINE, actor=None)
    refresh_health_scores(session)
    # the forecast's landmark state is kept by whoever writes history: a bulk write builds it once
    from domain.services.forecast_service import refresh_state

    refresh_state(session)
    return [(label, getattr(store, attr).count()) for label, attr in COUNTED]


def write_demo(url: str, *, seed: int, opportunities: int, today: date, force: bool, out: TextIO, err: TextIO) -> None:
    path = sqlite_path(url)
    if force:
        if not url.startswith("sqlite"):
            raise CommandError(
                "--force is refused on PostgreSQL: drop and recreate the database yourself, then run `pantry demo` again"
            )
        if path is not None:
            delete_sqlite_files(path)
    started = time.perf_counter()
    with Store.open(url) as store:
        if has_data(store):
            found = store.opportunities.count()
            raise CommandError(
                f"{store.description} already has data ({found:,} opportunities); "
                "use --force to replace it (SQLite only) or choose another --db"
            )
        err.write(f"writing demo data to {store.description} (seed {seed}, {opportunities:,} opportunities, as of {today})\n")
        err.flush()
        counts = generate_into(store, seed=seed, opportunities=opportunities, today=today, err=err)
        elapsed = time.perf_counter() - started
        out.write(f"demo data written to {store.description} in {elapsed:.1f}s\n")
        width = max(len(label) for label, _ in counts)
        for label, n in counts:
            out.write(f"  {label.ljust(width)}  {n:>10,}\n")


def run(args: argparse.Namespace, options: GlobalOptions) -> int:
    url = database_url(replace(options, demo=True))  # --db wins; else the demo database
    today = demo_day(make_clock(options.as_of))
    write_demo(
        url, seed=args.seed, opportunities=args.opportunities, today=today, force=args.force,
        out=sys.stdout, err=sys.stderr,
    )
    return 0

"""Turning global options (--db, --as, --as-of, --demo) and the settings into an open Session."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from domain.clock import Clock, FixedClock, SystemClock
from domain.pipeline import PipelineConfig, load_pipeline
from domain.session import Session
from domain.settings import Settings
from store.database import normalise_url, sqlite_url
from store.store import Store


class UsageError(ValueError):
    """Bad command-line input (exit code 2)."""


@dataclass(frozen=True)
class GlobalOptions:
    db: str | None = None
    login: str | None = None
    as_of: date | None = None
    demo: bool = False
    pipeline: str | None = None
    settings: Settings = field(default_factory=Settings.defaults)  # PANTRY_* and settings.toml, read once


def parse_as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of: expected a date as YYYY-MM-DD, got {text!r}") from None


def make_clock(as_of: date | None) -> Clock:
    # --as-of evaluates "today" as that date: the clock stands at noon UTC on it.
    return FixedClock.on(as_of, time(12, 0)) if as_of else SystemClock()


def demo_day(clock: Clock) -> date:
    """The day demo data is generated for. Its history ends at noon UTC of that day (the instant a
    fixed --as-of clock stands at), so before noon it is yesterday's: nothing in it is later than now."""
    now = clock.now()
    noon = datetime.combine(now.date(), time(12, 0), tzinfo=timezone.utc)
    return now.date() if now >= noon else now.date() - timedelta(days=1)


def database_url(options: GlobalOptions) -> str:
    """--db, else the demo database with --demo, else `db` in the settings, else pantry.db in the data directory."""
    settings = options.settings
    if options.db:
        return normalise_url(options.db)
    if options.demo:
        return sqlite_url(settings.data_path / "demo.db")
    return normalise_url(settings.db) if settings.db else sqlite_url(settings.data_path / "pantry.db")


def resolve_actor(store: Store, login: str | None, *, demo: bool):
    """--as LOGIN, else the OS login. On the demo database an unknown OS login acts as its first manager."""
    explicit = login is not None
    login = login or getpass.getuser()
    user = store.user_by_login(login)
    if user is None and explicit:
        raise UsageError(f"--as: no user with login {login!r} in this database")
    if user is None and demo:
        managers = store.users.find(role="manager")
        user = managers[0] if managers else None
    return user


def pipeline_file(options: GlobalOptions) -> str | None:
    """--pipeline FILE, else `pipeline` in the settings (PANTRY_PIPELINE, settings.toml), else None (the default)."""
    if options.pipeline:
        return options.pipeline
    return str(options.settings.pipeline) if options.settings.pipeline else None


def open_session(options: GlobalOptions, pipeline: PipelineConfig | None = None) -> Session:
    """Open the store and resolve the actor. The pipeline comes from `pipeline_file`; an invalid
    file is refused before the database is touched."""
    pipeline = pipeline or load_pipeline(pipeline_file(options))
    store = Store.open(database_url(options))
    try:
        actor = resolve_actor(store, options.login, demo=options.demo)
    except Exception:
        store.close()
        raise
    return Session(store=store, clock=make_clock(options.as_of), pipeline=pipeline, actor=actor, settings=options.settings)

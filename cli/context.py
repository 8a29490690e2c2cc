"""Turning global options (--db, --as, --as-of, --demo) and the settings into an open Session."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from domain.clock import Clock, FixedClock, SystemClock
from domain.pipeline import DEFAULT_PIPELINE
from domain.pipeline.config import read_pipeline_file
from domain.services.pipeline_versions import PipelineFile, PipelineVersions
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
    read_only: bool = False  # the SSH gate's allow-list: nothing may be written (docs/deploy-ssh.md)
    settings: Settings = field(default_factory=Settings.defaults)  # PANTRY_* and settings.toml, read once


def parse_as_of(text: str) -> date:
    from domain.inputs import InputError, parse_date

    try:
        return parse_date(text)
    except InputError as error:
        raise UsageError(f"--as-of: {error}") from None


def make_clock(as_of: date | None, zone: tzinfo | None = None) -> Clock:
    # --as-of evaluates "today" as that date: the clock stands at noon UTC on it. Else "today" is the
    # date in the user's time zone (the `time_zone` setting, else the machine's).
    return FixedClock.on(as_of, time(12, 0)) if as_of else SystemClock(zone)


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


def pipeline_file(options: GlobalOptions) -> PipelineFile | None:
    """The pipeline file a new database starts with: --pipeline FILE, else `pipeline` in the settings
    (PANTRY_PIPELINE, settings.toml), else None (the default). Read and validated here, before any
    database is touched: an invalid file is refused with every problem."""
    if options.pipeline:
        path, given_by = options.pipeline, "--pipeline"
    elif options.settings.pipeline:
        path, given_by = str(options.settings.pipeline), options.settings.origin("pipeline")
    else:
        return None
    given = PipelineFile(path, read_pipeline_file(path), given_by)
    given.config  # an invalid file is refused here, every problem listed
    return given


def open_session(options: GlobalOptions, *, strict_pipeline: bool = True) -> Session:
    """Open the store, resolve the actor and put the session under the pipeline stored in the database
    (domain/services/pipeline_versions.py): a new database stores the pipeline file as version 1; on
    another, a file that differs is refused unless `strict_pipeline` is off (the `pipeline` commands)."""
    given = pipeline_file(options)
    store = Store.open(database_url(options), create=not options.read_only)
    try:
        actor = resolve_actor(store, options.login, demo=options.demo)
        session = Session(store=store, clock=make_clock(options.as_of, options.settings.zone), pipeline=DEFAULT_PIPELINE,
                          actor=actor, settings=options.settings, read_only=options.read_only)
        PipelineVersions(session).start(given, strict=strict_pipeline)
    except BaseException:
        store.close()
        raise
    return session

"""Turning global options (--db, --as, --as-of, --demo) into an open Session."""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from domain.clock import Clock, FixedClock, SystemClock
from domain.pipeline import PipelineConfig, load_pipeline
from domain.session import Session
from store.database import default_database_url, demo_database_url, normalise_url
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
    if options.db:
        return normalise_url(options.db)
    return demo_database_url() if options.demo else default_database_url()


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


def settings_path() -> Path:
    """settings.toml in the user config directory ($PANTRY_CONFIG_DIR overrides the directory)."""
    from platformdirs import user_config_dir

    return Path(os.environ.get("PANTRY_CONFIG_DIR") or user_config_dir("pantry-crm", appauthor=False)) / "settings.toml"


def read_settings() -> dict:
    path = settings_path()
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"{path}: cannot read the settings: {error}") from None


def pipeline_file(options: GlobalOptions) -> str | None:
    """--pipeline FILE, else $PANTRY_PIPELINE, else `pipeline` in settings.toml, else None (the default)."""
    if options.pipeline:
        return options.pipeline
    if os.environ.get("PANTRY_PIPELINE"):
        return os.environ["PANTRY_PIPELINE"]
    configured = read_settings().get("pipeline")
    if configured is not None and not isinstance(configured, str):
        raise UsageError(f"{settings_path()}: pipeline: expected a file path")
    return configured


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
    return Session(store=store, clock=make_clock(options.as_of), pipeline=pipeline, actor=actor)

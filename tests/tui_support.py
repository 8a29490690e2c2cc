"""Helpers for TUI tests: a session on a database, an app without animation, waiting for workers."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

from rich.console import Console

from domain.clock import FixedClock
from domain.pipeline import DEFAULT_PIPELINE
from domain.session import Session
from store.store import Store

DEMO_TODAY = date(2026, 3, 16)
DEMO_SEED = 7
DEMO_SIZE = 400


def make_session(url: str, login: str | None = None, today: date = DEMO_TODAY) -> Session:
    store = Store.open(url)
    actor = store.user_by_login(login) if login else None
    return Session(store=store, clock=FixedClock.on(today), pipeline=DEFAULT_PIPELINE, actor=actor)


def make_app(session: Session, watch: bool = True, remember_visit: bool = False):
    """An app for tests: no animation; by default it does not record the visit (which would make
    "new leads since your last visit" depend on which test ran first on a shared database)."""
    from tui.app import PantryApp

    return PantryApp(session, animations=False, watch=watch, remember_visit=remember_visit,
                     state_dir=Path(os.environ["PANTRY_STATE_DIR"]))  # conftest's own directory


async def settle(pilot, rounds: int = 3) -> None:
    """Wait until the app is idle: no worker running for `rounds` consecutive checks.

    Screens start their workers when they mount, which happens a little after a key press, and
    a finished page schedules a repaint of its own: so one wait is not enough, and an idle check
    must hold several times in a row (bounded, so a stuck worker fails the test instead of hanging).
    """
    from textual.worker import WorkerCancelled

    app = pilot.app
    idle = 0
    for _ in range(200):
        await pilot.pause(0.03)
        if any(worker.is_running for worker in app.workers):
            idle = 0
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:  # an exclusive worker replaced by a newer one: wait for that one
                continue
            await pilot.wait_for_scheduled_animations()
            continue
        idle += 1
        if idle >= rounds:
            break
    await pilot.pause(0.05)


def screen_text(app) -> str:
    """The visible screen as plain text, the way Textual's own screenshot renders it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def palette_lines(app) -> list[str]:
    """Each hit in the open command palette as plain text: its title, a newline, its help."""
    from textual.widgets import OptionList

    return [option.prompt.plain for option in app.screen.query_one(OptionList).options]


def demo_database(tmp_path_factory, name: str = "demo.db") -> str:
    """A demo database file (fixed seed, size and date), written once per test session."""
    from store.database import sqlite_url
    from store.demo import generate_demo

    path = tmp_path_factory.getbasetemp() / name
    url = sqlite_url(path)
    if not path.exists():
        store = Store.open(url)
        try:
            generate_demo(store.db, seed=DEMO_SEED, opportunities=DEMO_SIZE, today=DEMO_TODAY)
        finally:
            store.close()
    return url

"""Changes reach the screens as messages on the UI thread; the metrics recompute in a worker of their own.

- a change published on another thread (a write worker, the change watcher) reaches a screen as a
  message, handled on the UI thread — never a call on the publisher's thread;
- a burst of changes waiting in the queue arrives as one, carrying every kind;
- at midnight the `clock` change returns at once: the figures are recomputed in a worker, not on
  the UI thread; and a write worker's notice does not wait for the recompute either.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from domain.enums import Role
from domain.events import DataChanged
from domain.pipeline import DEFAULT_PIPELINE
from domain.services.opportunity_updates import OpportunityUpdates
from domain.session import Session
from tests.tui_support import make_app, settle


@pytest.fixture
def session(store, make, clock) -> tuple[Session, object]:
    rep = make.user(login="ray", display_name="Ray Rep", role=Role.REP)
    account = make.account(name="Harbor Hotel", owner_id=rep.id)
    opp = make.opportunity(name="Harbor Hotel — dairy", owner_id=rep.id, account_id=account.id, value_cents=3_000_00,
                           stage_entered_at=clock.now() - timedelta(days=1))
    return Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=rep), opp


async def until(pilot, condition, seconds: float = 5.0) -> bool:
    """Let the app run until `condition()` holds (never blocking its loop)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


async def test_a_change_made_on_another_thread_reaches_the_screen_on_the_ui_thread(session, monkeypatch):
    session, opp = session
    app = make_app(session, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ui_thread = threading.get_ident()
        seen: list[tuple[int, DataChanged]] = []
        monkeypatch.setattr(type(app.screen), "data_changed",
                            lambda screen, event: seen.append((threading.get_ident(), event)))

        def write_elsewhere() -> None:  # what a write worker does
            with session.connection():
                OpportunityUpdates(session).update_fields(opp.id, {"next_step": "Tasting"})

        writer = threading.Thread(target=write_elsewhere)
        writer.start()
        writer.join(10)
        assert await until(pilot, lambda: seen)
        assert all(thread == ui_thread for thread, _ in seen)
        assert seen[0][1].touches("opportunity") and seen[0][1].ids["opportunity"] == {opp.id}


async def test_a_burst_of_changes_reaches_a_screen_as_one(session, monkeypatch):
    session, _ = session
    app = make_app(session, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        seen: list[DataChanged] = []
        monkeypatch.setattr(type(app.screen), "data_changed", lambda screen, event: seen.append(event))
        kinds = {f"kind{n}" for n in range(30)}
        for kind in sorted(kinds):  # queued together: the app's loop does not run in between
            session.bus.publish(DataChanged(kinds=frozenset({kind}), ids={kind: frozenset({1})}))
        await settle(pilot)
        assert len(seen) == 1, f"{len(seen)} refreshes for one burst"
        assert seen[0].kinds == kinds


async def test_at_midnight_the_figures_are_recomputed_in_a_worker_not_on_the_ui_thread(session):
    session, _ = session
    app = make_app(session, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ui_thread = threading.get_ident()
        release, threads, original = threading.Event(), [], app.metrics.recompute

        def slow_recompute(**kwargs):
            threads.append(threading.get_ident())
            release.wait(10)
            return original(**kwargs)

        app.metrics.recompute = slow_recompute
        before = app.metrics.latest
        session.clock.advance(timedelta(days=1))
        started = time.monotonic()
        app._tick()  # the minute's timer, on the UI thread: the date changed
        assert time.monotonic() - started < 0.5, "the clock change waited for the recompute"
        assert await until(pilot, lambda: threads)
        assert threads[0] != ui_thread
        assert app.metrics.latest is before  # still computing, and the app still answers
        release.set()
        assert await until(pilot, lambda: app.metrics.latest is not before)
        assert app.metrics.latest.as_of == session.clock.today()


async def test_a_write_workers_notice_does_not_wait_for_the_recompute(session):
    session, opp = session
    app = make_app(session, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        release, original = threading.Event(), app.metrics.recompute
        app.metrics.recompute = lambda **kwargs: (release.wait(10), original(**kwargs))[1]

        def save() -> None:
            with session.connection():
                OpportunityUpdates(session).update_fields(opp.id, {"next_step": "Tasting"})
            app.call_from_thread(app.notify, "Saved")

        app.run_worker(save, thread=True)
        assert await until(pilot, lambda: any(n.message == "Saved" for n in app._notifications))
        assert not release.is_set()  # the figures are still being recomputed
        release.set()
        await settle(pilot)

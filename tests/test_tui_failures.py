"""Nothing ends the TUI: every failure is a notification naming what failed, and a traceback in the log.

- a worker that fails: a domain refusal or conflict shows as its own message; anything else as
  "X failed: <one line>"; the traceback goes to errors.log in the state directory;
- a message handler or an action (a key press) that raises: reported the same way, and the app
  goes on answering keys;
- every worker runs with exit_on_error=False, and every screen and widget of tui/ keeps its
  message loop running when a handler raises (KeepsRunning).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.message_pump import MessagePump

import tui
from domain.enums import Role
from domain.errors import VersionConflict
from domain.pipeline import DEFAULT_PIPELINE
from domain.session import Session
from tests.tui_support import make_app, screen_text, settle
from tui.app import PantryApp
from tui.failures import LOG_NAME, KeepsRunning, notice

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def session(store, make, clock) -> Session:
    rep = make.user(login="ray", display_name="Ray Rep", role=Role.REP)
    make.opportunity(name="Harbor Hotel — dairy", owner_id=rep.id, value_cents=3_000_00)
    return Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=rep)


def app_for(session: Session, state_dir: Path) -> PantryApp:
    app = make_app(session, watch=False)
    app.failures.path = state_dir / LOG_NAME  # the test's own log
    return app


def notices(app) -> list[tuple[str, str, str]]:
    return [(n.title, n.message, n.severity) for n in app._notifications]


async def test_a_failed_worker_is_a_notification_and_a_logged_traceback(session, tmp_path):
    app = app_for(session, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)

        def broken() -> None:
            raise RuntimeError("the [bold]unexpected[/bold]\nsecond line")  # user text: never markup

        app.run_worker(broken, thread=True, name="Loading the dashboard", exit_on_error=False)
        await settle(pilot)
        assert app.is_running
        assert ("Loading the dashboard", "Loading the dashboard failed: the [bold]unexpected[/bold]", "error") \
            in notices(app)
        assert all(not n.markup for n in app._notifications)
        log = (tmp_path / LOG_NAME).read_text(encoding="utf-8")
        assert "Loading the dashboard failed" in log and "Traceback (most recent call last)" in log
        assert "RuntimeError: the [bold]unexpected[/bold]" in log and "in broken" in log


async def test_a_screens_worker_that_fails_reaches_the_apps_handler(session, store, make, tmp_path, monkeypatch):
    """Textual posts a worker's state to the screen that started it, without bubbling: it still lands here."""
    import tui.screens.tasks as tasks_screen
    from domain.errors import DatabaseBusy

    make.task(assignee_id=session.actor.id, title="Call the chef")

    def busy(*_args, **_kwargs):
        raise DatabaseBusy("the database is busy (another session holds it); try again in a moment")

    monkeypatch.setattr(tasks_screen, "set_task_done", busy)
    app = app_for(session, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert app.is_running
        assert ("Updating the task", "the database is busy (another session holds it); try again in a moment",
                "warning") in notices(app)
        assert "DatabaseBusy" in (tmp_path / LOG_NAME).read_text(encoding="utf-8")
        assert [n for n in notices(app) if n[0] == "Updating the task"] == notices(app)[-1:]  # reported once


async def test_a_refusal_in_a_worker_shows_its_own_message(session, tmp_path):
    app = app_for(session, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)

        def conflicted() -> None:
            raise VersionConflict("opportunity", 7, "mia", None)

        app.run_worker(conflicted, thread=True, name="Saving the deal", exit_on_error=False)
        await settle(pilot)
        assert ("Saving the deal", "opportunity 7 was changed by mia since you opened it; reload and try again",
                "warning") in notices(app)
        assert "VersionConflict" in (tmp_path / LOG_NAME).read_text(encoding="utf-8")


async def test_a_key_whose_action_raises_does_not_end_the_app(session, tmp_path, monkeypatch):
    from tui.screens.dashboard import DashboardScreen

    def broken_action(self) -> None:
        raise RuntimeError("the action broke")

    monkeypatch.setattr(DashboardScreen, "action_reload", broken_action, raising=False)
    app = app_for(session, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert any(b.key == "ctrl+r" for b in DashboardScreen.BINDINGS)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.is_running and ("Reload", "Reload failed: the action broke", "error") in notices(app)
        await pilot.press("k")  # the app still answers keys
        await settle(pilot)
        assert app.screen.MODE == "kanban" and "Harbor Hotel" in screen_text(app)
        log = (tmp_path / LOG_NAME).read_text(encoding="utf-8")
        assert "RuntimeError: the action broke" in log and "in broken_action" in log


async def test_a_message_handler_that_raises_does_not_end_the_app(session, tmp_path, monkeypatch):
    from tui.screens.kanban import KanbanScreen

    raised = []

    def broken_handler(self, message) -> None:
        raised.append(message)
        raise ValueError("the handler broke")

    monkeypatch.setattr(KanbanScreen, "on_records_changed", broken_handler)
    app = app_for(session, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        from domain.events import DataChanged

        session.bus.publish(DataChanged(kinds=frozenset({"opportunity"})))
        await settle(pilot)
        session.bus.publish(DataChanged(kinds=frozenset({"opportunity"})))  # the screen's loop still runs
        await settle(pilot)
        assert len(raised) == 2 and app.is_running
        assert ("Records changed", "Records changed failed: the handler broke", "error") in notices(app)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.MODE == "dashboard"
        assert "ValueError: the handler broke" in (tmp_path / LOG_NAME).read_text(encoding="utf-8")


def test_notices_say_what_failed_in_one_line():
    assert notice("Moving the deal", VersionConflict("opportunity", 3, None, None)) == (
        "opportunity 3 was changed by another session since you opened it; reload and try again", "warning")
    assert notice("Exporting the report", OSError(28, "No space left on device")) == (
        "Exporting the report failed: [Errno 28] No space left on device", "error")
    assert notice("Loading", RuntimeError("")) == ("Loading failed: RuntimeError", "error")


def _tui_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(tui.__path__, "tui.")]


def test_every_screen_and_widget_keeps_its_message_loop_running():
    missing = []
    for name in _tui_modules():
        for attr, obj in vars(importlib.import_module(name)).items():
            if inspect.isclass(obj) and obj.__module__ == name and issubclass(obj, MessagePump) \
                    and not issubclass(obj, KeepsRunning):
                missing.append(f"{name}.{attr}")
    assert not missing, f"add KeepsRunning (tui/failures.py) to: {missing}"


def test_every_worker_leaves_failures_to_the_apps_handler():
    problems = []
    for path in sorted((ROOT / "tui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "work", "run_worker"):
                keywords = {k.arg: k.value for k in node.keywords}
                value = keywords.get("exit_on_error")
                if not (isinstance(value, ast.Constant) and value.value is False):
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                if "name" not in keywords and getattr(node.func, "id", "") == "work":
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: name it (the notice says what failed)")
    assert not problems, "workers without exit_on_error=False or a name:\n" + "\n".join(problems)

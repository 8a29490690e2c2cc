"""Keys: every binding has an id, a user keymap in the settings remaps it, the help screen shows the ids;
breakpoints give screens their `-narrow` and `-short` classes."""

from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path

import pytest
from textual.screen import Screen

from cli.main import main
from domain.settings import Settings
from tests.tui_support import demo_database, make_app, make_session, screen_text, settle
from tui.keymap import binding_ids, bindings, unknown_ids
from tui.screens.base import PantryScreen
from tui.widgets.paged_table import PagedTable

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory)


def binding_calls() -> list[tuple[str, int, ast.Call]]:
    """Every `Binding(...)` written under tui/."""
    calls = []
    for path in sorted((ROOT / "tui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Binding":
                calls.append((path.relative_to(ROOT).as_posix(), node.lineno, node))
    return calls


def test_every_binding_has_an_id():
    declared = [(path, line) for path, line, call in binding_calls()
                if call.args and not (len(call.args) == 2 and isinstance(call.args[1], ast.Constant)
                                      and call.args[1].value == "")]  # the help screen's key-display probe
    missing = [f"{path}:{line}" for path, line, call in binding_calls()
               if (path, line) in declared and not any(k.arg == "id" for k in call.keywords)]
    assert len(declared) >= 60 and missing == []


def test_every_id_is_declared_once_and_unique_on_each_screen():
    declared = [binding.id for found in bindings().values() for _, binding in found]
    assert None not in declared
    assert [binding_id for binding_id, n in Counter(declared).items() if n > 1] == []
    app = bindings()["tui.app.PantryApp"]
    screens = {cls for found in bindings().values() for cls, _ in found if issubclass(cls, Screen)}
    screens |= {sub for cls in list(screens) for sub in cls.__subclasses__()}
    for screen in screens:
        chain = [b for _, b in app] + [b for cls in screen.__mro__ if cls.__module__.startswith("tui.")
                                       for b in vars(cls).get("BINDINGS", [])]
        chain += PagedTable.BINDINGS
        ids = [b.id for b in chain]
        assert len(ids) == len(set(ids)), screen


def test_unknown_ids_are_found():
    assert {"go-kanban", "kanban.move-next", "list.filter", "table.open", "help"} <= binding_ids()
    assert unknown_ids({"kanban.lose": "L", "kanban.loose": "L", "nope": "x"}) == ["kanban.loose", "nope"]


async def test_the_keymap_remaps_keys_and_the_help_screen_shows_them_with_their_ids(demo_url):
    session = make_session(demo_url, login="admin")
    session.settings = Settings.defaults().model_copy(update={"keymap": {"go-kanban": "K", "kanban.closed-columns": "W"}})
    app = make_app(session, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert " K Kanban" in screen_text(app)  # the navigation bar shows the user's key
        await pilot.press("k")  # the old key no longer switches
        await settle(pilot)
        assert app.current_mode == "dashboard"
        await pilot.press("K")
        await settle(pilot)
        assert app.current_mode == "kanban"
        closed = app.screen.query_one("#col-closed_won")
        assert not closed.display
        await pilot.press("w")
        await settle(pilot)
        assert not closed.display
        await pilot.press("W")
        await settle(pilot)
        assert closed.display
        await pilot.press("question_mark")
        await settle(pilot)
        line = next(line for line in screen_text(app).splitlines() if "go-kanban" in line)
        assert " K " in line and "Kanban" in line
        listed = {binding_id: (keys, action) for _, rows in app.screen.sections for keys, action, binding_id in rows}
        assert listed["kanban.closed-columns"] == ("W", "Won/lost")
        assert listed["kanban.move-next"] == ("] / shift+→", "Move ▶")
        assert listed["table.open"] == ("⏎", "Open") and listed["help"] == ("? / f1", "Keys")


def test_an_unknown_id_in_the_keymap_is_refused_at_start(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PANTRY_KEYMAP", json.dumps({"kanban.loose": "L", "kanban.lose": "L"}))
    assert main(["tui", "--db", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert err == ("pantry: invalid settings: PANTRY_KEYMAP: kanban.loose: no key has this id "
                   "(the help screen, ?, lists the ids)\n")
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(("size", "classes", "not_classes"), [
    ((80, 24), {"-narrow", "-short"}, {"-wide", "-tall"}),
    ((120, 40), {"-wide", "-tall"}, {"-narrow", "-short"}),
])
async def test_breakpoints_set_the_narrow_and_short_classes(demo_url, size, classes, not_classes):
    from tui.screens.move_dialogs import LostReasonScreen

    app = make_app(make_session(demo_url, login="admin"), watch=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PantryScreen)
        assert classes <= app.screen.classes and not (not_classes & app.screen.classes)
        await pilot.press("f")  # a screen opened later gets them too
        await settle(pilot)
        assert classes <= app.screen.classes
        app.push_screen(LostReasonScreen("Deal"))
        await settle(pilot)
        assert classes <= app.screen.classes and not (not_classes & app.screen.classes)


def test_the_readme_keymap_example_names_real_bindings():
    import re
    import tomllib

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(# ~/.config/pantry-crm/settings.toml\n\[keymap\]\n.*?)```", readme, re.S).group(1)
    keymap = tomllib.loads(block)["keymap"]
    assert len(keymap) >= 3 and unknown_ids(keymap) == []
    assert Settings.model_validate({"keymap": keymap}).keymap == keymap

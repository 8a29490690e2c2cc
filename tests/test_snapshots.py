"""Snapshot tests: every main screen at 120x40 and 80x24, fixed clock, seed and size.

Baselines live in snapshots/ at the top of the repository (see `_snapshot_dir`). Update them
with `pytest tests/test_snapshots.py --snapshot-update` and look at every changed SVG.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_textual_snapshot

from tests.tui_support import demo_database, make_app, make_session, settle
from tui.widgets.nav_bar import SCREENS

SNAPSHOT_ROOT = Path(__file__).resolve().parent.parent / "snapshots"


def _snapshot_dir(cls, *, test_location) -> str:
    return str(SNAPSHOT_ROOT / test_location.basename)


pytest_textual_snapshot.SVGImageExtension.dirname = classmethod(_snapshot_dir)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory)


def _visit(key: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot, rounds=4)

    return run_before


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("key", [key for _, key, _ in SCREENS], ids=[mode for mode, _, _ in SCREENS])
def test_screen(snap_compare, demo_url, key, size):
    app = make_app(make_session(demo_url, login="admin"), watch=False)
    assert snap_compare(app, terminal_size=size, run_before=_visit(key))


def test_help(snap_compare, demo_url):
    app = make_app(make_session(demo_url, login="admin"), watch=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_visit("question_mark"))

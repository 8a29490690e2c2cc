"""The dashboard's Recent activity says a stage change in few words and uses the width it has (issue 16:
"Stage change: Stage changed from …" was cut even at 200 columns)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from domain.pipeline import DEFAULT_PIPELINE
from tests.tui_support import demo_database, make_app, make_session, screen_text, settle
from tui.screens.dashboard import recent_what


def test_a_stage_change_reads_as_stage_names():
    item = SimpleNamespace(kind="stage_change", subject="Stage changed from discovery to qualification")
    assert recent_what(item, DEFAULT_PIPELINE) == "Stage: Discovery → Qualification"
    note = SimpleNamespace(kind="note", subject="Chef wants samples")
    assert recent_what(note, DEFAULT_PIPELINE) == "Note: Chef wants samples"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory)


@pytest.mark.parametrize("size", [(200, 60), (120, 40), (80, 24)])
async def test_recent_activity_is_not_cut_while_there_is_room(demo_url, size):
    session = make_session(demo_url, login="dwhitfield")
    app = make_app(session)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if size[1] < 30:  # at 80x24 the panels stack: scroll down to it
            await pilot.press("tab", "tab", "tab", "tab")
            await settle(pilot)
        text = screen_text(app)
        assert "Stage changed from" not in text
        if size[0] >= 120:
            assert "Stage: " in text and "→" in text

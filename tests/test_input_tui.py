"""Hostile input in the TUI's forms and filter boxes: refused in place, naming the field; the app stays up."""

from __future__ import annotations

from tests.tui_support import demo_database, make_app, make_session, screen_text, settle


async def test_a_kanban_filter_naming_a_rep_outside_the_team_is_refused_and_the_app_stays_up(tmp_path_factory):
    session = make_session(demo_database(tmp_path_factory, name="kanban-hostile.db"), login="mrivera")
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        for word in ("@pshah", "@nobody"):  # pshah is dwhitfield's: outside mrivera's team
            await pilot.press("slash", "ctrl+u", *word, "enter")
            await settle(pilot)
            assert app.is_running
            assert any(word[1:] in n.message for n in app._notifications), [n.message for n in app._notifications]
        assert "Kanban" in screen_text(app)

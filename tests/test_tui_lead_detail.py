"""The lead's detail screen has the Leads list's actions (issue 16: it was a dead end): assign, flag,
convert, and `o` to the deal a converted lead became."""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import Input

from domain.enums import LeadStatus
from domain.filters import LeadFilter
from store.database import sqlite_url
from tests.tui_support import demo_database, make_app, make_session, screen_text, settle
from tui.screens.form import FormScreen
from tui.screens.opportunity_detail import OpportunityDetailScreen


@pytest.fixture
def url(tmp_path_factory, tmp_path):
    demo_database(tmp_path_factory)
    copy = tmp_path / "leads.db"
    shutil.copy(tmp_path_factory.getbasetemp() / "demo.db", copy)
    return sqlite_url(copy)


async def test_flag_then_convert_a_lead_from_its_detail_then_open_its_deal(url):
    session = make_session(url, login="pshah")
    lead = next(item for item in session.leads(LeadFilter(owners=("pshah",)), 0, 50).items
                if item.status is not LeadStatus.CONVERTED and not item.flagged)
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_record("lead", lead.id)
        await settle(pilot)
        assert f"Lead #{lead.id}" in screen_text(app) and "C Convert" in screen_text(app)
        await pilot.press("F")
        await settle(pilot)
        app.screen.query_one("#field-reason", Input).value = "asked for samples"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert session.store.leads.require(lead.id).flag_reason == "asked for samples"
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-value", Input).value = "-100"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)  # refused in the form, naming the field
        app.screen.query_one("#field-value", Input).value = "2500"
        await pilot.press("ctrl+s")
        await settle(pilot)
        converted = session.store.leads.require(lead.id)
        assert converted.converted_opportunity_id is not None
        assert "Convert" not in screen_text(app).split("\n")[-1]  # converted: no second conversion
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OpportunityDetailScreen)
        assert app.screen.opportunity_id == converted.converted_opportunity_id

"""The seed's scenarios, walked by keyboard on demo data, checking the screens and the database."""

from __future__ import annotations

import shutil

import pytest

from domain.enums import LeadStatus, TaskStatus
from domain.filters import LeadFilter, OpportunityFilter, TaskFilter
from domain.reports.registry import REPORTS
from domain.settings import Settings
from store.database import sqlite_url
from tests.tui_support import demo_database, make_app, make_session, screen_text, settle
from tui.screens.form import FormScreen


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    demo_database(tmp_path_factory)
    return tmp_path_factory.getbasetemp() / "demo.db"


@pytest.fixture
def url(demo_file, tmp_path):
    """A private copy of the demo database: these scenarios change it."""
    copy = tmp_path / "scenario.db"
    shutil.copy(demo_file, copy)
    return sqlite_url(copy)


async def test_lead_quality_assessment(url):
    """Mid-morning: review new leads, assign two to a rep, flag one, convert one (as a manager)."""
    session = make_session(url, login="dwhitfield")
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        table = app.screen.table
        first, second = table.item_at(0), table.item_at(1)
        assert first.status == "new" and second.status == "new"  # New first
        await pilot.press("space", "down", "space")  # mark both (space marks the row under the cursor, stays)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-login").value = "pshah"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("home", "F")
        await settle(pilot)
        await pilot.press(*"Hot: asked for a tasting this week", "enter")
        await settle(pilot)
        await pilot.press("home", "C")
        await settle(pilot)
        await pilot.press("ctrl+s")  # account from the lead's company, a default name and value
        await settle(pilot)
        assert "Converted to an opportunity" in screen_text(app) or not isinstance(app.screen, FormScreen)
    leads = {lead.id: lead for lead in (session.store.leads.require(first.id), session.store.leads.require(second.id))}
    pshah = session.store.user_by_login("pshah")
    assert leads[second.id].owner_id == pshah.id
    converted = session.store.leads.require(first.id)
    assert converted.status is LeadStatus.CONVERTED and converted.flagged
    assert converted.flag_reason == "Hot: asked for a tasting this week"
    opportunity = session.store.opportunities.require(converted.converted_opportunity_id)
    assert opportunity.stage == "discovery" and opportunity.owner_id == pshah.id
    assert session.store.stage_changes.find(opportunity=opportunity.id)[0].to_stage == "discovery"


async def test_end_of_day_wrap_up(url):
    """End of day: complete a task, schedule tomorrow's follow-up call on a priority deal."""
    session = make_session(url, login="pshah")
    task = session.tasks(TaskFilter(assignees=("pshah",), statuses=(TaskStatus.OPEN,)), 0, 1).items[0]
    deal = session.opportunities(OpportunityFilter(owners=("pshah",), status="open", sort="value", descending=True), 0, 1).items[0]
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("M")  # my tasks
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.screen.table.current_item.id == task.id
        await pilot.press("x")
        await settle(pilot)
        app.open_record("opportunity", deal.id)
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-subject").value = "Follow-up call: confirm the delivery schedule"
        form.query_one("#field-status").value = "planned"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert session.store.tasks.require(task.id).status is TaskStatus.DONE
    planned = session.store.activities.find(opportunity=deal.id, subject="Follow-up call: confirm the delivery schedule")
    assert planned and planned[0].completed_at is None and planned[0].scheduled_at is not None


async def test_morning_pipeline_review(url):
    """Morning: dashboard figures, the forecast screen, then one rep's deals, then a stalled deal."""
    session = make_session(url, login="dwhitfield")
    mine = session.opportunities(OpportunityFilter(owners=("tbecker",)), 0, 1).total
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Needs attention" in screen_text(app)
        await pilot.press("f")
        await settle(pilot)
        assert "Forecast for" in screen_text(app)
        await pilot.press("o", "slash", *"@tbecker", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.screen.table.total == mine
    assert session.leads(LeadFilter(), 0, 1).total > 0


async def test_proposal_review(url):
    """Afternoon: review pending proposals, see the acceptance rate, accept one, schedule a follow-up."""
    from domain.enums import ProposalStatus
    from domain.filters import ProposalFilter

    session = make_session(url, login="dwhitfield")
    pending = session.proposals(ProposalFilter(), 0, 1).items[0]
    assert pending.status == "sent"  # pending first
    counts = session.store.proposal_status_counts(session.visible_logins())  # his team's proposals
    assert sum(counts.values()) < sum(session.store.proposal_status_counts().values())
    accepted, rejected = counts.get("accepted", 0), counts.get("rejected", 0)
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("p")
        await settle(pilot)
        assert f"acceptance {accepted / (accepted + rejected):.0%}" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)
        app.screen.query_one("#field-status").value = "accepted"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("home", "T")  # the list reloads with the next pending proposal first
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = session.store.proposals.require(pending.id)
    assert saved.status is ProposalStatus.ACCEPTED and saved.decided_at == session.clock.now()
    assert session.store.tasks.find(title=f"Follow up on proposal {session.proposals(ProposalFilter(), 0, 1).items[0].number}")


def test_proposal_lifecycle_rules(url):
    from domain.enums import ProposalStatus
    from domain.errors import Refused
    from domain.filters import ProposalFilter
    from domain.services.proposal_actions import set_proposal_status

    session = make_session(url, login="dwhitfield")
    accepted = session.proposals(ProposalFilter(statuses=(ProposalStatus.ACCEPTED,)), 0, 1).items[0]
    with pytest.raises(Refused, match="is accepted and cannot become sent"):
        set_proposal_status(session, accepted.id, ProposalStatus.SENT)
    draft = session.proposals(ProposalFilter(statuses=(ProposalStatus.DRAFT,)), 0, 1).items[0]
    sent = set_proposal_status(session, draft.id, ProposalStatus.SENT)
    assert sent.sent_at == session.clock.now() and sent.decided_at is None


async def test_inbox_shows_automation_notifications_and_marks_them_read(url):
    from domain.services.inbox import inbox_entries
    from tui.screens.inbox import InboxScreen

    session = make_session(url, login="dwhitfield")
    unread = [entry for entry in inbox_entries(session) if entry.unread]  # one line per deal and day
    assert unread, "the demo manager has unread notifications"
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t", "i")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert f"dwhitfield: {len(unread)} unread" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert f"dwhitfield: {len(unread) - 1} unread" in screen_text(app)
        await pilot.press("R")
        await settle(pilot)
        assert "dwhitfield: 0 unread" in screen_text(app)


async def test_account_strategy_session(url):
    """Afternoon: strategic accounts by open value, health and contacts, then a >$50K deal's competition."""
    from domain.filters import AccountFilter

    session = make_session(url, login="dwhitfield")
    top = session.accounts(AccountFilter(tiers=("strategic",), sort="open_value", descending=True), 0, 1).items[0]
    big = session.opportunities(OpportunityFilter(status="open", min_value_cents=50_000_00, sort="value", descending=True),
                                0, 1).items[0]
    app = make_app(session)
    async with app.run_test(size=(140, 60)) as pilot:
        await pilot.press("a", "slash", *"tier:strategic", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        for _ in range(12):  # sort by open pipeline, largest first
            if app.screen.sort_key == "open_value":
                break
            await pilot.press("s")
            await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert app.screen.table.current_item.id == top.id
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Account health" in text and "Contacts" in text and top.name in text
        await pilot.press("escape", "o", "slash", *">50000", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        app.open_record("opportunity", big.id)
        await settle(pilot)
        text = screen_text(app)
        assert big.name in text and "Competitors" in text and "Proposals" in text


async def test_monday_pipeline_review_and_friday_forecast(url, tmp_path, monkeypatch):
    """Monday: weekly changes, conversion and velocity, rep performance. Friday: win/loss and the forecast,
    exported as an executive summary."""
    session = make_session(url, login="dwhitfield")
    session.settings = Settings.defaults().model_copy(update={"export_dir": tmp_path})
    app = make_app(session)
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        assert "Week over week" in screen_text(app)
        # Monday: step through the reports — weekly changes, conversion, velocity, forecast, reps, teams…
        for kind in REPORTS[:9]:
            assert app.screen.selected == kind.name
            assert f"{kind.title} — as of" in screen_text(app), kind.name
            await pilot.press("down")
            await settle(pilot)
        # Friday: back to the forecast and export it as an executive summary
        await pilot.press("home")
        for _ in range(3):  # pipeline -> conversion -> velocity -> forecast
            await pilot.press("down")
        await settle(pilot)
        assert app.screen.selected == "forecast" and "Forecast for" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert "Forecast for" in screen_text(app) and "By rep" in screen_text(app)
    exported = list(tmp_path.glob("forecast-*.md"))
    assert exported and "Pipeline forecast for" in exported[0].read_text()

"""Issue 15's walk: from an empty database (after `pantry db upgrade` and `pantry user add`), by keyboard
alone at 80×24 — add an account, a contact and a lead; convert the lead; give the deal two products and
a competitor; write and send a proposal; win the deal; archive and restore the contact; undo a stage
move; see the deal in "won this week"."""

from __future__ import annotations

from datetime import date

from cli.main import main
from domain.enums import ProposalStatus
from domain.filters import ContactFilter
from store.database import sqlite_url
from tests.tui_support import make_app, make_session, screen_text, settle
from tui.screens.form import FormScreen

TODAY = date(2026, 12, 9)  # a Wednesday


async def fill(pilot, app, values: dict[str, str], *, save: bool = True) -> None:
    """Type into the open form's fields, in order, moving with Tab; pick a match with ↓ Enter where asked."""
    form = app.screen
    assert isinstance(form, FormScreen), type(form)
    for field in form.fields:
        if field.name in values:
            text = values[field.name]
            pick = text.startswith("pick:")
            await pilot.press("home", "ctrl+k", *text.removeprefix("pick:"))
            if pick:
                await pilot.pause(0.3)
                await settle(pilot)
                await pilot.press("down", "enter")  # the first match
        if field is not form.fields[-1]:
            await pilot.press("tab")
    if save:
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert app.screen is not form, str(form.query_one("#form-error").render())


async def palette(pilot, app, command: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause(0.2)
    await pilot.press(*command)
    await pilot.pause(0.5)
    await pilot.press("enter")
    await settle(pilot)


async def test_a_manager_works_a_deal_from_an_empty_database_by_keyboard_at_80x24(tmp_path):
    path = tmp_path / "empty.db"
    assert main(["db", "upgrade", "--db", str(path)]) == 0
    assert main(["user", "add", "boss", "--name", "Bo Boss", "--role", "admin", "--db", str(path)]) == 0  # the first
    assert main(["user", "add", "mia", "--name", "Mia Manager", "--role", "manager", "--manager", "boss",
                 "--db", str(path), "--as", "boss"]) == 0
    session = make_session(sqlite_url(path), login="mia", today=TODAY)
    store = session.store
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # an account, and a contact on it
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, app, {"name": "Bistro Nord"})
        assert "Account #1" in screen_text(app)
        await pilot.press("C")
        await settle(pilot)
        await fill(pilot, app, {"first_name": "Ana", "last_name": "Ruiz", "title": "Executive chef"})
        assert "Ana Ruiz" in screen_text(app)
        await pilot.press("escape", "escape")
        await settle(pilot)
        # a lead, converted into a deal
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, app, {"company": "Harbor Hotel", "first_name": "Tom", "last_name": "Lee"})
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        await fill(pilot, app, {"value": "5000"})
        deal = store.opportunities.find()[0]
        assert deal.name == "Harbor Hotel — new business" and store.leads.find()[0].converted_opportunity_id == deal.id
        # the catalogue and a rival
        await palette(pilot, app, "New product")
        await fill(pilot, app, {"name": "Heirloom tomatoes", "sku": "TOM-10", "category": "Produce",
                                "list_price": "24.50"})
        await palette(pilot, app, "New product")
        await fill(pilot, app, {"name": "Whole milk 4 gal", "sku": "MLK-4", "category": "Dairy",
                                "list_price": "18.75"})
        await palette(pilot, app, "New competitor")
        await fill(pilot, app, {"name": "Harvest Lane Foods", "strengths": "price, reach"})
        # the deal: two products, a competitor, a call, a budget
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert f"Opportunity #{deal.id}" in screen_text(app)
        await pilot.press("p")
        await settle(pilot)
        await fill(pilot, app, {"product": "pick:tomat", "quantity": "40"})
        await pilot.press("p")
        await settle(pilot)
        await fill(pilot, app, {"product": "pick:milk", "quantity": "20"})
        await pilot.press("K")
        await settle(pilot)
        await fill(pilot, app, {"competitor": "pick:Harvest"})
        await pilot.press("l")
        await settle(pilot)
        await fill(pilot, app, {"subject": "Discovery call with the chef"})
        await pilot.press("e")
        await settle(pilot)
        await fill(pilot, app, {"budget": "1500"})
        # a stage move, undone
        await pilot.press("s")
        await settle(pilot)
        await fill(pilot, app, {})
        assert store.opportunities.require(deal.id).stage == "qualification"
        await pilot.press("u")
        await settle(pilot)
        assert "stage qualification → back to discovery" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert store.opportunities.require(deal.id).stage == "discovery"
        # a proposal, written and sent
        await pilot.press("P")
        await settle(pilot)
        await fill(pilot, app, {"title": "Produce and dairy, weekly"})
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("enter")  # the status list: nothing is chosen beforehand
        await settle(pilot)
        await pilot.press("down", "enter")  # sent, the first next status
        await settle(pilot)
        await fill(pilot, app, {})
        proposal = store.proposals.find()[0]
        assert proposal.status is ProposalStatus.SENT and proposal.amount_cents == 40 * 24_50 + 20 * 18_75
        # won, stage by stage
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        for stage in ("qualification", "proposal", "negotiation", "closed_won"):
            await pilot.press("s")
            await settle(pilot)
            await fill(pilot, app, {})
            if stage == "closed_won" and "Close" in screen_text(app) and not isinstance(app.screen, FormScreen):
                await pilot.press("enter")
                await settle(pilot)
            assert store.opportunities.require(deal.id).stage == stage, screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        # the contact archived, then restored (the lead's conversion added Tom Lee too)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("end")  # sorted by last name: Lee, Ruiz
        await settle(pilot)
        assert app.screen.table.current_item.name == "Ana Ruiz"
        await pilot.press("D")
        await settle(pilot)
        assert "Archive this contact?" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        ana = next(c for c in store.contacts.find() if c.first_name == "Ana")
        assert store.contacts.require(ana.id).archived_at is not None
        assert [c.name for c in session.contacts(ContactFilter(), 0, 5).items] == ["Tom Lee"]
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert store.contacts.require(ana.id).archived_at is None
        # Friday's wrap-up, on a Wednesday
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("slash", *"won:this-week", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.screen.table.total == 1 and "Harbor Hotel" in screen_text(app)
    won = store.opportunities.require(deal.id)
    assert won.stage == "closed_won" and won.value_cents == 40 * 24_50 + 20 * 18_75
    assert {c.competitor_id for c in store.opportunity_competitors.find(opportunity=deal.id)} == {1}

"""Text from the database is never markup, on any screen or widget that shows it.

One database where every text field of every record type holds markup-looking text (the rich
records of test_store_roundtrip), plus records named with short markup so they are not cut off
in narrow columns. Every screen, every detail screen, the inbox and the command palette must show
those characters literally — and the app must still be running (an `[@click=app.quit]` taken as
markup would be a live link).
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from rich.console import Console

from domain import records as r
from domain.enums import ActivityKind, LeadStatus, ProposalStatus, Role
from domain.services.opportunity_updates import OpportunityUpdates
from store.database import sqlite_url
from tests.test_store_roundtrip import RICH, World
from tests.tui_support import make_app, make_session, palette_lines, screen_text, settle

DEAL = "[@click=app.quit]Deal"
ACCOUNT = "[bold red]Acme[/]"
LEAD = "[b]Lead[/b]"
CONTACT = "[i]Pat[/i]"
PRODUCT = "[u]Beef[/u]"
PROPOSAL = "[bold]P-9[/]"
TASK = "[blink]Call[/]"
SUBJECT = "[red]Visit[/red]"
NOTE = "[@click=app.quit]Note"
RIVAL = "[reverse]Rival[/]"
STEP = "[link=file:///etc/passwd]next[/link]"


def everything(app) -> str:
    """The visible screen, and the whole content of every Static (detail screens scroll)."""
    out = io.StringIO()
    console = Console(width=200, file=out, record=True)
    for static in app.screen.query("Static"):
        try:
            console.print(static.content)
        except Exception:  # a Static holding a widget-only visual
            continue
    return screen_text(app) + console.export_text()


@pytest.fixture
def marked(tmp_path, make, clock):
    url = sqlite_url(tmp_path / "markup.db")
    session = make_session(url, today=clock.today())
    store = session.store
    make.store = store  # the factory writes to this database
    world = World(store, make)
    for build in RICH.values():  # every record type, every text field full of markup
        store_repo = next(repo for repo in vars(store).values()
                          if getattr(repo, "record_type", None) is type(build(world)))
        store_repo.insert(build(world))
    admin = make.user(login="boss", display_name="[b]Boss[/b]", role=Role.ADMIN)
    account = make.account(name=ACCOUNT, owner_id=world.user.id)
    contact = make.contact(account_id=account.id, first_name=CONTACT, title="[dim]Chef[/dim]")
    product = make.product(name=PRODUCT)
    deal = make.opportunity(name=DEAL, account_id=account.id, contact_id=contact.id, owner_id=world.user.id,
                            stage="proposal", probability=60, source="[green]web[/green]",
                            stage_entered_at=clock.now() - timedelta(days=90),
                            expected_close_date=clock.today() + timedelta(days=2))
    make.line_item(opportunity_id=deal.id, product_id=product.id, name=PRODUCT, quantity=Decimal(2),
                   unit_price_cents=10_00)
    rival = store.competitors.insert(r.Competitor(name=RIVAL))
    store.opportunity_competitors.insert(r.OpportunityCompetitor(opportunity_id=deal.id, competitor_id=rival.id))
    make.activity(opportunity_id=deal.id, account_id=account.id, kind=ActivityKind.CALL, subject=SUBJECT,
                  created_by_id=world.user.id, created_at=clock.now(), completed_at=clock.now())
    make.proposal(opportunity_id=deal.id, number=PROPOSAL, title=PROPOSAL, status=ProposalStatus.SENT,
                  sent_at=clock.now())
    make.task(assignee_id=admin.id, title=TASK, opportunity_id=deal.id, due_on=clock.today())
    lead = make.lead(name=LEAD, company="[i]Co[/i]", source="[green]web[/green]", status=LeadStatus.NEW,
                     owner_id=world.user.id, created_at=clock.now())
    store.notifications.insert(r.Notification(recipient_id=admin.id, message=NOTE, opportunity_id=deal.id,
                                              created_at=clock.now()))
    session = make_session(url, login="boss", today=clock.today())
    OpportunityUpdates(session).update_fields(deal.id, {"next_step": STEP})  # an audited change, shown as old -> new
    return session, deal, account, contact, lead


SCREENS = {
    "d": (SUBJECT,),  # recent activity
    "k": (DEAL,),
    "f": (DEAL,),  # the most stalled deals
    "o": (DEAL, ACCOUNT),
    "l": (LEAD,),
    "a": (ACCOUNT,),
    "c": (CONTACT, ACCOUNT),
    "p": (PROPOSAL,),
    "t": (TASK,),
    "r": (),
}


async def test_every_screen_shows_user_text_literally(marked):
    session, *_ = marked
    app = make_app(session)
    async with app.run_test(size=(200, 60)) as pilot:
        for key, expected in SCREENS.items():
            await pilot.press(key)
            await settle(pilot)
            text = everything(app)
            for literal in expected:
                assert literal in text, (key, literal)
            assert app.is_running, key


async def test_detail_screens_inbox_and_palette_show_user_text_literally(marked):
    from tui.screens.contact_detail import ContactDetailScreen
    from tui.screens.inbox import InboxScreen
    from tui.screens.lead_detail import LeadDetailScreen

    session, deal, account, contact, lead = marked
    app = make_app(session)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        app.open_record("opportunity", deal.id)
        await settle(pilot)
        text = everything(app)
        for literal in (DEAL, ACCOUNT, PRODUCT, RIVAL, SUBJECT, PROPOSAL, STEP):
            assert literal in text, ("opportunity", literal)
        app.open_record("account", account.id)
        await settle(pilot)
        text = everything(app)
        for literal in (ACCOUNT, CONTACT, DEAL, SUBJECT):
            assert literal in text, ("account", literal)
        app.push_screen(ContactDetailScreen(contact.id))
        await settle(pilot)
        assert CONTACT in everything(app) and "[dim]Chef[/dim]" in everything(app)
        app.push_screen(LeadDetailScreen(lead.id))
        await settle(pilot)
        assert LEAD in everything(app) and "[i]Co[/i]" in everything(app)
        app.push_screen(InboxScreen())
        await settle(pilot)
        assert NOTE in everything(app)
        assert app.is_running
        for _ in range(4):
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Acme")
        await pilot.pause(0.5)
        await settle(pilot)
        assert ACCOUNT in screen_text(app)  # the palette's hit, literally
        assert any(line.startswith(f"Account: {ACCOUNT}") for line in palette_lines(app)), palette_lines(app)
        app.screen.query_one("Input").value = "Deal"
        await pilot.pause(0.5)
        await settle(pilot)
        assert f"Opportunity: {DEAL}\n{ACCOUNT} · Proposal · world.owner" in palette_lines(app), palette_lines(app)
        assert app.is_running

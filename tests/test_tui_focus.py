"""Keys and focus under fast typing (issue 16): a burst after `/` goes into the filter box, a list comes back
with the rows holding the keyboard, and closing a card as won leaves the keyboard on the board."""

from __future__ import annotations

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input

from tests.tui_support import demo_database, make_app, make_session, settle
from tui.screens.kanban import CardList
from tui.screens.move_dialogs import LostReasonScreen, MessageScreen


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory)


def burst(app, text: str) -> None:
    """Queue every key at once, as a paste or a lagging SSH link delivers them (no wait between keys)."""
    for character in text:
        key = events.Key(character if character.isalnum() else _character_to_key(character), character)
        key.set_sender(app)
        app._driver.send_message(key)


@pytest.mark.parametrize("mode", ["opportunities", "accounts"])
async def test_a_burst_after_slash_goes_into_the_filter_box_not_to_the_lists_keys(demo_url, mode):
    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(120, 40)) as pilot:
        app.switch_mode(mode)
        await settle(pilot)
        screen = app.screen
        sort = (screen.sort_key, screen.descending)
        burst(app, "/stage:negotiation")
        await settle(pilot)
        assert app.current_mode == mode  # `t` and `a` did not jump to Tasks and Accounts
        assert app.screen is screen
        assert (screen.sort_key, screen.descending) == sort  # `s` did not sort
        assert screen.query_one("#filter", Input).value == "stage:negotiation"


async def test_a_burst_after_slash_on_the_kanban_goes_into_its_filter_box(demo_url):
    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        burst(app, "/stage:negotiation")
        await settle(pilot)
        assert app.current_mode == "kanban"
        assert app.screen.query_one("#board-filter", Input).value == "stage:negotiation"


async def test_back_on_a_list_the_rows_have_the_keyboard_and_slash_filters_again(demo_url):
    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        await pilot.press("slash", *"harbor")
        await settle(pilot)
        assert isinstance(app.focused, Input)
        app.switch_mode("dashboard")  # e.g. from the palette or a click on the screen bar
        await settle(pilot)
        app.switch_mode("opportunities")
        await settle(pilot)
        assert app.screen is screen and app.focused is screen.table
        await pilot.press("slash")
        await settle(pilot)
        box = screen.query_one("#filter", Input)
        assert app.focused is box and "/" not in box.value


async def test_after_closing_a_card_as_won_the_board_keeps_the_keyboard(demo_url, tmp_path):
    import shutil

    from store.database import sqlite_url

    copy = tmp_path / "won.db"
    shutil.copy(demo_url.removeprefix("sqlite:///"), copy)
    session = make_session(sqlite_url(copy), login="admin")
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        columns = [c for c in app.screen.query(CardList) if c.parent.display]
        negotiation = next(c for c in columns if c.stage.id == "negotiation")
        negotiation.focus()
        await settle(pilot)
        for _ in range(min(negotiation.total or 0, 20)):  # the first card the pipeline lets close (rules met)
            item = negotiation.current_item
            await pilot.press("right_square_bracket")
            await settle(pilot)
            assert isinstance(app.screen, MessageScreen)  # closing as won asks first
            await pilot.press("enter")
            await settle(pilot)
            if session.store.opportunities.require(item.id).stage == "closed_won":
                break
            await pilot.press("escape", "down")  # refused (requirements not met): the next card
            await settle(pilot)
        else:
            pytest.skip("no deal in negotiation can close as won on this data")
        assert app.focused is negotiation  # the column the card left, not nowhere
        assert negotiation.current_item is not None and negotiation.current_item.id != item.id
        await pilot.press("x")  # the board's keys work at once
        await settle(pilot)
        assert isinstance(app.screen, LostReasonScreen)


@pytest.mark.parametrize("words, named", [(">100000", ">100000: does not filter the accounts"),
                                          ("stage:proposal", "stage:proposal: does not filter the accounts"),
                                          ("health<abc", "health<abc: expected a health score")])
async def test_a_filter_word_the_accounts_do_not_take_is_named(demo_url, words, named):
    from tests.tui_support import screen_text

    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("slash", *words, "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert named in screen_text(app)


async def test_space_marks_without_moving_and_assign_and_status_choose_nothing_beforehand(demo_url, tmp_path):
    """Space/↓/space marked every other row; Assign defaulted to the manager herself; the proposal status
    dialog to "Accepted". Safe defaults: no row skipped, no default that changes data."""
    import shutil

    from domain.enums import ProposalStatus
    from store.database import sqlite_url
    from tests.tui_support import screen_text
    from tui.screens.form import FormScreen

    copy = tmp_path / "defaults.db"
    shutil.copy(demo_url.removeprefix("sqlite:///"), copy)
    session = make_session(sqlite_url(copy), login="dwhitfield")
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        table = app.screen.table
        first, second = table.item_at(0), table.item_at(1)
        await pilot.press("space", "down", "space")
        await settle(pilot)
        assert app.screen.marked == {first.id, second.id}  # both, side by side
        owners = {first.id: first.owner_login, second.id: second.owner_login}
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+s")  # nothing chosen: asks, changes nothing
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and "choose who gets the leads" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        for lead_id, owner in owners.items():
            lead = session.store.leads.require(lead_id)
            assert (session.store.users.require(lead.owner_id).login if lead.owner_id else "") == (owner or "")
        await pilot.press("p")
        await settle(pilot)
        pending = app.screen.table.current_item
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and "choose the new status" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
    assert session.store.proposals.require(pending.id).status is ProposalStatus(pending.status)


async def test_the_account_detail_opens_its_opportunities_and_contacts(demo_url):
    """The account detail was a dead end: Tab/Enter on its opportunities or contacts did nothing."""
    import sqlite3

    from textual.widgets import OptionList

    from tui.screens.account_detail import AccountDetailScreen
    from tui.screens.contact_detail import ContactDetailScreen
    from tui.screens.opportunity_detail import OpportunityDetailScreen

    with sqlite3.connect(demo_url.removeprefix("sqlite:///")) as db:
        account_id, = db.execute(
            "SELECT a.id FROM account a WHERE EXISTS (SELECT 1 FROM opportunity o WHERE o.account_id = a.id) "
            "AND EXISTS (SELECT 1 FROM contact c WHERE c.account_id = a.id) ORDER BY a.id LIMIT 1").fetchone()
    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(AccountDetailScreen(account_id))
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        links = app.screen.query_one("#links", OptionList)
        assert app.focused is links and links.option_count >= 2
        await pilot.press("enter")  # the first: a contact
        await settle(pilot)
        assert isinstance(app.screen, ContactDetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AccountDetailScreen)
        await pilot.press("tab", "end", "enter")  # the last: an opportunity
        await settle(pilot)
        assert isinstance(app.screen, OpportunityDetailScreen)

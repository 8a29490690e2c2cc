"""Records by hand in the TUI (issue 15): New and Edit forms from the record editor's fields, pickers
that search as you type, archive and undo — on a private copy of the demo database."""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import Input

from domain.filters import AccountFilter, ContactFilter
from store.database import sqlite_url
from tests.tui_support import demo_database, make_app, make_session, palette_lines, screen_text, settle
from tui.screens.record_form import RecordFormScreen
from tui.widgets.picker import Picker


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    demo_database(tmp_path_factory)
    return tmp_path_factory.getbasetemp() / "demo.db"


@pytest.fixture
def url(demo_file, tmp_path):
    copy = tmp_path / "records.db"
    shutil.copy(demo_file, copy)
    return sqlite_url(copy)


def errors(form: RecordFormScreen) -> dict[str, str]:
    found = {}
    for field in form.fields:
        text = str(form.query_one(f"#error-{field.name}").render())
        if text:
            found[field.name] = text
    return found


async def test_a_new_account_is_refused_until_valid_then_saved_and_opened(url):
    session = make_session(url, login="pshah")
    before = session.store.accounts.count()
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen) and "New account" in screen_text(app)
        form.query_one("#field-revenue", Input).value = "lots"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen)  # not saved
        problems = errors(form)
        assert problems["name"] == "Name: required"
        assert problems["revenue"].startswith("Revenue ($): ")
        assert session.store.accounts.count() == before  # nothing written
        form.query_one("#field-revenue", Input).value = ""
        form.query_one("#field-name", Input).value = "Harbor Hotel Group"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Account #" in screen_text(app) and "Harbor Hotel Group" in screen_text(app)
    created = session.store.accounts.find(name="Harbor Hotel Group")
    assert len(created) == 1 and created[0].owner_id == session.actor.id  # a rep owns what they create
    assert session.store.audit.find(table_name="account", record_id=created[0].id)


async def test_the_account_picker_finds_as_you_type_and_enter_takes_the_match(url):
    session = make_session(url, login="pshah")
    mine = session.accounts(AccountFilter(owners=("pshah",)), 0, 1).items[0]
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert "New deal" in screen_text(app)
        picker = form.query_one("#field-account", Picker)
        picker.focus()
        await pilot.press(*mine.name[:6])
        await pilot.pause(0.4)
        await settle(pilot)
        assert picker.has_class("-open") and mine.name in screen_text(app)
        assert picker.query_one("OptionList").highlighted is None  # nothing taken until ↓
        await pilot.press("down")
        assert picker.query_one("OptionList").highlighted == 0  # ↓ is the first match
        while picker._options[picker.query_one("OptionList").highlighted].value != str(mine.id):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen)  # Enter took the match; it did not submit
        assert picker.value == str(mine.id) and picker.input.value == mine.name


async def test_a_name_typed_but_not_picked_is_named_and_nothing_is_written(url):
    session = make_session(url, login="pshah")
    before = session.store.opportunities.count()
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-account", Picker).input.value = "Nowhere Bistro"
        form.query_one("#field-name", Input).value = "Dairy"
        form.query_one("#field-value", Input).value = "-5"
        form.query_one("#field-expected_close", Input).value = "2027-02-30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        problems = errors(form)
        assert problems["account"].startswith("Account *: choose one of the matches") or \
            "choose one of the matches" in problems["account"]
        await pilot.press("escape")  # close the matches, if open
        form.query_one("#field-account", Picker).input.value = "1"
        await pilot.press("ctrl+s")
        await settle(pilot)
        problems = errors(form)
        assert set(problems) >= {"value", "expected_close"}  # every bad field at once
        assert "0 or more" in problems["value"] and "no such day" in problems["expected_close"]
    assert session.store.opportunities.count() == before


async def test_edit_changes_only_what_was_changed(url):
    session = make_session(url, login="pshah")
    account = session.accounts(AccountFilter(owners=("pshah",)), 0, 1).items[0]
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_record("account", account.id)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen) and form.query_one("#field-name", Input).value == account.name
        form.query_one("#field-phone", Input).value = "+1 555 0100"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordFormScreen)
    changed = {(a.field, a.new_value) for a in session.store.audit.find(table_name="account", record_id=account.id)}
    assert ("phone", "+1 555 0100") in changed
    assert session.store.accounts.require(account.id).name == account.name


async def test_archive_asks_then_the_contact_leaves_the_list_and_ctrl_z_brings_it_back(url):
    session = make_session(url, login="pshah")
    contacts = session.contacts(ContactFilter(), 0, 5)
    first = contacts.items[0]
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        await settle(pilot)
        assert app.screen.table.current_item.id == first.id
        await pilot.press("D")
        await settle(pilot)
        assert "Archive this contact?" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert session.store.contacts.require(first.id).archived_at is not None
        assert session.contacts(ContactFilter(), 0, 5).total == contacts.total - 1
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "Undo your last change" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
    assert session.store.contacts.require(first.id).archived_at is None


async def test_a_possible_duplicate_is_shown_with_the_match_and_can_be_saved_anyway(url):
    session = make_session(url, login="pshah")
    existing = session.accounts(AccountFilter(owners=("pshah",)), 0, 1).items[0]
    before = session.store.accounts.count()
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        app.new_record("account")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-name", Input).value = existing.name.upper()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"#{existing.id} {existing.name}" in str(form.query_one("#form-error").render())
        assert session.store.accounts.count() == before
        await pilot.press("ctrl+y")
        await settle(pilot)
    assert session.store.accounts.count() == before + 1


async def test_a_rep_cannot_create_in_another_reps_book(url):
    session = make_session(url, login="pshah")
    before = session.store.leads.count()
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        app.new_record("lead")
        await settle(pilot)
        form = app.screen
        for name, value in (("company", "Juniper Bistro"), ("first_name", "Ana"), ("last_name", "Ruiz")):
            form.query_one(f"#field-{name}", Input).value = value
        form.query_one("#field-owner", Picker).input.value = "tbecker"
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = str(form.query_one("#form-error").render()) + " ".join(errors(form).values())
        assert "tbecker" in text
    assert session.store.leads.count() == before


async def test_the_palette_offers_new_records_and_undo(url):
    session = make_session(url, login="pshah")
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"New deal")
        await pilot.pause(0.5)
        assert any(line.startswith("New deal…") for line in palette_lines(app))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen) and "New deal" in screen_text(app)


async def test_the_palette_finds_contacts_and_leads_too(url):
    from domain.filters import LeadFilter

    session = make_session(url, login="pshah")
    contact = session.contacts(ContactFilter(), 0, 1).items[0]
    lead = session.leads(LeadFilter(owners=("pshah",)), 0, 1).items[0]
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for kind, name in (("Contact", contact.name), ("Lead", lead.name)):
            await pilot.press("ctrl+p")
            await pilot.pause(0.2)
            app.screen.query_one(Input).value = name
            await pilot.pause(0.8)
            await settle(pilot)
            assert any(line.startswith(f"{kind}: {name}") for line in palette_lines(app)), palette_lines(app)
            await pilot.press("escape")
            await settle(pilot)


async def test_u_undoes_the_last_stage_move(url):
    from domain.filters import OpportunityFilter
    from domain.services.stage_moves import StageMover

    session = make_session(url, login="pshah")
    deal = session.opportunities(OpportunityFilter(owners=("pshah",), stages=("qualification",)), 0, 1).items[0]
    StageMover(session).move(deal.id, "discovery")
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "Undo your last change" in screen_text(app) and "stage discovery → back to qualification" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
    assert session.store.opportunities.require(deal.id).stage == "qualification"


async def test_a_manager_sets_a_reps_quotas_in_the_quotas_view(url):
    from datetime import date

    from domain.reports.base import ReportParams
    from domain.services.analytics import rep_performance
    from tests.tui_support import DEMO_TODAY
    from tui.screens.quotas import QuotasScreen

    session = make_session(url, login="dwhitfield")
    rows = {r.login: r for r in rep_performance(session, ReportParams(as_of=DEMO_TODAY))}
    first = sorted(rows.values(), key=lambda r: (r.team, r.name))[0]
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_quotas()
        await settle(pilot)
        assert isinstance(app.screen, QuotasScreen)
        text = screen_text(app)
        assert f"{first.name} ({first.login})" in text  # the same reps and figures as Rep performance
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-month", Input).value = "-1"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "must be 0 or more" in str(form.query_one("#error-month").render())
        form.query_one("#field-month", Input).value = "45000"
        form.query_one("#field-quarter", Input).value = "130,000.50"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QuotasScreen)
    user = session.store.user_by_login(first.login)
    quotas = {(q.period.value, q.period_start): q.amount_cents for q in session.store.quotas.find(user=user.id)}
    assert quotas[("month", date(2026, 3, 1))] == 45_000_00 and quotas[("quarter", date(2026, 1, 1))] == 130_000_50


async def test_a_rep_sees_only_their_own_quota_and_cannot_set_it(url):
    from tui.screens.quotas import QuotasScreen

    session = make_session(url, login="pshah")
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_quotas()
        await settle(pilot)
        assert isinstance(app.screen, QuotasScreen)
        assert app.screen.query_one("#quotas").row_count == 1 and "(pshah)" in screen_text(app)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, QuotasScreen)  # no form: setting quotas is a manager's


async def test_the_word_archived_lists_archived_records_where_d_restores_them(url):
    session = make_session(url, login="pshah")
    first = session.contacts(ContactFilter(), 0, 1).items[0]
    from domain.services.record_editor import RecordEditor

    RecordEditor(session).archive("contact", first.id)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        await settle(pilot)
        last = first.name.split()[-1]
        await pilot.press("slash", *last, "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        table = app.screen.table
        listed = {table.item_at(row).id for row in range(table.total or 0) if table.item_at(row) is not None}
        assert first.id not in listed  # archived: not listed
        await pilot.press("slash", "end", *" archived", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        for _ in range(app.screen.table.total or 0):
            if app.screen.table.current_item.id == first.id:
                break
            await pilot.press("down")
        assert app.screen.table.current_item.id == first.id
        await pilot.press("D")
        await settle(pilot)
        assert "Restore this contact?" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
    assert session.store.contacts.require(first.id).archived_at is None


async def test_the_close_column_shows_a_closed_deals_actual_date_marked_won_or_lost(url):
    from domain.filters import OpportunityFilter
    from tests.tui_support import DEMO_TODAY

    session = make_session(url, login="pshah")
    won = session.opportunities(OpportunityFilter(owners=("pshah",), stages=("closed_won",)), 0, 1).items[0]
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("slash", *f"won:{won.actual_close_date.isoformat()[:7]}", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert f"{won.actual_close_date.isoformat()} won" in screen_text(app), screen_text(app)
        await pilot.press("slash", "ctrl+u", *"stage:discovery", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        first = app.screen.table.current_item
        assert first.actual_close_date is None and first.expected_close_date.isoformat() in screen_text(app)
        assert DEMO_TODAY


async def test_the_reports_period_selector_steps_through_periods_and_takes_a_custom_one(url):
    from datetime import date

    from domain.periods import named_period
    from tests.tui_support import DEMO_TODAY

    session = make_session(url, login="dwhitfield")
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        await pilot.press("P")
        await settle(pilot)
        start, end = named_period("this-week", DEMO_TODAY)
        assert (screen._params().date_from, screen._params().date_to) == (start, end)
        assert f"this week: {start:%d %b %Y} to {end:%d %b %Y}" in screen_text(app)
        await pilot.press("P")
        await settle(pilot)
        assert screen._params().date_from == named_period("last-week", DEMO_TODAY)[0]
        for _ in range(4):  # this month, last month, this quarter, then custom
            await pilot.press("P")
            await settle(pilot)
        form = app.screen
        form.query_one("#field-from", Input).value = "2026-02-01"
        form.query_one("#field-to", Input).value = "2026-01-31"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "must not be before From" in str(form.query_one("#error-to").render())
        form.query_one("#field-to", Input).value = "2026-02-28"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (screen._params().date_from, screen._params().date_to) == (date(2026, 2, 1), date(2026, 2, 28))
        assert "custom: 01 Feb 2026 to 28 Feb 2026" in screen_text(app)

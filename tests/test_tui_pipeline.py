"""Pilot tests of the pipeline engine in the TUI: moves from the kanban, refusals, the lost-reason
dialog, and a change made by another process reaching an open screen."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal

import pytest

from domain.enums import Role
from domain.pipeline import DEFAULT_PIPELINE
from domain.services.opportunity_updates import OpportunityUpdates
from domain.session import Session
from tests.tui_support import make_app, screen_text, settle
from tui.format import money
from tui.screens.kanban import CardList
from tui.screens.move_dialogs import LostReasonScreen, MessageScreen


@pytest.fixture
def board(store, make, clock):
    manager = make.user(login="mia", display_name="Mia Manager", role=Role.MANAGER, email="mia@example.com")
    rep = make.user(login="ray", display_name="Ray Rep", role=Role.REP, manager_id=manager.id, email="ray@example.com")
    account = make.account(name="Harbor Hotel", owner_id=rep.id)
    product = make.product(list_price_cents=100_00)
    opp = make.opportunity(name="Harbor Hotel — dairy", owner_id=rep.id, account_id=account.id, stage="discovery",
                           probability=20, value_cents=0, stage_entered_at=clock.now() - timedelta(days=1))
    session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=rep)
    OpportunityUpdates(session).add_line_item(opp.id, product.id, Decimal(30))  # 30 x $100.00 = $3,000.00
    return session, opp


async def test_a_refused_move_shows_every_reason_and_changes_nothing(board):
    session, opp = board
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.focused, CardList) and app.focused.current_item.id == opp.id
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, MessageScreen)
        text = screen_text(app)
        assert "Cannot move “Harbor Hotel — dairy” to Qualification" in text
        assert "required activity 'call' not completed" in text and "required field 'budget' not populated" in text
        await pilot.press("escape")
        await settle(pilot)
    stored = session.store.opportunities.require(opp.id)
    assert stored.stage == "discovery" and stored.version == opp.version + 1  # +1: the line item set the value


async def test_closing_as_lost_asks_for_the_reason_and_updates_the_board(board):
    session, opp = board
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        assert "$3.0K · w $600" in screen_text(app)  # $3,000 x 20% = $600 weighted in discovery
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, LostReasonScreen)
        await pilot.press("enter")  # empty: refused with the field and the reason
        await settle(pilot)
        assert "lost reason: required to close a deal as lost" in screen_text(app)
        await pilot.press(*"Went with [bold]Sysco[/]", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, LostReasonScreen)
        text = screen_text(app)
        assert "Discovery  0" in text and "$0 · w $0" in text
    stored = session.store.opportunities.require(opp.id)
    assert stored.stage == "closed_lost" and stored.lost_reason == "Went with [bold]Sysco[/]"


async def test_a_move_in_another_process_reaches_the_open_dashboard(board, database_url):
    session, opp = board
    weighted_before = money(600_00)  # $3,000 x 20%
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert weighted_before in screen_text(app)
        env = {**os.environ, "PYTHONPATH": os.getcwd()}
        subprocess.run([sys.executable, "-m", "cli", "move", str(opp.id), "closed_lost", "--lost-reason", "Price",
                        "--db", database_url, "--as", "ray"], check=True, env=env, capture_output=True, timeout=60)
        committed = time.monotonic()
        seen = False
        while time.monotonic() - committed < 1.0:
            await pilot.pause(0.05)
            text = screen_text(app)
            if "0 open deals" in text and weighted_before not in text:
                seen = True
                break
        assert seen, "the other process's move did not reach the dashboard within one second"
        await settle(pilot)
        assert "1 stalled" not in screen_text(app)


async def test_a_pipeline_set_in_another_process_repaints_the_open_screens(board, database_url, tmp_path):
    """An admin stores a new pipeline version from the command line: the open TUI reads it and the kanban
    rebuilds its columns under the new stage names; the dashboard, out of sight, catches up when shown."""
    from domain.pipeline import DEFAULT_PIPELINE_FILE
    from domain.services.pipeline_versions import PipelineVersions

    session, opp = board
    session.store.users.insert(session.actor.model_copy(update={"id": None, "login": "ada", "role": Role.ADMIN,
                                                                "manager_id": None}))
    PipelineVersions(session).start(None)  # as `pantry` does on opening: version 1, the default
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(DEFAULT_PIPELINE_FILE.read_text().replace('name = "Discovery"', 'name = "First contact"'))
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        assert "Discovery" in screen_text(app) and "First contact" not in screen_text(app)
        env = {**os.environ, "PYTHONPATH": os.getcwd()}
        subprocess.run([sys.executable, "-m", "cli", "pipeline", "set", str(renamed), "--db", database_url,
                        "--as", "ada"], check=True, env=env, capture_output=True, timeout=60)
        committed = time.monotonic()
        while time.monotonic() - committed < 2.0 and "First contact" not in screen_text(app):
            await pilot.pause(0.05)
        await settle(pilot)
        text = screen_text(app)
        assert "First contact" in text and "Discovery" not in text
        assert session.pipeline_version == 2
        assert isinstance(app.focused, CardList) and app.focused.current_item.id == opp.id  # the board works
        await pilot.press("d")
        await settle(pilot)
        assert "First contact" in screen_text(app)


async def test_a_screen_out_of_sight_catches_up_once_when_shown(board, monkeypatch):
    session, opp = board
    app = make_app(session, watch=False)  # the file watcher would also report these commits, a moment later
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dashboard = app.screen
        loads = []
        original = type(dashboard).load
        monkeypatch.setattr(type(dashboard), "load", lambda screen: (loads.append(1), original(screen))[1])
        await pilot.press("k")
        await settle(pilot)
        updates = OpportunityUpdates(session)
        updates.update_fields(opp.id, {"budget_cents": 5_000_00})
        updates.update_fields(opp.id, {"probability": 30})
        await settle(pilot)
        assert loads == []  # hidden behind the kanban: nothing reloaded yet
        assert dashboard._missed_change is not None and dashboard._missed_change.touches("opportunity")
        await pilot.press("d")
        await settle(pilot)
        assert loads == [1] and dashboard._missed_change is None  # two changes missed, one reload
        assert money(900_00) in screen_text(app)  # $3,000 x 30%, the figure after both changes


async def test_the_board_takes_its_totals_from_the_published_metrics(board, monkeypatch):
    from tui.screens.kanban import KanbanScreen

    session, opp = board
    loads = []
    original = KanbanScreen.load_totals
    monkeypatch.setattr(KanbanScreen, "load_totals", lambda screen: (loads.append(1), original(screen))[1])
    app = make_app(session, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.metrics.latest is not None
        await pilot.press("k")
        await settle(pilot)
        assert loads == []  # unfiltered: the whole pipeline's totals, already computed, no second scan
        header = app.screen.query_one("#head-discovery")
        assert header.summary is not None and header.summary.value_cents == 3_000_00  # the deal's $3,000.00
        await pilot.press("slash")
        await pilot.press(*"@ray", "enter")
        await settle(pilot)
        assert loads == [1]  # filtered: the board's own totals


async def test_quick_column_keys_each_count(board):
    from textual import events

    session, opp = board
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        assert app.focused.stage.id == "discovery"
        for _ in range(3):  # as a terminal delivers keys typed fast: all queued before the first is handled
            app._driver.send_message(events.Key("right", None))
        await settle(pilot)
        assert app.focused.stage.id == "negotiation"
        for key in ("left", "left", "right"):
            app._driver.send_message(events.Key(key, None))
        await settle(pilot)
        assert app.focused.stage.id == "proposal"


async def test_the_opportunities_close_column_shows_what_it_sorts_by(board, make, clock):
    from datetime import date

    session, opp = board
    rep = session.actor
    # closed in the other order than they were expected: a closed deal shows (and sorts by) its actual date
    make.opportunity(name="Early expected", owner_id=rep.id, stage="closed_lost", probability=0, lost_reason="Price",
                     expected_close_date=date(2026, 2, 1), actual_close_date=date(2026, 3, 10))
    make.opportunity(name="Late expected", owner_id=rep.id, stage="closed_won", probability=100,
                     expected_close_date=date(2026, 3, 1), actual_close_date=date(2026, 2, 15))
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        for _ in range(12):  # sort by the Close column
            if app.screen.sort_key == "close":
                break
            await pilot.press("s")
            await settle(pilot)
        lines = screen_text(app).splitlines()
        late = next(line for line in lines if "Late expected" in line)
        early = next(line for line in lines if "Early expected" in line)
        assert "2026-02-15 won" in late and "2026-03-10 lost" in early  # the actual dates, marked
        # sorted by the date shown: 02-15 before 03-10 (after it, newest first)
        assert app.screen.sort_key == "close"
        assert (lines.index(late) < lines.index(early)) is not app.screen.descending


async def test_needs_attention_says_when_it_shows_fewer_closes_than_it_counts(board, make, clock):
    session, opp = board
    monday = clock.today() - timedelta(days=clock.today().weekday())
    for n in range(7):  # due this week, no products yet: each is a blocked close
        make.opportunity(name=f"Due {n}", owner_id=session.actor.id, stage="qualification", probability=40,
                         value_cents=(n + 1) * 1_000_00, expected_close_date=monday + timedelta(days=3))
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "7 closing this week with open requirements (5 shown)" in text
        assert text.count("⚑ closing") == 5


async def test_won_and_lost_columns_toggle_without_rebuilding(board):
    session, opp = board
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        assert "Closed won" not in screen_text(app)
        closed = [cards for cards in app.screen.query(CardList) if not cards.stage.is_open]
        assert len(closed) == 2 and all(cards.total is None for cards in closed)  # hidden: nothing fetched
        for _ in range(3):  # show, hide, show: never a duplicate column
            await pilot.press("w")
            await settle(pilot)
        assert "Closed won" in screen_text(app) and "Closed lost" in screen_text(app)
        assert all(cards.total == 0 for cards in closed)  # shown: fetched (this board has no closed deals)
        assert app.is_running


async def test_closing_as_won_asks_first(board, make):
    session, opp = board
    # put the deal in negotiation with everything closed_won requires (products are there)
    session.store.opportunities.update(
        session.store.opportunities.require(opp.id).model_copy(update={"stage": "negotiation", "probability": 80}),
        fields={"stage", "probability"},
    )
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("right", "right", "right")
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, MessageScreen) and "Close “Harbor Hotel — dairy” as won?" in screen_text(app)
        await pilot.press("escape")  # no: nothing happens
        await settle(pilot)
        assert session.store.opportunities.require(opp.id).stage == "negotiation"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("enter")  # yes
        await settle(pilot)
    assert session.store.opportunities.require(opp.id).stage == "closed_won"


async def test_a_refused_move_can_be_fixed_from_the_deal(board):
    from tui.screens.form import FormScreen
    from tui.screens.opportunity_detail import OpportunityDetailScreen

    session, opp = board
    app = make_app(session)
    async with app.run_test(size=(120, 45)) as pilot:
        app.open_record("opportunity", opp.id)
        await settle(pilot)
        assert isinstance(app.screen, OpportunityDetailScreen)
        # log the call
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("tab", *"Intro call with the chef", "enter")  # kind defaults to call
        await settle(pilot)
        assert isinstance(app.screen, OpportunityDetailScreen)
        # set the budget: a bad amount first, refused with the field and the reason
        await pilot.press("e")
        await settle(pilot)
        budget = app.screen.query_one("#field-budget")
        budget.value = "12,000.505"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert "Budget ($): more than two decimal places" in screen_text(app)
        budget.value = "12,000.50"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OpportunityDetailScreen)
        # now the move goes through
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("ctrl+s")  # the first choice is the next stage: Qualification
        await settle(pilot)
        # the deal's own history shows the edit: who, which field, old -> new (the audit log)
        assert ("budget_cents", None, "1200050") in [(c.field, c.old_value, c.new_value) for c in app.screen.detail.changes]
        from rich.console import Console

        console = Console(width=120, record=True, file=open(os.devnull, "w"))
        console.print(app.screen.query_one("#detail-body").content)
        shown = console.export_text()
        assert "Changes (audit log, latest first)" in shown
        assert re.search(r"ray +Budget +— +\$12,000\.50", shown)  # money shown as money, not raw cents
    stored = session.store.opportunities.require(opp.id)
    assert stored.budget_cents == 12_000_50 and stored.stage == "qualification"
    assert [a.subject for a in session.store.activities.find(opportunity=opp.id, kind="call")] == ["Intro call with the chef"]


async def test_a_deal_stalling_overnight_appears_when_the_date_changes(board):
    session, opp = board
    # in discovery for 1 day; discovery stalls after 14 days
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "0 stalled" in screen_text(app)
        session.clock.advance(timedelta(days=14))  # now 15 days in the stage: stalled, and idle too
        app._tick()  # the timer's tick (every minute): notices the new date
        await settle(pilot)
        text = screen_text(app)
        assert "1 stalled" in text and "Harbor Hotel — dairy" in text


async def test_the_board_filters_by_rep_team_and_value(tmp_path_factory):
    from domain.filters import OpportunityFilter
    from tests.tui_support import demo_database, make_session

    session = make_session(demo_database(tmp_path_factory, name="kanban-filter.db"), login="pshah")
    expected = session.opportunities(OpportunityFilter(owners=("pshah",), stages=("discovery",)), 0, 1).total
    big = session.opportunities(OpportunityFilter(stages=("discovery",), min_value_cents=100_000_00), 0, 1).total
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("M")  # my deals
        await settle(pilot)
        assert f"Discovery  {expected}" in screen_text(app)
        assert app.screen.query_one("#cards-discovery").total == expected
        await pilot.press("slash", "ctrl+u", *">100000", "enter")
        await settle(pilot)
        assert app.screen.query_one("#cards-discovery").total == big
        await pilot.press("slash", "ctrl+u", "enter")  # cleared: the whole board again
        await settle(pilot)
        assert app.screen.query_one("#cards-discovery").total > big


async def test_stage_words_narrow_the_board_to_their_columns_and_other_words_are_named(tmp_path_factory):
    from domain.filters import OpportunityFilter
    from tests.tui_support import demo_database, make_session

    session = make_session(demo_database(tmp_path_factory, name="kanban-filter.db"), login="pshah")
    in_proposal = session.opportunities(OpportunityFilter(stages=("proposal",)), 0, 1).total
    won = session.opportunities(OpportunityFilter(stages=("closed_won",)), 0, 1).total
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)

        def shown() -> list[str]:
            return [c.stage.id for c in app.screen.query(CardList) if c.parent.display]

        assert shown() == ["discovery", "qualification", "proposal", "negotiation"]
        await pilot.press("slash", *"stage:proposal stage:closed_won", "enter")
        await settle(pilot)
        assert shown() == ["proposal", "closed_won"]  # a closed column named in the filter shows too
        assert app.screen.query_one("#cards-proposal").total == in_proposal
        assert app.screen.query_one("#cards-closed_won").total == won
        assert app.focused is app.screen.query_one("#cards-proposal")
        await pilot.press("slash", "ctrl+u", *"tier:key", "enter")
        await settle(pilot)
        assert any(n.message.startswith("tier:key: does not filter the board (here: @rep, stage:ID")
                   for n in app._notifications)
        assert shown() == ["proposal", "closed_won"]  # refused: the board stays as it was
        await pilot.press("slash", "ctrl+u", *"stage:nope", "enter")
        await settle(pilot)
        assert any(n.message.startswith("stage:nope: no such stage") for n in app._notifications)
        await pilot.press("slash", "ctrl+u", "enter")
        await settle(pilot)
        assert shown() == ["discovery", "qualification", "proposal", "negotiation"]


@pytest.mark.parametrize("zone, utc_time", [("UTC", "14:30"), ("America/New_York", "18:30"),
                                             ("Asia/Kolkata", "09:00")])
async def test_scheduling_a_follow_up_call_from_the_deal(board, zone, utc_time):
    """The time is asked in the user's zone (the `time_zone` setting, default the machine's) and stored in UTC
    (New York is on summer time by March 17: 14:30 there is 18:30 UTC)."""
    from datetime import timedelta

    from domain.settings import Settings
    from tui.screens.form import FormScreen
    from tui.screens.opportunity_detail import OpportunityDetailScreen

    session, opp = board
    session.settings = Settings.defaults().model_copy(update={"time_zone": zone})
    app = make_app(session)
    tomorrow = session.clock.today() + timedelta(days=1)
    async with app.run_test(size=(120, 45)) as pilot:
        app.open_record("opportunity", opp.id)
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-subject").value = "Dairy pricing follow-up"
        app.screen.query_one("#field-day").value = (session.clock.today() - timedelta(days=1)).isoformat()
        app.screen.query_one("#field-time").value = "25:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert isinstance(app.screen, FormScreen)  # refused: nothing saved until every field is valid
        assert "in the past" in text and "a time as HH:MM" in text
        app.screen.query_one("#field-day").value = tomorrow.isoformat()
        app.screen.query_one("#field-time").value = "14:30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OpportunityDetailScreen)
    (task,) = session.store.tasks.find(opportunity=opp.id)
    assert (task.title, task.due_on, task.assignee_id) == ("Call: Dairy pricing follow-up", tomorrow, session.actor.id)
    (planned,) = [a for a in session.store.activities.find(opportunity=opp.id) if a.completed_at is None]
    assert planned.scheduled_at.isoformat() == f"{tomorrow.isoformat()}T{utc_time}:00+00:00"


async def test_a_failing_minute_tick_is_reported_and_the_app_keeps_running(board, monkeypatch):
    import tui.app as app_module

    session, opp = board

    def locked(_session):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(app_module, "sweep_stage_durations", locked)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app._tick()
        await settle(pilot)
        await pilot.pause(0.2)
        assert app.is_running
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Background check skipped (database is locked)") for m in messages), messages


def test_a_card_names_the_deal_without_repeating_its_account():
    from tui.screens.kanban import card_title

    assert card_title("Harbor Hotel — dairy", "Harbor Hotel") == "dairy"
    assert card_title("Harbor Hotel: Q1 produce", "Harbor Hotel") == "Q1 produce"
    assert card_title("Harbor Hotel - Q1 produce", "Harbor Hotel") == "Q1 produce"
    assert card_title("Harbor Hotels expansion", "Harbor Hotel") == "Harbor Hotels expansion"  # not a separator
    assert card_title("Acme-Corp renewal", "Acme") == "Acme-Corp renewal"  # a hyphenated word is not one either
    assert card_title("Harbor Hotel — ", "Harbor Hotel") == "Harbor Hotel — "  # nothing after it: keep the name
    assert card_title("Dairy for the hotel", None) == "Dairy for the hotel"


def test_a_card_fits_its_figures_and_cuts_only_the_owner():
    from tui.screens.kanban import card_facts

    marks = [("⚠ stalled", "⚠"), ("◷ idle", "◷")]
    assert card_facts("$3.4M", 60, marks, "ray", 40) == "$3.4M · 60d ⚠ stalled ◷ idle · ray"
    assert card_facts("$3.4M", 60, marks, "ray", 21) == "$3.4M · 60d ⚠ ◷ · ray"
    assert card_facts("$3.4M", 60, marks, "ray", 17) == "$3.4M 60d ⚠ ◷ ray"
    assert card_facts("$3.4M", 60, marks, "ray", 16) == "$3.4M 60d ⚠ ◷"  # no room for the owner: left out
    assert card_facts("$360.3K", 1, [], "lfernandez", 16) == "$360.3K 1d lfer…"
    assert card_facts("$182.6K", 22, marks[:1], "pshah", 9) == "$182.6K ⚠"  # very narrow: the days go first
    assert card_facts("$182.6K", 22, marks, "pshah", 8) == "$182.6K"
    # one form per width: with or without marks, a card reads the same way (issue 16: "$586.1K · 7d · pshah"
    # beside "$315.2K 56d ⚠ ◷ lfernandez" on the same board)
    for room in (15, 21, 28, 45):
        plain, marked = card_facts("$586.1K", 7, [], "pshah", room), card_facts("$315.2K", 56, marks, "lfernandez", room)
        assert (" · " in plain) == (" · " in marked) == (room >= 20), (plain, marked)


def test_a_closed_card_shows_when_it_closed_not_days_since():
    from datetime import date

    from tui.screens.kanban import card_age

    item = type("Item", (), {"actual_close_date": date(2025, 7, 30),
                             "days_in_stage": lambda self, today: (today - date(2025, 7, 30)).days})()
    assert card_age(item, date(2026, 12, 7), is_open=False) == "Jul 2025"  # not "496d"
    assert card_age(item, date(2025, 12, 7), is_open=False) == "Jul 30"
    assert card_age(item, date(2026, 12, 7), is_open=True) == "495d"


@pytest.mark.parametrize("size, weighted_header", [((80, 24), "$3.4M w $680.6K"), ((120, 40), "$3.4M · w $680.6K")])
async def test_the_board_fits_cards_and_headers_to_narrow_columns(board, make, clock, size, weighted_header):
    """At 80 columns each stage has 16 cells: the header keeps every figure whole (the weighted value
    drops its dot), a card's first line shows what follows the account's name, and no figure is cut."""
    session, opp = board
    big = make.opportunity(name="Harbor Hotel — kitchen refit", owner_id=opp.owner_id, account_id=opp.account_id,
                           stage="discovery", probability=20, value_cents=3_400_000_00,
                           stage_entered_at=clock.now() - timedelta(days=60))
    app = make_app(session)
    async with app.run_test(size=size) as pilot:
        await pilot.press("k")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        text = "\n".join(lines)
        assert "Discovery  2" in text and weighted_header in text
        assert "│ kitchen refit" in text and "│ dairy" in text  # the account is on the next line, not repeated
        assert "Harbor Hotel —" not in text
        facts = next(line for line in lines if "60d" in line)
        first_column = facts.split("││")[0]
        assert "⚠" in first_column and "◷" in first_column and "…" not in first_column
        assert app.screen.query_one(CardList).item_at(0).id == big.id


def _footer_keys(app) -> set[str]:
    """The descriptions of the bindings the footer shows for the current screen."""
    return {binding.description for _, binding, enabled, _ in app.screen.active_bindings.values()
            if binding.show and enabled}


async def test_a_deal_refused_to_its_viewer_offers_only_the_way_back(board, make):
    from tui.screens.opportunity_detail import OpportunityDetailScreen

    session, opp = board
    other = make.user(login="sam", display_name="Sam Rep", role=Role.REP)
    hidden = make.opportunity(name="Sam's deal", owner_id=other.id)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_record("opportunity", opp.id)  # ray's own deal: its actions are offered
        await settle(pilot)
        assert {"Back", "Refresh", "Log activity", "Edit", "Stage"} <= _footer_keys(app)
        await pilot.press("escape")
        await settle(pilot)
        app.open_record("opportunity", hidden.id)  # sam's: refused, nothing to do but go back
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OpportunityDetailScreen) and screen.refused
        assert "Sam's deal" not in screen_text(app)
        keys = _footer_keys(app)
        assert "Back" in keys and not keys & {"Refresh", "Log activity", "Edit", "Stage", "Add product"}
        footer = screen_text(app).splitlines()[-1]
        assert "Back" in footer and "Edit" not in footer and "Log activity" not in footer
        await pilot.press("e", "s", "S")  # the keys do nothing either (those the app does not use itself)
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen


async def test_a_contact_offers_its_account_only_once_it_is_shown(board, make):
    from tui.screens.contact_detail import ContactDetailScreen

    session, opp = board
    other = make.user(login="sam", display_name="Sam Rep", role=Role.REP)
    mine = make.contact(account_id=opp.account_id, first_name="Chef")
    hidden = make.contact(account_id=make.account(name="Sam's account", owner_id=other.id).id, first_name="Buyer")
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ContactDetailScreen(mine.id))
        await settle(pilot)
        assert "Account" in _footer_keys(app)
        await pilot.press("escape")
        app.push_screen(ContactDetailScreen(hidden.id))
        await settle(pilot)
        assert "cannot see contact" in screen_text(app)
        assert "Back" in _footer_keys(app) and "Account" not in _footer_keys(app)

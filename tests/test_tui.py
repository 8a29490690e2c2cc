"""Pilot tests: the app on demo data, every screen, the palette, markup safety, the empty state."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from domain.enums import AccountSize, Industry
from domain.filters import OpportunityFilter
from domain.records import Account, Opportunity, User
from domain.services.pipeline_summary import pipeline_summary
from domain.settings import Settings
from store.database import sqlite_url
from tests.tui_support import (
    DEMO_TODAY,
    demo_database,
    make_app,
    make_session,
    palette_lines,
    screen_text,
    settle,
)
from tui.format import money
from tui.widgets.nav_bar import SCREENS
from tui.widgets.paged_table import PagedTable


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory)


async def test_every_screen_opens_on_demo_data(demo_url):
    session = make_session(demo_url)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for mode, key, name in SCREENS:
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
            text = screen_text(app)
            assert name in text
            assert "Traceback" not in text and "Could not load" not in text


async def test_dashboard_figures_equal_the_store(demo_url):
    session = make_session(demo_url)
    expected = pipeline_summary(session.store, session.pipeline)
    assert expected.open_value_cents > 0 and expected.weighted_value_cents > 0
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert money(expected.open_value_cents) in text
        assert money(expected.weighted_value_cents) in text
        assert f"{expected.open_count:,} open deals" in text
        for line in expected.stages:
            assert line.stage.name in text


async def test_opportunity_list_filters_and_opens_detail(demo_url):
    session = make_session(demo_url)
    first = session.opportunities(OpportunityFilter(), 0, 1).items[0]
    word = first.name.split()[0]
    expected_total = session.opportunities(OpportunityFilter(text=word), 0, 1).total
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        assert table.total == session.opportunities(OpportunityFilter(), 0, 1).total
        await pilot.press("slash", *word)
        await pilot.pause(0.4)
        await settle(pilot)
        assert table.total == expected_total
        await pilot.press("enter")  # back to the table
        await pilot.press("home", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Line items" in text, text
        opened = session.store.opportunities.require(app.screen.opportunity_id)
        assert re.search(rf"Last changed +{opened.updated_at:%Y-%m-%d %H:%M} UTC", text), text
        assert "Version" not in text  # the record's lock counter is not the user's business
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "opportunities"


async def test_sorting_by_value_descending(demo_url):
    session = make_session(demo_url)
    top = session.opportunities(OpportunityFilter(sort="value", descending=True), 0, 1).items[0]
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        for _ in range(10):
            if screen.sort_key == "value":
                break
            await pilot.press("s")
            await settle(pilot)
        assert screen.sort_key == "value"
        await pilot.press("S")
        await settle(pilot)
        assert screen.table.current_item.id == top.id


async def test_palette_jumps_to_an_account(demo_url):
    session = make_session(demo_url)
    account = session.store.accounts.require(1)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*account.name[:12])
        await pilot.pause(0.8)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert account.name in screen_text(app)
        assert "Account #1" in screen_text(app)


async def test_palette_shows_a_deal_s_stage_by_name(demo_url):
    from textual.widgets import Input

    session = make_session(demo_url)
    won = session.opportunities(OpportunityFilter(stages=("closed_won",)), 0, 1).items[0]
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        app.screen.query_one(Input).value = won.name
        await pilot.pause(0.8)
        await settle(pilot)
        lines = palette_lines(app)
        assert f"Opportunity: {won.name}\n{won.account} · Closed won · {won.owner_login}" in lines, lines
        assert not any("closed_won" in line for line in lines)


async def test_inbox_shows_notification_kinds_by_name(demo_url):
    from domain.services.inbox import inbox
    from tui.format import label
    from tui.screens.inbox import InboxScreen

    session = make_session(demo_url, login="dwhitfield")
    kinds = {n.kind for n in inbox(session)}
    assert any("_" in kind for kind in kinds), kinds  # e.g. deal_won, stalled_deal
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(InboxScreen())
        await settle(pilot)
        text = screen_text(app)
        for kind in kinds:
            assert label(kind) in text, kind  # "Deal won", "Stalled deal"
            assert "_" not in kind or kind not in text, kind


async def test_help_lists_every_screen_key(demo_url):
    app = make_app(make_session(demo_url))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await settle(pilot)
        text = screen_text(app)
        for _, key, name in SCREENS:
            assert name in text
        await pilot.press("escape")


async def test_theme_toggle(demo_url):
    app = make_app(make_session(demo_url))
    async with app.run_test(size=(120, 40)) as pilot:
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is not dark


async def test_empty_database_shows_how_to_load_demo(tmp_path):
    app = make_app(make_session(sqlite_url(tmp_path / "empty.db")))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "pantry --demo" in screen_text(app)
        for _, key, _ in SCREENS:
            await pilot.press(key)
            await settle(pilot)


MARKUP_NAMES = ["[bold red]X[/]", "[@click=app.quit]x", "[link=file:///etc/passwd]y[/link]"]


async def test_user_text_is_never_markup(tmp_path):
    url = sqlite_url(tmp_path / "markup.db")
    session = make_session(url)
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    store = session.store
    owner = store.users.insert(User(login="rep1", display_name="[b]Rep[/b]", created_at=now))
    for index, name in enumerate(MARKUP_NAMES):
        account = store.accounts.insert(Account(
            name=name, industry=Industry.RESTAURANT, size=AccountSize.SMALL, owner_id=owner.id,
            created_at=now, updated_at=now,
        ))
        store.opportunities.insert(Opportunity(
            name=f"{name} deal", account_id=account.id, stage="proposal", probability=60, value_cents=100_00,
            started_on=now.date(), expected_close_date=DEMO_TODAY, owner_id=owner.id,
            stage_entered_at=now, created_at=now, updated_at=now,
        ))
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        for key in ("o", "a", "k"):
            await pilot.press(key)
            await settle(pilot)
            text = screen_text(app)
            for name in MARKUP_NAMES:
                assert name[:14] in text, (key, name)
        await pilot.press("a", "home", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert app.is_running
        assert any(name in text for name in MARKUP_NAMES)


async def test_reports_screen_matches_pantry_report_and_exports(demo_url, tmp_path, monkeypatch):
    from domain.reports.base import ReportParams
    from domain.reports.registry import report_kind

    session = make_session(demo_url)
    session.settings = Settings.defaults().model_copy(update={"export_dir": tmp_path})
    expected = report_kind("pipeline").build(session, ReportParams(as_of=DEMO_TODAY))
    app = make_app(session)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(app)
        headline = dict(expected.tables[0].rows)
        for figure in ("Weighted pipeline", "Win rate (won ÷ closed)", "Average deal size (won)"):
            assert headline[figure] in text, figure
        from tui.screens.reports import ReportsScreen
        from tui.widgets.work_status import WorkStatus

        started, advanced = [], []
        real_start, real_advance = WorkStatus.start, WorkStatus.advance
        monkeypatch.setattr(WorkStatus, "start", lambda self, text, total=None: started.append((text, total))
                            or real_start(self, text, total))
        monkeypatch.setattr(WorkStatus, "advance", lambda self, n=1: advanced.append(n) or real_advance(self, n))
        monkeypatch.setattr(ReportsScreen, "EXPORT_CHUNK", 100)  # several steps even for a small report
        await pilot.press("m")
        await settle(pilot)
        assert not app.screen.status.busy  # the bar goes away when the work is done
        exports = list(started)
        await pilot.press("down")  # the next report builds, with an indeterminate bar meanwhile
        await settle(pilot)
        assert started[len(exports):] == [("Building the Stage conversion report…", None)] and not app.screen.status.busy
        started[:] = exports
    exported = tmp_path / f"pipeline-{DEMO_TODAY.isoformat()}.md"
    assert exported.read_text().startswith("## Pipeline — as of 2026-03-16")
    size = exported.stat().st_size
    assert started == [(f"Exporting to {exported}", size)]
    assert sum(advanced) == size and len(advanced) == -(-size // 100)  # one step per 100-byte chunk
    assert list(tmp_path.glob("*.part")) == []


async def test_mine_and_at_login_filter_the_lists(demo_url):
    session = make_session(demo_url, login="dwhitfield")  # a manager: sees his four reps' deals
    team = session.opportunities(OpportunityFilter(), 0, 1).total
    pshah = session.opportunities(OpportunityFilter(owners=("pshah",)), 0, 1).total
    assert 0 < pshah < team
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert app.screen.table.total == team
        await pilot.press("M")
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.screen.query_one("#filter").value == "@dwhitfield"
        assert app.screen.table.total == 0  # the manager owns no deal himself
        await pilot.press("M")  # toggles off
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.screen.table.total == team
        await pilot.press("slash", *"@pshah", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.screen.table.total == pshah


async def test_a_rep_sees_only_their_own_book_and_is_told_why_not_more(demo_url):
    session = make_session(demo_url, login="pshah")
    mine = session.opportunities(OpportunityFilter(), 0, 1).total
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert app.screen.table.total == mine
        await pilot.press("slash", *"@tbecker", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert "cannot see the records of tbecker" in screen_text(app)


async def test_enter_on_a_lead_opens_it(demo_url):
    session = make_session(demo_url)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        first = app.screen.table.current_item
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert f"Lead #{first.id}" in text and first.name in text and "First response" in text


async def test_filter_words_narrow_the_opportunities_and_mistakes_are_explained(demo_url):
    session = make_session(demo_url)
    expected = session.opportunities(OpportunityFilter(stages=("proposal",), min_value_cents=50_000_00), 0, 1).total
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o", "slash", *"stage:proposal >50000", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.screen.table.total == expected
        await pilot.press("slash", "ctrl+u", *"stage:won", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert "stage:won: no such stage" in screen_text(app)
        assert app.screen.table.total == expected  # the last good filter stays
        await pilot.press("slash", "ctrl+u", *"tier:key", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert "tier:key: does not filter the opportunities" in screen_text(app)
        assert app.screen.table.total == expected


async def test_a_visit_is_remembered_for_new_leads_since_last_visit(tmp_path):
    from domain.records import User

    url = sqlite_url(tmp_path / "visit.db")
    session = make_session(url)
    user = session.store.users.insert(User(login="mia", display_name="Mia", created_at=session.clock.now()))
    session.actor = user
    app = make_app(session, remember_visit=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
    assert session.store.users.require(user.id).last_seen_at == session.clock.now()


async def test_forecast_screen_has_every_section(demo_url):
    app = make_app(make_session(demo_url))
    async with app.run_test(size=(180, 300)) as pilot:
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        for section in ("Open pipeline by stage", "Forecast for", "By rep", "Open deals by probability",
                        "Most stalled deals", "Weekly pipeline changes", "Stage progression, last 90 days · velocity",
                        "auto uses", "Forecast against actual by month", "Win rates", "Calibration: predicted",
                        "Backtest: press b", "Won by month"):
            assert section in text, section


async def test_contact_detail_maps_relationships(tmp_path):
    from domain.enums import BuyingRole
    from domain.records import Contact

    url = sqlite_url(tmp_path / "contacts.db")
    session = make_session(url)
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    store = session.store
    account = store.accounts.insert(Account(name="Harbor Hotel", industry=Industry.HOTEL, size=AccountSize.LARGE,
                                            created_at=now, updated_at=now))

    def person(first, role, boss=None, title=""):
        return store.contacts.insert(Contact(account_id=account.id, first_name=first, last_name="Lee", title=title,
                                             buying_role=role, reports_to_id=boss, created_at=now, updated_at=now))

    gm = person("Grace", BuyingRole.DECISION_MAKER, title="General Manager")
    chef = person("Chen", BuyingRole.CHAMPION, gm.id, "Executive Chef")
    person("Sous", BuyingRole.USER, chef.id, "Sous Chef")
    person("[bold]Pat[/]", BuyingRole.BLOCKER, title="Purchasing")
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        await settle(pilot)
        while app.screen.table.current_item.id != chef.id:
            await pilot.press("down")
            await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Grace Lee, General Manager  [Decision maker]" in text  # whom Chen reports to
        assert "Sous Lee, Sous Chef  [User]" in text  # who reports to Chen
        assert "[bold]Pat[/] Lee, Purchasing  [Blocker]" in text  # the rest of the account, literally
        assert "Others at Harbor Hotel" in text


async def test_account_detail_labels_expansion_deals_and_shows_interaction_insights(demo_url):
    import os

    from rich.console import Console

    from domain.services.details import account_detail

    session = make_session(demo_url, login="admin")
    account_id = next(i for i in range(1, 200) if account_detail(session, i).expansion_ids)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_record("account", account_id)
        await settle(pilot)
        console = Console(width=116, record=True, file=open(os.devnull, "w"))
        console.print(app.screen.query_one("#detail-body").content)
        shown = console.export_text()
    assert "Interaction insights (90 days)" in shown and "Average sentiment" in shown
    assert "Expansion" in shown and "New business" in shown and "open expansion:" in shown


async def test_forecast_screen_splits_by_product_and_charts_quota_and_probability(demo_url):
    import os

    from rich.console import Console
    from textual_plotext import PlotextPlot

    session = make_session(demo_url, login="admin")
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await settle(pilot)
        console = Console(width=100, record=True, file=open(os.devnull, "w"))
        console.print(app.screen.query_one("#product-forecast").content)
        products = console.export_text()
        charts = {plot.id: plot.plt.build() for plot in app.screen.query(PlotextPlot)}
    assert products.startswith("By product") and "Pipeline" in products and "Hybrid" in products
    assert set(charts) == {"accuracy-chart", "stage-chart", "quota-chart", "probability-chart"}
    assert "Quota" in charts["quota-chart"] and "Best case" in charts["quota-chart"]
    assert "20% (" in charts["probability-chart"]


@pytest.mark.parametrize("login", ["dwhitfield", "admin"])
async def test_the_forecast_screen_shows_what_pantry_forecast_show_prints(demo_url, login, capsys):
    """One service call for both: at the same instant the screen's month figures are `pantry forecast show`'s
    to the cent (issue 16: the screen said $467,644.75 and the command $467,625.54 for the same method)."""
    import json
    import os

    from rich.console import Console

    import cli.main as cli_main
    from domain.money import format_money

    session = make_session(demo_url, login=login)
    app = make_app(session)
    async with app.run_test(size=(180, 150)) as pilot:
        await pilot.press("f")
        await settle(pilot)
        console = Console(width=176, record=True, file=open(os.devnull, "w"))
        for widget in ("#methods-forecast", "#month-forecast"):
            console.print(app.screen.query_one(widget).content)
        shown = console.export_text()
    today = session.clock.today().isoformat()
    assert cli_main.main(["forecast", "show", "--method", "all", "--format", "json", "--db", demo_url,
                          "--as", login, "--as-of", today]) == 0
    doc = json.loads(capsys.readouterr().out)
    for method, figures in doc["methods"].items():
        for key in ("forecast", "worst_case", "best_case"):
            assert format_money(round(figures[key] * 100), compact=False) in shown, (method, key)
    assert f"{doc['overdue']['deals']:,} overdue deal" in shown  # the month says which deals are overdue
    for line in doc["categories"]:
        assert f"{line['count']:,}" in shown


async def test_forecast_tables_scroll_by_keyboard_at_80x24(demo_url):
    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        await settle(pilot)
        page = app.screen.query_one("#forecast")
        assert page.scroll_y == 0
        await pilot.press("pagedown", "pagedown")
        await settle(pilot)
        assert page.scroll_y > 0  # the method and category tables below the charts come into view
        await pilot.press("home")
        await settle(pilot)
        assert page.scroll_y == 0


async def test_the_cursor_follows_a_moved_card(tmp_path_factory):
    from tests.tui_support import demo_database

    session = make_session(demo_database(tmp_path_factory, name="kanban-follow.db"), login="admin")
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("right", "right", "right")  # Negotiation
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        card = app.screen.focused.current_item
        assert card.stage == "negotiation"
        await pilot.press("left_square_bracket")  # back to Proposal
        await settle(pilot)
        await pilot.pause(0.3)
        await settle(pilot)
        focused = app.screen.focused
        assert focused.stage.id == "proposal" and focused.current_item.id == card.id
        await pilot.press("left_square_bracket")  # the same deal again, not its old neighbour
        await settle(pilot)
        await pilot.pause(0.3)
        await settle(pilot)
        assert app.screen.focused.stage.id == "qualification" and app.screen.focused.current_item.id == card.id
    assert session.store.opportunities.require(card.id).stage == "qualification"


async def test_dashboard_keys_jump_to_needs_attention_and_back_to_the_top(demo_url):
    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        page = app.screen.query_one("#dashboard")
        assert app.screen.focused.id == "attention" and page.scroll_y > 0
        await pilot.press("home")
        await settle(pilot)
        assert app.screen.focused.id == "stages" and page.scroll_y == 0
        assert "Pipeline" in screen_text(app) and "Weighted" in screen_text(app)  # the KPI tiles are back


def test_the_real_app_keeps_the_collector_out_of_the_way():
    # in a fresh interpreter: gc.freeze and the thresholds are process-wide (tests never set them)
    import subprocess
    import sys

    script = (
        "import gc; import tui.app as a; a.quiet_collector(); "
        "assert gc.get_threshold() == a.GC_THRESHOLDS, gc.get_threshold(); "
        "assert gc.get_freeze_count() > 10_000, gc.get_freeze_count(); print('quiet')"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "quiet", done.stderr
    import inspect

    import tui.app

    assert "tune_gc=True" in inspect.getsource(tui.app.run_app)  # the real entry point asks for it


async def test_the_backtest_runs_from_the_forecast_screen_in_a_worker(demo_url):
    import os

    from rich.console import Console

    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(180, 150)) as pilot:
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("b")  # a thread worker (group forecast-backtest): the UI does not wait for it
        await settle(pilot)
        console = Console(width=176, record=True, file=open(os.devnull, "w"))
        console.print(app.screen.query_one("#backtest-forecast").content)
        shown = console.export_text()
    assert "Backtest: each month forecast from its 1st" in shown
    for column in ("auto", "pipeline", "historical", "hybrid", "naive_last_month", "naive_mean_3",
                   "naive_running_mean", "naive_seasonal"):
        assert column in shown
    assert "auto, head to head:" in shown

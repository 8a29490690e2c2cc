"""Tables readable at every size (issue 16): the columns that identify a row never disappear before figures,
text gives way before numbers, nothing is cut while space is free, dates are never cut."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Input

from tests.tui_support import demo_database, make_app, make_session, palette_lines, screen_text, settle
from tui.widgets.tables import rows

REPS = (["Rep", "Team", "Open", "Weighted", "Won", "Win rate", "Month quota", "Attain.", "Qtr attain.", "Coverage",
         "Act./wk", "Resp. h"],
        [("koneill", "Restaurants & QSR", "117", "$1.1M", "$2.8M", "53 %", "$147.4K", "0 %", "71 %", "0.13", "88.0",
          "16.9"),
         ("lfernandez", "Restaurants & QSR", "96", "$0.9M", "$2.1M", "48 %", "$120.0K", "12 %", "64 %", "met", "81.2",
          "15.0")])


def drawn(renderable, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), record=True)
    console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize("width", [40, 60, 80, 95, 120, 160])
def test_the_rep_column_stays_and_figures_are_whole_at_every_width(width):
    """At 120x40 Reports → Rep performance had no Rep column: rows "117 $1.1M $2.8M 53 %" belonged to nobody."""
    headers, data = REPS
    text = drawn(rows(headers, data, right=range(2, 12), title="Reps"), width)
    assert "koneill" in text and "lfernandez" in text
    lines = text.splitlines()
    for row in data:
        line = next(line for line in lines if row[0] in line)
        shown = [v for v in row[2:] if f" {v} " in f" {line} "]
        assert shown, line  # some figures, each whole
        assert "…" not in line.replace(row[1][:3], "") or row[1][:3] in line  # only text is ever cut
    if width >= 150:
        assert "Restaurants & QSR" in text and "Not shown" not in text  # room for all: nothing cut, nothing left out
    if "Not shown at this width" in text:
        assert "Team" in text.split("Not shown at this width:")[1]  # text given up before figures


def test_a_table_with_room_cuts_no_name_and_no_date():
    text = drawn(rows(["Opportunity", "Stage", "Close"], [("Harbor Hotel — dairy and produce", "Negotiation",
                                                           "2027-03-15")]), 70)
    assert "Harbor Hotel — dairy and produce" in text and "2027-03-15" in text and "…" not in text
    narrow = drawn(rows(["Opportunity", "Stage", "Close"], [("Harbor Hotel — dairy and produce", "Negotiation",
                                                             "2027-03-15")]), 36)
    assert "2027-03-15" in narrow  # a date is read like a figure: never "2027-03-…"


def test_identifying_columns_named_as_keys_outlast_other_text():
    headers = ["Account", "Owner", "Tier", "Status", "Score", "Risk", "Contract value"]
    data = [("Ashland Independent School District", "sdelgado", "Strategic", "Customer", "61", "medium", "$509,368.15")]
    text = drawn(rows(headers, data, right=(4, 6), key=(0, 5)), 60)
    assert "medium" in text and "$509,368.15" in text and "Ashland" in text


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_opportunities_list_keeps_its_owner_column_at_80x24(demo_url, size):
    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=size) as pilot:
        await pilot.press("o")
        await settle(pilot)
        header = next(line for line in screen_text(app).splitlines() if line.startswith("Opportunity") or " Opportunity " in line)
        for name in ("Opportunity", "Stage", "Value", "Owner", "Close"):
            assert name in header, header


@pytest.mark.parametrize("report, size, must", [
    ("reps", (120, 40), ("Rep", "koneill")),
    ("accounts", (80, 24), ("Risk",)),
])
async def test_reports_keep_the_columns_that_identify_a_row(demo_url, report, size, must):
    from textual.widgets import OptionList, Static

    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=size) as pilot:
        await pilot.press("r")
        await settle(pilot)
        options = app.screen.query_one("#report-list", OptionList)
        options.highlighted = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == report)
        await settle(pilot)
        body = app.screen.query_one("#report-body", Static)
        text = drawn(body.content if hasattr(body, "content") else body.renderable, body.size.width)
        for word in must:
            assert word in text, text[:2000]


async def test_the_palette_lists_one_entry_for_the_keys(demo_url):
    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        app.screen.query_one(Input).value = "keys"
        await pilot.pause(0.8)
        await settle(pilot)
        titles = [line.split("\n")[0] for line in palette_lines(app)]
        assert "Show keys" in titles and "Keys" not in titles, titles


def test_a_reports_markdown_emphasis_is_bold_text_on_screen():
    from tui.format import emphasised

    text = emphasised("• 400 accounts: **61 at high risk**, 189 medium; **[b]x[/b]** stays text")
    assert "*" not in text.plain and text.plain == "• 400 accounts: 61 at high risk, 189 medium; [b]x[/b] stays text"
    bold = [text.plain[span.start:span.end] for span in text.spans if "bold" in str(span.style)]
    assert bold == ["61 at high risk", "[b]x[/b]"]


async def test_the_reports_screen_shows_no_literal_markdown(demo_url):
    from textual.widgets import OptionList, Static

    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        options = app.screen.query_one("#report-list", OptionList)
        for name in ("accounts", "activities"):
            options.highlighted = next(i for i in range(options.option_count)
                                       if options.get_option_at_index(i).id == name)
            await settle(pilot)
            body = app.screen.query_one("#report-body", Static)
            text = drawn(body.content if hasattr(body, "content") else body.renderable, 100)
            assert "**" not in text and "—" in text, text[:500]


def test_a_yes_no_field_in_the_audit_log_reads_yes_or_no():
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from domain.enums import AuditAction
    from tui.widgets.tables import changes_table

    entry = SimpleNamespace(at=datetime(2026, 3, 16, 12, tzinfo=timezone.utc), actor="dwhitfield", field="flagged",
                            old_value="False", new_value="True", action=next(iter(AuditAction)))
    text = drawn(changes_table([entry]), 100)
    assert "Flagged" in text and "no" in text and "yes" in text and "False" not in text and "True" not in text


@pytest.mark.parametrize("top", [0.5, 12.0, 681.7, 1608.6, 3507.9])
def test_chart_ticks_are_round_money(top):
    """The forecast's charts read "0.0 1169.3 3507.9": ticks are round steps labelled as money."""
    import re

    from tui.format import money_ticks

    ticks, labels = money_ticks(top)
    assert ticks[0] == 0 and ticks[-1] <= top and len(ticks) >= 3
    assert all(re.fullmatch(r"\$\d+(\.\d)?[KM]?", label) for label in labels), labels


async def test_the_forecast_charts_show_money_ticks(demo_url):
    import re

    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert not re.search(r"\d+\.\d┤", text)  # "1169.3┤" no more
        assert re.search(r"\$\d+(\.\d)?[KM]?┤", text) or re.search(r"\$\d+(\.\d)?[KM]? ", text)

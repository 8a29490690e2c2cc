"""The Friday wrap-up: deals closed in a period by actual close date (won:this-week, lost:last-week,
closed:2026-12 in the filter box; `pantry list opportunities --closed PERIOD`)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli.main import main
from domain.filter_syntax import FilterSyntaxError, opportunity_filter, parse_filter
from domain.periods import named_period
from domain.pipeline import DEFAULT_PIPELINE
from tests.test_records_cli import add, crm  # noqa: F401 - the fixture

FRIDAY = date(2026, 3, 20)


def test_named_periods():
    assert named_period("this-week", FRIDAY) == (date(2026, 3, 16), date(2026, 3, 22))
    assert named_period("last-week", FRIDAY) == (date(2026, 3, 9), date(2026, 3, 15))
    assert named_period("last-month", FRIDAY) == (date(2026, 2, 1), date(2026, 2, 28))
    assert named_period("this-quarter", FRIDAY) == (date(2026, 1, 1), date(2026, 3, 31))
    assert named_period("last-quarter", FRIDAY) == (date(2025, 10, 1), date(2025, 12, 31))
    assert named_period("2026-12", FRIDAY) == (date(2026, 12, 1), date(2026, 12, 31))
    assert named_period("2026-Q2", FRIDAY) == (date(2026, 4, 1), date(2026, 6, 30))
    assert named_period("2026-03-04", FRIDAY) == (date(2026, 3, 4), date(2026, 3, 4))
    with pytest.raises(ValueError, match="this-week"):
        named_period("fortnight", FRIDAY)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 1)))
def test_every_named_period_holds_today_or_ends_before_it(today):
    for word in ("today", "this-week", "this-month", "this-quarter"):
        start, end = named_period(word, today)
        assert start <= today <= end
    for word in ("last-week", "last-month", "last-quarter"):
        start, end = named_period(word, today)
        assert start <= end < today


def test_filter_words():
    flt = opportunity_filter(parse_filter("won:this-week @ray", FRIDAY), DEFAULT_PIPELINE)
    assert (flt.status, flt.closed_from, flt.closed_to, flt.owners) == ("won", date(2026, 3, 16),
                                                                         date(2026, 3, 22), ("ray",))
    flt = opportunity_filter(parse_filter("closed:2026-12"), DEFAULT_PIPELINE)
    assert (flt.status, flt.closed_from, flt.closed_to) == ("closed", date(2026, 12, 1), date(2026, 12, 31))
    for text, message in (("lost:someday", "lost:someday"), ("won:this-week", "today's date"),
                          ("won:2026-01 lost:2026-02", "one of")):
        with pytest.raises(FilterSyntaxError, match=message):
            parse_filter(text, None if "today" in message else FRIDAY)


def test_list_the_deals_won_this_week(crm, capsys):  # noqa: F811
    account = add(capsys, crm, "account", "--name", "Wrap-up Diner")
    deals = [add(capsys, crm, "opportunity", "--account", account["id"], "--name", f"Deal {i}", "--value", "100",
                 "--expected-close", "2026-04-30")["id"] for i in range(3)]

    def pantry(*argv, as_of="2026-03-16"):
        code = main([str(a) for a in argv] + ["--db", crm, "--as", "ray", "--as-of", as_of])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    pantry("move", deals[1], "closed_lost", "--lost-reason", "Price")  # Monday of the week of the 20th
    pantry("move", deals[2], "closed_lost", "--lost-reason", "Timing", as_of="2026-03-13")  # the week before
    rows = json.loads(pantry("list", "opportunities", "--closed", "this-week", "--format", "json", as_of="2026-03-20"))
    assert [r["id"] for r in rows] == [deals[1]]
    rows = json.loads(pantry("list", "opportunities", "--closed", "this-week", "--status", "won", "--format", "json",
                             as_of="2026-03-20"))
    assert rows == []
    rows = json.loads(pantry("list", "opportunities", "--closed", "last-week", "--format", "json", as_of="2026-03-20"))
    assert [r["id"] for r in rows] == [deals[2]]
    rows = json.loads(pantry("list", "opportunities", "--closed", "2026-03", "--status", "lost", "--format", "json"))
    assert sorted(r["id"] for r in rows) == sorted(deals[1:])
    code = main(["list", "opportunities", "--closed", "soon", "--db", crm])
    assert code == 2 and "--closed" in capsys.readouterr().err

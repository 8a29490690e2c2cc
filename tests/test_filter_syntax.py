from datetime import date

import pytest

from domain.filter_syntax import FilterSyntaxError, parse_filter


def test_words_become_fields_and_the_rest_is_text():
    f = parse_filter("@pshah stage:Proposal >50000 <250,000 close:2026-03 bistro nord")
    assert f.owners == ["pshah"] and f.stages == ["proposal"]
    assert (f.min_value_cents, f.max_value_cents) == (5_000_000, 25_000_000)
    assert (f.close_from, f.close_to) == (date(2026, 3, 1), date(2026, 3, 31))
    assert f.text == "bistro nord"


def test_leads_and_accounts_words():
    f = parse_filter("status:new source:Trade_show flagged")
    assert f.statuses == ["new"] and f.sources == ["Trade show"] and f.flagged is True
    a = parse_filter("tier:key status:customer health<40")
    assert a.tiers == ["key"] and a.max_health == 40 and a.min_health is None
    assert parse_filter("health>70").min_health == 70
    assert parse_filter("close:2026-04-15").close_from == date(2026, 4, 15)
    assert parse_filter("team:Restaurants_&_QSR").teams == ["Restaurants & QSR"]


@pytest.mark.parametrize("bad", [">abc", "close:March", "<1.234"])
def test_malformed_words_are_errors_naming_the_word(bad):
    with pytest.raises(FilterSyntaxError, match=bad.replace(".", r"\.").replace("<", "<").replace(">", ">")):
        parse_filter(bad)

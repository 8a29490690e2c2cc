import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.filter_syntax import (
    LEAD_WORDS,
    OPPORTUNITY_WORDS,
    WORD_KINDS,
    FilterSyntaxError,
    opportunity_filter,
    parse_filter,
)
from domain.pipeline import DEFAULT_PIPELINE


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


def test_each_word_is_kept_as_typed_with_its_kind():
    f = parse_filter("@ana Stage:Proposal bistro >5 health<3 close:2026-03 flagged Source:Web")
    assert f.typed == [("owner", "@ana"), ("stage", "Stage:Proposal"), ("value", ">5"), ("health", "health<3"),
                       ("close", "close:2026-03"), ("flagged", "flagged"), ("source", "Source:Web")]


def test_a_word_that_does_not_filter_the_list_is_named_with_the_words_that_do():
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter("bistro tier:key").only(OPPORTUNITY_WORDS, "the opportunities")
    assert str(caught.value) == ("tier:key: does not filter the opportunities "
                                 "(here: @rep, stage:ID, team:Name, >N <N, close:YYYY-MM, won:this-week, archived)")
    with pytest.raises(FilterSyntaxError, match=r"^@ana: does not filter the contacts \(here: text only\)$"):
        parse_filter("@ana").only(frozenset(), "the contacts")
    assert parse_filter("status:new flagged @x").only(LEAD_WORDS, "the leads").statuses == ["new"]


def test_the_opportunity_filter_is_one_for_the_list_and_the_board():
    flt = opportunity_filter(parse_filter("@ana stage:proposal team:East_Coast >50000 close:2026-03 dairy"),
                             DEFAULT_PIPELINE, sort="value", descending=True)
    assert (flt.owners, flt.stages, flt.team, flt.min_value_cents, flt.text) == (
        ("ana",), ("proposal",), "East Coast", 5_000_000, "dairy")
    assert (flt.close_from, flt.close_to, flt.sort, flt.descending) == (date(2026, 3, 1), date(2026, 3, 31), "value", True)
    with pytest.raises(FilterSyntaxError, match=r"^stage:won: no such stage \(stages: discovery, "):
        opportunity_filter(parse_filter("stage:won"), DEFAULT_PIPELINE)
    with pytest.raises(FilterSyntaxError, match=r"^flagged: does not filter the board "):
        opportunity_filter(parse_filter("flagged"), DEFAULT_PIPELINE, "the board")


WORDS = st.sampled_from(["@ana", "stage:proposal", "status:new", "tier:key", "team:A_B", ">100", "<5", "health>3",
                         "close:2026-01", "close:bad", ">x", "flagged", "bistro", "stage:", "@", "<", "[b]x[/b]"])


@given(st.lists(st.one_of(WORDS, st.text(min_size=1, max_size=12)), max_size=6))
def test_any_text_parses_or_is_refused_by_name(words):
    text = " ".join(words)
    try:
        parsed = parse_filter(text)
    except FilterSyntaxError as error:
        assert str(error).split(":")[0] in text
        return
    assert all(kind in WORD_KINDS and word in text.split() for kind, word in parsed.typed)
    assert len(parsed.typed) + len(parsed.text.split()) == len(text.split())
    try:
        opportunity_filter(parsed, DEFAULT_PIPELINE)
    except FilterSyntaxError as error:
        assert str(error).split(": ")[0] in text


@pytest.mark.parametrize("word", ["health<abc", "health>", "health<101", "HEALTH>x7"])
def test_a_health_word_without_a_score_is_named_not_searched_as_text(word):
    """`health<abc` used to be searched as text: 0 rows and no message (issue 16)."""
    with pytest.raises(FilterSyntaxError, match=rf"^{re.escape(word)}: expected a health score from 0 to 100"):
        parse_filter(f"bistro {word}")

"""The TUI's forms (domain/forms.py): every invalid field named in one round, a date's real mistake said."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.forms import opportunity_changes, parse_day, schedule_entry
from domain.records import Opportunity


@pytest.fixture
def deal(make):
    def build() -> Opportunity:
        return make.opportunity(save=False, name="Harbor Hotel — dairy", owner_id=1, stage="discovery",
                                probability=20, value_cents=1_000_00, expected_close_date=date(2027, 3, 1))
    return build


def test_every_invalid_field_is_named_in_one_round(deal):
    """Budget and Expected close were named first; Value, Probability and Name only after they were fixed."""
    values = {"budget": "abc", "expected_close": "2027-02-30", "value": "-5", "probability": "150", "name": "",
              "next_step": "", "source": ""}
    changes, errors = opportunity_changes(deal(), values)
    assert changes is None
    assert {"budget", "expected_close", "value", "probability", "name"} <= set(errors), errors


@pytest.mark.parametrize("text, reason", [
    ("2027-02-30", "no such day: February 2027 has 28 days"),
    ("2028-02-30", "no such day: February 2028 has 29 days"),
    ("2027-13-01", "no month 13: months run from 01 to 12"),
    ("March 3", "expected a date as YYYY-MM-DD, got 'March 3'"),
    ("", "expected a date as YYYY-MM-DD, got ''"),
])
def test_a_date_that_does_not_exist_is_told_why(deal, text, reason):
    with pytest.raises(ValueError, match=f"^{re.escape(reason)}$"):
        parse_day(text)
    _, errors = opportunity_changes(deal(), {"expected_close": text, "value": "1000"})
    assert errors["expected_close"] == reason
    _, errors = schedule_entry({"kind": "call", "subject": "x", "day": text}, date(2027, 1, 1))
    assert errors["day"] == reason


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_every_real_day_parses(day):
    assert parse_day(day.isoformat()) == day


@given(st.text(max_size=12))
def test_any_text_is_a_day_or_a_reason(text):
    try:
        parse_day(text)
    except ValueError as error:
        assert str(error)


def test_a_time_zone_setting_names_a_real_zone(tmp_path, monkeypatch):
    from domain.settings import Settings

    monkeypatch.setenv("PANTRY_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("PANTRY_TIME_ZONE", "Mars/Olympus")
    with pytest.raises(Exception, match="unknown time zone 'Mars/Olympus'"):
        Settings()
    monkeypatch.setenv("PANTRY_TIME_ZONE", "Europe/Berlin")
    assert Settings().zone.key == "Europe/Berlin"
    monkeypatch.delenv("PANTRY_TIME_ZONE")
    assert Settings().zone is not None  # the machine's zone


@pytest.mark.parametrize("typed", ["¹", "²5", "٣"])  # digits to str.isdigit, not to int(): superscripts, Arabic-Indic
def test_a_probability_in_other_digits_is_refused_by_name(deal, typed):
    _, errors = opportunity_changes(deal(), {"expected_close": "2026-05-01", "value": "1000", "probability": typed})
    assert errors["probability"] == "a whole number from 0 to 100"

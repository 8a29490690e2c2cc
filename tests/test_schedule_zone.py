"""Scheduling in the user's time zone (issue 16): the form reads the time in the `time_zone` setting
(default: the machine's), the activity is stored in UTC."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from domain.clock import SystemClock
from domain.forms import schedule_entry
from domain.settings import Settings

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 3, 20)


def entry(day: str, at: str, zone=PARIS, name="Europe/Paris"):
    return schedule_entry({"kind": "call", "subject": "Follow-up", "day": day, "time": at}, TODAY, zone, name)


def test_a_time_typed_in_paris_is_stored_in_utc():
    # 2026-03-24: Paris is on CET, UTC+1 -> 09:30 local is 08:30 UTC
    result, errors = entry("2026-03-24", "09:30")
    assert errors == {} and result["when"] == datetime(2026, 3, 24, 8, 30, tzinfo=timezone.utc)
    # 2026-04-01: after the change on 29 March, CEST, UTC+2 -> 07:30 UTC
    result, _ = entry("2026-04-01", "09:30")
    assert result["when"] == datetime(2026, 4, 1, 7, 30, tzinfo=timezone.utc)


def test_a_time_the_clocks_skip_is_refused_naming_the_zone():
    # 29 March 2026, 02:00 CET -> 03:00 CEST: 02:30 never happens in Paris
    result, errors = entry("2026-03-29", "02:30")
    assert result is None
    assert errors == {"time": "02:30 does not exist on 2026-03-29 in Europe/Paris (the clocks go forward)"}


def test_a_time_the_clocks_repeat_is_its_first_occurrence():
    # 25 October 2026, 03:00 CEST -> 02:00 CET: 02:30 happens twice; the first is 00:30 UTC
    result, _ = entry("2026-10-25", "02:30")
    assert result["when"] == datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)


def test_utc_stays_utc_and_a_bad_time_names_the_zone():
    result, _ = entry("2026-03-24", "09:30", timezone.utc, "UTC")
    assert result["when"] == datetime(2026, 3, 24, 9, 30, tzinfo=timezone.utc)
    _, errors = entry("2026-03-24", "9h30")
    assert errors == {"time": "a time as HH:MM (24-hour, Europe/Paris)"}


def test_the_setting_names_the_zone_and_the_default_is_the_machines():
    paris = Settings.model_construct(time_zone="Europe/Paris")
    assert paris.zone == PARIS and paris.zone_name == "Europe/Paris"
    machine = Settings.model_construct()
    assert machine.zone.utcoffset(datetime.now()) == datetime.now().astimezone().utcoffset()


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_today_is_the_date_in_the_users_zone(zone):
    clock = SystemClock(ZoneInfo(zone))  # UTC+14 and UTC-11: at any instant their dates differ by a day
    assert clock.today() == clock.now().astimezone(ZoneInfo(zone)).date()


async def test_the_schedule_form_asks_in_the_users_zone_and_stores_utc(tmp_path_factory, tmp_path):
    import shutil

    from domain.filters import OpportunityFilter
    from store.database import sqlite_url
    from tests.tui_support import demo_database, make_app, make_session, screen_text, settle
    from tui.screens.form import FormScreen

    demo_database(tmp_path_factory)
    copy = tmp_path / "zone.db"
    shutil.copy(tmp_path_factory.getbasetemp() / "demo.db", copy)
    session = make_session(sqlite_url(copy), login="pshah")
    session.settings = Settings.model_construct(time_zone="America/New_York")
    deal = session.opportunities(OpportunityFilter(owners=("pshah",), status="open"), 0, 1).items[0]
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_record("opportunity", deal.id)
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert "Time (HH:MM, America/New_York)" in screen_text(app)
        form = app.screen
        form.query_one("#field-subject").value = "Call the chef before service"
        form.query_one("#field-day").value = "2026-03-18"
        form.query_one("#field-time").value = "10:15"
        await pilot.press("ctrl+s")
        await settle(pilot)
    planned = session.store.activities.find(opportunity=deal.id, subject="Call the chef before service")
    # 18 March 2026 in New York is EDT (UTC-4) -> 14:15 UTC
    assert [a.scheduled_at for a in planned] == [datetime(2026, 3, 18, 14, 15, tzinfo=timezone.utc)]

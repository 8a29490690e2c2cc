"""Needs attention (issue 16): one row per deal with both marks, ranked by value at risk, sortable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.enums import Role
from domain.pipeline import DEFAULT_PIPELINE
from domain.services.alerts import alerts
from domain.services.attention import needs_attention
from domain.session import Session
from tests.tui_support import demo_database, make_app, make_session, screen_text, settle


@pytest.fixture
def deals(store, clock, make):
    rep = make.user(login="ray", display_name="Ray Rep", role=Role.REP)
    now = clock.now()
    # small and very idle (the old first row), large and just past its limit, and one stalled and idle
    small = make.opportunity(name="Small idle", owner_id=rep.id, stage="discovery", probability=20, value_cents=878_00,
                             stage_entered_at=now - timedelta(days=5), last_activity_at=now - timedelta(days=200))
    large = make.opportunity(name="Large stalled", owner_id=rep.id, stage="negotiation", probability=80,
                             value_cents=500_000_00, stage_entered_at=now - timedelta(days=40),
                             last_activity_at=now - timedelta(days=1))
    both = make.opportunity(name="Both", owner_id=rep.id, stage="proposal", probability=60, value_cents=20_000_00,
                            stage_entered_at=now - timedelta(days=60), last_activity_at=now - timedelta(days=60))
    session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=None)
    return session, small, large, both


def test_one_row_per_deal_with_both_marks_ranked_by_value_at_risk(deals):
    session, small, large, both = deals
    raw = alerts(session)
    assert sum(1 for a in raw if a.opportunity_id == both.id) == 2  # two alerts for one deal…
    rows = needs_attention(session)
    assert [r.opportunity_id for r in rows].count(both.id) == 1  # …one row
    assert next(r for r in rows if r.opportunity_id == both.id).marks == ("stalled", "idle")
    assert rows[0].opportunity_id == large.id  # the $500,000 deal before the $878 one idle for 200 days
    for row in rows:
        expected = round(row.value_cents * row.probability / 100 * row.overdue)
        assert abs(row.value_at_risk_cents - expected) <= 1
    assert [r.value_at_risk_cents for r in rows] == sorted((r.value_at_risk_cents for r in rows), reverse=True)
    by_overdue = needs_attention(session, sort="overdue")
    assert by_overdue[0].opportunity_id == small.id  # the longest overdue first when asked
    assert [r.value_cents for r in needs_attention(session, sort="value")] == sorted(
        (r.value_cents for r in rows), reverse=True)
    assert len(needs_attention(session, limit=1)) == 1


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory)


async def test_the_dashboard_lists_each_deal_once_and_sorts_by_key(demo_url):
    app = make_app(make_session(demo_url, login="admin"))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.pause(0.5)
        await settle(pilot)
        table = app.screen.query_one("#attention")
        keys = [row.value for row in table.rows]
        ids = [k.split(":")[1] for k in keys]
        assert ids and len(ids) == len(set(ids))
        assert "by value at risk" in screen_text(app)
        await pilot.press("n", "s")
        await settle(pilot)
        assert "by days overdue" in screen_text(app)


def test_repeated_alerts_on_one_deal_in_one_day_are_one_inbox_row(store, make, clock):
    """The inbox started with "196 unread of 200", all "stage duration exceeded" from start-up."""
    from domain.records import Notification
    from domain.services.inbox import group_entries, inbox, mark_read

    manager = make.user(login="mia", display_name="Mia", role=Role.MANAGER)
    opp = make.opportunity(name="Harbor Hotel — dairy", owner_id=manager.id, stage="discovery")
    other = make.opportunity(name="Other deal", owner_id=manager.id, stage="discovery")
    now = clock.now()
    for minutes in range(5):
        store.notifications.insert(Notification(recipient_id=manager.id, kind="automation", message="stage duration exceeded",
                                                opportunity_id=opp.id, created_at=now - timedelta(minutes=minutes)))
    store.notifications.insert(Notification(recipient_id=manager.id, kind="automation", message="yesterday's",
                                            opportunity_id=opp.id, created_at=now - timedelta(days=1)))
    store.notifications.insert(Notification(recipient_id=manager.id, kind="automation", message="another deal",
                                            opportunity_id=other.id, created_at=now))
    session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=manager)
    groups = group_entries(inbox(session))
    assert sorted(g.count for g in groups) == [1, 1, 5]  # today's five: one row; yesterday's and the other deal apart
    five = next(g for g in groups if g.count == 5)
    assert five.created_at == now and five.unread == 5
    assert mark_read(session, list(five.ids)) == 5  # r on the row marks the whole group read
    assert next(g for g in group_entries(inbox(session)) if g.count == 5).unread == 0

"""The pipeline engine on a real database: moves, automations, the duration sweep, alerts, metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from domain.enums import (
    ActivityKind,
    ForecastCategory,
    ProposalStatus,
    Role,
    TaskStatus,
)
from domain.errors import Refused, VersionConflict
from domain.events import DataChanged
from domain.pipeline import DEFAULT_PIPELINE
from domain.records import Opportunity, User
from domain.services import automations as automations_module
from domain.services.alerts import AlertCounts, alert_counts, alerts
from domain.services.duration_sweep import sweep_stage_durations
from domain.services.metrics import PipelineMetrics
from domain.services.opportunity_updates import OpportunityUpdates
from domain.services.stage_moves import MoveRefused, StageMover
from domain.session import Session

TABLES = ("opportunities", "stage_changes", "activities", "audit", "tasks", "notifications", "outbox", "automation_runs")


def counts(store) -> dict[str, int]:
    return {name: getattr(store, name).count() for name in TABLES}


@dataclass
class World:
    session: Session
    manager: User
    rep: User
    opp: Opportunity
    product_id: int


@pytest.fixture
def world(store, clock, make) -> World:
    manager = make.user(login="mia", display_name="Mia Manager", role=Role.MANAGER, email="mia@example.com")
    rep = make.user(login="ray", display_name="Ray Rep", role=Role.REP, manager_id=manager.id, email="ray@example.com")
    account = make.account(name="Bistro Nord", owner_id=rep.id)
    contact = make.contact(account_id=account.id, email="chef@bistro.example")
    product = make.product(name="Heirloom tomatoes 10 lb", list_price_cents=24_50)
    opp = make.opportunity(
        name="Bistro Nord — produce", owner_id=rep.id, account_id=account.id, contact_id=contact.id,
        stage="discovery", probability=20, value_cents=0, stage_entered_at=clock.now() - timedelta(days=2),
    )
    session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=rep)
    return World(session, manager, rep, opp, product.id)


def mover(world: World) -> StageMover:
    return StageMover(world.session)


def qualify(world: World) -> None:
    """Meet qualification's requirements: a completed call and a budget."""
    updates = OpportunityUpdates(world.session)
    updates.log_activity(world.opp.id, ActivityKind.CALL, "Discovery call with the chef")
    updates.update_fields(world.opp.id, {"budget_cents": 12_000_00})


# -- refusals --------------------------------------------------------------------------------


def test_a_refused_move_reports_every_reason_and_writes_nothing(world):
    store = world.session.store
    before = counts(store)
    with pytest.raises(MoveRefused) as refused:
        mover(world).move(world.opp.id, "qualification")
    assert refused.value.reasons == ["required activity 'call' not completed", "required field 'budget' not populated"]
    assert str(refused.value) == (
        "Cannot move to qualification: required activity 'call' not completed; required field 'budget' not populated"
    )
    assert counts(store) == before
    assert store.opportunities.require(world.opp.id).version == world.opp.version


def test_skipping_stages_needs_the_requirements_of_every_stage_entered(world):
    OpportunityUpdates(world.session).add_line_item(world.opp.id, world.product_id, Decimal(4))
    with pytest.raises(MoveRefused) as refused:
        mover(world).move(world.opp.id, "proposal")  # products are there, but qualification's call and budget are not
    assert refused.value.reasons == ["required activity 'call' not completed", "required field 'budget' not populated"]


def test_closing_as_lost_needs_a_reason(world):
    with pytest.raises(MoveRefused, match="a lost reason is required"):
        mover(world).move(world.opp.id, "closed_lost", lost_reason="   ")
    result = mover(world).move(world.opp.id, "closed_lost", lost_reason="Went with the incumbent")
    assert result.opportunity.lost_reason == "Went with the incumbent"
    assert result.opportunity.probability == 0 and result.opportunity.actual_close_date == world.session.clock.today()


def test_unknown_and_same_stage_are_refused(world):
    with pytest.raises(MoveRefused, match="unknown stage 'won'"):
        mover(world).move(world.opp.id, "won")
    with pytest.raises(MoveRefused, match="already in discovery"):
        mover(world).move(world.opp.id, "discovery")


# -- an allowed move ------------------------------------------------------------------------


def test_an_allowed_move_updates_everything_in_one_go(world):
    store, clock = world.session.store, world.session.clock
    qualify(world)
    before = store.opportunities.require(world.opp.id)
    result = mover(world).move(world.opp.id, "qualification", expected_version=before.version)
    opp = result.opportunity
    assert (opp.stage, opp.probability, opp.forecast_category) == ("qualification", 40, ForecastCategory.PIPELINE)
    assert opp.version == before.version + 1 and opp.stage_entered_at == clock.now()
    assert opp.actual_close_date is None and opp.updated_by_id == world.rep.id
    history = store.stage_changes.find(opportunity=opp.id)
    assert [(h.from_stage, h.to_stage, h.changed_by_id) for h in history] == [("discovery", "qualification", world.rep.id)]
    logged = store.activities.find(opportunity=opp.id, kind="stage_change")
    assert logged[0].subject == "Stage changed from discovery to qualification"
    audit = {(a.field, a.old_value, a.new_value) for a in store.audit.find(table_name="opportunity", record_id=opp.id)}
    assert ("stage", "discovery", "qualification") in audit and ("probability", "20", "40") in audit
    # qualification's stage_entered automation schedules a meeting 5 days out
    meeting = store.activities.find(opportunity=opp.id, kind="meeting")[0]
    assert meeting.subject == "Tasting and needs review" and meeting.completed_at is None
    assert meeting.scheduled_at == clock.now() + timedelta(days=5)
    assert result.automations == ("qualification:stage_entered:schedule_meeting:0",)


def test_a_manual_probability_override_is_kept_on_open_stages_and_ends_at_close(world):
    qualify(world)
    OpportunityUpdates(world.session).update_fields(world.opp.id, {"probability": 55})
    moved = mover(world).move(world.opp.id, "qualification").opportunity
    assert (moved.probability, moved.probability_overridden) == (55, True)
    lost = mover(world).move(world.opp.id, "closed_lost", lost_reason="Budget cut").opportunity
    assert (lost.probability, lost.probability_overridden) == (0, False)


def test_moving_backwards_is_allowed_recorded_and_reopens(world):
    store = world.session.store
    mover(world).move(world.opp.id, "closed_lost", lost_reason="No decision")
    back = mover(world).move(world.opp.id, "discovery").opportunity
    assert back.actual_close_date is None and back.lost_reason == "" and back.probability == 20
    assert [h.to_stage for h in store.stage_changes.find(opportunity=back.id)] == ["closed_lost", "discovery"]


def test_entering_discovery_creates_a_task_for_the_owner_due_in_three_days(world):
    store, today = world.session.store, world.session.clock.today()
    mover(world).move(world.opp.id, "closed_lost", lost_reason="Timing")
    mover(world).move(world.opp.id, "discovery")
    task = store.tasks.find(opportunity=world.opp.id)[0]
    assert task.title == "Conduct discovery call" and task.assignee_id == world.rep.id
    assert task.due_on == today + timedelta(days=3) and task.priority.value == "high"
    assert task.status is TaskStatus.OPEN and task.created_by_automation == "discovery:stage_entered:create_task:0"


def test_moving_back_and_forth_creates_the_stage_entry_task_once_while_it_is_open(world):
    store = world.session.store
    qualify(world)
    for stage in ("qualification", "discovery", "qualification", "discovery"):
        mover(world).move(world.opp.id, stage)
    tasks = store.tasks.find(opportunity=world.opp.id, created_by_automation="discovery:stage_entered:create_task:0")
    assert len(tasks) == 1  # entered discovery twice; the first task is still open
    meetings = store.activities.find(opportunity=world.opp.id, kind="meeting")
    assert [m.subject for m in meetings] == ["Tasting and needs review"]  # entered qualification twice


def test_the_stage_entry_task_comes_again_once_the_first_is_done(world):
    store = world.session.store
    qualify(world)
    mover(world).move(world.opp.id, "qualification")
    mover(world).move(world.opp.id, "discovery")
    first = store.tasks.find(opportunity=world.opp.id, created_by_automation="discovery:stage_entered:create_task:0")[0]
    store.tasks.update(first.model_copy(update={"status": TaskStatus.DONE}))
    mover(world).move(world.opp.id, "qualification")
    result = mover(world).move(world.opp.id, "discovery")
    tasks = store.tasks.find(opportunity=world.opp.id, created_by_automation="discovery:stage_entered:create_task:0")
    assert [t.status for t in tasks] == [TaskStatus.DONE, TaskStatus.OPEN]
    assert result.automations == ("discovery:stage_entered:create_task:0",)


def test_moving_a_deal_back_and_forth_does_not_make_its_open_stage_task_twice(world):
    """Issue 16: each return to a stage re-created "Conduct discovery call" while the first was still open."""
    store = world.session.store
    key = "discovery:stage_entered:create_task:0"

    def tasks():
        return [t for t in store.tasks.find(opportunity=world.opp.id) if t.created_by_automation == key]

    for _ in range(3):
        mover(world).move(world.opp.id, "closed_lost", lost_reason="Timing")
        mover(world).move(world.opp.id, "discovery")
    assert len(tasks()) == 1 and tasks()[0].status is TaskStatus.OPEN
    store.tasks.update(tasks()[0].model_copy(update={"status": TaskStatus.DONE}), fields={"status"})
    mover(world).move(world.opp.id, "closed_lost", lost_reason="Timing")
    mover(world).move(world.opp.id, "discovery")  # the first one done: a new entry makes a new task
    assert sorted(t.status.value for t in tasks()) == ["done", "open"]


def test_winning_emails_the_manager_into_the_outbox_and_notifies_on_negotiation(world):
    store = world.session.store
    qualify(world)
    updates = OpportunityUpdates(world.session)
    updates.add_line_item(world.opp.id, world.product_id, Decimal(10))  # 10 x $24.50 = $245.00
    for stage in ("qualification", "proposal"):
        mover(world).move(world.opp.id, stage)
    with pytest.raises(MoveRefused, match="required activity 'proposal' not completed"):
        mover(world).move(world.opp.id, "negotiation")
    proposal = store.proposals.insert(__import__("domain.records", fromlist=["Proposal"]).Proposal(
        number="P-1", opportunity_id=world.opp.id, title="Produce program", amount_cents=245_00,
        status=ProposalStatus.DRAFT, created_at=world.session.clock.now(),
    ))
    updates.send_proposal(proposal.id)
    mover(world).move(world.opp.id, "negotiation")
    note = store.notifications.find(recipient=world.manager.id)[-1]
    assert note.message == "Bistro Nord — produce: Deal entered negotiation"
    won = mover(world).move(world.opp.id, "closed_won").opportunity
    assert won.value_cents == 245_00 and won.probability == 100
    mail = store.outbox.find(opportunity=world.opp.id)[-1]
    assert mail.to_address == "mia@example.com" and mail.subject == "Won: Bistro Nord — produce"
    assert mail.body == "Ray Rep closed Bistro Nord — produce with Bistro Nord for $245.00."
    assert mail.status == "queued"


def test_a_failing_automation_rolls_the_whole_move_back(world, monkeypatch):
    store = world.session.store
    mover(world).move(world.opp.id, "closed_lost", lost_reason="Price")
    before = counts(store)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    # re-entering discovery runs its stage_entered create_task automation, which now fails
    monkeypatch.setattr(automations_module.AutomationRunner, "_apply", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        mover(world).move(world.opp.id, "discovery")
    assert counts(store) == before
    assert store.opportunities.require(world.opp.id).stage == "closed_lost"


def test_a_stale_version_is_a_conflict_naming_who_and_when(world, store, make, clock):
    other = make.user(login="zoe", display_name="Zoe", role=Role.ADMIN)
    stale = store.opportunities.require(world.opp.id).version
    Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=other)
    OpportunityUpdates(Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=other)).update_fields(
        world.opp.id, {"next_step": "Call Monday"}
    )
    before = counts(store)
    with pytest.raises(VersionConflict) as conflict:
        mover(world).move(world.opp.id, "closed_lost", lost_reason="Price", expected_version=stale)
    assert "changed by zoe at 2026-03-16 12:00 UTC" in str(conflict.value)
    assert counts(store) == before


# -- triggers that are not a move ------------------------------------------------------------


def test_requirements_met_fires_once_when_the_call_and_budget_are_in(world):
    store = world.session.store
    updates = OpportunityUpdates(world.session)
    updates.log_activity(world.opp.id, ActivityKind.CALL, "Intro call")
    assert store.opportunities.require(world.opp.id).next_step == ""  # budget still missing
    updates.update_fields(world.opp.id, {"budget_cents": 9_000_00})
    opp = store.opportunities.require(world.opp.id)
    assert opp.next_step == "Ready to qualify: call done and budget known"
    assert store.automation_runs.count() == 1
    updates.update_fields(world.opp.id, {"next_step": "Tasting booked"})
    updates.log_activity(world.opp.id, ActivityKind.CALL, "Follow-up call")
    assert store.opportunities.require(world.opp.id).next_step == "Tasting booked"  # fired once per stay
    assert store.automation_runs.count() == 1


def test_duration_exceeded_fires_once_per_stay(world):
    store, clock = world.session.store, world.session.clock
    assert sweep_stage_durations(world.session) == []  # 2 days in discovery, threshold 14
    clock.advance(timedelta(days=13))  # 15 days in the stage: more than 14
    fired = sweep_stage_durations(world.session)
    assert fired == [(world.opp.id, "discovery:stage_duration_exceeded:notify_manager:1")]
    note = store.notifications.find(recipient=world.manager.id)[-1]
    assert note.message == "Bistro Nord — produce: Discovery stage duration exceeded"
    assert sweep_stage_durations(world.session) == []  # once per stay
    clock.advance(timedelta(days=30))
    assert sweep_stage_durations(world.session) == []
    # a new stay starts the count again
    mover(world).move(world.opp.id, "closed_lost", lost_reason="Stalled")
    mover(world).move(world.opp.id, "discovery")
    clock.advance(timedelta(days=15))
    assert len(sweep_stage_durations(world.session)) == 1


def test_a_catch_up_is_filed_read_with_one_digest_of_what_passed_since_the_last_visit(world, make, clock):
    store = world.session.store
    # ray's deal entered discovery 2 days ago (limit 14 days): it passes the limit 13 days from now
    other = make.opportunity(name="Harbor Hotel — dairy", owner_id=world.rep.id, stage="qualification",
                             probability=40, value_cents=0, stage_entered_at=clock.now() - timedelta(days=1))
    store.touch_last_seen(world.manager.id, clock.now() + timedelta(days=5))  # mia's last visit
    clock.advance(timedelta(days=40))  # nobody ran the sweep since: both limits passed days ago
    fired = sweep_stage_durations(world.session)
    assert {opp for opp, _ in fired} == {world.opp.id, other.id}
    notes = store.notifications.find(recipient=world.manager.id)
    individual = [n for n in notes if n.kind == "automation"]
    assert len(individual) == 2 and all(n.read_at == clock.now() for n in individual)  # history, not news
    digests = [n for n in notes if n.kind == "digest"]
    # discovery passed on day 2 + 14 + 1 = 17, qualification (21 days) on day 1 + 21 + 1 = 23: both after day 5
    assert [(d.message, d.read_at) for d in digests] == [
        ("Since your last visit 2 deals passed their stage's time limit: Discovery 1, Qualification 1", None)]


def test_a_catch_up_seen_before_the_last_visit_is_not_announced(world, clock):
    store = world.session.store
    store.touch_last_seen(world.manager.id, clock.now() + timedelta(days=20))  # after the limit passed (day 13)
    clock.advance(timedelta(days=30))
    assert len(sweep_stage_durations(world.session)) == 1
    notes = store.notifications.find(recipient=world.manager.id)
    assert [(n.kind, n.read_at is not None) for n in notes] == [("automation", True)]


def test_a_limit_passed_today_is_news(world, clock):
    store = world.session.store
    clock.advance(timedelta(days=13))  # 15 days: passed at midnight today
    sweep_stage_durations(world.session)
    notes = store.notifications.find(recipient=world.manager.id)
    assert [(n.kind, n.read_at) for n in notes] == [("automation", None)]


def test_stalled_and_idle_alerts_sorted_by_severity(world, make, clock):
    # discovery threshold 14 days; idle after 14 days without activity
    make.opportunity(name="Very stalled", owner_id=world.rep.id, stage="discovery",
                     stage_entered_at=clock.now() - timedelta(days=42), created_at=clock.now() - timedelta(days=50),
                     last_activity_at=clock.now() - timedelta(days=1))
    make.opportunity(name="Idle", owner_id=world.rep.id, stage="proposal", probability=60,
                     stage_entered_at=clock.now() - timedelta(days=5), created_at=clock.now() - timedelta(days=60),
                     last_activity_at=clock.now() - timedelta(days=21))
    make.opportunity(name="Won long ago", owner_id=world.rep.id, stage="closed_won", probability=100,
                     stage_entered_at=clock.now() - timedelta(days=300), created_at=clock.now() - timedelta(days=300))
    found = alerts(world.session)
    assert [(a.name, a.kind, a.days, a.threshold) for a in found] == [
        ("Very stalled", "stalled", 42, 14),  # 42 / 14 = 3.0
        ("Idle", "idle", 21, 14),  # 21 / 14 = 1.5
    ]
    assert found[0].severity == 3.0 and found[1].severity == 1.5
    everyone = Session(store=world.session.store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=world.manager)
    assert alerts(everyone, owners=(world.manager.login,)) == []  # the manager owns none of them
    with pytest.raises(Refused, match="cannot see the records of nobody"):
        alerts(world.session, owners=("nobody",))  # a rep asking for someone else's alerts


def test_the_first_alerts_are_the_most_severe_and_the_counts_cover_all(world, make, clock):
    # thresholds: discovery 14 days, qualification / proposal / negotiation 21, idle 14
    def deal(name, stage, entered_days, value_cents, touched_days=1, hours=0):
        make.opportunity(name=name, owner_id=world.rep.id, stage=stage, value_cents=value_cents,
                         stage_entered_at=clock.now() - timedelta(days=entered_days) + timedelta(hours=hours),
                         created_at=clock.now() - timedelta(days=400),
                         last_activity_at=clock.now() - timedelta(days=touched_days))

    deal("P63", "proposal", 63, 10_00)  # 63 / 21 = 3.0
    deal("I35", "proposal", 5, 10_00, touched_days=35)  # idle 35 / 14 = 2.5
    deal("D28 small", "discovery", 28, 100_00)  # 28 / 14 = 2.0
    deal("D28 big", "discovery", 28, 900_00, hours=3)  # entered later the same day: still 28 days, 2.0, larger
    deal("Q42", "qualification", 42, 50_00)  # 42 / 21 = 2.0, smallest of the three at 2.0
    deal("N30", "negotiation", 30, 10_00)  # 30 / 21 = 1.43
    full = alerts(world.session)
    assert [(a.name, a.kind) for a in full] == [
        ("P63", "stalled"), ("I35", "idle"), ("D28 big", "stalled"), ("D28 small", "stalled"), ("Q42", "stalled"),
        ("N30", "stalled"),
    ]
    assert full[2].account == "" and full[2].owner == world.rep.login
    for limit in range(1, 7):
        assert alerts(world.session, limit=limit) == full[:limit]
    assert [a.name for a in alerts(world.session, kinds=("stalled",), limit=2)] == ["P63", "D28 big"]
    assert alert_counts(world.session) == AlertCounts(stalled=5, idle=1)
    metrics = PipelineMetrics(world.session, alert_limit=3)
    published = metrics.recompute()
    assert [a.name for a in published.alerts] == ["P63", "I35", "D28 big"]
    assert (published.stalled, published.idle) == (5, 1)
    metrics.close()


def test_metrics_are_recomputed_and_published_after_a_move(world):
    metrics = PipelineMetrics(world.session)
    seen = []
    metrics.subscribe(seen.append)
    OpportunityUpdates(world.session).add_line_item(world.opp.id, world.product_id, Decimal(100))  # $2,450.00
    assert metrics.wait_until_idle()  # recomputed off this thread
    assert seen and seen[-1].summary.weighted_value_cents == 490_00  # 2,450.00 x 20% = 490.00
    mover(world).move(world.opp.id, "closed_lost", lost_reason="Price")
    assert metrics.wait_until_idle()
    assert seen[-1].summary.weighted_value_cents == 0 and seen[-1].summary.lost_count == 1
    metrics.close()


def test_metrics_are_recomputed_off_the_publishing_thread_and_a_burst_costs_at_most_two(world):
    """A write returns before the figures are recomputed; twenty changes meanwhile make one more recompute."""
    import threading

    metrics = PipelineMetrics(world.session)
    release, started = threading.Event(), threading.Event()
    threads, original = [], metrics.recompute

    def slow_recompute(**kwargs):
        threads.append(threading.get_ident())
        started.set()
        release.wait(10)
        return original(**kwargs)

    metrics.recompute = slow_recompute
    OpportunityUpdates(world.session).update_fields(world.opp.id, {"next_step": "Call"})  # returns: not waiting
    assert started.wait(5) and threads == [threads[0]] and threads[0] != threading.get_ident()
    for n in range(20):
        world.session.bus.publish(DataChanged(kinds=frozenset({"opportunity"})))
    release.set()
    assert metrics.wait_until_idle()
    assert len(threads) == 2, "the burst that came during the first recompute made exactly one more"
    assert threading.get_ident() not in threads
    metrics.close()


def test_change_events_are_published_after_commit(world):
    events: list[DataChanged] = []
    world.session.bus.subscribe(events.append)
    mover(world).move(world.opp.id, "closed_lost", lost_reason="Price")
    assert events[-1].touches("opportunity", "stage_change")
    assert events[-1].ids["opportunity"] == frozenset({world.opp.id})


def test_the_inbox_keeps_unread_notifications_however_many_were_filed_read_after_them(world, clock):
    from domain.records import Notification
    from domain.services.inbox import inbox_entries

    store = world.session.store
    store.notifications.insert(Notification(recipient_id=world.rep.id, kind="quota", message="old but unread",
                                            created_at=clock.now()))
    for i in range(5):
        clock.advance(timedelta(minutes=1))
        store.notifications.insert(Notification(recipient_id=world.rep.id, message=f"filed {i}", created_at=clock.now(),
                                                read_at=clock.now()))
    entries = inbox_entries(world.session, limit=3)
    assert [e.message for e in entries] == ["old but unread", "filed 4", "filed 3", "filed 2"]

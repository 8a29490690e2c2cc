"""Account health, competitive threat, sentiment, interactions and the `accounts`/`activities` reports.

Every expected number is worked out by hand next to its fixture. The clock stands at
NOW = Monday 2026-03-16 12:00 UTC (tests/conftest.py). Runs on SQLite, and on PostgreSQL
with PANTRY_TEST_DATABASE_URL set (without -n).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain import records as r
from domain.enums import AccountStatus, ActivityKind, ContractStatus, Pricing, Role
from domain.errors import Refused
from domain.events import DataChanged
from domain.pipeline import DEFAULT_PIPELINE
from domain.reports.base import ReportParams
from domain.services import account_health as ah
from domain.services import competition as comp
from domain.services.interactions import (
    InteractionParticipant,
    interaction_insights,
    record_interaction,
    trend_direction,
)
from domain.services.sentiment import sentiment_label, sentiment_score
from domain.session import Session

DAY = timedelta(days=1)


# -- helpers ---------------------------------------------------------------------------------------


@pytest.fixture
def rep(make):
    return make.user(login="ray", display_name="Ray Rep", role=Role.REP, team="East")


@pytest.fixture
def session(store, clock, rep):
    return Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=rep)


def contract(store, account_id: int, cents: int, start: date, end: date,
             status: ContractStatus = ContractStatus.ACTIVE) -> r.Contract:
    return store.contracts.insert(r.Contract(account_id=account_id, value_cents=cents, start_date=start, end_date=end,
                                             status=status))


def interaction(make, account_id: int, when: datetime, kind: ActivityKind = ActivityKind.CALL, **fields):
    return make.activity(kind=kind, account_id=account_id, completed_at=when, created_at=when, **fields)


def facts(**overrides):
    """An AccountHealthFacts for the pure scoring functions (only what they read)."""
    from domain.facts import AccountHealthFacts

    values = dict(
        id=1, name="A", tier="standard", status="customer", owner_login="ray", owner_name="Ray", renewal_date=None,
        last_interaction_at=None, contract_value_cents=0, contracts_in_force=0, interactions=0, contacts_engaged=0,
        sentiment_sum=0.0, sentiment_scored=0, won_last_year_cents=0, won_prior_year_cents=0, open_pipeline_cents=0,
        open_deals=0, expansion_deals=0,
    )
    return AccountHealthFacts(**{**values, **overrides})


# -- health factors, pure ----------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "score", "impact"), [
    (0, 25, "positive"),
    (7, 25, "positive"),                       # ≤ 7 days
    (7 + 1 / 86_400, 15, "neutral"),           # one second past 7 days: fractional days, as the seed
    (8, 15, "neutral"),
    (30, 15, "neutral"),                       # ≤ 30 days
    (31, 5, "negative"),
    (None, 5, "negative"),                     # never any interaction: the seed's "else" case
])
def test_recent_activity_thresholds(days, score, impact):
    factor = ah.recent_activity_factor(days)
    assert (factor.name, factor.score, factor.impact) == ("Recent Activity", score, impact)


def test_days_between_is_fractional_like_the_seed():
    assert ah.days_between(datetime(2026, 3, 16, 12, tzinfo=timezone.utc),
                           datetime(2026, 3, 9, 0, tzinfo=timezone.utc)) == 7.5  # 7 days 12 hours


@pytest.mark.parametrize(("cents", "score", "impact"), [
    (0, 5, "negative"),
    (100_000_00, 5, "negative"),               # $100,000.00 is not more than $100,000
    (100_000_01, 15, "neutral"),               # $100,000.01 is
    (500_000_00, 15, "neutral"),               # $500,000.00 is not more than $500,000
    (500_000_01, 25, "positive"),
])
def test_contract_value_thresholds(cents, score, impact):
    factor = ah.contract_value_factor(cents)
    assert (factor.name, factor.score, factor.impact) == ("Contract Value", score, impact)


@pytest.mark.parametrize(("interactions", "contacts", "sentiment", "points", "impact"), [
    (12, 3, 0.30, (10, 8, 7), "positive"),     # 10 + 8 + 7 = 25
    (11, 3, 0.29, (7, 8, 5), "positive"),      # 7 + 8 + 5 = 20
    (6, 2, 0.05, (7, 5, 5), "positive"),       # 7 + 5 + 5 = 17 > 15
    (6, 3, -0.05, (7, 8, 0), "neutral"),       # 7 + 8 + 0 = 15: not > 15 (the seed's rule)
    (5, 2, 0.0, (4, 5, 3), "neutral"),         # 4 + 5 + 3 = 12
    (3, 1, None, (4, 2, 3), "neutral"),        # none scored counts as neutral: 4 + 2 + 3 = 9
    (3, 1, -0.5, (4, 2, 0), "neutral"),        # 4 + 2 + 0 = 6 > 5
    (1, 0, None, (2, 0, 3), "negative"),       # 2 + 0 + 3 = 5 ≤ 5: negative (our addition)
    (0, 0, None, (0, 0, 0), "negative"),       # nothing at all: 0
])
def test_engagement_definition(interactions, contacts, sentiment, points, impact):
    assert ah.engagement_points(interactions, contacts, sentiment) == points
    factor = ah.engagement_factor(interactions, contacts, sentiment)
    assert (factor.score, factor.impact) == (sum(points), impact)


@pytest.mark.parametrize(("last", "prior", "pipeline", "expansion", "points", "impact"), [
    (110_00, 100_00, 0, 0, (12, 0, 0), "positive"),        # +10 % exactly: 110 × 100 ≥ 100 × 110 → 12 > 10
    (109_99, 100_00, 0, 0, (8, 0, 0), "neutral"),          # +9.99 %: flat
    (90_00, 100_00, 0, 0, (8, 0, 0), "neutral"),           # −10 % exactly: still flat
    (89_99, 100_00, 0, 0, (4, 0, 0), "negative"),          # below −10 %: 4 ≤ 5
    (50_00, 100_00, 50_00, 0, (4, 8, 0), "positive"),      # half exactly: 4; pipeline $50 ≥ won $50: 8 → 12 > 10
    (49_99, 100_00, 1_00, 1, (0, 5, 5), "neutral"),        # 0 + 5 (pipeline below last year's won) + 5 = 10: not > 10
    (10_00, 0, 0, 0, (12, 0, 0), "positive"),              # new business (nothing the year before): 12
    (0, 0, 1_00, 0, (0, 8, 0), "neutral"),                 # prospect with pipeline: 8
    (0, 0, 0, 0, (0, 0, 0), "negative"),
])
def test_growth_definition(last, prior, pipeline, expansion, points, impact):
    assert ah.growth_points(last, prior, pipeline, expansion) == points
    factor = ah.growth_factor(last, prior, pipeline, expansion)
    assert (factor.score, factor.impact) == (sum(points), impact)


@pytest.mark.parametrize(("score", "level"), [(100, "low"), (70, "low"), (69, "medium"), (40, "medium"),
                                              (39, "high"), (10, "high")])
def test_risk_thresholds(score, level):
    assert ah.risk_level(score) == level


def test_score_is_the_sum_of_the_four_factors_capped_at_100():
    as_of = datetime(2026, 3, 16, 12, tzinfo=timezone.utc)
    best = facts(last_interaction_at=as_of - DAY, contract_value_cents=600_000_00, interactions=20, contacts_engaged=5,
                 sentiment_sum=8.0, sentiment_scored=10, won_last_year_cents=200_00, won_prior_year_cents=100_00,
                 open_pipeline_cents=300_00, expansion_deals=2)
    health = ah.score_account(best, as_of)
    assert [f.score for f in health.factors] == [25, 25, 25, 25]
    assert health.health_score == ah.score_of(best, as_of) == 100 and health.risk_level == "low"
    assert health.recommendations == ("Healthy account — keep the cadence and ask for a referral or a case study.",)
    worst = ah.score_account(facts(status="prospect"), as_of)  # 5 + 5 + 0 + 0 = 10
    assert worst.health_score == ah.score_of(facts(status="prospect"), as_of) == 10 and worst.risk_level == "high"
    assert [f.impact for f in worst.factors] == ["negative"] * 4
    assert worst.recommendations[0].startswith("No customer interaction on record")
    assert any(t.startswith("No supply agreement in force — quote a trial order") for t in worst.recommendations)


# -- competitive threat, pure ----------------------------------------------------------------------


def rival(share: float, pricing: Pricing, strengths: int, name: str = "Rival", weaknesses=()) -> r.Competitor:
    return r.Competitor(id=1, name=name, market_share=share, pricing=pricing,
                        strengths=[f"strength {i}" for i in range(strengths)], weaknesses=list(weaknesses))


@pytest.mark.parametrize(("share", "pricing", "strengths", "parts", "level"), [
    (0.35, Pricing.LOWER, 2, (3, 2, 1.0), "high"),          # 3 + 2 + 2 × 0.5 = 6 ≥ 5
    (0.2, Pricing.COMPETITIVE, 4, (2, 1, 2.0), "high"),     # 2 + 1 + 4 × 0.5 = 5 exactly
    (0.2, Pricing.COMPETITIVE, 3, (2, 1, 1.5), "medium"),   # 4.5
    (0.3, Pricing.HIGHER, 0, (2, 0, 0.0), "low"),           # 0.3 is not > 0.3: 2; higher pricing: 0 → 2
    (0.05, Pricing.LOWER, 0, (1, 2, 0.0), "medium"),        # 1 + 2 = 3 exactly
    (0.1, Pricing.COMPETITIVE, 1, (1, 1, 0.5), "low"),      # 0.1 is not > 0.1: 1 point → 2.5
    (0.10001, Pricing.COMPETITIVE, 0, (2, 1, 0.0), "medium"),  # just above 0.1: 2 + 1 = 3
])
def test_threat_score_as_the_seed(share, pricing, strengths, parts, level):
    b = comp.threat_breakdown(rival(share, pricing, strengths))
    assert (b.market_share_points, b.pricing_points, b.strength_points) == parts
    assert b.score == sum(parts) and b.level == level


def test_positioning_follows_pricing_and_weaknesses():
    text = comp.positioning_strategy(rival(0.2, Pricing.LOWER, 1, "Harvest", ["Minimum drop sizes"]))
    assert "landed cost" in text and "Minimum drop sizes" in text
    assert "premium" in comp.positioning_strategy(rival(0.2, Pricing.HIGHER, 0))


# -- sentiment (VADER) -----------------------------------------------------------------------------


def test_vader_sentiment_sign():
    good = sentiment_score("The chef loved the tasting. Excellent quality and a great price!")
    bad = sentiment_score("They are frustrated and unhappy: late deliveries and damaged cases again.")
    plain = sentiment_score("Delivery is scheduled for Tuesday at 9am.")
    assert good > 0 and sentiment_label(good) == "positive"
    assert bad < 0 and sentiment_label(bad) == "negative"
    assert sentiment_label(plain) == "neutral"
    assert sentiment_score("The buyer was not happy with the substitutions.") < 0  # negation: the seed's list missed it
    assert sentiment_score("") is None and sentiment_score("   ") is None and sentiment_score(None) is None


# -- health from the database ------------------------------------------------------------------------


def test_account_health_from_the_database(session, store, make, clock, rep):
    now, today = clock.now(), clock.today()
    account = make.account(name="Harbor Hotel", owner_id=rep.id, status=AccountStatus.CUSTOMER,
                           renewal_date=today + 60 * DAY, created_at=now - 1000 * DAY)
    other = make.account(name="Elsewhere")
    c1, c2, c3, c4, c5 = (make.contact(account_id=account.id) for _ in range(5))

    # Recent Activity: the newest *completed customer interaction* is 8 days old → 15 (neutral).
    interaction(make, account.id, now - 8 * DAY, contact_id=c1.id, sentiment=0.5)
    interaction(make, account.id, now - DAY, ActivityKind.NOTE)                 # a note is not an interaction
    interaction(make, account.id, now - DAY, ActivityKind.STAGE_CHANGE)         # nor is a stage change
    make.activity(kind=ActivityKind.MEETING, account_id=account.id, scheduled_at=now + DAY)  # not completed
    interaction(make, other.id, now - DAY)                                      # another account's
    # Engagement, 90 days: interactions 8, 20 and 40 days ago = 3 → 4 points; contacts c1 (call), c2 (meeting),
    # c3 (attended the meeting) = 3 → 8 (c4 did not attend; c5 is 100 days back); sentiment (0.5 + 0.2) / 2 = 0.35
    # → 7 (the e-mail is not scored). 4 + 8 + 7 = 19 → positive.
    meeting = interaction(make, account.id, now - 20 * DAY, ActivityKind.MEETING, contact_id=c2.id, sentiment=0.2)
    store.participants.insert(r.Participant(activity_id=meeting.id, contact_id=c2.id))
    store.participants.insert(r.Participant(activity_id=meeting.id, contact_id=c3.id))
    store.participants.insert(r.Participant(activity_id=meeting.id, contact_id=c4.id, attended=False))
    interaction(make, account.id, now - 40 * DAY, ActivityKind.EMAIL, contact_id=c1.id)
    interaction(make, account.id, now - 100 * DAY, contact_id=c5.id, sentiment=-0.9)
    # Contract Value: in force today $60,000.00 + $40,000.01 = $100,000.01 → 15 (neutral). Not counted: last
    # year's expired term, a cancelled and a pending one.
    contract(store, account.id, 60_000_00, today - 200 * DAY, today + 165 * DAY)
    contract(store, account.id, 40_000_01, today - 10 * DAY, today + 355 * DAY)
    contract(store, account.id, 900_000_00, today - 565 * DAY, today - 201 * DAY, ContractStatus.EXPIRED)
    contract(store, account.id, 1_000_000_00, today - 10 * DAY, today + 355 * DAY, ContractStatus.CANCELLED)
    contract(store, account.id, 500_000_00, today + 166 * DAY, today + 530 * DAY, ContractStatus.PENDING)
    # Growth: won $11,000.00 in the last 365 days vs $10,000.00 the 365 before: +10 % → 12; open pipeline
    # $5,000.00 < $11,000.00 → 5; expansion deals (open or won in the last year, started after the first win
    # 800 days ago): the recent win and the open deal = 2 → 5. 12 + 5 + 5 = 22 → positive.
    won = dict(stage="closed_won", probability=100, account_id=account.id, owner_id=rep.id)
    make.opportunity(value_cents=10_000_00, started_on=today - 450 * DAY, actual_close_date=today - 400 * DAY,
                     expected_close_date=today - 400 * DAY, **won)
    make.opportunity(value_cents=11_000_00, started_on=today - 150 * DAY, actual_close_date=today - 100 * DAY,
                     expected_close_date=today - 100 * DAY, **won)
    make.opportunity(value_cents=99_000_00, started_on=today - 900 * DAY, actual_close_date=today - 800 * DAY,
                     expected_close_date=today - 800 * DAY, **won)   # before both windows
    make.opportunity(value_cents=7_000_00, stage="closed_lost", probability=0, account_id=account.id,
                     owner_id=rep.id, started_on=today - 60 * DAY, created_at=now - 60 * DAY,
                     actual_close_date=today - 5 * DAY)
    make.opportunity(value_cents=5_000_00, account_id=account.id, owner_id=rep.id, started_on=today - 10 * DAY)

    health = ah.account_health(session, account.id)
    f = health.facts
    assert (f.contract_value_cents, f.contracts_in_force) == (100_000_01, 2)
    assert (f.interactions, f.contacts_engaged, f.sentiment_scored) == (3, 3, 2)
    assert f.sentiment_average == pytest.approx(0.35, abs=1e-6)
    assert (f.won_last_year_cents, f.won_prior_year_cents, f.open_pipeline_cents, f.open_deals,
            f.expansion_deals) == (11_000_00, 10_000_00, 5_000_00, 1, 2)
    assert health.days_since_last_interaction == pytest.approx(8.0)
    assert [(x.name, x.score, x.impact) for x in health.factors] == [
        ("Recent Activity", 15, "neutral"), ("Contract Value", 15, "neutral"),
        ("Engagement", 19, "positive"), ("Growth", 22, "positive"),
    ]
    assert health.health_score == 15 + 15 + 19 + 22 == 71 and health.risk_level == "low"
    assert health.recommendations[0].startswith("Last contact 8.0 days ago")

    # As of 30 days ago: the lost deal (created 60 days ago, closed 5 days ago) was open, the open deal (created
    # today) did not exist yet; the 8- and 20-day-old interactions had not happened, so the newest was the
    # e-mail 40 days back: 40 − 30 = 10 days before that as-of.
    back = ah.account_health(session, account.id, as_of=now - 30 * DAY)
    assert (back.facts.open_deals, back.facts.open_pipeline_cents) == (1, 7_000_00)
    assert back.days_since_last_interaction == pytest.approx(10.0)


def test_factor_boundaries_through_sql(session, store, make, clock):
    """7/8 and 30/31 days, $100,000.00/$100,000.01 and $500,000.00/$500,000.01, on the real database."""
    now, today = clock.now(), clock.today()
    expected = {}
    for days, points in ((7, 25), (8, 15), (30, 15), (31, 5)):
        a = make.account(name=f"{days} days")
        interaction(make, a.id, now - days * DAY)
        expected[a.id] = ("Recent Activity", points)
    a = make.account(name="7 days and a second")
    interaction(make, a.id, now - 7 * DAY - timedelta(seconds=1))
    expected[a.id] = ("Recent Activity", 15)
    for cents, points in ((100_000_00, 5), (100_000_01, 15), (500_000_00, 15), (500_000_01, 25)):
        a = make.account(name=f"{cents} cents")
        contract(store, a.id, cents, today, today + 364 * DAY)  # in force from today
        expected[a.id] = ("Contract Value", points)
    never = make.account(name="never")
    expected[never.id] = ("Recent Activity", 5)
    found = {h.account_id: h for h in ah.account_healths(session)}
    for account_id, (name, points) in expected.items():
        assert found[account_id].factor(name).score == points, found[account_id].name


def test_refresh_health_scores_writes_the_cached_scores(session, store, make, clock):
    now = clock.now()
    a = make.account(name="Busy")
    interaction(make, a.id, now - 2 * DAY)
    b = make.account(name="Quiet")
    events: list[DataChanged] = []
    session.bus.subscribe(events.append)
    assert ah.refresh_health_scores(session) == 2
    stored = {x.id: x for x in store.accounts.find()}
    # Busy: 25 (2 days) + 5 + engagement (1 interaction 2, no contact 0, unscored 3 = 5) + 0 = 35.
    # Quiet: 5 + 5 + 0 + 0 = 10.
    assert (stored[a.id].health_score, stored[b.id].health_score) == (35, 10)
    assert stored[a.id].health_score == ah.account_health(session, a.id).health_score
    assert stored[a.id].health_computed_at == now and stored[a.id].version == a.version  # not an edit
    assert [e.kinds for e in events] == [frozenset({"account"})] and events[0].ids["account"] == {a.id, b.id}


# -- recording interactions -----------------------------------------------------------------------------


def test_record_interaction_writes_everything_in_one_go(session, store, make, clock, rep):
    now = clock.now()
    account = make.account(name="Bayside Bistro", owner_id=rep.id)
    chef, buyer = make.contact(account_id=account.id), make.contact(account_id=account.id)
    opp = make.opportunity(account_id=account.id, owner_id=rep.id, contact_id=chef.id)
    events: list[DataChanged] = []
    session.bus.subscribe(events.append)
    done = record_interaction(
        session, account.id, "meeting", "Tasting with the chef", contact_id=chef.id, opportunity_id=opp.id,
        description="The chef loved the heirloom tomatoes and was excited about the price.",
        occurred_at=now - timedelta(hours=2), follow_up_at=now + 3 * DAY, next_steps="Send the order guide",
        participants=[InteractionParticipant(chef.id), buyer.id],
    )
    activity = store.activities.require(done.activity.id)
    assert activity.sentiment > 0 and activity.sentiment == sentiment_score(activity.description)
    assert activity.completed_at == now - timedelta(hours=2) and activity.created_by_id == rep.id
    assert {p.contact_id for p in store.participants.find(activity=activity.id)} == {chef.id, buyer.id}
    assert store.accounts.require(account.id).last_activity_at == now - timedelta(hours=2)
    assert store.opportunities.require(opp.id).last_activity_at == now - timedelta(hours=2)
    [task] = store.tasks.find(account=account.id)
    assert (task.title, task.assignee_id, task.due_on, task.description) == (
        "Follow up: Tasting with the chef", rep.id, (now + 3 * DAY).date(), "Send the order guide")
    assert {(e.table_name, e.record_id) for e in store.audit.find()} == {("activity", activity.id), ("task", task.id)}
    [event] = events
    assert {"activity", "account", "participant", "task", "opportunity"} <= event.kinds
    assert event.ids["activity"] == {activity.id}


def test_record_interaction_refuses_and_rolls_back(store, make, clock):
    nobody = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=None)
    orphan = make.account(name="No owner")
    elsewhere = make.contact(account_id=make.account(name="Other").id)
    with pytest.raises(ValueError, match="not a customer interaction"):
        record_interaction(nobody, orphan.id, "stage_change", "x")
    with pytest.raises(ValueError, match="contact of another account"):
        record_interaction(nobody, orphan.id, "call", "x", contact_id=elsewhere.id)
    with pytest.raises(ValueError, match="nobody to assign"):
        record_interaction(nobody, orphan.id, "call", "x", description="Great call", follow_up_at=clock.now() + DAY)
    assert store.activities.count() == 0 and store.tasks.count() == 0  # the transaction rolled back
    owned = make.account(name="Owned", owner_id=make.user(login="olga").id)
    done = record_interaction(nobody, owned.id, "phone", "Order issue", follow_up_at=clock.now() + DAY)
    assert done.follow_up.assignee_id == owned.owner_id and done.activity.sentiment is None  # no description


# -- interaction insights -----------------------------------------------------------------------------


def test_interaction_insights_counts_averages_response_and_trend(session, store, make):
    a = make.account(name="Insightful")
    b = make.account(name="Other")
    at = lambda d, h=10: datetime(2026, 3, d, h, tzinfo=timezone.utc)  # noqa: E731
    # Period 2026-03-03 … 2026-03-16 (14 days; halves 03-03…03-09 and 03-10…03-16).
    interaction(make, a.id, at(4), sentiment=0.5)                                   # first half, week of 03-02
    interaction(make, a.id, at(10), sentiment=-0.3)                                 # second half, week of 03-09
    interaction(make, a.id, at(11), ActivityKind.EMAIL)                             # unscored
    interaction(make, a.id, at(16, 9), ActivityKind.MEETING, sentiment=0.4)         # week of 03-16
    interaction(make, a.id, at(12), ActivityKind.NOTE, sentiment=-1.0)              # notes are not interactions
    interaction(make, a.id, at(12), ActivityKind.STAGE_CHANGE)
    interaction(make, a.id, at(2), sentiment=-1.0)                                  # before the period
    interaction(make, b.id, at(5), sentiment=-1.0)                                  # another account
    # Leads created in the period: 3 h and 6 h to a first response, one unanswered; one before the period.
    make.lead(created_at=at(5, 10), first_response_at=at(5, 13), converted_account_id=a.id)
    make.lead(created_at=at(6, 8), first_response_at=at(6, 14))
    make.lead(created_at=at(7))
    make.lead(created_at=at(1), first_response_at=at(1, 11))

    got = interaction_insights(session, a.id, date(2026, 3, 3), date(2026, 3, 16))
    assert got.total == 4 and got.days == 14
    assert {k: n for k, n in got.by_kind.items() if n} == {"call": 2, "email": 1, "meeting": 1}
    assert got.scored == 3 and got.average_sentiment == pytest.approx((0.5 - 0.3 + 0.4) / 3, abs=1e-6)  # 0.2
    assert (got.positive, got.neutral, got.negative) == (2, 0, 1)
    # Trend: 1 in 7 days, then 3 in 7 days: 1/7 → 3/7 a day, +200 % → up.
    assert (got.trend.direction, got.trend.granularity) == ("up", "week")
    assert got.trend.change == pytest.approx(2.0)
    assert [(p.start, p.count) for p in got.trend.points] == [(date(2026, 3, 2), 1), (date(2026, 3, 9), 2),
                                                              (date(2026, 3, 16), 1)]
    # Response time for the account: only the lead that converted into it: 3 h.
    assert (got.response.leads, got.response.responded, got.response.average_hours) == (1, 1, pytest.approx(3.0))

    everyone = interaction_insights(session, None, date(2026, 3, 3), date(2026, 3, 16))
    assert everyone.total == 5  # plus the other account's call
    r_ = everyone.response  # 3 leads in the period; (3 + 6) / 2 = 4.5 h; 1 within 4 h; 1 unanswered
    assert (r_.leads, r_.responded, r_.within_target, r_.unanswered) == (3, 2, 1, 1)
    assert r_.average_hours == pytest.approx(4.5, abs=1e-3)
    assert any("4.5 hours" in t for t in everyone.recommendations)


def test_trend_direction_thresholds():
    # (count, days) of the first half, then of the second: rates per day compared, ±10 % exactly counts.
    assert trend_direction(10, 7, 11, 7) == ("up", pytest.approx(0.1))       # 11/7 ÷ 10/7 = 1.10
    assert trend_direction(100, 7, 109, 7)[0] == "flat"                      # +9 %
    assert trend_direction(10, 7, 9, 7) == ("down", pytest.approx(-0.1))     # −10 %
    assert trend_direction(7, 7, 8, 8)[0] == "flat"                          # 1 a day both halves (odd split)
    assert trend_direction(0, 7, 0, 7) == ("flat", None) and trend_direction(0, 7, 1, 7) == ("up", None)


# -- competition from the database ------------------------------------------------------------------


def test_analyze_competition(session, store, make, rep):
    opp = make.opportunity(owner_id=rep.id, probability=35)
    big = store.competitors.insert(r.Competitor(name="Harvest Lane", market_share=0.35, pricing=Pricing.LOWER,
                                                strengths=["Buying power", "App"], weaknesses=["Rotating reps"]))
    small = store.competitors.insert(r.Competitor(name="Corner Supply", market_share=0.1, pricing=Pricing.COMPETITIVE))
    store.battlecards.insert(r.Battlecard(competitor_id=big.id, title="When they undercut on price"))
    for c in (small, big):
        store.opportunity_competitors.insert(r.OpportunityCompetitor(opportunity_id=opp.id, competitor_id=c.id,
                                                                     notes=f"about {c.name}"))
    result = comp.analyze_competition(session, opp.id)
    assert result.win_probability == 35
    first, second = result.competitors
    assert (first.name, first.threat.score, first.threat_level) == ("Harvest Lane", 6.0, "high")  # 3 + 2 + 1
    assert (second.name, second.threat.market_share_points, second.threat.score, second.threat_level) == (
        "Corner Supply", 1, 2.0, "low")  # 0.1 exactly → 1 (also on PostgreSQL's REAL), + 1 competitive
    assert [c.title for c in first.battlecards] == ["When they undercut on price"] and not second.battlecards
    assert first.deal_notes == "about Harvest Lane" and "Rotating reps" in first.positioning
    text = " ".join(result.recommendations)
    assert "High threat from Harvest Lane" in text and "landed-cost" in text and "35%" in text
    assert comp.analyze_competition(session, make.opportunity(owner_id=rep.id).id).recommendations[0].startswith(
        "No competitor recorded")


# -- reports -------------------------------------------------------------------------------------------


def test_accounts_report(session, store, make, clock, rep):
    from domain.reports import accounts

    now, today = clock.now(), clock.today()
    other = make.user(login="olga", team="West")
    healthy = make.account(name="Healthy", owner_id=rep.id, renewal_date=today + 30 * DAY)
    interaction(make, healthy.id, now - DAY)
    contract(store, healthy.id, 600_000_00, today - DAY, today + 300 * DAY)
    make.account(name="Risky small", owner_id=rep.id)
    risky_big = make.account(name="Risky big", owner_id=rep.id)
    contract(store, risky_big.id, 50_000_00, today - DAY, today + 300 * DAY)
    make.opportunity(account_id=risky_big.id, owner_id=rep.id, value_cents=1_234_56)
    make.account(name="Not mine", owner_id=other.id)

    report = accounts.build(session, ReportParams(as_of=today, reps=("ray",)))
    assert report.name == "accounts"
    assert [row["name"] for row in report.data] == ["Risky big", "Risky small", "Healthy"]  # risk, then value
    row = report.data[0]
    assert set(row) == {
        "id", "name", "tier", "status", "owner", "health_score", "risk_level", "factors", "recommendations",
        "open_pipeline_value", "open_deals", "contract_value", "contracts_in_force", "renewal_date",
        "last_interaction_at", "days_since_last_interaction", "interactions_90_days", "contacts_engaged_90_days",
        "average_sentiment_90_days", "won_last_12_months", "won_prior_12_months", "expansion_deals",
    }
    assert (row["contract_value"], row["open_pipeline_value"], row["owner"]) == (50_000, 1234.56, "ray")
    assert row["factors"][0] == {"name": "Recent Activity", "score": 5, "impact": "negative",
                                 "detail": "no customer interaction on record"}
    # Healthy: 25 + 25 + engagement (1 → 2, 0 contacts, unscored 3 = 5) + 0 = 55 → medium.
    assert report.data[2]["health_score"] == 55 and report.data[2]["risk_level"] == "medium"
    assert report.data[2]["renewal_date"] == (today + 30 * DAY).isoformat()
    assert report.summary and report.tables
    admin = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=make.user(login="ada", role=Role.ADMIN))
    team = accounts.build(admin, ReportParams(as_of=today, team="West"))
    assert [row["name"] for row in team.data] == ["Not mine"]
    with pytest.raises(Refused, match="ray \\(rep\\) cannot see the team 'West'"):  # not a rep's to see
        accounts.build(session, ReportParams(as_of=today, team="West"))


def test_activities_report(session, store, make, clock, rep):
    from domain.reports import activities

    other = make.user(login="olga", team="West")
    account = make.account(name="Busy")
    at = lambda d: datetime(2026, 3, d, 10, tzinfo=timezone.utc)  # noqa: E731
    for d in range(3, 13):  # 10 completed activities by ray in the period, one a day
        interaction(make, account.id, at(d), created_by_id=rep.id, sentiment=0.5)
    interaction(make, account.id, at(5), ActivityKind.NOTE, created_by_id=rep.id)  # notes count here: 11
    interaction(make, account.id, at(5), ActivityKind.STAGE_CHANGE)                # the system's: never
    interaction(make, account.id, at(6), created_by_id=other.id, sentiment=-0.5)

    params = ReportParams(as_of=date(2026, 3, 16), date_from=date(2026, 3, 3), date_to=date(2026, 3, 16),
                          team="East")
    report = activities.build(session, params)
    data = report.data
    assert set(data) == {
        "period", "filters", "total_activities", "by_kind", "average_sentiment", "scored_activities", "sentiment_mix",
        "response_time", "target_per_rep_per_week", "activities_per_rep_per_week", "reps_meeting_target", "reps",
        "trend", "recommendations",
    }
    assert data["period"] == {"from": "2026-03-03", "to": "2026-03-16", "days": 14, "weeks": 2.0,
                              "as_of": "2026-03-16"}
    assert data["total_activities"] == 11 and data["by_kind"]["call"] == 10 and data["by_kind"]["note"] == 1
    assert "stage_change" not in data["by_kind"]
    # 11 activities over 14 days = 2 weeks → 5.5 a week, below the seed's 50.
    assert data["reps"] == [{"rep": "ray", "name": "Ray Rep", "team": "East", "activities": 11, "per_week": 5.5,
                             "meets_target": False}]
    assert data["activities_per_rep_per_week"] == 5.5 and data["reps_meeting_target"] == 0
    assert data["average_sentiment"] == 0.5 and data["target_per_rep_per_week"] == 50
    assert set(data["response_time"]) == {"leads", "responded", "unanswered", "average_hours", "within_target",
                                          "within_target_rate", "target_hours"}
    assert set(data["trend"]) == {"granularity", "direction", "change", "first_half_per_day", "second_half_per_day",
                                  "sentiment_direction", "first_half_sentiment", "second_half_sentiment", "points"}
    assert sum(p["activities"] for p in data["trend"]["points"]) == 11
    assert any("below 50 activities" in t for t in data["recommendations"])
    assert report.summary[0].startswith("11 activities from 2026-03-03 to 2026-03-16")

"""Pipeline analytics against small hand-computed fixtures (the arithmetic is in each test)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from cli.main import main
from domain.enums import ContractStatus, Role
from domain.pipeline import DEFAULT_PIPELINE
from domain.records import Contract, LeadSource, StageChange
from domain.reports.base import ReportParams
from domain.reports.registry import report_kind
from domain.services import analytics as a
from domain.session import Session

AS_OF = date(2026, 3, 16)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@pytest.fixture
def world(store, make, clock):
    rep = make.user(login="ray", display_name="Ray Rep", role=Role.REP, team="North")
    other = make.user(login="sue", display_name="Sue Rep", role=Role.REP, team="South")
    boss = make.user(login="ada", display_name="Ada Admin", role=Role.ADMIN, team="")
    session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=boss)  # sees everyone
    return session, rep, other


def history(store, opp, *steps):
    """steps: (from, to, day) — written as the opportunity's stage history."""
    for from_stage, to_stage, day in steps:
        store.stage_changes.insert(StageChange(opportunity_id=opp.id, from_stage=from_stage, to_stage=to_stage,
                                               changed_at=at(day), value_cents=opp.value_cents, probability=0))


def params(**kw) -> ReportParams:
    return ReportParams(as_of=AS_OF, **kw)


def test_pipeline_figures(world, make):
    session, rep, _ = world
    # A won $10,000 in 30 days; B won $20,000 in 40 days; C lost $5,000 in 10 days.
    make.opportunity(owner_id=rep.id, stage="closed_won", probability=100, value_cents=10_000_00,
                     started_on=date(2026, 1, 1), actual_close_date=date(2026, 1, 31))
    make.opportunity(owner_id=rep.id, stage="closed_won", probability=100, value_cents=20_000_00,
                     started_on=date(2026, 1, 10), actual_close_date=date(2026, 2, 19))
    make.opportunity(owner_id=rep.id, stage="closed_lost", probability=0, value_cents=5_000_00, lost_reason="price",
                     started_on=date(2026, 2, 1), actual_close_date=date(2026, 2, 11))
    # open: $1,000 at 60% and $3,000 at 20%
    make.opportunity(owner_id=rep.id, stage="proposal", probability=60, value_cents=1_000_00)
    make.opportunity(owner_id=rep.id, stage="discovery", probability=20, value_cents=3_000_00)
    f = a.pipeline_figures(session, params())
    assert f.summary.total_count == 5 and f.summary.open_count == 2
    assert f.summary.open_value_cents == 4_000_00
    assert f.summary.weighted_value_cents == 1_200_00  # 1,000 x 0.6 + 3,000 x 0.2 = 600 + 600
    assert (f.won_count, f.won_value_cents, f.lost_count, f.lost_value_cents) == (2, 30_000_00, 1, 5_000_00)
    assert f.win_rate == pytest.approx(2 / 3)  # won / (won + lost)
    assert f.average_deal_size_cents == 15_000_00  # (10,000 + 20,000) / 2
    assert f.average_sales_cycle_days == 35  # (30 + 40) / 2, won deals only
    assert f.average_days_to_close == pytest.approx(80 / 3)  # (30 + 40 + 10) / 3, all closed deals
    # a period: only B and C closed in February
    feb = a.pipeline_figures(session, params(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)))
    assert (feb.won_count, feb.lost_count, feb.average_deal_size_cents) == (1, 1, 20_000_00)


def test_no_closed_deals_gives_no_rates_rather_than_zero(world, make):
    session, rep, _ = world
    make.opportunity(owner_id=rep.id, stage="discovery", probability=20, value_cents=1_00)
    f = a.pipeline_figures(session, params())
    assert f.win_rate is None and f.average_deal_size_cents is None and f.average_sales_cycle_days is None
    v = a.velocity(session, params())
    assert v.velocity_cents_per_day is None
    assert all(s.average_days is None and s.stays == 0 for s in v.stages)  # empty stages: no division by zero


def test_conversion_from_stage_history_with_skips_and_backward_moves(world, store, make):
    session, rep, _ = world
    d = date(2026, 1, 5)
    x = make.opportunity(owner_id=rep.id, stage="closed_won", probability=100)
    history(store, x, (None, "discovery", d), ("discovery", "qualification", d + timedelta(5)),
            ("qualification", "proposal", d + timedelta(15)), ("proposal", "closed_won", d + timedelta(30)))
    y = make.opportunity(owner_id=rep.id, stage="closed_lost", probability=0)
    history(store, y, (None, "discovery", d), ("discovery", "proposal", d + timedelta(3)),  # skips qualification
            ("proposal", "closed_lost", d + timedelta(9)))
    z = make.opportunity(owner_id=rep.id, stage="closed_lost", probability=0)
    history(store, z, (None, "discovery", d), ("discovery", "closed_lost", d + timedelta(2)))
    w = make.opportunity(owner_id=rep.id, stage="qualification", probability=40)
    history(store, w, (None, "qualification", d), ("qualification", "discovery", d + timedelta(4)),  # backwards
            ("discovery", "qualification", d + timedelta(8)))
    rates = {(c.from_stage, c.to_stage): (c.entered, c.reached, c.rate) for c in a.stage_conversion(session, params())}
    # discovery: X, Y, Z and W entered it; X reached qualification, Y skipped past it to proposal,
    # W came back to qualification after its (backward) entry into discovery; Z was lost: 3 / 4
    assert rates[("discovery", "qualification")] == (4, 3, 0.75)
    # qualification: X and W entered it (W first at its creation); only X went on: 1 / 2
    assert rates[("qualification", "proposal")] == (2, 1, 0.5)
    # proposal: X and Y; X reached closed_won (skipping negotiation, which counts as passing it): 1 / 2
    assert rates[("proposal", "negotiation")] == (2, 1, 0.5)
    # negotiation: nobody entered it — no rate, not zero and not a division by zero
    assert rates[("negotiation", "closed_won")] == (0, 0, None)
    # the seed's formula (count now in B / count now in A) would give qualification->proposal = 0 / 1 = 0


def test_average_days_in_each_stage_from_completed_stays(world, store, make):
    session, rep, _ = world
    d = date(2026, 1, 5)
    x = make.opportunity(owner_id=rep.id, stage="proposal", probability=60)
    history(store, x, (None, "discovery", d), ("discovery", "qualification", d + timedelta(4)),
            ("qualification", "proposal", d + timedelta(14)))
    y = make.opportunity(owner_id=rep.id, stage="qualification", probability=40)
    history(store, y, (None, "discovery", d), ("discovery", "qualification", d + timedelta(6)))
    stages = {s.stage: (s.stays, s.average_days) for s in a.velocity(session, params()).stages}
    assert stages["discovery"] == (2, 5.0)  # (4 + 6) / 2
    assert stages["qualification"] == (1, 10.0)  # X stayed 10 days; Y is still there (not a completed stay)
    assert stages["proposal"] == (0, None) and stages["negotiation"] == (0, None)


def test_stays_ended_in_a_window_are_those_of_the_whole_history_query(world, store, make):
    """A dated window is read from the changes that ended the stays (the changed_at index), not from a pass
    over the whole history: the same stays, the same days — the whole-history query up to the window's end
    minus the same up to its start."""
    from domain.filters import Scope

    session, rep, other = world
    d = date(2026, 1, 5)
    for k, owner in enumerate((rep, other, rep)):
        x = make.opportunity(owner_id=owner.id, stage="negotiation", probability=80)
        history(store, x, (None, "discovery", d + timedelta(k)), ("discovery", "qualification", d + timedelta(3 + k)),
                ("qualification", "proposal", d + timedelta(20 + 2 * k)), ("proposal", "negotiation", d + timedelta(40)))
    analytics = store.analytics
    start, end = at(d + timedelta(10)), at(d + timedelta(41))
    window = {s.stage: (s.stays, round(s.total_days, 9)) for s in analytics.stage_durations(start, end, Scope())}
    upto = {s.stage: s for s in analytics.stage_durations(None, end, Scope())}
    before = {s.stage: s for s in analytics.stage_durations(None, start, Scope())}
    expected = {stage: (s.stays - (before[stage].stays if stage in before else 0),
                        round(s.total_days - (before[stage].total_days if stage in before else 0), 9))
                for stage, s in upto.items()}
    assert window == {k: v for k, v in expected.items() if v[0]}
    assert window["qualification"] == (3, 17 + 18 + 19)  # 3→20, 4→22, 5→24 days in qualification
    scoped = {s.stage: s.stays for s in analytics.stage_durations(start, end, Scope(owners=("sue",)))}
    assert scoped == {"qualification": 1, "proposal": 1}


def test_pipeline_velocity_formula(world, make):
    session, rep, _ = world
    make.opportunity(owner_id=rep.id, stage="closed_won", probability=100, value_cents=9_000_00,
                     started_on=date(2026, 1, 1), actual_close_date=date(2026, 1, 31))  # 30 days
    make.opportunity(owner_id=rep.id, stage="closed_lost", probability=0, value_cents=1_00,
                     started_on=date(2026, 1, 1), actual_close_date=date(2026, 1, 2))
    for _ in range(4):
        make.opportunity(owner_id=rep.id, stage="discovery", probability=20, value_cents=1_00)
    v = a.velocity(session, params())
    # 4 open deals x 50% win rate x $9,000 average won deal / 30 days = $600 per day
    assert v.velocity_cents_per_day == 600_00


def test_week_over_week(world, store, make, clock):
    session, rep, _ = world
    monday = date(2026, 3, 16)  # AS_OF is a Monday
    new = make.opportunity(owner_id=rep.id, stage="qualification", probability=40, value_cents=2_500_00,
                           created_at=at(monday), stage_entered_at=at(monday))
    history(store, new, (None, "discovery", monday), ("discovery", "qualification", monday))
    lost = make.opportunity(owner_id=rep.id, stage="closed_lost", probability=0, value_cents=700_00,
                            created_at=at(monday - timedelta(30)), actual_close_date=monday + timedelta(1))
    history(store, lost, ("proposal", "discovery", monday - timedelta(3)))  # last week: one move back
    this, last = a.weekly_changes(session, params())
    assert (this.week_start, this.created, this.value_added_cents, this.advanced) == (monday, 1, 2_500_00, 1)
    assert (this.lost, this.value_removed_cents, this.won) == (1, 700_00, 0)
    assert (last.week_start, last.moved_back, last.advanced, last.created) == (monday - timedelta(7), 1, 0, 0)


def test_win_loss_by_reason_competitor_product_and_source(world, store, make):
    session, rep, _ = world
    tomatoes = make.product(name="Tomatoes", list_price_cents=10_00)
    butter = make.product(name="Butter", list_price_cents=5_00)
    sysco = store.competitors.insert(__import__("domain.records", fromlist=["Competitor"]).Competitor(name="Sysco"))
    won = make.opportunity(owner_id=rep.id, stage="closed_won", probability=100, value_cents=300_00, source="Referral",
                           actual_close_date=AS_OF)
    lost = make.opportunity(owner_id=rep.id, stage="closed_lost", probability=0, value_cents=50_00, source="Web form",
                            lost_reason="price", actual_close_date=AS_OF)
    from decimal import Decimal

    make.line_item(opportunity_id=won.id, product_id=tomatoes.id, quantity=Decimal(20), unit_price_cents=10_00)  # 200
    make.line_item(opportunity_id=won.id, product_id=tomatoes.id, quantity=Decimal(5), unit_price_cents=10_00)  # 50
    make.line_item(opportunity_id=won.id, product_id=butter.id, quantity=Decimal(10), unit_price_cents=5_00)  # 50
    make.line_item(opportunity_id=lost.id, product_id=butter.id, quantity=Decimal(10), unit_price_cents=5_00)  # 50
    for opp in (won, lost):
        store.opportunity_competitors.insert(
            __import__("domain.records", fromlist=["OpportunityCompetitor"]).OpportunityCompetitor(
                opportunity_id=opp.id, competitor_id=sysco.id))
    products = {o.key: o for o in a.outcomes_by(session, params(), "product")}
    # Tomatoes: one won deal (two lines: 200 + 50 = $250), counted once
    assert (products["Tomatoes"].won_count, products["Tomatoes"].won_value_cents) == (1, 250_00)
    assert (products["Butter"].won_count, products["Butter"].lost_count, products["Butter"].win_rate) == (1, 1, 0.5)
    sysco_row = a.outcomes_by(session, params(), "competitor")[0]
    assert (sysco_row.key, sysco_row.won_count, sysco_row.lost_count, sysco_row.win_loss_ratio) == ("Sysco", 1, 1, 1.0)
    reasons = {o.key: o.lost_count for o in a.outcomes_by(session, params(), "reason") if o.lost_count}
    assert reasons == {"price": 1}
    sources = {o.key: (o.won_count, o.lost_count) for o in a.outcomes_by(session, params(), "source")}
    assert sources == {"Referral": (1, 0), "Web form": (0, 1)}


def test_lead_sources_conversion_and_roi(world, store, make, clock):
    session, rep, _ = world
    store.lead_sources.insert(LeadSource(name="Trade show", cost_cents=1_000_00))
    won = make.opportunity(owner_id=rep.id, stage="closed_won", probability=100, value_cents=3_000_00,
                           actual_close_date=AS_OF)
    make.lead(source="Trade show", owner_id=rep.id, converted_opportunity_id=won.id, status="converted",
              created_at=clock.now() - timedelta(hours=10), first_response_at=clock.now() - timedelta(hours=8))
    make.lead(source="Trade show", owner_id=rep.id, created_at=clock.now() - timedelta(hours=10),
              first_response_at=clock.now() - timedelta(hours=6))
    make.lead(source="Web form", owner_id=rep.id, created_at=clock.now())
    lines = {s.source: s for s in a.source_performance(session, params())}
    show = lines["Trade show"]
    assert (show.leads, show.converted, show.conversion) == (2, 1, 0.5)
    assert show.won_value_cents == 3_000_00
    assert show.roi == 2.0  # (3,000 - 1,000) / 1,000
    assert show.average_response_hours == pytest.approx(3.0)  # (2 h + 4 h) / 2
    assert lines["Web form"].roi is None  # no cost recorded: no ROI, not infinity
    assert a.lead_conversion(session, params()) == (3, 1, pytest.approx(1 / 3))


def test_rep_attainment_coverage_and_activity(world, store, make, clock):
    session, rep, other = world
    make.quota(user_id=rep.id, period="month", period_start=date(2026, 3, 1), amount_cents=10_000_00)
    make.quota(user_id=rep.id, period="quarter", period_start=date(2026, 1, 1), amount_cents=30_000_00)
    make.opportunity(owner_id=rep.id, stage="closed_won", probability=100, value_cents=4_000_00,
                     actual_close_date=date(2026, 3, 10))
    make.opportunity(owner_id=rep.id, stage="closed_won", probability=100, value_cents=2_000_00,
                     actual_close_date=date(2026, 2, 10))
    make.opportunity(owner_id=rep.id, stage="negotiation", probability=80, value_cents=10_000_00)
    for i in range(8):  # 8 completed activities in the 4 weeks to AS_OF
        make.activity(opportunity_id=None, account_id=make.account(owner_id=rep.id).id, created_by_id=rep.id,
                      completed_at=clock.now() - timedelta(days=i), created_at=clock.now() - timedelta(days=i))
    ray = {r.login: r for r in a.rep_performance(session, params())}["ray"]
    assert ray.month_attainment == 0.4  # 4,000 won in March / 10,000 quota
    assert ray.quarter_attainment == 0.2  # (4,000 + 2,000) / 30,000
    assert ray.coverage == 3.0  # (30,000 - 6,000) / (10,000 x 80% = 8,000)
    assert ray.activities_per_week == 2.0  # 8 activities / 4 weeks
    teams = {t.team: t for t in a.team_performance(session, params())}
    assert teams["North"].won_value_cents == 6_000_00 and teams["South"].won_value_cents == 0


def test_mrr_and_growth_from_contracts(world, store, make):
    session, rep, _ = world
    account = make.account(owner_id=rep.id)
    # $12,000 over 2026 (365 days): 1,200,000 x 30.4375 / 365 = 100,068.49 cents a month -> $1,000.68
    store.contracts.insert(Contract(account_id=account.id, value_cents=12_000_00, start_date=date(2026, 1, 1),
                                    end_date=date(2026, 12, 31)))
    # starts in March: adds 600,000 x 30.4375 / 92 = 198,505.43 -> MRR 298,573.92 -> $2,985.74
    store.contracts.insert(Contract(account_id=account.id, value_cents=6_000_00, start_date=date(2026, 3, 1),
                                    end_date=date(2026, 5, 31)))
    store.contracts.insert(Contract(account_id=account.id, value_cents=99_000_00, start_date=date(2026, 1, 1),
                                    end_date=date(2026, 12, 31), status=ContractStatus.CANCELLED))
    m = a.mrr(session, ReportParams(as_of=AS_OF))
    assert m.previous_mrr_cents == 100_068
    assert m.mrr_cents == 298_574
    assert m.growth == pytest.approx((298_574 - 100_068) / 100_068)


def test_reports_have_the_documented_keys(world, make):
    session, rep, _ = world
    make.opportunity(owner_id=rep.id, stage="closed_won", probability=100, value_cents=1_234_56, actual_close_date=AS_OF)
    pipeline = report_kind("pipeline").build(session, params()).data
    assert {"total_opportunities", "open_count", "open_value", "weighted_value", "won_count", "won_value", "lost_count",
            "win_rate", "average_deal_size", "average_sales_cycle_days", "average_days_to_close", "stage_counts",
            "stage_values"} <= set(pipeline)
    assert pipeline["won_value"] == 1234.56 and pipeline["win_rate"] == 1.0
    reps = report_kind("reps").build(session, params()).data
    assert {"rep", "name", "manager", "team", "opportunities", "open_count", "won_count", "lost_count", "won_value",
            "win_rate", "quota", "attainment"} <= set(reps[0])
    teams = report_kind("teams").build(session, params()).data
    assert {"manager", "team", "won_count", "won_value", "open_value", "weighted_value"} <= set(teams[0])
    products = report_kind("products").build(session, params()).data
    assert products == [] or {"product", "won_count", "won_value", "open_count", "weighted_value"} <= set(products[0])


def test_pantry_report_formats(world, make, database_url, capsys):
    session, rep, _ = world
    make.opportunity(owner_id=rep.id, stage="closed_won", probability=100, value_cents=500_00, actual_close_date=AS_OF)
    session.store.close()
    args = ["--db", database_url, "--as-of", AS_OF.isoformat()]
    assert main(["report", "pipeline", "--format", "json", *args]) == 0
    assert json.loads(capsys.readouterr().out)["won_count"] == 1
    assert main(["report", "pipeline", "--format", "md", *args]) == 0
    md = capsys.readouterr().out
    assert md.startswith("## Pipeline — as of 2026-03-16") and "| Stage | Deals | Value | Weighted |" in md
    assert main(["report", "reps", "--format", "csv", *args]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("rep,name,manager,team")
    assert main(["report", "winloss", *args]) == 0
    assert "Lost deals by reason" in capsys.readouterr().out
    assert main(["report", "pipeline", "--from", "2026-03-10", "--to", "2026-03-01", *args]) == 2
    assert main(["report", "reps", "--rep", "nobody", *args]) == 2
    assert main(["report", "nosuch", *args]) == 2


def test_lead_response_time_and_quality_trend(world, make, clock):
    session, rep, _ = world
    now = clock.now()
    make.lead(owner_id=rep.id, score=90, created_at=now - timedelta(hours=5), first_response_at=now - timedelta(hours=4))
    make.lead(owner_id=rep.id, score=40, created_at=now - timedelta(hours=9), first_response_at=now - timedelta(hours=4))
    make.lead(owner_id=rep.id, score=60, created_at=datetime(2026, 2, 10, tzinfo=timezone.utc))
    response = a.lead_response(session, params())
    assert response.average_hours == pytest.approx(3.0)  # (1 h + 5 h) / 2; the unanswered lead does not count
    assert response.hot_average_hours == pytest.approx(1.0) and response.hot_responded == 1  # only the lead scored 90
    trend = {m.strftime("%Y-%m"): (avg, n) for m, avg, n in a.lead_quality_trend(session, AS_OF, months=3)}
    assert trend == {"2026-01": (None, 0), "2026-02": (60.0, 1), "2026-03": (65.0, 2)}  # (90 + 40) / 2

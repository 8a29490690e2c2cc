"""Forecasting: the three methods, time weights, season detection, categories, snapshots, backtest, leakage.

Hand-computed fixtures: the arithmetic each expected figure comes from is written beside it.
Runs on SQLite, and on PostgreSQL with PANTRY_TEST_DATABASE_URL.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest

import cli.main as cli_main
from domain.clock import FixedClock
from domain.enums import ForecastCategory, Role
from domain.errors import Refused
from domain.pipeline import DEFAULT_PIPELINE, PipelineConfig
from domain.records import ForecastSnapshot, StageChange
from domain.reports import forecast as forecast_report
from domain.reports.base import ReportParams
from domain.services import forecast_snapshots as snapshots_module
from domain.services import forecasting as forecasting_module
from domain.services.forecast_backtest import (
    BASELINES,
    BacktestRangeError,
    backtest,
    month_forecasts,
    naive_forecasts,
    score,
)
from domain.services.forecast_snapshots import accuracy_history, snapshot_periods, take_daily_snapshot
from domain.services.forecast_state import (
    NO_PRODUCTS,
    MonthlySeries,
    OpenDeal,
    PipelineState,
    Win,
    monthly_won,
)
from domain.services.forecasting import (
    MEAN_ABS,
    METHODS,
    Period,
    Z,
    allocate,
    confidence_of,
    detect_season,
    fit_series,
    forecast,
    historical_forecast,
    hybrid_forecast,
    load_state,
    parse_weight,
    pipeline_forecast,
    slip_sample,
    time_weight,
)
from domain.services.opportunity_updates import OpportunityUpdates
from domain.services.stage_moves import StageMover
from domain.session import Session

UTC = timezone.utc
# The default stages without requirements or automations, so tests move deals freely.
PIPE = PipelineConfig(stages=tuple(s.model_copy(update={"requirements": (), "automations": ()})
                                   for s in DEFAULT_PIPELINE.stages))
MARCH = Period.month(date(2026, 3, 1))
APRIL = Period.month(date(2026, 4, 1))


def at(y, m, d, h=0, minute=0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=UTC)


def session_at(store, instant: datetime, actor=None) -> Session:
    return Session(store=store, clock=FixedClock(instant), pipeline=PIPE, actor=actor)


def deal(store, make, owner, path, *, expected: date, created: datetime | None = None,
         products: tuple[tuple[str, int], ...] = (), lost_reason: str = ""):
    """An opportunity whose stage history is `path` = [(stage, when, value_cents), ...] (first = creation)."""
    stage, when, value = path[-1]
    definition = PIPE.stage(stage)
    created = created or path[0][1]
    opp = make.opportunity(
        owner_id=owner.id, stage=stage, probability=definition.probability, value_cents=value,
        expected_close_date=expected, created_at=created, updated_at=when, stage_entered_at=when,
        started_on=created.date(), forecast_category=definition.forecast_category,
        actual_close_date=None if definition.is_open else when.date(), lost_reason=lost_reason,
    )
    previous = None
    for to_stage, changed_at, amount in path:
        store.stage_changes.insert(StageChange(
            opportunity_id=opp.id, from_stage=previous, to_stage=to_stage, changed_at=changed_at,
            value_cents=amount, probability=PIPE.stage(to_stage).probability,
        ))
        previous = to_stage
    for name, total in products:
        product = make.product(name=name, list_price_cents=total)
        make.line_item(opportunity_id=opp.id, product_id=product.id, name=name, unit_price_cents=total)
    return opp


# == time weights ==================================================================================


def test_time_weight_at_face_value_without_slip_history():
    today = date(2026, 3, 16)
    face = (0,)
    assert time_weight(date(2026, 3, 20), MARCH, today, face) == 1  # due in the period
    assert time_weight(date(2026, 4, 10), MARCH, today, face) == 0  # due after it
    assert time_weight(date(2026, 4, 10), APRIL, today, face) == 1
    # overdue (expected 3/02, still open on 3/16): no slip of 0 reaches today -> stale -> the current period
    assert time_weight(date(2026, 3, 2), MARCH, today, face) == 1
    assert time_weight(date(2026, 3, 2), APRIL, today, face) == 0
    assert time_weight(date(2026, 2, 1), Period.month(date(2026, 2, 1)), today, face) == 0  # a past period


def test_time_weight_from_past_slips_conserves_each_deal_once():
    slips = (-10, 0, 0, 10, 20)  # days from the expected date to the actual win, of five past wins
    first = date(2026, 3, 1)
    # expected 3/25 -> closes 3/15, 3/25, 3/25, 4/04, 4/14: three of five in March
    assert time_weight(date(2026, 3, 25), MARCH, first, slips) == Fraction(3, 5)
    assert time_weight(date(2026, 3, 25), APRIL, first, slips) == Fraction(2, 5)
    # expected 4/05 -> 3/26, 4/05, 4/05, 4/15, 4/25: one in March, four in April
    assert time_weight(date(2026, 4, 5), MARCH, first, slips) == Fraction(1, 5)
    assert time_weight(date(2026, 4, 5), APRIL, first, slips) == Fraction(4, 5)
    # overdue on 3/16, expected 3/12: only slips >= 4 days are still possible (10, 20) -> 3/22 in, 4/01 out
    today = date(2026, 3, 16)
    assert time_weight(date(2026, 3, 12), MARCH, today, slips) == Fraction(1, 2)
    assert time_weight(date(2026, 3, 12), APRIL, today, slips) == Fraction(1, 2)
    # expected 1/01: 74 days overdue, more than any win ever slipped (20) -> stale -> current period
    assert time_weight(date(2026, 1, 1), MARCH, today, slips) == 1
    assert time_weight(date(2026, 1, 1), APRIL, today, slips) == 0
    # the month equals the sum of its parts: a quarter's weight is its months' weights added up
    q2 = Period.quarter(date(2026, 4, 1))
    may, june = Period.month(date(2026, 5, 1)), Period.month(date(2026, 6, 1))
    for expected in (date(2026, 4, 2), date(2026, 5, 31), date(2026, 6, 25)):
        months = sum(time_weight(expected, p, first, slips) for p in (APRIL, may, june))
        assert time_weight(expected, q2, first, slips) == months


def test_slip_sample_needs_twenty_wins():
    def state(n):
        wins = tuple(Win(i, "ann", at(2026, 1, 10), 100, date(2026, 1, 10) - timedelta(days=i % 3)) for i in range(n))
        return PipelineState(at(2026, 3, 1), (), wins)

    assert slip_sample(state(19)) == (0,)
    assert slip_sample(state(20)) == tuple(sorted([0, 1, 2] * 6 + [0, 1]))


# == the pipeline method ===============================================================================


def three_deal_state() -> PipelineState:
    """At 2026-03-16 12:00: three open deals, one overdue deal and a win on 3/05."""
    return PipelineState(
        at(2026, 3, 16, 12),
        (
            OpenDeal(1, "ann", 1_000_000, 60, date(2026, 3, 20), ForecastCategory.BEST_CASE,
                     (("Tomatoes", 300), ("Basil", 100))),
            OpenDeal(2, "bob", 500_050, 25, date(2026, 3, 31)),
            OpenDeal(3, "ann", 800_000, 80, date(2026, 4, 10), ForecastCategory.COMMIT),
            OpenDeal(4, "bob", 200_000, 40, date(2026, 3, 2), products=(("Tomatoes", 1),)),
        ),
        (
            Win(9, "ann", at(2026, 3, 5, 15), 100_000, date(2026, 3, 5), (("Basil", 1),)),
            Win(8, "bob", at(2026, 2, 20, 15), 700_000, date(2026, 2, 20)),  # February: not this period
        ),
    )


def test_pipeline_method_on_three_deals():
    result = pipeline_forecast(three_deal_state(), MARCH, slips=(0,))
    # won to date                      100,000.00 ¢ (the March win; February's does not count)
    # deal 1: 1,000,000 × 60 % × 1  =  600,000
    # deal 2:   500,050 × 25 % × 1  =  125,012.5
    # deal 3:   800,000 × 80 % × 0  =        0     (expected in April)
    # deal 4:   200,000 × 40 % × 1  =   80,000     (overdue: counted in the current period)
    # total                          =  905,012.5 -> half to even -> 905,012
    assert result.expected == Fraction(1_810_025, 2)
    assert result.forecast_cents == 905_012
    assert result.won_to_date_cents == 100_000
    # spread: Σ value² q (1 − q) over the deals counted
    variance = 1_000_000**2 * 0.6 * 0.4 + 500_050**2 * 0.25 * 0.75 + 200_000**2 * 0.4 * 0.6
    sigma = math.sqrt(variance)
    assert result.sigma == pytest.approx(sigma)
    # best = forecast + 1.2816 σ, capped at everything counted won (100,000 + 1,000,000 + 500,050 + 200,000)
    assert result.best_case_cents == round(Fraction(1_810_025, 2) + Fraction(Z * sigma))
    assert result.best_case_cents < 1_800_050
    assert result.worst_case_cents == round(Fraction(1_810_025, 2) - Fraction(Z * sigma))
    assert result.worst_case_cents >= 100_000  # never below what is already won
    assert result.confidence == round(1 - MEAN_ABS * sigma / 905_012.5, 4)
    # by rep: ann 100,000 + 600,000; bob 125,012.5 + 80,000 -> rounded so they add up to 905,012
    assert result.by_rep == {"ann": 700_000, "bob": 205_012}
    # by product: deal 1 split 3:1 (450,000 / 150,000), deal 4 all tomatoes, the win all basil, deal 2 has no lines
    assert result.by_product == {"Basil": 250_000, "Tomatoes": 530_000, NO_PRODUCTS: 125_012}
    assert sum(result.by_product.values()) == result.forecast_cents
    assert result.details["overdue_deals"] == 1 and result.details["deals_counted"] == 3


def test_best_case_is_capped_at_everything_won():
    state = PipelineState(at(2026, 3, 1), (OpenDeal(1, "ann", 1_000, 99, date(2026, 3, 10)),), ())
    result = pipeline_forecast(state, MARCH, slips=(0,))
    # 1,000 × 99 % = 990; σ = 1,000 × √(0.99 × 0.01) = 99.5; 990 + 1.28 σ > 1,000 -> capped at 1,000
    assert (result.forecast_cents, result.best_case_cents) == (990, 1_000)
    assert result.worst_case_cents == round(Fraction(990) - Fraction(Z * 1_000 * math.sqrt(0.99 * 0.01)))


def test_allocate_largest_remainder():
    thirds = {k: Fraction(100, 3) for k in "abc"}
    assert allocate(100, thirds) == {"a": 34, "b": 33, "c": 33}  # one cent left over goes to the first key
    assert allocate(3, {"x": Fraction(5, 4), "y": Fraction(7, 4)}) == {"x": 1, "y": 2}  # .75 beats .25
    assert sum(allocate(905_012, {"a": Fraction(1, 2), "b": Fraction(1_810_023, 2)}).values()) == 905_012


# == the historical method ==================================================================================

SEASON = (300_000, -100_000, 200_000, -400_000)


def seasonal_state() -> tuple[PipelineState, list[int]]:
    """16 months (2024-09 .. 2025-12) of y_i = 1,000,000 + 50,000 i + season[i mod 4], seen on 2026-01-01."""
    values = [1_000_000 + 50_000 * i + SEASON[i % 4] for i in range(16)]
    wins = [Win(100, "ann", at(2024, 8, 20, 15), 5_000, date(2024, 8, 20))]  # the partial first month: skipped
    month = date(2024, 9, 1)
    for i, v in enumerate(values):
        owner = "ann" if i % 2 == 0 else "bob"
        wins.append(Win(i + 1, owner, datetime(month.year, month.month, 10, 15, tzinfo=UTC), v, None))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return PipelineState(at(2026, 1, 1), (), tuple(wins)), values


def test_historical_detects_a_season_of_four_and_the_trend():
    state, values = seasonal_state()
    series = monthly_won(state)
    assert series.start == date(2024, 9, 1) and list(series.values) == values
    detection = detect_season(values)
    # autocorrelation of the detrended series: the lag-4 pattern repeats, lag 3 is anti-correlated,
    # lag 12 needs 24 months of history; significance threshold 2 / √16 = 0.5
    assert detection.length == 4
    assert detection.threshold == 0.5
    assert detection.autocorrelations[12] is None
    assert detection.autocorrelations[4] > 0.5 > detection.autocorrelations[6]
    assert detection.autocorrelations[3] < 0
    model = fit_series(values, 4)
    assert model.slope == 50_000  # the trend, exactly
    assert model.levels == (1_300_000, 900_000, 1_200_000, 600_000)  # 1,000,000 + season
    assert model.sigma == 0.0

    result = historical_forecast(state, Period.month(date(2026, 1, 1)))
    # January 2026 is index 16, phase 0: 1,000,000 + 50,000 × 16 + 300,000 = 2,100,000; a perfect fit -> no spread
    assert result.forecast_cents == 2_100_000
    assert result.best_case_cents == result.worst_case_cents == 2_100_000
    assert result.confidence == 1.0
    assert result.details["season_length"] == 4
    # by rep: as the history was won (ann had the even months)
    ann = sum(values[0::2])
    assert result.by_rep == allocate(2_100_000, {"ann": Fraction(2_100_000 * ann, sum(values)),
                                                  "bob": Fraction(2_100_000 * (sum(values) - ann), sum(values))})
    # the quarter: January, February and March are indexes 16, 17, 18 (phases 0, 1, 2)
    quarter = historical_forecast(state, Period.quarter(date(2026, 1, 1)))
    assert quarter.forecast_cents == 2_100_000 + (1_000_000 + 850_000 - 100_000) + (1_000_000 + 900_000 + 200_000)


def test_historical_without_enough_history_has_no_season():
    assert detect_season([1, 2, 3, 4, 5]).length is None  # a season of 3 needs 6 months
    assert detect_season([1_000 * i for i in range(16)]).length is None  # a straight line: nothing left over
    # three months: a level only (a trend needs n ≥ 4): level 2,000,000, σ² = (1e12 + 0 + 1e12) / 2
    model = fit_series([1_000_000, 2_000_000, 3_000_000])
    assert not model.trend and model.levels == (2_000_000,) and model.sigma == 1_000_000
    assert model.variance(3) == pytest.approx(1e12 * (1 + 1 / 3))


def test_historical_spread_and_the_empty_history():
    wins = (Win(1, "ann", at(2025, 12, 20), 10, None), Win(2, "ann", at(2026, 1, 10), 1_000_000, None),
            Win(3, "ann", at(2026, 2, 10), 2_000_000, None), Win(4, "ann", at(2026, 3, 10), 3_000_000, None))
    state = PipelineState(at(2026, 4, 1), (), wins)
    result = historical_forecast(state, APRIL)
    sd = math.sqrt(1e12 * (1 + 1 / 3))  # the level model above, one month ahead
    assert result.forecast_cents == 2_000_000
    assert result.worst_case_cents == round(Fraction(2_000_000) - Fraction(Z * sd))
    assert result.best_case_cents == round(Fraction(2_000_000) + Fraction(Z * sd))
    assert result.confidence == round(1 - MEAN_ABS * sd / 2_000_000, 4)

    nothing = historical_forecast(PipelineState(at(2026, 4, 1), (), ()), APRIL)
    assert (nothing.forecast_cents, nothing.confidence) == (0, 0.0)


def test_historical_counts_the_rest_of_a_begun_month():
    state, values = seasonal_state()
    # On 2026-01-16 12:00 with $1,000 won in January: 15.5 of 31 days have gone, so the model's
    # 2,100,000 counts for 15.5/31 = 1/2: forecast = 100,000 + 1,050,000
    later = PipelineState(at(2026, 1, 16, 12), (), state.wins + (Win(99, "bob", at(2026, 1, 5), 100_000, None),))
    result = historical_forecast(later, Period.month(date(2026, 1, 1)))
    assert result.won_to_date_cents == 100_000
    assert result.forecast_cents == 100_000 + 1_050_000


# == hybrid ==================================================================================================


def test_hybrid_is_a_weighted_blend():
    state = three_deal_state()
    p = pipeline_forecast(state, MARCH, slips=(0,))
    h = historical_forecast(state, MARCH)
    blend = hybrid_forecast(p, h)
    # 0.6 × 905,012.5 + 0.4 × historical (exact), rounded once
    assert blend.expected == Fraction(3, 5) * p.expected + Fraction(2, 5) * h.expected
    assert blend.forecast_cents == round(Fraction(3, 5) * p.expected + Fraction(2, 5) * h.expected)
    assert blend.sigma == pytest.approx(math.sqrt((0.6 * p.sigma) ** 2 + (0.4 * h.sigma) ** 2))
    assert sum(blend.by_rep.values()) == blend.forecast_cents
    quarter = hybrid_forecast(p, h, parse_weight("0.25"))
    assert quarter.expected == Fraction(1, 4) * p.expected + Fraction(3, 4) * h.expected
    assert parse_weight("1") == 1 and parse_weight(0.6) == Fraction(3, 5)
    for bad in ("1.5", "-0.1", "abc"):
        with pytest.raises(ValueError):
            parse_weight(bad)


def test_confidence_is_the_expected_accuracy():
    # σ = 10 % of the forecast -> expected |error| = 0.798 × 10 % -> confidence 92.0 %
    assert confidence_of(Fraction(1_000), 100.0) == round(1 - math.sqrt(2 / math.pi) * 0.1, 4)
    assert confidence_of(Fraction(0), 0.0) == 0.0
    assert confidence_of(Fraction(100), 1_000.0) == 0.0  # never below 0


# == naive baselines and scoring ====================================================================================


def test_naive_baselines():
    series = MonthlySeries(date(2025, 1, 1), (100, 200, 201, 5, 1, 2, 2))  # Jan .. Jul 2025
    aug = date(2025, 8, 1)
    # last month = July (2); mean of May, June, July = (1 + 2 + 2) / 3 = 1.67 -> 2; one season (4) earlier = April (5)
    assert naive_forecasts(series, aug, 4) == {"naive_last_month": 2, "naive_mean_3": 2, "naive_seasonal": 5}
    # April: mean of Jan-Mar = 501 / 3 = 167; no detected season -> 12 months earlier: before the history
    assert naive_forecasts(series, date(2025, 4, 1), None) == {
        "naive_last_month": 201, "naive_mean_3": 167, "naive_seasonal": None}
    assert naive_forecasts(series, date(2025, 2, 1), None)["naive_mean_3"] is None  # only one month known


def test_mape_arithmetic():
    rows = [(date(2025, 1, 1), 90, 100), (date(2025, 2, 1), 130, 100), (date(2025, 3, 1), None, 100),
            (date(2025, 4, 1), 50, 0)]
    result = score("x", rows)
    # |90 − 100| / 100 = 0.10, |130 − 100| / 100 = 0.30; no forecast and a zero actual are not scored
    assert [m.abs_pct_error for m in result.months] == [0.1, 0.3, None, None]
    assert result.mape == pytest.approx(0.2) and result.accuracy == pytest.approx(0.8) and result.scored == 2


# == on the database: reconstruction, categories, attainment ===========================================================


@pytest.fixture
def reps(make):
    return make.user(login="ann", team="north"), make.user(login="bob", team="south")


def test_lost_deals_never_count_and_values_are_reconstructed(store, make, clock, reps):
    ann, bob = reps
    t = at(2026, 3, 1)
    # lost before T: nothing
    deal(store, make, ann, [("discovery", at(2026, 1, 5), 500_000), ("closed_lost", at(2026, 2, 10), 500_000)],
         expected=date(2026, 3, 10), lost_reason="price")
    # open at T (lost only later): counted at T with the value recorded at its last change before T
    late = deal(store, make, bob, [("discovery", at(2026, 1, 5), 300_000), ("proposal", at(2026, 2, 1), 400_000),
                                   ("closed_lost", at(2026, 3, 9), 450_000)], expected=date(2026, 3, 20),
                lost_reason="timing")
    # won before T
    deal(store, make, ann, [("negotiation", at(2026, 1, 5), 200_000), ("closed_won", at(2026, 2, 3), 250_000)],
         expected=date(2026, 2, 1))
    state = load_state(session_at(store, clock.now()), t)
    assert [(d.id, d.value_cents, d.probability) for d in state.open_deals] == [(late.id, 400_000, 60)]
    assert [(w.value_cents, w.won_at) for w in state.wins] == [(250_000, at(2026, 2, 3))]
    # now: the late deal is lost and nothing is open
    now = load_state(session_at(store, clock.now()), clock.now())
    assert now.open_deals == () and len(now.wins) == 1


def test_audited_edits_are_read_as_they_stood(store, make, clock, reps):
    ann, _ = reps
    opp = deal(store, make, ann, [("discovery", at(2026, 1, 5), 100_000)], expected=date(2026, 3, 10))
    edits = OpportunityUpdates(session_at(store, at(2026, 2, 10), ann))
    edits.update_fields(opp.id, {"value_cents": 150_000})  # before T
    later = OpportunityUpdates(session_at(store, at(2026, 3, 5), ann))
    later.update_fields(opp.id, {"value_cents": 900_000, "expected_close_date": date(2026, 6, 30)})  # after T
    state = load_state(session_at(store, clock.now()), at(2026, 3, 1))
    (d,) = state.open_deals
    # the value edited on 2/10 stands at T; the 3/05 edit's old values describe T: close date 3/10
    assert (d.value_cents, d.expected_close_date) == (150_000, date(2026, 3, 10))
    (now,) = load_state(session_at(store, clock.now()), clock.now()).open_deals
    assert (now.value_cents, now.expected_close_date) == (900_000, date(2026, 6, 30))


def test_categories_follow_the_stage_unless_overridden_and_attainment(store, make, clock, reps):
    ann, bob = reps
    make.quota(user_id=ann.id, period="month", period_start=date(2026, 3, 1), amount_cents=1_000_000)
    make.quota(user_id=bob.id, period="month", period_start=date(2026, 3, 1), amount_cents=1_000_000)
    deal(store, make, ann, [("negotiation", at(2026, 2, 1), 400_000)], expected=date(2026, 3, 20))  # commit
    pulled = deal(store, make, ann, [("discovery", at(2026, 2, 1), 100_000)], expected=date(2026, 3, 25))
    session = session_at(store, clock.now(), ann)
    OpportunityUpdates(session).update_fields(pulled.id, {"forecast_category": ForecastCategory.COMMIT})  # override
    deal(store, make, bob, [("proposal", at(2026, 2, 1), 300_000)], expected=date(2026, 3, 31))  # best case
    deal(store, make, bob, [("qualification", at(2026, 2, 1), 50_000)], expected=date(2026, 4, 2))  # April: out
    deal(store, make, bob, [("negotiation", at(2026, 2, 1), 200_000), ("closed_won", at(2026, 3, 4, 15), 200_000)],
         expected=date(2026, 3, 4))
    everyone = session_at(store, clock.now())  # no user: not limited to ann's deals
    fs = forecast(everyone, MARCH)
    a = fs.attainment
    assert [(line.category.value, line.count, line.value_cents) for line in a.lines] == [
        ("closed", 1, 200_000), ("commit", 2, 500_000), ("best_case", 1, 300_000), ("pipeline", 0, 0),
        ("omitted", 0, 0)]
    assert a.quota_cents == 2_000_000
    # commit = closed + commit = 200,000 + 500,000; quota attainment 200,000 / 2,000,000; commit 700,000 / 2,000,000
    assert (a.commit_cents, a.best_case_cents) == (700_000, 1_000_000)
    assert (a.quota_attainment, a.commit_attainment) == (0.1, 0.35)
    by_rep = {r.login: r for r in fs.reps}
    assert (by_rep["ann"].commit_cents, by_rep["ann"].quota_attainment) == (500_000, 0.0)
    assert (by_rep["bob"].won_cents, by_rep["bob"].commit_cents) == (200_000, 200_000)
    for name, method in fs.methods.items():
        assert sum(method.by_rep.values()) == method.forecast_cents, name
        assert sum(method.by_product.values()) == method.forecast_cents, name
        assert sum(r.forecasts[name] for r in fs.reps) == method.forecast_cents, name
    # scoped to one team: only bob's deals; the team's quota is its reps' (not the manager's roll-up too)
    boss = make.user(login="sue", team="south", role=Role.MANAGER)
    make.quota(user_id=boss.id, period="month", period_start=date(2026, 3, 1), amount_cents=1_000_000)
    south = forecast(everyone, MARCH, team="south")
    with pytest.raises(Refused, match="cannot see the records of bob"):
        forecast(session, MARCH, owners=("bob",))  # ann is a rep: her own forecast only
    assert south.attainment.commit_cents == 200_000 and set(south.methods["pipeline"].by_rep) <= {"bob"}
    assert south.attainment.quota_cents == 1_000_000


# == snapshots and accuracy ==================================================================================================


def history(store, make, reps, months=8, *, start=date(2025, 6, 1)):
    """Three wins a month from `start` on (24 for 8 months: enough to learn close-date slips), plus open deals."""
    ann, bob = reps
    month = start
    for i in range(months):
        for k, owner in enumerate((ann, bob, ann)):
            won = datetime(month.year, month.month, 5 + 7 * k, 15, tzinfo=UTC)
            value = 100_000 * (3 + (i + k) % 4)
            deal(store, make, owner, [("proposal", won - timedelta(days=30), value - 10_000),
                                      ("closed_won", won, value)],
                 expected=won.date() - timedelta(days=(i * 3 + k) % 9 - 4), products=(("Flour", 2), ("Oil", 1)))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    deal(store, make, ann, [("discovery", at(2025, 12, 20), 90_000), ("closed_lost", at(2026, 1, 5), 90_000)],
         expected=date(2026, 1, 20), lost_reason="price")
    return [
        deal(store, make, ann, [("qualification", at(2026, 1, 10), 500_000)], expected=date(2026, 2, 15)),
        deal(store, make, bob, [("discovery", at(2026, 1, 12), 200_000), ("negotiation", at(2026, 1, 25), 250_000)],
             expected=date(2026, 2, 25)),
        deal(store, make, bob, [("proposal", at(2026, 1, 20), 300_000)], expected=date(2026, 3, 20)),
    ]


def test_daily_snapshot_is_idempotent(store, make, clock, reps):
    history(store, make, reps)
    session = session_at(store, clock.now())
    first = take_daily_snapshot(session)
    assert (first.written, first.expected) == (12, 12)  # 3 methods × (this and next month, this and next quarter)
    assert take_daily_snapshot(session).already_taken
    rows = store.forecast_snapshots.find()
    assert len(rows) == 12 and {r.taken_on for r in rows} == {date(2026, 3, 16)}
    assert {(r.period_kind, r.period_start) for r in rows} == {
        ("month", date(2026, 3, 1)), ("month", date(2026, 4, 1)), ("quarter", date(2026, 1, 1)),
        ("quarter", date(2026, 4, 1))}
    assert all(r.worst_case_cents <= r.forecast_cents <= r.best_case_cents and 0 <= r.confidence <= 1 for r in rows)
    assert take_daily_snapshot(session_at(store, clock.now() + timedelta(days=1))).written == 12
    # the report's first use of a day takes that day's snapshot
    forecast_report.build(session_at(store, clock.now() + timedelta(days=2)), ReportParams(as_of=date(2026, 3, 18)))
    assert store.forecast_snapshots.count() == 36


def test_the_report_loads_the_pipeline_once_for_itself_and_the_days_snapshot(store, make, clock, reps, monkeypatch):
    history(store, make, reps)
    session = session_at(store, clock.now())
    alone = load_state(session, clock.now())  # without products, as a snapshot taken on its own loads it
    expected = {(p.kind, p.start, name): (m.forecast_cents, m.best_case_cents, m.worst_case_cents)
                for p in snapshot_periods(clock.today()) for name, m in forecasting_module.forecast_methods(alone, p).items()}
    loads = []
    real = forecasting_module.load_state

    def counted(*args, **kwargs):
        loads.append(kwargs.get("products", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(forecast_report, "load_state", counted)
    monkeypatch.setattr(forecasting_module, "load_state", counted)
    monkeypatch.setattr(snapshots_module, "load_state", counted)
    forecast_report.build(session, ReportParams(as_of=clock.today()))
    assert loads == [True]  # once, with products: the snapshot uses it too (without the product split)
    taken = {(r.period_kind, r.period_start, r.method): (r.forecast_cents, r.best_case_cents, r.worst_case_cents)
             for r in store.forecast_snapshots.find(taken_on=clock.today())}
    assert taken == expected and len(taken) == 12


def test_accuracy_history_compares_the_first_snapshot_of_a_month_with_what_was_won(store, make, clock, reps):
    history(store, make, reps)
    take_daily_snapshot(session_at(store, at(2026, 1, 28, 9)))  # before February: not a February snapshot
    take_daily_snapshot(session_at(store, at(2026, 2, 1, 9)))
    take_daily_snapshot(session_at(store, at(2026, 2, 3, 9)))
    ann, bob = reps
    deal(store, make, ann, [("negotiation", at(2026, 1, 20), 640_000), ("closed_won", at(2026, 2, 12), 640_000)],
         expected=date(2026, 2, 10))
    result = accuracy_history(session_at(store, clock.now()), "month")
    snaps = {s.method: s for s in store.forecast_snapshots.find(taken_on=date(2026, 2, 1), period_kind="month",
                                                                 period_start=date(2026, 2, 1))}
    # January's first snapshot within January is the one of 1/28; February's is 2/01 (2/03 comes later);
    # March has not ended
    assert [(line.period.label, line.method, line.taken_on) for line in result.lines] == [
        *(("2026-01", m, date(2026, 1, 28)) for m in sorted(METHODS)),
        *(("2026-02", m, date(2026, 2, 1)) for m in sorted(METHODS))]
    january = 600_000 + 300_000 + 400_000  # history month 7, as in the CLI test below
    for line in result.lines[:3]:
        assert line.actual_cents == january
    for line in result.lines[3:]:
        # February's actual: the one win of February, 640,000; error = |forecast − actual| / actual
        assert line.actual_cents == 640_000
        assert line.forecast_cents == snaps[line.method].forecast_cents
        assert line.abs_pct_error == abs(line.forecast_cents - 640_000) / 640_000
    for summary in result.summary:
        assert summary.periods == 2 and summary.accuracy == pytest.approx(1 - summary.mape)


# == backtest and leakage ===========================================================================================


def test_backtest_has_no_leakage(store, make, clock, reps):
    ann, bob = reps
    opens = history(store, make, reps)
    untracked = make.opportunity(owner_id=ann.id, stage="proposal", probability=60, value_cents=120_000,
                                 expected_close_date=date(2026, 2, 20), created_at=at(2026, 1, 15),
                                 updated_at=at(2026, 1, 15), stage_entered_at=at(2026, 1, 15))  # no stage history
    feb, march = date(2026, 2, 1), date(2026, 3, 1)
    observer = session_at(store, clock.now())

    def forecasts(month):
        return month_forecasts(load_state(observer, datetime.combine(month, datetime.min.time(), UTC)), month)

    before_feb, before_march = forecasts(feb), forecasts(march)
    before_run = backtest(observer, feb, feb)
    assert before_feb["pipeline"] > 0 and before_feb["historical"] > 0

    # Everything below is recorded after 2026-02-01 00:00: it must not change February's forecast.
    def acting(when, who=ann):  # each deal is changed by its owner (the role rules refuse anyone else)
        return session_at(store, when, who)

    StageMover(acting(at(2026, 2, 3, 10))).move(opens[0].id, "negotiation")
    OpportunityUpdates(acting(at(2026, 2, 4, 10), bob)).update_fields(
        opens[1].id, {"value_cents": 990_000, "expected_close_date": date(2026, 5, 1), "probability": 95})
    StageMover(acting(at(2026, 2, 6, 10), bob)).move(opens[1].id, "closed_won")
    StageMover(acting(at(2026, 2, 7, 10), bob)).move(opens[2].id, "closed_lost", lost_reason="budget")
    StageMover(acting(at(2026, 2, 8, 10))).move(untracked.id, "closed_won")
    deal(store, make, bob, [("negotiation", at(2026, 2, 10), 700_000), ("closed_won", at(2026, 2, 20), 700_000)],
         expected=date(2026, 2, 18))
    deal(store, make, bob, [("qualification", at(2026, 2, 11), 333_000)], expected=date(2026, 3, 5))

    assert forecasts(feb) == before_feb  # nothing recorded after the 1st reaches February's forecast
    after_run = backtest(observer, feb, feb)
    for old, new in zip(before_run, after_run):
        assert old.method == new.method
        assert [m.forecast_cents for m in old.months] == [m.forecast_cents for m in new.months]
    assert after_run[0].months[0].actual_cents > before_run[0].months[0].actual_cents  # the outcome did change
    # ...while March, forecast from 2026-03-01, sees February's records
    after_march = forecasts(march)
    assert after_march["pipeline"] != before_march["pipeline"]
    assert after_march["historical"] != before_march["historical"]
    assert after_march["naive_last_month"] != before_march["naive_last_month"]


def test_backtest_range_and_shape(store, make, clock, reps):
    history(store, make, reps)
    session = session_at(store, clock.now())
    results = backtest(session, date(2025, 12, 1), date(2026, 2, 1))
    assert [r.method for r in results] == [*METHODS, *BASELINES]
    assert all([m.month for m in r.months] == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)] for r in results)
    for r in results:
        errors = [m.abs_pct_error for m in r.months if m.abs_pct_error is not None]
        assert r.mape == (sum(errors) / len(errors) if errors else None)
    with pytest.raises(BacktestRangeError, match="^to: 2026-03 has not ended"):
        backtest(session, date(2026, 1, 1), date(2026, 3, 1))
    with pytest.raises(BacktestRangeError, match="^from: 2026-02 is after"):
        backtest(session, date(2026, 2, 1), date(2026, 1, 1))


# == the command line ========================================================================================================


@pytest.fixture
def pantry(capsys, database_url):
    def run(*args):
        code = cli_main.main([*args, "--db", database_url, "--as-of", "2026-03-16"])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_backtest_json_and_usage_errors(store, make, reps, pantry):
    history(store, make, reps)
    store.close()
    code, out, _ = pantry("forecast", "backtest", "--from", "2026-01", "--to", "2026-02", "--method", "all",
                          "--format", "json")
    assert code == 0
    documents = json.loads(out)
    assert [d["method"] for d in documents] == [*METHODS, *BASELINES]
    for d in documents:
        assert set(d) == {"method", "months", "mape", "accuracy"}
        assert [m["month"] for m in d["months"]] == ["2026-01", "2026-02"]
        assert all(set(m) == {"month", "forecast", "actual", "abs_pct_error"} for m in d["months"])
        if d["mape"] is not None:
            assert d["accuracy"] == pytest.approx(1 - d["mape"], abs=1e-4)
    code, out, _ = pantry("forecast", "backtest", "--from", "2026-01", "--to", "2026-01", "--method", "pipeline",
                          "--format", "json")
    single = json.loads(out)
    assert code == 0 and single["method"] == "pipeline" and len(single["months"]) == 1
    # January is history month 7: wins of 100,000 × (3 + (7 + k) % 4) for k = 0, 1, 2 = 600,000 + 300,000 + 400,000 ¢
    assert single["months"][0]["actual"] == 13_000
    code, _, err = pantry("forecast", "backtest", "--from", "2026-01", "--to", "2026-03")
    assert code == 2 and "--to: 2026-03 has not ended" in err
    code, _, err = pantry("forecast", "backtest", "--from", "2026-1", "--to", "2026-02")
    assert code == 2 and "--from" in err
    code, _, err = pantry("forecast", "backtest", "--from", "2026-01", "--to", "2026-02", "--hybrid-weight", "2")
    assert code == 2 and "--hybrid-weight" in err
    code, out, _ = pantry("forecast", "backtest", "--from", "2026-01", "--to", "2026-02")
    assert code == 0 and "naive_mean_3" in out and "MAPE" in out


def test_cli_show_and_snapshot(store, make, reps, pantry):
    history(store, make, reps)
    store.close()
    code, out, _ = pantry("forecast", "snapshot")
    assert code == 0 and "stored 12 forecast snapshot(s) for 2026-03-16" in out
    code, out, _ = pantry("forecast", "snapshot")
    assert code == 0 and "already taken" in out
    code, out, _ = pantry("forecast", "show", "--format", "json", "--method", "hybrid")
    doc = json.loads(out)
    assert code == 0 and list(doc["methods"]) == ["hybrid"] and doc["period"]["label"] == "2026-03"
    hybrid = doc["methods"]["hybrid"]
    assert hybrid["worst_case"] <= hybrid["forecast"] <= hybrid["best_case"]
    assert round(sum(Decimal(str(r["hybrid"])) for r in doc["by_rep"]), 2) == Decimal(str(hybrid["forecast"]))
    code, out, _ = pantry("forecast", "show", "--period", "quarter", "--next")
    assert code == 0 and "Forecast for 2026-Q2 by method" in out
    code, _, err = pantry("forecast", "show", "--rep", "nobody")
    assert code == 2 and "--rep" in err


def test_report_document_keys(store, make, clock, reps):
    history(store, make, reps)
    report = forecast_report.build(session_at(store, clock.now()), ReportParams(as_of=date(2026, 3, 16)))
    assert report.name == "forecast"
    assert set(report.data) == {
        "as_of", "instant", "period", "scope", "hybrid_weight", "methods", "categories", "quota", "won_count", "won",
        "commit", "best_case", "quota_attainment", "commit_attainment", "by_rep", "by_product", "accuracy", "snapshot"}
    assert set(report.data["methods"]) == set(METHODS)
    assert set(report.data["methods"]["pipeline"]) == {
        "forecast", "best_case", "worst_case", "confidence", "won_to_date", "quota_attainment", "methodology",
        "assumptions", "details"}
    assert report.data["snapshot"] == {"taken_on": "2026-03-16", "written": 12}
    assert [t.title.split(" ")[0] for t in report.tables] == ["Forecast", "Forecast", "By", "By", "Forecast"]


def test_a_snapshot_record_roundtrips(store):
    snap = ForecastSnapshot(taken_on=date(2026, 3, 16), period_start=date(2026, 3, 1), method="hybrid",
                            forecast_cents=1, best_case_cents=2, worst_case_cents=0, confidence=0.5,
                            created_at=at(2026, 3, 16, 12))
    assert store.forecasting.insert_snapshots([snap]) == 1
    assert store.forecasting.insert_snapshots([snap]) == 0  # the unique key refuses a second one, quietly
    assert store.forecasting.snapshot_keys(date(2026, 3, 16)) == {("month", date(2026, 3, 1), "hybrid", "team")}


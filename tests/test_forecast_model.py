"""The forecast's pure parts, against hand-computed fixtures: the landmark fold, the calibrated win rates
(censoring, shrinkage, phases), the season detector (an F-test), the least-squares model, the methods on
aggregated inputs, the naive rules and auto's choice. No database here (docs/forecasting.md)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pytest

from domain.services.forecast_backtest import CANDIDATES, Choice, choose, head_to_head, mape, score
from domain.services.forecast_calibration import PRIOR_DEALS, Calibrator, calibrate, months_between
from domain.services.forecast_cohorts import AGE_BUCKETS, Cohort, Landmark, OpenGroup, bucket_at, build
from domain.services.forecast_series import (
    MonthlySeries,
    WonTable,
    detect_season,
    f_survival,
    fit_series,
    season_eligible,
)
from domain.services.forecasting import (
    Inputs,
    Model,
    Period,
    Won,
    allocate,
    candidate_forecasts,
    combine,
    confidence_of,
    historical_forecast,
    hybrid_forecast,
    naive_month,
    pipeline_forecast,
)

UTC = timezone.utc
OPEN = ("discovery", "qualification", "proposal", "negotiation")


def at(y, m, d, h=0) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


# == the landmark fold =================================================================================


def test_the_fold_groups_deals_open_on_each_first_by_stage_and_age_and_counts_wins_within_months():
    events = [
        (at(2026, 1, 10), 1, "ann", "proposal", 100_00),         # deal 1: proposal since 1/10
        (at(2026, 1, 20), 2, "bob", "discovery", 50_00),         # deal 2: discovery since 1/20
        (at(2026, 1, 25), 3, "ann", "proposal", 70_00),          # deal 3: lost in February
        (at(2026, 2, 5), 1, "ann", None, 120_00),                # deal 1's value edited (audited)
        (at(2026, 2, 14), 3, "ann", "closed_lost", 0),
        (at(2026, 2, 20), 1, "ann", "closed_won", 130_00),       # deal 1 won in February, for 130.00
        (at(2026, 3, 10), 2, "bob", "closed_won", 55_00),        # deal 2 won in March
    ]
    fold = build(events, until=at(2026, 3, 16, 12), open_stages=OPEN, won_stage="closed_won", present=True)
    assert [m.start for m in fold.landmarks] == [date(2026, 2, 1), date(2026, 3, 1)]
    feb, mar = fold.landmarks
    # on 2/01: deal 1 in proposal 22 days (bucket 2: 14-29), deal 3 in proposal 7 days (bucket 1), deal 2 in
    # discovery 12 days (bucket 1); values as they stood then (deal 1's edit is later)
    got = {(c.stage, c.bucket): (c.deals, c.value_cents, c.won_deals, c.won_cents) for c in feb.cohorts}
    assert got == {
        ("discovery", 1): (1, 50_00, (0, None, None), (0, None, None)),  # won in March: not within 1 month
        ("proposal", 1): (1, 70_00, (0, None, None), (0, None, None)),  # lost: never won
        ("proposal", 2): (1, 100_00, (1, None, None), (130_00, None, None)),  # the value recorded with the win
    }
    # February's 2- and 3-month outcomes are not over on 3/16 (they end 4/01, 5/01): None (censored), not 0
    later = build(events, until=at(2026, 4, 1), open_stages=OPEN, won_stage="closed_won").landmarks[0]
    assert {(c.stage, c.bucket): c.won_deals for c in later.cohorts}[("discovery", 1)] == (0, 1, None)
    assert {(c.stage, c.bucket): (c.deals, c.won_deals) for c in mar.cohorts} == {("discovery", 3): (1, (None,) * 3)}
    assert fold.present == ()  # everything is closed on 3/16
    assert [e[0] for e in fold.open_deals] == []


def test_age_buckets_match_their_limits_exactly():
    t = at(2026, 3, 16, 12)
    for i, limit in enumerate(AGE_BUCKETS):
        assert bucket_at(t - timedelta(days=limit) + timedelta(microseconds=1), t) == i  # just under the limit
        assert bucket_at(t - timedelta(days=limit), t) == i + 1  # exactly at it: the next bucket


def test_nothing_recorded_at_or_after_until_is_read():
    events = [(at(2026, 1, 10), 1, "ann", "proposal", 100), (at(2026, 2, 1), 1, "ann", "closed_won", 100)]
    fold = build(events, until=at(2026, 2, 1), open_stages=OPEN, won_stage="closed_won", present=True)
    (feb,) = fold.landmarks
    assert feb.cohorts[0].won_deals == (None, None, None)  # the win at 2/01 00:00 is not before `until`
    assert [g.deals for g in fold.present] == [1]


# == calibration ==========================================================================================


def landmark(day: date, *cohorts) -> Landmark:
    return Landmark(day, tuple(cohorts))


def test_rates_are_won_within_months_over_deals_whose_months_are_over_shrunk_towards_the_parent():
    marks = [
        landmark(date(2026, 1, 1), Cohort("proposal", 2, 4, 400, 40_000.0, (1, 2, None), (100, 200, None))),
        landmark(date(2026, 2, 1), Cohort("proposal", 2, 6, 600, 60_000.0, (3, None, None), (300, None, None))),
    ]
    model = calibrate(marks, at(2026, 3, 1))
    # month 1: 4 deals, 1 won (Jan) + 6 deals, 3 won (Feb): 4 of 10; one stage, one group: the parent is the same
    # rate, so shrinkage leaves it: (4 + 10 × 0.4) / (10 + 10) = 0.4
    rates = model.rates("proposal", 2)
    assert rates.deal[0] == pytest.approx(0.4)
    # month 2: only January's outcome is over by 3/01 (Feb + 2 months = 4/01): 2 of 4
    assert rates.deal[1] == pytest.approx(0.5)
    # by value: 400 of 1,000 within a month
    assert rates.value[0] == pytest.approx(0.4)
    # a group never seen borrows its stage's rate (the parent), all of it
    assert model.rates("proposal", 5).deal[0] == pytest.approx(0.4)
    # nothing known before February's outcomes are over... January's month 1 is over on 2/01
    assert calibrate(marks, at(2026, 1, 31)).landmarks == 0
    assert calibrate(marks, at(2026, 2, 1)).rates("proposal", 2).deal[0] == pytest.approx(0.25)


def test_a_sparse_group_is_shrunk_towards_its_stage():
    marks = [landmark(date(2026, 1, 1),
                      Cohort("proposal", 0, 90, 9_000, 0.0, (9, 9, 9), (900, 900, 900)),  # 10 %
                      Cohort("proposal", 4, 10, 1_000, 0.0, (5, 5, 5), (500, 500, 500)))]  # 50 %, few deals
    model = calibrate(marks, at(2026, 6, 1))
    stage = (14 + PRIOR_DEALS * (14 / 100)) / (100 + PRIOR_DEALS)  # the stage's 14 of 100, towards all (the same)
    assert model.rates("proposal", 4).deal[0] == pytest.approx((5 + PRIOR_DEALS * stage) / (10 + PRIOR_DEALS))


def test_the_cumulative_calibrator_agrees_with_learning_from_scratch():
    marks = [landmark(date(2026, m, 1), Cohort("proposal", m % 3, 10 + m, 1000 * m, 0.0, (m, m + 1, m + 2),
                                               (100 * m, 110 * m, 120 * m))) for m in range(1, 9)]
    incremental = Calibrator(marks, 3)
    for month in range(1, 10):
        t = at(2026, month, 1) if month <= 12 else at(2027, 1, 1)
        a, b = incremental.at(t), calibrate(marks, t, 3)
        for stage, bucket in (("proposal", 0), ("proposal", 1), ("proposal", 2)):
            assert a.rates(stage, bucket, date(2026, 10, 1)) == b.rates(stage, bucket, date(2026, 10, 1))


def test_a_season_learns_each_phase_apart():
    # quarterly: the first month of each quarter wins nothing, the others half
    marks = [landmark(date(2026, m, 1), Cohort("proposal", 1, 100, 10_000, 0.0,
                                               (0 if m % 3 == 1 else 50, None, None),
                                               (0 if m % 3 == 1 else 5_000, None, None))) for m in range(1, 7)]
    model = calibrate(marks, at(2026, 7, 1), season=3)
    first = model.rates("proposal", 1, date(2026, 7, 1)).deal[0]
    second = model.rates("proposal", 1, date(2026, 8, 1)).deal[0]
    assert first < 0.05 and second > 0.45  # July is like January and April; August like February and May
    assert calibrate(marks, at(2026, 7, 1)).rates("proposal", 1, date(2026, 7, 1)).deal[0] == pytest.approx(
        (200 + PRIOR_DEALS * 200 / 600) / (600 + PRIOR_DEALS))  # without a season: 4 of 6 months win 50 of 100


def test_months_between_is_calendar_months():
    assert months_between(at(2026, 3, 1), at(2026, 4, 1)) == 1
    assert months_between(at(2026, 3, 16, 12), at(2026, 4, 1)) == pytest.approx(0.5)  # March has 31 days
    assert months_between(at(2026, 3, 16, 12), at(2026, 7, 1)) == pytest.approx(3.5)


# == the season detector and the series model ===========================================================


def test_a_quarterly_season_is_found_after_two_quarters():
    values = [720, 1030, 1340, 700, 1050, 1240]  # low, middle, high, twice
    found = detect_season(values)
    assert found.length == 3 and found.p_values[3] < found.level
    assert found.p_values[4] is None and found.p_values[12] is None  # not two full seasons of those yet
    assert season_eligible(6, 3) and not season_eligible(5, 3)


def test_noise_has_no_season_and_the_level_is_corrected_for_the_lengths_tried():
    values = [1000, 1100, 950, 1050, 980, 1090, 1010, 940, 1060, 990, 1020, 970]
    found = detect_season(values)
    assert found.length is None
    assert found.level == pytest.approx(0.05 / 3)  # 3, 4 and 6 months have two seasons of history; 12 has not


def test_f_survival_matches_the_tables():
    assert f_survival(19.0, 2, 2) == pytest.approx(0.05, abs=1e-6)  # F(2, 2) at 5 %
    assert f_survival(4.965, 1, 10) == pytest.approx(0.05, abs=1e-4)  # F(1, 10) at 5 %
    assert f_survival(0, 3, 5) == 1.0


def test_fit_series_with_a_level_per_phase_and_a_trend():
    # y = [10, 20] alternating + 2 per month: levels 10, 20; slope 2
    values = [10 + 2 * i + (10 if i % 2 else 0) for i in range(8)]
    model = fit_series(values, 2)
    assert model.trend and model.slope == pytest.approx(2) and model.levels == pytest.approx((10, 20))
    assert model.predict(8) == pytest.approx(26) and model.sse == pytest.approx(0)
    flat = fit_series([5, 7, 9])  # three months: the mean, no trend
    assert not flat.trend and flat.predict(3) == pytest.approx(7)


# == the methods on aggregated inputs ===================================================================


def test_the_pipeline_method_is_open_value_times_the_calibrated_rate_plus_new_business():
    marks = [landmark(date(2026, 1, 1), Cohort("proposal", 2, 10, 10_000, 0.0, (5, 8, 8), (6_000, 9_000, 9_000)))]
    model = Model(detect_season([]), calibrate(marks, at(2026, 3, 1)))
    series = MonthlySeries(date(2025, 12, 1), (1_000, 1_000))
    new = MonthlySeries(date(2025, 12, 1), (200, 200))
    inputs = Inputs(at(2026, 3, 1), (OpenGroup("ann", "proposal", 2, 2, 3_000, 4_500_000.0),), series, new)
    result = pipeline_forecast(inputs, Period.month(date(2026, 3, 1)), model)
    # value rate within a month: 6,000 / 10,000 = 0.6 (one group: no shrinkage); new business: the mean 200
    assert result.forecast_cents == 3_000 * 6 // 10 + 200
    assert result.details["new_business_cents"] == 200 and result.details["from_open_deals_cents"] == 1_800
    q = 0.5  # the deal rate; Var = Σ value² q (1 − q) + the new business' model variance (two equal months: 0)
    assert result.sigma == pytest.approx(math.sqrt(4_500_000 * q * (1 - q)))
    assert sum(result.by_rep.values()) == result.forecast_cents
    # the next month: won within 2 months minus within 1: 9,000 − 6,000 per 10,000
    later = pipeline_forecast(inputs, Period.month(date(2026, 4, 1)), model)
    assert later.details["from_open_deals_cents"] == 900


def test_historical_hybrid_and_won_to_date():
    series = MonthlySeries(date(2025, 10, 1), (100, 200, 300, 400, 500))
    inputs = Inputs(at(2026, 3, 16, 12), (), series, MonthlySeries(date(2025, 10, 1), (0,) * 5))
    model = Model(detect_season(series.values), calibrate([], at(2026, 3, 16)))
    won = Won(250, {"ann": 250})
    h = historical_forecast(inputs, Period.month(date(2026, 3, 1)), model, won)
    # the trend predicts 600 for March; half of March is left (12:00 on the 16th of 31 days): 600 × 15.5/31
    assert h.forecast_cents == 250 + 300
    p = pipeline_forecast(inputs, Period.month(date(2026, 3, 1)), model, won)
    assert p.forecast_cents == 250  # nothing open, no new business: what is won
    hy = hybrid_forecast(p, h)
    assert hy.forecast_cents == round(0.6 * 250 + 0.4 * 550)


def test_naive_rules():
    s = MonthlySeries(date(2025, 1, 1), (10, 20, 30, 40, 50, 60, 70))
    assert naive_month("naive_last_month", s, date(2025, 8, 1), None) == 70
    assert naive_month("naive_mean_3", s, date(2025, 8, 1), None) == 60
    assert naive_month("naive_running_mean", s, date(2025, 8, 1), None) == 40
    assert naive_month("naive_seasonal", s, date(2025, 8, 1), 3) == 50  # May
    assert naive_month("naive_seasonal", s, date(2025, 9, 1), 3) == 60  # June (the next month's forecast)
    assert naive_month("naive_seasonal", s, date(2025, 8, 1), None) is None  # 12 months: no August 2024
    assert naive_month("naive_mean_3", MonthlySeries(date(2025, 1, 1), (1, 2)), date(2025, 3, 1), None) is None


def test_every_candidate_and_the_mean_of_some():
    series = MonthlySeries(date(2025, 1, 1), tuple(range(100, 1300, 100)))
    inputs = Inputs(at(2026, 1, 1), (), series, MonthlySeries(date(2025, 1, 1), (0,) * 12))
    model = Model(detect_season(series.values), calibrate([], at(2026, 1, 1)))
    found = candidate_forecasts(inputs, Period.month(date(2026, 1, 1)), model)
    assert set(found) >= {"pipeline", "historical", "hybrid", *CANDIDATES}
    mean = combine(found, ("historical", "naive_last_month"))
    assert mean.forecast_cents == round((found["historical"].expected + found["naive_last_month"].expected) / 2)
    assert mean.method == "auto"


def test_allocate_largest_remainder_and_scaling():
    assert allocate(100, {"a": 33.4, "b": 33.3, "c": 33.3}) == {"a": 34, "b": 33, "c": 33}
    assert allocate(100, {"a": 1.0, "b": 1.0}) == {"a": 50, "b": 50}  # scaled to the total first
    assert allocate(0, {}) == {}


def test_confidence_is_the_expected_accuracy():
    assert confidence_of(1000.0, 0.0) == 1.0
    assert confidence_of(1000.0, 100.0) == round(1 - math.sqrt(2 / math.pi) * 0.1, 4)
    assert confidence_of(0.0, 5.0) == 0.0


# == scores and auto's choice ==============================================================================


def test_mape_and_head_to_head():
    a = score("auto", [(date(2026, 1, 1), 90, 100), (date(2026, 2, 1), 120, 100), (date(2026, 3, 1), 5, 0)])
    b = score("b", [(date(2026, 1, 1), None, 100), (date(2026, 2, 1), 100, 100), (date(2026, 3, 1), 1, 0)])
    assert a.mape == pytest.approx((0.1 + 0.2) / 2) and a.scored == 2  # a month with actual 0 is not scored
    assert head_to_head(a, b) == (1, pytest.approx(0.2), pytest.approx(0.0))
    assert mape([]) is None


def test_auto_takes_the_better_half_compared_on_the_same_months():
    months = [date(2026, m, 1) for m in (1, 2, 3)]
    actual = {m: 100 for m in months}
    table = {m: {name: 100 + 10 * i for i, name in enumerate(CANDIDATES)} for m in months}
    for m in months[:1]:
        table[m]["naive_seasonal"] = None  # no forecast on one month: compared on the others only if enough
    choice = choose(table, actual, None)
    assert choice.members == tuple(CANDIDATES[: (len(CANDIDATES) - 1 + 1) // 2])  # the seasonal rule is left out
    assert "the better half" in choice.reason and choice.months == tuple(months)
    assert choose({}, {}, None) == Choice(("hybrid",), None, ())


def test_the_won_table_stands_as_of_a_month():
    won = WonTable([
        (date(2026, 1, 1), True, None, "ann", 100),
        (date(2026, 1, 1), False, date(2026, 3, 1), "bob", 50),  # won in January, undone in March
        (date(2026, 2, 1), False, None, "ann", 70),
    ])
    assert won.actual(date(2026, 1, 1)) == 100  # now: the undone win does not stand
    assert won.actual(date(2026, 1, 1), standing_on=date(2026, 2, 1)) == 150  # on 2/01 it did
    series, new = won.series(date(2026, 3, 1), standing_on=date(2026, 3, 1))
    assert series == MonthlySeries(date(2026, 2, 1), (70,))  # starts the month after the first win
    assert won.by_owner([date(2026, 1, 1), date(2026, 2, 1)]) == {"ann": 170}
    assert won.only(["bob"]).actual(date(2026, 1, 1), standing_on=date(2026, 3, 1)) == 50

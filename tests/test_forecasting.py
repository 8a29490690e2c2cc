"""Forecasting through the services and the command line: the calibrated pipeline, historical, hybrid and
auto on a database; categories and attainment; snapshots and accuracy; the backtest and its leakage; the
landmark state kept up to date; role scope. (The pure parts: tests/test_forecast_model.py; imported data
cut in time: tests/test_forecast_leakage.py.)

Hand-computed fixtures: the arithmetic each expected figure comes from is written beside it.
Runs on SQLite, and on PostgreSQL with PANTRY_TEST_DATABASE_URL.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

import cli.main as cli_main
from domain.clock import FixedClock
from domain.enums import ForecastCategory, Role
from domain.errors import Refused
from domain.pipeline import DEFAULT_PIPELINE, PipelineConfig
from domain.records import ForecastSnapshot, StageChange
from domain.reports import forecast as forecast_report
from domain.reports.base import ReportParams
from domain.services import forecast_service
from domain.services.forecast_backtest import BacktestRangeError
from domain.services.forecast_service import backtest, context, fold, forecast
from domain.services.forecast_snapshots import METHODS as SNAPSHOT_METHODS
from domain.services.forecast_snapshots import accuracy_history, take_daily_snapshot
from domain.services.forecasting import AUTO, BASELINES, METHODS, SHOWN, Period
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


@pytest.fixture
def reps(make):
    return make.user(login="ann", team="north"), make.user(login="bob", team="south")


def groups(found):
    return sorted((g.owner, g.stage, g.bucket, g.deals, g.value_cents) for g in found)


def test_open_deals_as_they_stood_from_the_history_stream(store, make, clock, reps):
    ann, bob = reps
    t = at(2026, 3, 1)
    # lost before T: nothing
    deal(store, make, ann, [("discovery", at(2026, 1, 5), 500_000), ("closed_lost", at(2026, 2, 10), 500_000)],
         expected=date(2026, 3, 10), lost_reason="price")
    # open at T (lost only later): counted at T, in proposal since 2/01 (28 days: bucket 14–29), at the value of then
    deal(store, make, bob, [("discovery", at(2026, 1, 5), 300_000), ("proposal", at(2026, 2, 1), 400_000),
                            ("closed_lost", at(2026, 3, 9), 450_000)], expected=date(2026, 3, 20), lost_reason="timing")
    # won before T
    deal(store, make, ann, [("negotiation", at(2026, 1, 5), 200_000), ("closed_won", at(2026, 2, 3), 250_000)],
         expected=date(2026, 2, 1))
    session = session_at(store, clock.now())
    past = fold(session, t, present=True)
    assert groups(past.present) == [("bob", "proposal", 2, 1, 400_000)]
    assert context(session, t).exact  # history after T exists: reconstructed
    now = context(session)
    assert not now.exact and now.inputs.open == ()  # now: the late deal is lost and nothing is open


def test_the_present_from_the_rows_equals_the_reconstruction(store, make, clock, reps):
    ann, bob = reps
    opens = history(store, make, reps)
    session = session_at(store, clock.now(), None)
    OpportunityUpdates(session_at(store, at(2026, 2, 10), ann)).update_fields(opens[0].id, {"value_cents": 510_000})
    rows = context(session).inputs.open  # the opportunity table, grouped in SQL
    stream = fold(session, clock.now() + timedelta(microseconds=1), present=True).present  # stage history
    assert groups(rows) == groups(stream) and rows
    assert ("ann", "qualification", 4, 1, 510_000) in groups(rows)  # since 1/10: 65 days; the audited edit's value


def test_audited_edits_are_read_as_they_stood(store, make, clock, reps):
    ann, _ = reps
    opp = deal(store, make, ann, [("discovery", at(2026, 1, 5), 100_000)], expected=date(2026, 3, 10))
    OpportunityUpdates(session_at(store, at(2026, 2, 10), ann)).update_fields(opp.id, {"value_cents": 150_000})
    OpportunityUpdates(session_at(store, at(2026, 3, 5), ann)).update_fields(opp.id, {"value_cents": 900_000})
    session = session_at(store, clock.now())
    assert [g.value_cents for g in fold(session, at(2026, 3, 1), present=True).present] == [150_000]
    assert [g.value_cents for g in context(session).inputs.open] == [900_000]


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
    fs = forecast(everyone, MARCH, checks=0)
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
    south = forecast(everyone, MARCH, team="south", checks=0)
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
    assert (first.written, first.expected) == (16, 16)  # auto + 3 methods × (this and next month and quarter)
    assert take_daily_snapshot(session).already_taken
    rows = store.forecast_snapshots.find()
    assert len(rows) == 16 and {r.taken_on for r in rows} == {date(2026, 3, 16)}
    assert {(r.period_kind, r.period_start) for r in rows} == {
        ("month", date(2026, 3, 1)), ("month", date(2026, 4, 1)), ("quarter", date(2026, 1, 1)),
        ("quarter", date(2026, 4, 1))}
    assert all(r.worst_case_cents <= r.forecast_cents <= r.best_case_cents and 0 <= r.confidence <= 1 for r in rows)
    assert take_daily_snapshot(session_at(store, clock.now() + timedelta(days=1))).written == 16
    # the report's first use of a day takes that day's snapshot
    forecast_report.build(session_at(store, clock.now() + timedelta(days=2)), ReportParams(as_of=date(2026, 3, 18)))
    assert store.forecast_snapshots.count() == 48


def test_the_report_and_the_days_snapshot_are_one_computation(store, make, clock, reps):
    history(store, make, reps)
    rep = make.user(login="cid", role=Role.REP)
    session = session_at(store, clock.now())
    report = forecast_report.build(session, ReportParams(as_of=clock.today()))
    taken = {(r.period_kind, r.period_start, r.method): r.forecast_cents
             for r in store.forecast_snapshots.find(taken_on=clock.today())}
    assert len(taken) == 16
    for method in SHOWN:  # the report's month is the snapshot's current month, to the cent
        assert taken[("month", date(2026, 3, 1), method)] == report.data["methods"][method]["forecast"] * 100
    # whoever takes the day's snapshot, it is the team's: a rep's first use of the day stores the same
    store.db.execute_sql('DELETE FROM "forecast_snapshot"')
    forecast_report.build(session_at(store, clock.now(), rep), ReportParams(as_of=clock.today()))
    again = {(r.period_kind, r.period_start, r.method): r.forecast_cents
             for r in store.forecast_snapshots.find(taken_on=clock.today())}
    assert again == taken


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
        *(("2026-01", m, date(2026, 1, 28)) for m in SNAPSHOT_METHODS),
        *(("2026-02", m, date(2026, 2, 1)) for m in SNAPSHOT_METHODS)]
    january = 600_000 + 300_000 + 400_000  # history month 7, as in the CLI test below
    for line in result.lines[:4]:
        assert line.actual_cents == january
    for line in result.lines[4:]:
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
    feb, march = date(2026, 2, 1), date(2026, 3, 1)
    observer = session_at(store, clock.now())

    def forecasts(month):
        h = forecast_service.history(observer)
        return {name: f.forecast_cents for name, f in h.month_forecasts(month, h.season_on(month)).items()}

    def february_show():
        ctx = context(observer, at(2026, 2, 1))
        return {name: m.forecast_cents for name, m in ctx.methods(Period.month(feb)).items()}

    before_feb, before_march, before_show = forecasts(feb), forecasts(march), february_show()
    before_run = backtest(observer, feb, feb)
    assert before_feb["pipeline"] > 0 and before_feb["historical"] > 0
    feb_run = {r.method: r.months[0].forecast_cents for r in before_run}
    assert before_show == {name: feb_run[name] for name in SHOWN}  # the backtest's month is the forecast of then

    # Everything below is recorded after 2026-02-01 00:00: it must not change February's forecast.
    def acting(when, who=ann):  # each deal is changed by its owner (the role rules refuse anyone else)
        return session_at(store, when, who)

    StageMover(acting(at(2026, 2, 3, 10))).move(opens[0].id, "negotiation")
    OpportunityUpdates(acting(at(2026, 2, 4, 10), bob)).update_fields(
        opens[1].id, {"value_cents": 990_000, "expected_close_date": date(2026, 5, 1), "probability": 95})
    StageMover(acting(at(2026, 2, 6, 10), bob)).move(opens[1].id, "closed_won")
    StageMover(acting(at(2026, 2, 7, 10), bob)).move(opens[2].id, "closed_lost", lost_reason="budget")
    deal(store, make, bob, [("negotiation", at(2026, 2, 10), 700_000), ("closed_won", at(2026, 2, 20), 700_000)],
         expected=date(2026, 2, 18))
    deal(store, make, bob, [("qualification", at(2026, 2, 11), 333_000)], expected=date(2026, 3, 5))

    assert forecasts(feb) == before_feb  # nothing recorded after the 1st reaches February's forecast
    assert february_show() == before_show
    after_run = backtest(observer, feb, feb)
    assert [r.months[0].forecast_cents for r in after_run] == [r.months[0].forecast_cents for r in before_run]
    assert after_run[0].months[0].actual_cents > before_run[0].months[0].actual_cents  # the outcome did change
    # ...while March, forecast from 2026-03-01, sees February's records
    after_march = forecasts(march)
    assert after_march["pipeline"] != before_march["pipeline"]
    assert after_march["historical"] != before_march["historical"]
    assert after_march["naive_last_month"] != before_march["naive_last_month"]


def test_the_landmark_state_is_rebuilt_when_history_is_written_into_its_past(store, make, clock, reps):
    ann, _ = reps
    history(store, make, reps)
    session = session_at(store, clock.now())
    context(session)
    built = store.forecasting.cohort_build()
    assert built is not None and built["until"] > clock.now()
    # a move now is after the state's `until`: the state stands
    opp = deal(store, make, ann, [("discovery", at(2026, 3, 16, 12), 50_000)], expected=date(2026, 4, 1))
    StageMover(session_at(store, at(2026, 3, 16, 12), ann)).move(opp.id, "closed_won")
    context(session_at(store, at(2026, 3, 16, 12)))
    assert store.forecasting.cohort_build()["built_at"] == built["built_at"]
    before = forecasts_of(session_at(store, at(2026, 3, 16, 12)))
    # an import writes history into the past: the state no longer describes it and is rebuilt
    deal(store, make, ann, [("proposal", at(2025, 9, 1), 80_000), ("closed_won", at(2025, 10, 10), 80_000)],
         expected=date(2025, 10, 1))
    later = session_at(store, at(2026, 3, 16, 13))
    assert not forecast_service.state_is_current(later, store.forecasting.cohort_build(), later.clock.now())
    after = forecasts_of(later)
    assert store.forecasting.cohort_build()["built_at"] == later.clock.now()
    assert after != before
    # and it is what a state built from scratch says
    store.db.execute_sql('DELETE FROM "forecast_cohort_build"')
    assert forecasts_of(later) == after


def forecasts_of(session):
    return {name: m.forecast_cents for name, m in context(session).methods(Period.month(date(2026, 3, 1))).items()}


def test_backtest_range_and_shape(store, make, clock, reps):
    history(store, make, reps)
    session = session_at(store, clock.now())
    results = backtest(session, date(2025, 12, 1), date(2026, 2, 1))
    assert [r.method for r in results] == [AUTO, *METHODS, *BASELINES]
    assert len(results[0].notes) == 3 and all("better half" in n or "no month" in n for n in results[0].notes)
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
    assert [d["method"] for d in documents] == [AUTO, *METHODS, *BASELINES]
    for d in documents:
        assert set(d) - {"choices"} == {"method", "months", "mape", "accuracy"}
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
    code, out, _ = pantry("forecast", "backtest", "--from", "2026-01", "--to", "2026-02", "--method", "all")
    assert code == 0 and "naive_running_mean" in out and "MAPE" in out and "head to head" in out
    code, out, _ = pantry("forecast", "backtest", "--from", "2026-01", "--to", "2026-02")  # auto by default
    assert code == 0 and "auto: MAPE" in out and "What auto chose" in out


def test_cli_show_and_snapshot(store, make, reps, pantry):
    history(store, make, reps)
    store.close()
    code, out, _ = pantry("forecast", "snapshot")
    assert code == 0 and "stored 16 forecast snapshot(s) for 2026-03-16" in out
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
    code, out, _ = pantry("forecast", "show", "--format", "json")  # auto by default, and why
    doc = json.loads(out)
    assert list(doc["methods"]) == ["auto"] and doc["choice"]["reason"] in doc["methods"]["auto"]["methodology"]
    code, _, err = pantry("forecast", "show", "--rep", "nobody")
    assert code == 2 and "--rep" in err


def test_report_document_keys(store, make, clock, reps):
    history(store, make, reps)
    report = forecast_report.build(session_at(store, clock.now()), ReportParams(as_of=date(2026, 3, 16)))
    assert report.name == "forecast"
    assert set(report.data) == {
        "as_of", "instant", "period", "scope", "hybrid_weight", "methods", "categories", "quota", "won_count", "won",
        "commit", "best_case", "quota_attainment", "commit_attainment", "by_rep", "by_product", "accuracy", "snapshot",
        "overdue", "choice", "season", "stage_rates", "calibration", "months"}
    assert list(report.data["methods"]) == list(SHOWN)
    assert set(report.data["methods"]["pipeline"]) == {
        "forecast", "best_case", "worst_case", "confidence", "won_to_date", "quota_attainment", "methodology",
        "assumptions", "details"}
    assert report.data["snapshot"] == {"taken_on": "2026-03-16", "written": 16}
    stages = {r["stage"]: r for r in report.data["stage_rates"]}
    assert stages["negotiation"]["configured_probability"] == 0.8  # beside the calibrated one
    assert {"bin", "deal_months", "predicted", "observed", "configured"} <= set(report.data["calibration"][0])
    assert [m["month"] for m in report.data["months"]][-1] == "2026-02"
    assert set(report.data["choice"]) == {"chosen", "in_words", "reason", "months_compared", "scores"}
    assert [t.title.split(" ")[0] for t in report.tables] == [
        "Forecast", "Forecast", "By", "By", "Win", "Calibration:", "Forecast", "Forecast"]


def test_overdue_deals_are_counted_in_the_current_period_and_said(store, make, clock, reps):
    ann, _ = reps
    deal(store, make, ann, [("proposal", at(2026, 1, 5), 120_000)], expected=date(2026, 2, 20))  # overdue
    deal(store, make, ann, [("proposal", at(2026, 1, 5), 80_000)], expected=date(2026, 3, 25))
    fs = forecast(session_at(store, clock.now()), MARCH, checks=0)
    assert (fs.attainment.overdue_count, fs.attainment.overdue_cents) == (1, 120_000)
    assert fs.attainment.value_of(ForecastCategory.BEST_CASE) == 200_000
    april = forecast(session_at(store, clock.now()), APRIL, checks=0).attainment
    assert april.overdue_count == 0 and april.value_of(ForecastCategory.BEST_CASE) == 0


def test_a_reps_forecast_and_backtest_are_their_own(store, make, clock, reps):
    ann, bob = reps
    history(store, make, reps)
    everyone = session_at(store, clock.now())
    mine = session_at(store, clock.now(), ann)
    team = forecast(everyone, MARCH, checks=0)
    own = forecast(mine, MARCH, checks=0)
    assert set(own.methods["pipeline"].by_rep) <= {"ann"}
    assert own.methods["historical"].forecast_cents < team.methods["historical"].forecast_cents
    ann_only = backtest(mine, date(2026, 1, 1), date(2026, 1, 1))[0].months[0].actual_cents
    # January is history month 7: ann's wins are k = 0 and 2: 100,000 × (3 + 7 % 4) + 100,000 × (3 + 9 % 4)
    assert ann_only == 600_000 + 400_000


def test_a_snapshot_record_roundtrips(store):
    snap = ForecastSnapshot(taken_on=date(2026, 3, 16), period_start=date(2026, 3, 1), method="hybrid",
                            forecast_cents=1, best_case_cents=2, worst_case_cents=0, confidence=0.5,
                            created_at=at(2026, 3, 16, 12))
    assert store.forecasting.insert_snapshots([snap]) == 1
    assert store.forecasting.insert_snapshots([snap]) == 0  # the unique key refuses a second one, quietly
    assert store.forecasting.snapshot_keys(date(2026, 3, 16)) == {("month", date(2026, 3, 1), "hybrid", "team")}


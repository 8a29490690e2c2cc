"""The forecast service: what `pantry forecast show`, `pantry report forecast`, the snapshots and the Forecast
screen all call — one computation, so they agree to the cent at the same instant.

`context(session, at, …)` reads, once, everything a forecast made at `at` needs, aggregated in SQL or folded
from the history stream (never a Python object per deal, except for a forecast of a past instant): the
landmark state (`forecast_cohorts`, kept up to date in the database), the monthly won series, the deals
open at `at` by owner, stage and age in stage, the season and the calibrated win rates. `Context.forecast`
then gives every method for any period, and `auto`'s choice. docs/forecasting.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Iterable
from weakref import WeakKeyDictionary

from domain.periods import month_start
from domain.services.forecast_backtest import Choice, History
from domain.services.forecast_calibration import CalibrationBin, calibration_table
from domain.services.forecast_categories import AgainstQuota, Attainment, attainment, category_rows
from domain.services.forecast_cohorts import Fold, Landmark, build, instant
from domain.services.forecast_series import SeasonDetection, WonTable, detect_season
from domain.services.forecast_state import NO_PRODUCTS
from domain.services.forecasting import (
    AUTO,
    BASELINES,
    DEFAULT_HYBRID_WEIGHT,
    METHODS,
    UNASSIGNED,
    Inputs,
    MethodForecast,
    Model,
    Period,
    Won,
    candidate_forecasts,
    combine,
)

if TYPE_CHECKING:
    from domain.session import Session


# -- the landmark state: kept in the database, rebuilt when out of date -------------------------------------


def data_version(session: "Session") -> tuple:
    """A token that changes whenever anything a forecast reads changes (the Forecast screen skips a reload
    while it stays the same)."""
    return session.store.forecasting.data_version()


def stages_key(session: "Session") -> str:
    pipeline = session.pipeline
    return f"{','.join(s.id for s in pipeline.open_stages)}|{pipeline.won.id}|{pipeline.lost.id}"


def fold(session: "Session", until: datetime, logins: tuple[str, ...] | None = None, *,
         present: bool = False) -> Fold:
    """The history recorded before `until` (of `logins`' deals) folded into landmarks."""
    pipeline = session.pipeline
    events = session.store.forecasting.history_events(until, logins=logins, owners=present)
    return build(events, until=until, open_stages=[s.id for s in pipeline.open_stages], won_stage=pipeline.won.id,
                 present=present)


def state_is_current(session: "Session", built: dict | None, at: datetime) -> bool:
    """Whether the stored state serves a forecast at `at`: built after the last month boundary before `at`,
    for these stages, and nothing recorded since is stamped before it was built, nor deleted, nor moved to
    another owner."""
    if built is None or built["stages"] != stages_key(session):
        return False
    until = built["until"]
    if instant(month_start(at.date())) > until:
        return False  # a month (and so a landmark, and outcomes) ended after the state was built
    queries = session.store.forecasting
    _max_change, changes, _max_audit = queries.history_marks()
    since, added, moved = queries.recorded_since(built["stage_change_max_id"], built["audit_max_id"])
    if moved or changes != built["stage_change_count"] + added:
        return False  # a deal changed owner, or stage history was deleted (a deal with it)
    return since is None or since >= until


@dataclass(frozen=True)
class TeamState:
    """Everything every deal's forecast reads from history: the landmarks and the won table."""

    landmarks: tuple[Landmark, ...]
    won: WonTable


def team_state(session: "Session", at: datetime) -> TeamState:
    """The stored state, rebuilt first when it is out of date for `at`; with the wins recorded since it
    was built added to its won table."""
    queries = session.store.forecasting
    built = queries.cohort_build()
    if not state_is_current(session, built, at):
        return refresh_state(session, at)
    won, products = queries.won_state()
    if at > built["until"]:
        more, more_products = queries.won_since(built["until"], at, session.pipeline.won.id)
        won, products = won + more, products + more_products
    return TeamState(queries.landmarks(), WonTable(won, products))


def refresh_state(session: "Session", at: datetime | None = None) -> TeamState:
    """Rebuild the stored state from the whole history up to now (up to `at`, when later). A read-only
    session (the SSH gate) builds it without storing it: a cache is a write too."""
    queries = session.store.forecasting
    now = session.clock.now()
    until = max(now, at or now)
    max_change, changes, max_audit = queries.history_marks()
    folded = fold(session, until)
    won_stage = session.pipeline.won.id
    won = queries.won_table(until, won_stage)
    products = queries.won_products(date(1, 1, 1), until, won_stage)
    if session.read_only:
        return TeamState(folded.landmarks, WonTable(won, products))
    queries.save_state(folded.landmarks, won, products, {
        "built_at": now, "until": until, "stage_change_max_id": max_change, "stage_change_count": changes,
        "audit_max_id": max_audit, "stages": stages_key(session),
    })
    return TeamState(folded.landmarks, WonTable(won, products))


# What earlier forecasts in this process computed about past months, by store: a reload after a move or a
# win this month reuses them (History.adopt checks they read the same past).
_PAST: "WeakKeyDictionary[object, dict]" = WeakKeyDictionary()


def _remembered(session: "Session", key, history: History, this_month: date) -> History:
    remembered = _PAST.setdefault(session.store, {})
    previous = remembered.get(key)
    if previous is not None:
        history.adopt(previous, this_month)
    remembered[key] = history
    return history


# -- scopes -----------------------------------------------------------------------------------------------


def scope_logins(session: "Session", owners: Iterable[str] = (), team: str = "") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(whose deals, whose quotas) a --rep/--team scope stands for; empty: everyone (reps' quotas).

    A team's deals are its members'; its quota is its reps' (a manager's quota rolls theirs up).
    """
    requested = tuple(owners)
    owners = session.owners(requested)  # within what the session sees; refused names raise
    if not team:
        if requested or session.visible_logins() is None:
            return owners, owners
        return owners, session.quota_logins()
    members = session.store.users.find(team=team)
    if owners:
        chosen = tuple(sorted({u.login for u in members} & set(owners)))
        deals, quotas = chosen, chosen
    else:
        deals = tuple(sorted(u.login for u in members))
        quotas = tuple(sorted(u.login for u in members if u.role.value == "rep"))
    nobody = ("-nobody-",)  # a scope with nobody in it forecasts nothing and has no quota
    return deals or nobody, quotas or nobody


# -- the context --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCheck:
    """One past month: each method's forecast from the month's 1st against what was won."""

    month: date
    actual_cents: int
    forecasts: dict[str, int | None]  # auto, the methods and the naive rules
    chosen: str  # what auto used that month


@dataclass(frozen=True)
class StageRate:
    stage: str
    name: str
    configured: int  # the stage's configured probability, %
    calibrated: float | None  # of the open deals in it: the calibrated chance of a win within the period
    deals: int
    value_cents: int
    expected_cents: int


@dataclass
class Context:
    session: "Session"
    at: datetime
    logins: tuple[str, ...] | None  # whose deals (None: everyone the session sees, and it sees everyone)
    quota_logins: tuple[str, ...]
    history: History  # what the session may see, for the model and auto's choice
    season: SeasonDetection
    model: Model
    inputs: Inputs
    exact: bool  # the present was reconstructed (a past instant): categories from the reconstruction too
    won_table: WonTable  # the scope's won revenue by month, rep and product
    open_deals: tuple = ()  # the reconstruction's open deals, when exact
    _choice: Choice | None = None
    _categories: dict = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.at.date()

    @property
    def choice(self) -> Choice:
        if self._choice is None:
            self._choice = self.history.choice(self.at, self.season)
        return self._choice

    def won(self, period: Period) -> Won:
        """Won in the period before the instant: by whole months from the won table (a month or quarter), or
        by the exact days (a custom period)."""
        if period.opens >= self.at:
            return Won()
        if period.kind in ("month", "quarter"):
            months = [m for m in period.months() if instant(m) < self.at]
            owners = self.won_table.by_owner(months)
            lines = self.won_table.by_product(months)
            total, weight = sum(owners.values()), sum(lines.values())
            products = {k: total * v / weight for k, v in lines.items()} if weight else {}
            return Won(total, owners, products)
        store, won_stage = self.session.store, self.session.pipeline.won.id
        owners, products = store.forecasting.won_split(period.opens, period.closes, self.at, won_stage,
                                                       logins=self.logins)
        return Won(sum(owners.values()), owners, products)

    def methods(self, period: Period, hybrid_weight: Fraction = DEFAULT_HYBRID_WEIGHT) -> dict[str, MethodForecast]:
        """auto, then pipeline, historical and hybrid, for `period`."""
        found = candidate_forecasts(self.inputs, period, self.model, self.won(period), hybrid_weight=hybrid_weight)
        choice = self.choice
        picked = combine(found, choice.members)
        auto = replace(picked, details={
            "chosen": list(choice.members), "chosen_in_words": choice.in_words, "reason": choice.reason,
            "months_compared": len(choice.months), "season_length": choice.season,
            "scores": {name: round(s, 4) for name, s in sorted(choice.scores.items(), key=lambda x: x[1])},
            "members_cents": {m: found[m].forecast_cents for m in choice.members if m in found},
        }, methodology=f"auto uses {choice.in_words}: {choice.reason}.")
        return {AUTO: auto, **{name: found[name] for name in METHODS}}

    def category_rows(self, period: Period) -> list:
        key = (period.start, period.end)
        if key not in self._categories:
            open_ids = [s.id for s in self.session.pipeline.open_stages]
            if self.exact:
                self._categories[key] = category_rows(self.open_deals, period.start, period.end, self.today)
            else:
                self._categories[key] = self.session.store.forecasting.category_lines(
                    period.start, period.end, self.today, open_ids, logins=self.logins)
        return self._categories[key]

    def attainment(self, period: Period, owners: Iterable[str] | None = None,
                   quota_logins: tuple[str, ...] | None = None) -> Attainment:
        """Quota via `store.quota_total`; won via `store.won_between` (closes up to today)."""
        store = self.session.store
        last_day = min(period.end, self.today)
        logins = tuple(owners) if owners is not None else (self.logins or ())
        won = (store.won_between(self.session.pipeline.won.id, period.start, last_day, logins)
               if last_day >= period.start else (0, 0))
        quota_logins = self.quota_logins if quota_logins is None else quota_logins
        quota = (store.quota_total(period.kind, period.start, quota_logins)
                 if period.kind in ("month", "quarter") else None)
        return attainment(self.category_rows(period), period.start, period.end, won, quota,
                          None if owners is None else owners)

    def stage_rates(self, period: Period, pipeline_forecast: MethodForecast) -> tuple[StageRate, ...]:
        """Each open stage: its configured probability beside the calibrated chance of a win in the period."""
        lines = pipeline_forecast.details.get("stages", {})
        out = []
        for stage in self.session.pipeline.open_stages:
            line = lines.get(stage.id, {})
            out.append(StageRate(stage.id, stage.name, stage.probability, line.get("calibrated_probability"),
                                 line.get("deals", 0), line.get("value_cents", 0), line.get("expected_cents", 0)))
        return tuple(out)

    def calibration(self) -> tuple[CalibrationBin, ...]:
        probabilities = {s.id: s.probability for s in self.session.pipeline.open_stages}
        history = self.history
        return calibration_table(history.landmarks, self.at, probabilities,
                                 lambda day: history.calibrated(day, history.season_on(day).length))

    def month_checks(self, months: int = 12) -> tuple[MonthCheck, ...]:
        """The last `months` months over by now: every method's forecast from each month's 1st (auto as it
        would have chosen then) against what was won, as it stands now."""
        history = self.history
        origins = history.origins_before(self.at)[-months:]
        out = []
        for month in origins:
            season = history.season_on(month)
            found = history.month_forecasts(month, season)
            choice = history.choice(instant(month), season)
            row = {AUTO: combine(found, choice.members).forecast_cents,
                   **{name: found[name].forecast_cents if name in found else None for name in (*METHODS, *BASELINES)}}
            out.append(MonthCheck(month, history.actual(month), row, choice.name))
        return tuple(out)


def context(session: "Session", at: datetime | None = None, *, owners: Iterable[str] = (), team: str = "") -> Context:
    """Read what forecasts made at `at` (default: now) for a --rep/--team scope need."""
    at = at or session.clock.now()
    # in the clock's own minute (a forecast made now, evaluated at the minute's start: reports.forecast.
    # report_instant) what was recorded up to now counts as past (an edit made now shows in a forecast made
    # now); at an earlier instant nothing recorded at or after it does
    now = session.clock.now()
    until = max(at, now) + timedelta(microseconds=1) if at >= now.replace(second=0, microsecond=0) else at
    store, pipeline = session.store, session.pipeline
    queries = store.forecasting
    deal_logins, quota_logins = scope_logins(session, owners, team)
    logins = deal_logins or None
    visible = session.visible_logins()
    latest = queries.latest_record()
    exact = latest is not None and latest >= until
    present: Fold | None = None
    if exact:
        present = fold(session, until, logins, present=True)
        marks = present.landmarks if logins == visible else fold(session, until, visible).landmarks
        won = WonTable(queries.won_table(until, pipeline.won.id, logins=visible))
    elif visible is None:
        state = team_state(session, until)
        marks, won = state.landmarks, state.won
    else:
        marks = fold(session, until, visible).landmarks
        won = WonTable(queries.won_table(until, pipeline.won.id, logins=visible))
    this_month = month_start(at.date())
    history = _remembered(session, (visible, exact), History(until, marks, won), this_month)
    season = detect_season(won.series(this_month)[0].values)
    model = Model(season, history.calibrated(this_month, season.length))
    mine = won.only(None if logins == visible else logins)
    series, new = mine.series(this_month)
    if mine is won and won.products:
        scoped = won
    else:
        scoped = WonTable(mine.rows, queries.won_products(series.start or this_month, until, pipeline.won.id,
                                                          logins=logins))
    open_ids = [s.id for s in pipeline.open_stages]
    open_deals: tuple = ()
    if present is not None:
        groups = present.present
        shares = queries.line_shares([d[0] for d in present.open_deals])
        products: dict[tuple[str, str, int], float] = {}
        for opp, stage, bucket, value in present.open_deals:
            for name, share in shares.get(opp, ((NO_PRODUCTS, 1.0),)):
                products[(name, stage, bucket)] = products.get((name, stage, bucket), 0.0) + value * share
        product_rows = tuple((n, s, b, v) for (n, s, b), v in sorted(products.items()))
        from domain.services.forecast_state import load_state

        open_deals = load_state(session, until).only(deal_logins).open_deals
    else:
        groups = queries.open_groups(at, open_ids, logins=logins)
        product_rows = tuple(sorted(queries.open_products(at, open_ids, logins=logins)))
    inputs = Inputs(at, groups, series, new, product_rows, *_shares(scoped, series.months))
    return Context(session, at, logins, quota_logins, history, season, model, inputs, exact, scoped, open_deals)


def _shares(won: WonTable, months) -> tuple[dict[str, float], dict[str, float]]:
    """Each rep's and each product's share of the won value over `months`."""
    owners, products = won.by_owner(months), won.by_product(months)
    total, lines = sum(owners.values()), sum(products.values())
    return ({k: v / total for k, v in owners.items()} if total else {},
            {k: v / lines for k, v in products.items()} if lines else {})


# -- the forecast of a period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepLine(AgainstQuota):
    login: str
    quota_cents: int | None
    won_cents: int
    commit_cents: int
    forecasts: dict[str, int]  # method -> this rep's share of the forecast


@dataclass(frozen=True)
class ForecastSet:
    period: Period
    at: datetime
    methods: dict[str, MethodForecast]  # auto, pipeline, historical, hybrid
    choice: Choice
    attainment: Attainment
    reps: tuple[RepLine, ...]
    hybrid_weight: Fraction
    season: SeasonDetection
    stage_rates: tuple[StageRate, ...]
    calibration: tuple[CalibrationBin, ...]
    months: tuple[MonthCheck, ...]


def forecast(session: "Session", period: Period, *, at: datetime | None = None, owners: Iterable[str] = (),
             team: str = "", hybrid_weight: Fraction = DEFAULT_HYBRID_WEIGHT, by_rep: bool = True,
             ctx: Context | None = None, checks: int = 12) -> ForecastSet:
    """Every method for `period` as of `at` (default: now), with auto's choice, categories, attainment, reps,
    the calibration and each past month's forecast against its actual."""
    ctx = ctx or context(session, at, owners=owners, team=team)
    methods = ctx.methods(period, hybrid_weight)
    overall = ctx.attainment(period)
    reps: list[RepLine] = []
    if by_rep:
        store = session.store
        known = {u.login for u in store.users.find(role="rep", active=True)}
        names = set(known if ctx.logins is None else set(ctx.logins) & known)
        for m in methods.values():
            names |= {k for k in m.by_rep if k != UNASSIGNED}
        quotas = store.quota_by_login(period.kind, period.start) if period.kind in ("month", "quarter") else {}
        last_day = min(period.end, ctx.today)
        won = store.won_by_login(session.pipeline.won.id, period.start, last_day) if last_day >= period.start else {}
        mine: dict[str, list] = {}
        for row in ctx.category_rows(period):
            mine.setdefault(row[0], []).append(row)
        for login in sorted(names):
            a = attainment(mine.get(login, []), period.start, period.end, (0, won.get(login, 0)), quotas.get(login))
            reps.append(RepLine(login, a.quota_cents, a.won_cents, a.commit_cents,
                                {name: m.by_rep.get(login, 0) for name, m in methods.items()}))
    return ForecastSet(period, ctx.at, methods, ctx.choice, overall, tuple(reps), hybrid_weight, ctx.season,
                       ctx.stage_rates(period, methods["pipeline"]), ctx.calibration(),
                       ctx.month_checks(checks) if checks else ())


# -- the backtest --------------------------------------------------------------------------------------------


def history(session: "Session") -> History:
    """What a backtest of the session's figures reads: the landmark state and the won revenue, up to now."""
    until = session.clock.now() + timedelta(microseconds=1)
    visible = session.visible_logins()
    if visible is None:
        state = team_state(session, until)
        return History(until, state.landmarks, state.won)
    won = session.store.forecasting.won_table(until, session.pipeline.won.id, logins=visible)
    return History(until, fold(session, until, visible).landmarks, WonTable(won))


def backtest(session: "Session", first: date, last: date, *, methods=(AUTO, *METHODS),
             hybrid_weight: Fraction | None = None, baselines: bool = True):
    """One result per method (and per naive rule when `baselines`), months first..last inclusive, each month
    forecast from 00:00 UTC on its 1st; the session's own figures (a rep's deals, a manager's team's)."""
    from domain.services import forecast_backtest

    first, last = forecast_backtest.check_range(first, last, session.clock.today())
    return forecast_backtest.run(history(session), first, last, methods=methods, baselines=baselines,
                                 hybrid_weight=hybrid_weight)

"""Pipeline analytics: the seed's figures with correct definitions (see docs/analytics.md).

Every function takes the session and the report parameters and returns small dataclasses;
the sums and counts come from SQL aggregates (`store.analytics`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal

from domain.filters import Scope
from domain.periods import add_months, month_end, month_start, quarter_end, quarter_start, week_start
from domain.reports.base import ReportParams
from domain.services.pipeline_summary import PipelineSummary, weighted_cents
from domain.session import Session


def _scope(session: Session, params: ReportParams) -> Scope:
    """The report's --rep/--team, within what the session may see (a rep: their own figures).

    Lead figures cover the leads the user sees on the Leads list: with no --rep or --team, a
    manager's or admin's include the unassigned ones (docs/analytics.md, "Leads a figure covers")."""
    whole = not params.reps and not params.team
    return Scope(owners=session.owners(params.reps), team=session.team(params.team),
                 unassigned_leads=whole and session.sees_unassigned_leads())


def _instant(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(0), tzinfo=timezone.utc)


def _end_instant(day: date | None) -> datetime | None:
    """The instant just after `day` (ranges are [from, to] inclusive of whole days)."""
    return None if day is None else datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone.utc)


def ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def mean_cents(total: int, count: int) -> int | None:
    if count == 0:
        return None
    return int((Decimal(total) / count).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


# -- pipeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineFigures:
    summary: PipelineSummary
    won_count: int
    won_value_cents: int
    lost_count: int
    lost_value_cents: int
    average_deal_size_cents: int | None
    average_sales_cycle_days: float | None
    average_days_to_close: float | None

    @property
    def win_rate(self) -> float | None:
        return ratio(self.won_count, self.won_count + self.lost_count)


def pipeline_figures(session: Session, params: ReportParams) -> PipelineFigures:
    """Open figures are as of now; won/lost figures cover closes in [from, to] (all time without a range)."""
    from domain.filters import OpportunityFilter

    pipeline = session.pipeline
    summary = session.pipeline_summary(OpportunityFilter(owners=session.owners(params.reps), team=params.team))
    closed = session.store.analytics.closed_stats(
        pipeline.won.id, pipeline.lost.id, params.date_from, params.date_to, _scope(session, params)
    )
    closed_count = closed.won_count + closed.lost_count
    return PipelineFigures(
        summary=summary,
        won_count=closed.won_count,
        won_value_cents=closed.won_value,
        lost_count=closed.lost_count,
        lost_value_cents=closed.lost_value,
        average_deal_size_cents=mean_cents(closed.won_value, closed.won_count),
        average_sales_cycle_days=ratio(closed.won_cycle_days_sum, closed.won_count),
        average_days_to_close=ratio(closed.closed_cycle_days_sum, closed_count),
    )


# -- conversion and velocity from stage history ----------------------------------------------


@dataclass(frozen=True)
class Conversion:
    from_stage: str
    to_stage: str
    entered: int
    reached: int

    @property
    def rate(self) -> float | None:
        return ratio(self.reached, self.entered)


def stage_conversion(session: Session, params: ReportParams) -> list[Conversion]:
    """Of the opportunities that entered stage A (first entry in the period), the share that later
    entered B — or skipped past B to a later stage of the path (a skip counts as passing B)."""
    path = [*session.pipeline.open_stages, session.pipeline.won]
    pairs = [(path[i].id, [s.id for s in path[i + 1 :]]) for i in range(len(path) - 1)]
    rows = session.store.analytics.conversion(
        pairs, _instant(params.date_from), _end_instant(params.date_to), _scope(session, params)
    )
    return [Conversion(r.from_stage, r.to_stage, r.entered, r.reached) for r in rows]


@dataclass(frozen=True)
class StageVelocity:
    stage: str
    stays: int
    average_days: float | None  # None when no stay in the stage ended: never a division by zero


@dataclass(frozen=True)
class Velocity:
    stages: tuple[StageVelocity, ...]
    open_count: int
    win_rate: float | None
    average_deal_size_cents: int | None
    average_sales_cycle_days: float | None

    @property
    def velocity_cents_per_day(self) -> int | None:
        """Pipeline velocity = open deals x win rate x average deal size / average sales cycle."""
        if None in (self.win_rate, self.average_deal_size_cents, self.average_sales_cycle_days):
            return None
        if not self.average_sales_cycle_days:
            return None
        value = Decimal(self.open_count) * Decimal(str(self.win_rate)) * self.average_deal_size_cents
        return int((value / Decimal(str(self.average_sales_cycle_days))).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def velocity(session: Session, params: ReportParams) -> Velocity:
    figures = pipeline_figures(session, params)
    durations = {
        d.stage: d for d in session.store.analytics.stage_durations(
            _instant(params.date_from), _end_instant(params.date_to), _scope(session, params)
        )
    }
    stages = []
    for stage in session.pipeline.open_stages:
        d = durations.get(stage.id)
        stages.append(StageVelocity(stage.id, d.stays if d else 0, ratio(d.total_days, d.stays) if d else None))
    return Velocity(tuple(stages), figures.summary.open_count, figures.win_rate, figures.average_deal_size_cents,
                    figures.average_sales_cycle_days)


# -- week over week -----------------------------------------------------------------------


@dataclass(frozen=True)
class WeekChanges:
    week_start: date
    created: int
    value_added_cents: int
    advanced: int
    moved_back: int
    won: int
    won_value_cents: int
    lost: int
    value_removed_cents: int


def week_changes(session: Session, params: ReportParams, monday: date) -> WeekChanges:
    """Changes in the ISO week starting `monday`: deals created (and the value they added), stage
    moves forward and back, deals won, and deals lost (the value they removed)."""
    pipeline, scope = session.pipeline, _scope(session, params)
    start, end = _instant(monday), _instant(monday + timedelta(days=7))
    created, added = session.store.analytics.created_between(start, end, scope)
    order = {s.id: s.order for s in pipeline.stages}
    order[pipeline.lost.id] = 0  # losing is not advancing
    forward, backward = session.store.analytics.stage_moves_between(start, end, order, scope)
    closed = session.store.analytics.closed_stats(pipeline.won.id, pipeline.lost.id, monday, monday + timedelta(days=6), scope)
    return WeekChanges(monday, created, added, forward, backward, closed.won_count, closed.won_value,
                       closed.lost_count, closed.lost_value)


def weekly_changes(session: Session, params: ReportParams, weeks: int = 2) -> list[WeekChanges]:
    """This week and the `weeks - 1` before it, newest first."""
    monday = week_start(params.as_of)
    return [week_changes(session, params, monday - timedelta(weeks=i)) for i in range(weeks)]


# -- breakdowns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    key: str
    won_count: int
    won_value_cents: int
    lost_count: int
    lost_value_cents: int
    open_count: int
    open_value_cents: int
    weighted_value_cents: int

    @property
    def win_rate(self) -> float | None:
        return ratio(self.won_count, self.won_count + self.lost_count)

    @property
    def win_loss_ratio(self) -> float | None:
        return ratio(self.won_count, self.lost_count)


def outcomes_by(session: Session, params: ReportParams, dimension: str) -> list[Outcome]:
    """Win/loss (and open pipeline) by reason, competitor, rep, product or source."""
    pipeline = session.pipeline
    rows = session.store.analytics.breakdown(
        dimension, pipeline.won.id, pipeline.lost.id, [s.id for s in pipeline.open_stages],
        params.date_from, params.date_to, _scope(session, params),
    )
    result = [
        Outcome(r.key, r.won_count, r.won_value, r.lost_count, r.lost_value, r.open_count, r.open_value,
                weighted_cents(r.weighted_numerator))
        for r in rows
    ]
    return sorted(result, key=lambda o: (-o.won_value_cents, -o.open_value_cents, o.key))


# -- leads and sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class SourcePerformance:
    source: str
    leads: int
    converted: int
    won_count: int
    won_value_cents: int
    cost_cents: int | None
    average_response_hours: float | None

    @property
    def conversion(self) -> float | None:
        return ratio(self.converted, self.leads)

    @property
    def roi(self) -> float | None:
        """(won value - cost) / cost, where a cost is recorded."""
        if not self.cost_cents:
            return None
        return (self.won_value_cents - self.cost_cents) / self.cost_cents


def source_performance(session: Session, params: ReportParams) -> list[SourcePerformance]:
    rows = session.store.analytics.sources(
        session.pipeline.won.id, _instant(params.date_from), _end_instant(params.date_to), _scope(session, params)
    )
    result = [
        SourcePerformance(r.source or "(none)", r.leads, r.converted, r.won_count, r.won_value, r.cost,
                          ratio(r.response_hours_sum, r.responded))
        for r in rows
    ]
    return sorted(result, key=lambda s: (-s.won_value_cents, -s.leads, s.source))


def lead_conversion(session: Session, params: ReportParams) -> tuple[int, int, float | None]:
    total, converted = session.store.analytics.leads_total(
        _instant(params.date_from), _end_instant(params.date_to), _scope(session, params)
    )
    return total, converted, ratio(converted, total)


HOT_LEAD_SCORE = 70  # "hot" leads: scored 70 or more (the seed's <2 h response target applies to them)


@dataclass(frozen=True)
class LeadResponse:
    average_hours: float | None
    responded: int
    hot_average_hours: float | None
    hot_responded: int


def lead_response(session: Session, params: ReportParams) -> LeadResponse:
    """Hours from a lead's creation to its first response, for leads created in the period."""
    start, end, scope = _instant(params.date_from), _end_instant(params.date_to), _scope(session, params)
    hours, count = session.store.analytics.lead_response(start, end, scope)
    hot_hours, hot = session.store.analytics.lead_response(start, end, scope, min_score=HOT_LEAD_SCORE)
    return LeadResponse(ratio(hours, count), count, ratio(hot_hours, hot), hot)


def lead_quality_trend(session: Session, as_of: date, months: int = 6) -> list[tuple[date, float | None, int]]:
    """(month, average lead score, leads) for the `months` months up to and including as-of's month."""
    result = []
    first = add_months(month_start(as_of), -(months - 1))
    for i in range(months):
        start = add_months(first, i)
        total, count = session.store.analytics.lead_scores(_instant(start), _instant(add_months(start, 1)))
        result.append((start, ratio(total, count), count))
    return result


# -- reps and teams -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RepPerformance:
    login: str
    name: str
    manager: str
    team: str
    region: str
    opportunities: int
    open_count: int
    open_value_cents: int
    weighted_value_cents: int
    won_count: int
    won_value_cents: int
    lost_count: int
    month_quota_cents: int
    month_won_cents: int
    quarter_quota_cents: int
    quarter_won_cents: int
    activities: int
    weeks: float
    average_response_hours: float | None

    @property
    def win_rate(self) -> float | None:
        return ratio(self.won_count, self.won_count + self.lost_count)

    @property
    def month_attainment(self) -> float | None:
        return ratio(self.month_won_cents, self.month_quota_cents)

    @property
    def quarter_attainment(self) -> float | None:
        return ratio(self.quarter_won_cents, self.quarter_quota_cents)

    @property
    def coverage(self) -> float | None:
        """(quarter quota - won) / open weighted pipeline: how much of the gap the pipeline covers,
        inverted as the issue defines it (< 1: the weighted pipeline exceeds the gap).

        Absent without a quarter quota; 0 once the quota is met (there is no gap left to cover, and a
        negative coverage means nothing)."""
        if not self.quarter_quota_cents:
            return None
        gap = self.quarter_quota_cents - self.quarter_won_cents
        if gap <= 0:
            return 0.0
        return ratio(gap, self.weighted_value_cents)

    @property
    def quota_met(self) -> bool:
        return bool(self.quarter_quota_cents) and self.quarter_won_cents >= self.quarter_quota_cents

    @property
    def activities_per_week(self) -> float | None:
        return ratio(self.activities, self.weeks)


def _period(params: ReportParams) -> tuple[date, date]:
    """The report period: [from, to], or the 4 weeks up to as-of."""
    end = params.date_to or params.as_of
    start = params.date_from or (end - timedelta(days=27))
    return start, end


def rep_performance(session: Session, params: ReportParams) -> list[RepPerformance]:
    store, pipeline = session.store, session.pipeline
    scope = _scope(session, params)
    reps = store.analytics.reps(scope)
    by_rep = {o.key: o for o in outcomes_by(session, params, "rep")}
    today = params.as_of
    m0, m1, q0, q1 = month_start(today), month_end(today), quarter_start(today), quarter_end(today)
    start, end = _period(params)
    activity = store.analytics.activities_by_user(_instant(start), _end_instant(end))
    response = store.analytics.lead_response_by_owner(_instant(params.date_from), _end_instant(params.date_to))
    weeks = ((end - start).days + 1) / 7
    # one grouped query each, not two per rep (440 reps at 100,000 deals)
    month_quota, quarter_quota = store.quota_by_login("month", m0), store.quota_by_login("quarter", q0)
    month_won = store.won_by_login(pipeline.won.id, m0, m1)
    quarter_won = store.won_by_login(pipeline.won.id, q0, q1)
    result = []
    for rep in reps:
        o = by_rep.get(rep.login) or Outcome(rep.login, 0, 0, 0, 0, 0, 0, 0)
        hours, answered = response.get(rep.user_id, (0.0, 0))
        result.append(RepPerformance(
            login=rep.login, name=rep.name, manager=rep.manager, team=rep.team, region=rep.region,
            opportunities=o.won_count + o.lost_count + o.open_count, open_count=o.open_count,
            open_value_cents=o.open_value_cents, weighted_value_cents=o.weighted_value_cents, won_count=o.won_count,
            won_value_cents=o.won_value_cents, lost_count=o.lost_count,
            month_quota_cents=month_quota.get(rep.login, 0),
            month_won_cents=month_won.get(rep.login, 0),
            quarter_quota_cents=quarter_quota.get(rep.login, 0),
            quarter_won_cents=quarter_won.get(rep.login, 0),
            activities=activity.get(rep.user_id, 0), weeks=weeks,
            average_response_hours=ratio(hours, answered),
        ))
    return result


@dataclass(frozen=True)
class TeamPerformance:
    manager: str
    team: str
    reps: int
    won_count: int
    won_value_cents: int
    open_value_cents: int
    weighted_value_cents: int
    month_quota_cents: int
    month_won_cents: int

    @property
    def month_attainment(self) -> float | None:
        return ratio(self.month_won_cents, self.month_quota_cents)


def team_performance(session: Session, params: ReportParams) -> list[TeamPerformance]:
    teams: dict[tuple[str, str], list[RepPerformance]] = {}
    for rep in rep_performance(session, params):
        teams.setdefault((rep.manager, rep.team), []).append(rep)
    return [
        TeamPerformance(
            manager=manager, team=team, reps=len(members),
            won_count=sum(r.won_count for r in members), won_value_cents=sum(r.won_value_cents for r in members),
            open_value_cents=sum(r.open_value_cents for r in members),
            weighted_value_cents=sum(r.weighted_value_cents for r in members),
            month_quota_cents=sum(r.month_quota_cents for r in members),
            month_won_cents=sum(r.month_won_cents for r in members),
        )
        for (manager, team), members in sorted(teams.items())
    ]


# -- recurring revenue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mrr:
    as_of: date
    mrr_cents: int
    previous_month_end: date
    previous_mrr_cents: int

    @property
    def growth(self) -> float | None:
        return ratio(self.mrr_cents - self.previous_mrr_cents, self.previous_mrr_cents)


def mrr(session: Session, params: ReportParams) -> Mrr:
    """MRR of the contracts on the accounts the report's owners own (a rep: their accounts; a manager:
    their team's; an admin: the company's, or the --rep/--team asked for)."""
    scope = _scope(session, params)
    as_of = params.as_of
    previous = month_end(add_months(month_start(as_of), -1))
    on = session.store.analytics.mrr_on
    return Mrr(as_of, on(as_of, scope.owners, scope.team), previous, on(previous, scope.owners, scope.team))

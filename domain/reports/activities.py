"""`activities`: what the team logged — counts by kind, activities per rep per week against the
seed's KPI (50+), sentiment, lead response time, the weekly trend, and recommendations.

An activity is a completed activity of any kind but the system's `stage_change` (notes
included), dated by `completed_at`, attributed to its author; the period is `--from/--to`
(default: the 4 weeks to `--as-of`, as the `reps` report). `--rep`/`--team` keep the
activities those users logged and the leads they own. JSON keys: docs/insights.md.
"""

from __future__ import annotations

from datetime import timedelta

from domain.reports.base import Report, ReportParams, Table
from domain.services.interactions import (
    ACTIVITY_KINDS,
    InteractionInsights,
    day_start,
    interaction_insights,
)
from domain.session import Session

NAME = "activities"
TITLE = "Activities and interactions"

TARGET_PER_REP_PER_WEEK = 50  # the seed: "Activity Levels: 50+ activities per rep per week"
DEFAULT_DAYS = 28


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def period(params: ReportParams) -> tuple:
    end = params.date_to or params.as_of
    start = params.date_from or (end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        raise ValueError("from: must not be after to")
    return start, end


def build(session: Session, params: ReportParams) -> Report:
    start, end = period(params)
    # A rep sees their own activities, a manager their team's, an admin everyone's (or those asked for).
    owners, team = session.owners(params.reps), session.team(params.team)
    insights: InteractionInsights = interaction_insights(
        session, None, start, end, reps=owners, team=team, kinds=ACTIVITY_KINDS, subject="activities",
    )
    days = insights.days
    weeks = days / 7
    store = session.store
    visible = session.visible_logins()
    reps = store.insights.reps(params.reps, team)  # the reps asked for, else the active reps (those seen)
    if not params.reps and visible is not None:
        reps = [rep for rep in reps if rep.login in visible]
    counts = store.insights.activities_by_author(
        start=day_start(start), end=day_start(end + timedelta(days=1)),
        kinds=ACTIVITY_KINDS, authors=owners, team=team,
    )
    per_rep = []
    for rep in reps:
        n = counts.get(rep.id, 0)
        per_week = n / weeks
        per_rep.append((rep, n, per_week, per_week >= TARGET_PER_REP_PER_WEEK))
    rep_total = sum(n for _, n, _, _ in per_rep)
    team_rate = rep_total / len(per_rep) / weeks if per_rep else None
    meeting = sum(1 for *_, ok in per_rep if ok)
    trend = insights.trend
    response = insights.response

    recommendations = list(insights.recommendations)
    behind = [(rep, rate) for rep, _, rate, ok in per_rep if not ok]
    if behind:
        names = ", ".join(f"{rep.login} ({rate:.1f})" for rep, rate in sorted(behind, key=lambda x: x[1])[:5])
        recommendations.append(f"{len(behind)} of {len(per_rep)} reps are below {TARGET_PER_REP_PER_WEEK} activities "
                               f"a week: {names}{' …' if len(behind) > 5 else ''} — review their call plans.")

    data = {
        "period": {"from": start.isoformat(), "to": end.isoformat(), "days": days, "weeks": round(weeks, 4),
                   "as_of": params.as_of.isoformat()},
        "filters": {"reps": list(params.reps), "team": params.team or None},
        "total_activities": insights.total,
        "by_kind": insights.by_kind,
        "average_sentiment": _round(insights.average_sentiment, 4),
        "scored_activities": insights.scored,
        "sentiment_mix": {"positive": insights.positive, "neutral": insights.neutral, "negative": insights.negative},
        "response_time": {
            "leads": response.leads, "responded": response.responded, "unanswered": response.unanswered,
            "average_hours": _round(response.average_hours, 2), "within_target": response.within_target,
            "within_target_rate": _round(response.within_target_rate, 4), "target_hours": response.target_hours,
        },
        "target_per_rep_per_week": TARGET_PER_REP_PER_WEEK,
        "activities_per_rep_per_week": _round(team_rate, 2),
        "reps_meeting_target": meeting,
        "reps": [
            {"rep": rep.login, "name": rep.name, "team": rep.team or None, "activities": n,
             "per_week": round(rate, 2), "meets_target": ok}
            for rep, n, rate, ok in per_rep
        ],
        "trend": {
            "granularity": trend.granularity,
            "direction": trend.direction,
            "change": _round(trend.change, 4),
            "first_half_per_day": round(trend.first_half_per_day, 4),
            "second_half_per_day": round(trend.second_half_per_day, 4),
            "sentiment_direction": trend.sentiment_direction,
            "first_half_sentiment": _round(trend.first_half_sentiment, 4),
            "second_half_sentiment": _round(trend.second_half_sentiment, 4),
            "points": [{"start": p.start.isoformat(), "activities": p.count,
                        "average_sentiment": _round(p.average_sentiment, 4)} for p in trend.points],
        },
        "recommendations": recommendations,
    }

    kinds_table = Table(
        "By kind", ("Kind", "Activities", "Share"),
        tuple((kind, f"{n:,}", f"{n / insights.total * 100:.1f}%" if insights.total else "—")
              for kind, n in sorted(insights.by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
        numeric=frozenset({1, 2}),
    )
    reps_table = Table(
        f"Activities per rep per week (target {TARGET_PER_REP_PER_WEEK}+)", ("Rep", "Team", "Activities", "Per week",
                                                                              "Target"),
        tuple((rep.login, rep.team, f"{n:,}", f"{rate:.1f}", "met" if ok else "below") for rep, n, rate, ok in per_rep),
        numeric=frozenset({2, 3}),
    )
    trend_table = Table(
        f"Trend by {trend.granularity}", (f"{trend.granularity.capitalize()} of", "Activities", "Avg sentiment"),
        tuple((p.start.isoformat(), f"{p.count:,}", _signed(p.average_sentiment)) for p in trend.points),
        numeric=frozenset({1, 2}),
    )
    figures = Table(
        "Figures", ("Figure", "Value"),
        (
            ("Activities", f"{insights.total:,} in {days} days"),
            ("Per rep per week", "—" if team_rate is None else f"{team_rate:.1f} (target {TARGET_PER_REP_PER_WEEK}+)"),
            ("Average sentiment", f"{_signed(insights.average_sentiment)} ({insights.scored:,} scored: "
                                  f"{insights.positive:,} positive, {insights.neutral:,} neutral, "
                                  f"{insights.negative:,} negative)"),
            ("Lead response time", "—" if response.average_hours is None else
             f"{response.average_hours:.1f} h average over {response.responded:,} leads "
             f"({response.within_target:,} within {response.target_hours:g} h; {response.unanswered:,} unanswered)"),
            ("Trend", f"{trend.direction} ({trend.first_half_per_day:.1f} → {trend.second_half_per_day:.1f} a day)"),
        ),
    )

    summary = [
        f"{insights.total:,} activities from {start.isoformat()} to {end.isoformat()}"
        + ("" if team_rate is None else f": **{team_rate:.1f} per rep per week** against a target of "
           f"{TARGET_PER_REP_PER_WEEK}; {meeting} of {len(per_rep)} reps meet it.")
        + ("" if team_rate is not None else "."),
        f"Average sentiment {_signed(insights.average_sentiment)} ({insights.negative:,} negative of "
        f"{insights.scored:,} scored); trend {trend.direction}"
        + ("" if trend.sentiment_direction is None else f", sentiment {trend.sentiment_direction}") + ".",
    ]
    if response.average_hours is not None:
        summary.append(f"Leads got a first response in {response.average_hours:.1f} hours on average (target under "
                       f"{response.target_hours:g}); {response.unanswered:,} of {response.leads:,} still unanswered.")
    summary += recommendations[:3]
    notes = (
        "Activities: completed activities of every kind but stage changes, by completion date, attributed to their "
        "author. Sentiment: VADER compound score (−1…1) of the description; positive ≥ 0.05, negative ≤ −0.05. "
        "Response time: hours from a lead's creation to its first response, for leads created in the period. "
        "Trend: activities per day in the second half of the period vs the first (±10 % = up/down).",
    )
    return Report(NAME, TITLE, data, (figures, kinds_table, reps_table, trend_table), tuple(summary), notes)

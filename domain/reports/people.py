"""`reps` and `teams`: attainment, win rates, coverage, activity and response time."""

from __future__ import annotations

from domain.money import format_money, to_json_number
from domain.reports.base import Report, ReportParams, Table
from domain.reports.pipeline import pct, rate
from domain.services import analytics as a
from domain.session import Session

NAME = "reps"
TITLE = "Rep performance"


def build(session: Session, params: ReportParams) -> Report:
    reps = a.rep_performance(session, params)
    data = [
        {
            "rep": r.login, "name": r.name, "manager": r.manager, "team": r.team, "region": r.region,
            "opportunities": r.opportunities, "open_count": r.open_count, "open_value": to_json_number(r.open_value_cents),
            "weighted_value": to_json_number(r.weighted_value_cents), "won_count": r.won_count,
            "lost_count": r.lost_count, "won_value": to_json_number(r.won_value_cents), "win_rate": rate(r.win_rate),
            "quota": to_json_number(r.month_quota_cents), "won_this_month": to_json_number(r.month_won_cents),
            "attainment": rate(r.month_attainment),
            "quarter_quota": to_json_number(r.quarter_quota_cents), "won_this_quarter": to_json_number(r.quarter_won_cents),
            "quarter_attainment": rate(r.quarter_attainment), "coverage": rate(r.coverage),
            "activities_per_week": None if r.activities_per_week is None else round(r.activities_per_week, 2),
            "lead_response_hours": None if r.average_response_hours is None else round(r.average_response_hours, 2),
        }
        for r in reps
    ]
    table = Table(
        "Reps", ("Rep", "Team", "Open", "Weighted", "Won", "Win rate", "Month quota", "Attain.", "Qtr attain.", "Coverage",
                 "Act./wk", "Resp. h"),
        tuple((r.login, r.team, f"{r.open_count:,}", format_money(r.weighted_value_cents, compact=True),
               format_money(r.won_value_cents, compact=True), pct(r.win_rate, 0), format_money(r.month_quota_cents, compact=True),
               pct(r.month_attainment, 0), pct(r.quarter_attainment, 0),
               "met" if r.quota_met else "—" if r.coverage is None else f"{r.coverage:.2f}",
               "—" if r.activities_per_week is None else f"{r.activities_per_week:.1f}",
               "—" if r.average_response_hours is None else f"{r.average_response_hours:.1f}") for r in reps),
        numeric=frozenset(range(2, 12)),
    )
    summary = []
    ranked = [r for r in reps if r.month_attainment is not None]
    if ranked:
        team_quota = sum(r.month_quota_cents for r in reps)
        team_won = sum(r.month_won_cents for r in reps)
        best = max(ranked, key=lambda r: r.month_attainment)
        worst = min(ranked, key=lambda r: r.month_attainment)
        summary.append(f"Team month-to-date attainment {pct(team_won / team_quota if team_quota else None)} "
                       f"({format_money(team_won)} of {format_money(team_quota)}).")
        summary.append(f"Leading: {best.name} at {pct(best.month_attainment, 0)}; needs coaching: {worst.name} at "
                       f"{pct(worst.month_attainment, 0)}.")
    notes = ("Attainment = won this month ÷ this month's quota. Coverage = (quarter quota − won this quarter) ÷ open "
             "weighted pipeline (\"met\" once the quarter's quota is won: 0 in JSON). Activities per week count completed activities logged by the rep in the period "
             "(default: the 4 weeks to --as-of). Response time: hours from a lead's creation to its first response.",)
    return Report(NAME, TITLE, data, (table,), tuple(summary), notes)


TEAMS_NAME = "teams"
TEAMS_TITLE = "Team performance"


def build_teams(session: Session, params: ReportParams) -> Report:
    teams = a.team_performance(session, params)
    data = [
        {"manager": t.manager, "team": t.team, "reps": t.reps, "won_count": t.won_count,
         "won_value": to_json_number(t.won_value_cents), "open_value": to_json_number(t.open_value_cents),
         "weighted_value": to_json_number(t.weighted_value_cents), "month_quota": to_json_number(t.month_quota_cents),
         "month_attainment": rate(t.month_attainment)}
        for t in teams
    ]
    table = Table(
        "Teams", ("Manager", "Team", "Reps", "Won", "Won value", "Open value", "Weighted", "Month attain."),
        tuple((t.manager, t.team, t.reps, f"{t.won_count:,}", format_money(t.won_value_cents),
               format_money(t.open_value_cents), format_money(t.weighted_value_cents), pct(t.month_attainment, 0))
              for t in teams),
        numeric=frozenset(range(2, 8)),
        key=frozenset({0, 1}),  # a team is its manager and its name
    )
    summary = tuple(
        f"{t.team or 'No team'} ({t.manager or 'no manager'}): {format_money(t.won_value_cents)} won, "
        f"{format_money(t.weighted_value_cents)} weighted pipeline, month attainment {pct(t.month_attainment, 0)}."
        for t in teams
    )
    return Report(TEAMS_NAME, TEAMS_TITLE, data, (table,), summary)

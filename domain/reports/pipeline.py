"""`pipeline`: totals, weighted value, win rate, deal size, cycle length, stages, week over week, KPIs."""

from __future__ import annotations

from domain.money import format_money, to_json_number
from domain.reports.base import Report, ReportParams, Table
from domain.services import analytics as a
from domain.session import Session

NAME = "pipeline"
TITLE = "Pipeline"


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} days"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def money_json(cents: int | None):
    return None if cents is None else to_json_number(cents)


def build(session: Session, params: ReportParams) -> Report:
    f = a.pipeline_figures(session, params)
    s = f.summary
    weeks = a.weekly_changes(session, params)
    leads, converted, lead_rate = a.lead_conversion(session, params)
    mrr = a.mrr(session, params)
    velocity = a.velocity(session, params)
    response = a.lead_response(session, params)
    quality = a.lead_quality_trend(session, params.as_of)
    data = {
        "total_opportunities": s.total_count,
        "open_count": s.open_count,
        "open_value": to_json_number(s.open_value_cents),
        "weighted_value": to_json_number(s.weighted_value_cents),
        "won_count": f.won_count,
        "won_value": to_json_number(f.won_value_cents),
        "lost_count": f.lost_count,
        "lost_value": to_json_number(f.lost_value_cents),
        "win_rate": rate(f.win_rate),
        "average_deal_size": money_json(f.average_deal_size_cents),
        "average_sales_cycle_days": None if f.average_sales_cycle_days is None else round(f.average_sales_cycle_days, 2),
        "average_days_to_close": None if f.average_days_to_close is None else round(f.average_days_to_close, 2),
        "stage_counts": {line.stage.id: line.count for line in s.stages},
        "stage_values": {line.stage.id: to_json_number(line.value_cents) for line in s.stages},
        "stage_weighted_values": {line.stage.id: to_json_number(line.weighted_cents) for line in s.stages if line.stage.is_open},
        "week_over_week": [
            {"week_start": w.week_start.isoformat(), "created": w.created, "value_added": to_json_number(w.value_added_cents),
             "advanced": w.advanced, "moved_back": w.moved_back, "won": w.won, "won_value": to_json_number(w.won_value_cents),
             "lost": w.lost, "value_removed": to_json_number(w.value_removed_cents)}
            for w in weeks
        ],
        "lead_count": leads,
        "leads_converted": converted,
        "lead_to_opportunity_conversion": rate(lead_rate),
        "pipeline_velocity_per_day": money_json(velocity.velocity_cents_per_day),
        "lead_response_hours": None if response.average_hours is None else round(response.average_hours, 2),
        "hot_lead_response_hours": None if response.hot_average_hours is None else round(response.hot_average_hours, 2),
        "lead_quality_by_month": [
            {"month": m.strftime("%Y-%m"), "average_score": None if avg is None else round(avg, 2), "leads": n}
            for m, avg, n in quality
        ],
        "mrr": to_json_number(mrr.mrr_cents),
        "mrr_previous_month_end": to_json_number(mrr.previous_mrr_cents),
        "mrr_growth": rate(mrr.growth),
        "period": {"from": params.date_from.isoformat() if params.date_from else None,
                   "to": params.date_to.isoformat() if params.date_to else None, "as_of": params.as_of.isoformat()},
    }
    headline = Table(
        "Headline figures", ("Figure", "Value"),
        (
            ("Open opportunities", f"{s.open_count:,} · {format_money(s.open_value_cents)}"),
            ("Weighted pipeline", format_money(s.weighted_value_cents)),
            ("Won", f"{f.won_count:,} · {format_money(f.won_value_cents)}"),
            ("Lost", f"{f.lost_count:,} · {format_money(f.lost_value_cents)}"),
            ("Win rate (won ÷ closed)", pct(f.win_rate)),
            ("Average deal size (won)", format_money(f.average_deal_size_cents) if f.average_deal_size_cents is not None else "—"),
            ("Average sales cycle (won)", days(f.average_sales_cycle_days)),
            ("Average days to close (all closed)", days(f.average_days_to_close)),
            ("Lead → opportunity conversion", f"{pct(lead_rate)} ({converted:,} of {leads:,})"),
            ("Lead response (all / hot ≥70)", f"{hours(response.average_hours)} / {hours(response.hot_average_hours)}"),
            ("Pipeline velocity", format_money(velocity.velocity_cents_per_day) + " / day" if velocity.velocity_cents_per_day is not None else "—"),
            ("MRR", f"{format_money(mrr.mrr_cents)} ({pct(mrr.growth)} vs {mrr.previous_month_end:%b %d})"),
        ),
    )
    stages = Table(
        "By stage", ("Stage", "Deals", "Value", "Weighted"),
        tuple((line.stage.name, f"{line.count:,}", format_money(line.value_cents),
               format_money(line.weighted_cents) if line.stage.is_open else "") for line in s.stages),
        numeric=frozenset({1, 2, 3}),
    )
    week_table = Table(
        "Week over week", ("Week of", "Created", "Value added", "Advanced", "Back", "Won", "Won value", "Lost", "Value removed"),
        tuple((w.week_start.isoformat(), w.created, format_money(w.value_added_cents), w.advanced, w.moved_back, w.won,
               format_money(w.won_value_cents), w.lost, format_money(w.value_removed_cents)) for w in weeks),
        numeric=frozenset(range(1, 9)),
    )
    this, last = weeks[0], weeks[1]
    summary = (
        f"Open pipeline {format_money(s.open_value_cents)} across {s.open_count:,} deals; weighted forecast "
        f"{format_money(s.weighted_value_cents)}.",
        f"Win rate {pct(f.win_rate)} ({f.won_count:,} won, {f.lost_count:,} lost); average won deal "
        f"{format_money(f.average_deal_size_cents) if f.average_deal_size_cents is not None else '—'}, "
        f"average sales cycle {days(f.average_sales_cycle_days)}.",
        f"This week: {this.created} deals created ({format_money(this.value_added_cents)}), {this.advanced} advanced, "
        f"{this.won} won, {this.lost} lost — last week {last.created} created, {last.advanced} advanced, "
        f"{last.won} won, {last.lost} lost.",
        f"Lead-to-opportunity conversion {pct(lead_rate)}; MRR {format_money(mrr.mrr_cents)} ({pct(mrr.growth)} month on month).",
    )
    notes = ("Open figures are as of now; won and lost cover closes in the period (all time without --from/--to).",)
    return Report(NAME, TITLE, data, (headline, stages, week_table), summary, notes)

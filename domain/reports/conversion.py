"""`conversion` (stage to stage, from stage history) and `velocity` (days in stage, pipeline velocity)."""

from __future__ import annotations

from domain.money import format_money
from domain.reports.base import Report, ReportParams, Table
from domain.reports.pipeline import money_json, pct, rate
from domain.services import analytics as a
from domain.session import Session

NAME = "conversion"
TITLE = "Stage conversion"


def build(session: Session, params: ReportParams) -> Report:
    names = {s.id: s.name for s in session.pipeline.stages}
    rows = a.stage_conversion(session, params)
    leads, converted, lead_rate = a.lead_conversion(session, params)
    data = {
        "stages": [
            {"from_stage": c.from_stage, "to_stage": c.to_stage, "entered": c.entered, "reached": c.reached,
             "rate": rate(c.rate)}
            for c in rows
        ],
        "lead_to_opportunity": {"leads": leads, "converted": converted, "rate": rate(lead_rate)},
    }
    table = Table(
        "Stage to stage (from stage history)", ("From", "To", "Entered", "Reached", "Rate"),
        tuple((names[c.from_stage], names[c.to_stage], f"{c.entered:,}", f"{c.reached:,}", pct(c.rate)) for c in rows),
        numeric=frozenset({2, 3, 4}),
    )
    weakest = min((c for c in rows if c.rate is not None), key=lambda c: c.rate, default=None)
    summary = [f"Lead-to-opportunity conversion {pct(lead_rate)} ({converted:,} of {leads:,} leads)."]
    if weakest:
        summary.append(f"The weakest step is {names[weakest.from_stage]} → {names[weakest.to_stage]} at {pct(weakest.rate)}.")
    notes = (
        "Rate = of the opportunities whose first entry into a stage fell in the period, the share that later "
        "entered the next stage or skipped past it to a later one. Opportunities that skipped the first stage "
        "are not in its cohort.",
    )
    return Report(NAME, TITLE, data, (table,), tuple(summary), notes)


VELOCITY_NAME = "velocity"
VELOCITY_TITLE = "Pipeline velocity"


def build_velocity(session: Session, params: ReportParams) -> Report:
    names = {s.id: s.name for s in session.pipeline.stages}
    v = a.velocity(session, params)
    data = {
        "stages": [{"stage": s.stage, "completed_stays": s.stays,
                    "average_days": None if s.average_days is None else round(s.average_days, 2)} for s in v.stages],
        "open_count": v.open_count,
        "win_rate": rate(v.win_rate),
        "average_deal_size": money_json(v.average_deal_size_cents),
        "average_sales_cycle_days": None if v.average_sales_cycle_days is None else round(v.average_sales_cycle_days, 2),
        "velocity_per_day": money_json(v.velocity_cents_per_day),
    }
    stages = Table(
        "Average days in each stage (completed stays)", ("Stage", "Stays", "Average days"),
        tuple((names[s.stage], f"{s.stays:,}", "—" if s.average_days is None else f"{s.average_days:.1f}") for s in v.stages),
        numeric=frozenset({1, 2}),
    )
    per_day = format_money(v.velocity_cents_per_day) if v.velocity_cents_per_day is not None else "—"
    formula = Table(
        "Velocity", ("Figure", "Value"),
        (("Open deals", f"{v.open_count:,}"), ("Win rate", pct(v.win_rate)),
         ("Average deal size", format_money(v.average_deal_size_cents) if v.average_deal_size_cents is not None else "—"),
         ("Average sales cycle", "—" if v.average_sales_cycle_days is None else f"{v.average_sales_cycle_days:.1f} days"),
         ("Velocity = deals × win rate × size ÷ cycle", f"{per_day} per day")),
    )
    slowest = max((s for s in v.stages if s.average_days is not None), key=lambda s: s.average_days, default=None)
    summary = [f"The pipeline moves {per_day} of won revenue per day."]
    if slowest:
        summary.append(f"Deals spend longest in {names[slowest.stage]}: {slowest.average_days:.1f} days on average.")
    return Report(VELOCITY_NAME, VELOCITY_TITLE, data, (stages, formula), tuple(summary),
                  ("A stage with no completed stay has no average (not zero, and never a division by zero).",))

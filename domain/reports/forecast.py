"""`forecast`: the period's forecast — auto (the method or blend chosen by a rolling-origin backtest, and
why) and each method, with best/worst case and confidence — forecast categories, quota and commit
attainment, by rep, by product, the calibrated win rates beside the configured ones, the calibration
table, each past month's forecast against its actual, and the accuracy of past snapshots.

JSON keys are documented in docs/forecasting.md ("The forecast report"). Money is a JSON number
of dollars, rates are fractions 0-1 (4 places), dates ISO.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from fractions import Fraction
from typing import Any, Sequence

from domain.money import format_money, to_json_number
from domain.reports.base import Report, ReportParams, Table
from domain.services.forecast_service import Context, ForecastSet, context, forecast
from domain.services.forecast_snapshots import SnapshotOutcome, accuracy_history, take_daily_snapshot
from domain.services.forecasting import DEFAULT_HYBRID_WEIGHT, SHOWN, MethodForecast, Period
from domain.session import Session

NAME = "forecast"
TITLE = "Forecast"

CATEGORY_LABELS = {"closed": "Closed (won)", "commit": "Commit", "best_case": "Best case", "pipeline": "Pipeline",
                   "omitted": "Omitted"}


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def money_json(cents: int | None):
    return None if cents is None else to_json_number(cents)


def money_text(cents: int | None) -> str:
    return "—" if cents is None else format_money(cents)


def _details_json(details: dict[str, Any]) -> dict[str, Any]:
    """A method's details with money in dollars: `x_cents` -> `x` (nested too)."""
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, dict):
            out[key] = _details_json(value)
        elif "_cents" in key:
            out[key.replace("_cents", "")] = money_json(value) if isinstance(value, int) else value
        else:
            out[key] = value
    return out


def report_period(params: ReportParams) -> Period:
    """The month of --as-of; --from/--to make a custom period (a whole month or quarter keeps its kind)."""
    if params.date_from and params.date_to:
        for kind in ("month", "quarter"):
            candidate = Period.of(kind, params.date_from)
            if (candidate.start, candidate.end) == (params.date_from, params.date_to):
                return candidate
        return Period("custom", params.date_from, params.date_to)
    return Period.month(params.date_from or params.date_to or params.as_of)


def minute_of(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def report_instant(session: Session, as_of: date) -> datetime:
    """The current minute for today (or later); noon UTC of an earlier --as-of day (the pipeline as it
    stood then). A forecast made now is evaluated at the start of the minute (what is recorded up to now
    counts): the Forecast screen and `pantry forecast show` run in the same minute show the same figures,
    and the screen's "Figures as of HH:MM" names that instant."""
    if as_of >= session.clock.today():
        return minute_of(session.clock.now())
    return datetime.combine(as_of, time(12, 0), tzinfo=timezone.utc)


@dataclass(frozen=True)
class Found:
    """What the report (and the Forecast screen, which shows the same) is built from."""

    forecast: ForecastSet
    snapshot: SnapshotOutcome | None
    context: Context


def build(session: Session, params: ReportParams, *, hybrid_weight: Fraction = DEFAULT_HYBRID_WEIGHT,
          methods: Sequence[str] = SHOWN, snapshot: bool = True) -> Report:
    return build_from(session, find(session, params, hybrid_weight=hybrid_weight, snapshot=snapshot), params,
                      methods=methods)


def find(session: Session, params: ReportParams, *, hybrid_weight: Fraction = DEFAULT_HYBRID_WEIGHT,
         snapshot: bool = True) -> Found:
    """The forecast the report shows (and, on the day's first use, the day's snapshots, from the same reads)."""
    at = report_instant(session, params.as_of)
    ctx = context(session, at, owners=params.reps, team=params.team)
    store_snapshot = snapshot and not session.read_only and at == minute_of(session.clock.now())  # read-only: no write
    taken = take_daily_snapshot(session, ctx) if store_snapshot else None
    return Found(forecast(session, report_period(params), ctx=ctx, hybrid_weight=hybrid_weight), taken, ctx)


def build_from(session: Session, found: Found, params: ReportParams, *, methods: Sequence[str] = SHOWN) -> Report:
    fs, taken = found.forecast, found.snapshot
    team = found.context.history.won if session.visible_logins() is None else None
    history = accuracy_history(session, "month", won=team)
    shown = [fs.methods[m] for m in methods]
    data = _document(fs, shown, history, params, taken)
    tables = _tables(fs, shown, history)
    summary = _summary(fs, shown, history)
    notes = (
        "auto: the mean of the better half of the methods, blends and naive rules by their error (MAPE) in a "
        "rolling-origin backtest over the months before now, each forecast from its own 1st with nothing "
        "recorded later. Best/worst case: the 90th/10th "
        "percentile of the method's error model (an 80 % interval). Confidence: the accuracy (1 − |error| ÷ "
        "forecast) that error model expects; the backtest and the snapshot history measure the real one.",
        "Calibrated: the share of past deals in the same stage, at the same age in it, that were won within the "
        "period's months (deals still open then count as not won; months not over are left out). Configured: "
        "the stage's probability of a win at any time.",
        "Categories: open deals expected to close in the period (overdue deals count in the current period), by "
        "forecast category (the stage's, unless overridden). Commit = closed + commit; best case = commit + best "
        "case. Quota attainment = won ÷ quota; commit attainment = commit ÷ quota.",
        "Definitions, assumptions and the backtest: docs/forecasting.md.",
    )
    return Report(NAME, TITLE, data, tables, summary, notes)


def _method_json(m: MethodForecast, quota: int | None) -> dict[str, Any]:
    return {
        "forecast": to_json_number(m.forecast_cents),
        "best_case": to_json_number(m.best_case_cents),
        "worst_case": to_json_number(m.worst_case_cents),
        "confidence": rate(m.confidence),
        "won_to_date": to_json_number(m.won_to_date_cents),
        "quota_attainment": rate(m.forecast_cents / quota) if quota else None,
        "methodology": m.methodology,
        "assumptions": list(m.assumptions),
        "details": _details_json(m.details),
    }


def _document(fs: ForecastSet, shown: list[MethodForecast], history, params: ReportParams,
              taken: SnapshotOutcome | None) -> dict[str, Any]:
    a = fs.attainment
    products = sorted({k for m in shown for k in m.by_product},
                      key=lambda k: (-max(m.by_product.get(k, 0) for m in shown), k))
    return {
        "as_of": params.as_of.isoformat(),
        "instant": fs.at.isoformat(),
        "period": {"kind": fs.period.kind, "start": fs.period.start.isoformat(), "end": fs.period.end.isoformat(),
                   "label": fs.period.label},
        "scope": {"reps": list(params.reps), "team": params.team},
        "hybrid_weight": float(fs.hybrid_weight),
        "methods": {m.method: _method_json(m, a.quota_cents) for m in shown},
        "categories": [
            {"category": line.category.value, "count": line.count, "value": to_json_number(line.value_cents),
             "rollup": money_json(a.rollup(line.category))}
            for line in a.lines
        ],
        "quota": money_json(a.quota_cents),
        "won_count": a.won_count,
        "won": to_json_number(a.won_cents),
        "commit": to_json_number(a.commit_cents),
        "best_case": to_json_number(a.best_case_cents),
        "quota_attainment": rate(a.quota_attainment),
        "commit_attainment": rate(a.commit_attainment),
        "by_rep": [
            {"rep": r.login, "quota": money_json(r.quota_cents), "won": to_json_number(r.won_cents),
             "commit": to_json_number(r.commit_cents), "quota_attainment": rate(r.quota_attainment),
             "commit_attainment": rate(r.commit_attainment),
             **{m.method: to_json_number(r.forecasts.get(m.method, 0)) for m in shown}}
            for r in fs.reps
        ],
        "by_product": [
            {"product": k, **{m.method: to_json_number(m.by_product.get(k, 0)) for m in shown}} for k in products
        ],
        "accuracy": {
            "period_kind": history.kind,
            "periods": [
                {"period": line.period.label, "method": line.method, "taken_on": line.taken_on.isoformat(),
                 "forecast": to_json_number(line.forecast_cents), "actual": to_json_number(line.actual_cents),
                 "abs_pct_error": rate(line.abs_pct_error)}
                for line in history.lines
            ],
            "summary": [
                {"method": s.method, "periods": s.periods, "mape": rate(s.mape), "accuracy": rate(s.accuracy)}
                for s in history.summary
            ],
        },
        "overdue": {"deals": a.overdue_count, "value": to_json_number(a.overdue_cents)},
        "choice": {"chosen": list(fs.choice.members), "in_words": fs.choice.in_words, "reason": fs.choice.reason,
                   "months_compared": [m.strftime("%Y-%m") for m in fs.choice.months],
                   "scores": {k: rate(v) for k, v in sorted(fs.choice.scores.items(), key=lambda x: x[1])}},
        "season": {"length": fs.season.length, "test_level": rate(fs.season.level),
                   "p_values": {str(k): v for k, v in fs.season.p_values.items()}},
        "stage_rates": [
            {"stage": r.stage, "configured_probability": rate(r.configured / 100), "calibrated_probability":
             rate(r.calibrated), "deals": r.deals, "value": to_json_number(r.value_cents),
             "expected": to_json_number(r.expected_cents)} for r in fs.stage_rates
        ],
        "calibration": [
            {"bin": b.label, "deal_months": b.deals, "predicted": rate(b.predicted), "observed": rate(b.observed),
             "configured": rate(b.configured)} for b in fs.calibration
        ],
        "months": [
            {"month": c.month.strftime("%Y-%m"), "actual": to_json_number(c.actual_cents), "auto_chose": c.chosen,
             **{name: money_json(c.forecasts.get(name)) for name in SHOWN}} for c in fs.months
        ],
        "snapshot": None if taken is None else {"taken_on": taken.taken_on.isoformat(), "written": taken.written},
    }


def _tables(fs: ForecastSet, shown: list[MethodForecast], history) -> tuple[Table, ...]:
    a = fs.attainment
    label = fs.period.label
    by_method = Table(
        f"Forecast for {label} by method", ("Method", "Forecast", "Worst case", "Best case", "Confidence",
                                            "Won to date", "Of quota"),
        tuple((m.method, format_money(m.forecast_cents), format_money(m.worst_case_cents),
               format_money(m.best_case_cents), pct(m.confidence), format_money(m.won_to_date_cents),
               pct(m.forecast_cents / a.quota_cents) if a.quota_cents else "—") for m in shown),
        numeric=frozenset(range(1, 7)),
    )
    categories = Table(
        f"Forecast categories, {label}", ("Category", "Deals", "Value", "Roll-up"),
        tuple((CATEGORY_LABELS[line.category.value], f"{line.count:,}", format_money(line.value_cents),
               money_text(a.rollup(line.category)) if line.category.value != "omitted" else "")
              for line in a.lines)
        + (("Quota", "", money_text(a.quota_cents), ""),
           ("Quota attainment (won ÷ quota)", "", pct(a.quota_attainment), ""),
           ("Commit attainment (commit ÷ quota)", "", pct(a.commit_attainment), "")),
        numeric=frozenset({1, 2, 3}),
    )
    reps = Table(
        "By rep", ("Rep", "Quota", "Won", "Commit", "Attainment", "Commit att.", *(m.method.capitalize() for m in shown)),
        tuple((r.login, money_text(r.quota_cents), format_money(r.won_cents), format_money(r.commit_cents),
               pct(r.quota_attainment), pct(r.commit_attainment),
               *(format_money(r.forecasts.get(m.method, 0)) for m in shown)) for r in fs.reps),
        numeric=frozenset(range(1, 6 + len(shown))),
    )
    keys = sorted({k for m in shown for k in m.by_product},
                  key=lambda k: (-max(m.by_product.get(k, 0) for m in shown), k))
    products = Table(
        "By product (each deal split by its line items' totals)", ("Product", *(m.method.capitalize() for m in shown)),
        tuple((k, *(format_money(m.by_product.get(k, 0)) for m in shown)) for k in keys),
        numeric=frozenset(range(1, 1 + len(shown))),
    )
    stage_rates = Table(
        f"Win rates, {label}: configured (a win at any time) beside calibrated (a win within the period)",
        ("Stage", "Configured", "Calibrated", "Open deals", "Value", "Expected"),
        tuple((r.name, pct(r.configured / 100, 0), pct(r.calibrated), f"{r.deals:,}", format_money(r.value_cents),
               format_money(r.expected_cents)) for r in fs.stage_rates),
        numeric=frozenset(range(1, 6)),
    )
    calibration = Table(
        "Calibration: predicted against observed wins within a month, each month predicted from the ones before it",
        ("Predicted", "Deal-months", "Predicted rate", "Observed rate", "Configured"),
        tuple((b.label, f"{b.deals:,}", pct(b.predicted), pct(b.observed), pct(b.configured)) for b in fs.calibration),
        numeric=frozenset(range(1, 5)),
    )
    months = Table(
        "Forecast against actual by month, each forecast from the month's 1st",
        ("Month", "Actual", *SHOWN, "auto chose"),
        tuple((c.month.strftime("%Y-%m"), format_money(c.actual_cents),
               *(money_text(c.forecasts.get(name)) for name in SHOWN), c.chosen) for c in fs.months),
        numeric=frozenset(range(1, 2 + len(SHOWN))),
    )
    accuracy = Table(
        "Forecast accuracy: the snapshot taken on (or nearest after) each month's 1st vs the actual won value",
        ("Month", "Method", "Taken on", "Forecast", "Actual", "Error"),
        tuple((line.period.label, line.method, line.taken_on.isoformat(), format_money(line.forecast_cents),
               format_money(line.actual_cents), pct(line.abs_pct_error)) for line in history.lines)
        + tuple(("All months", s.method, "", "", f"MAPE {pct(s.mape)}", f"accuracy {pct(s.accuracy)}")
                for s in history.summary if s.periods),
        numeric=frozenset({3, 4, 5}),
    )
    return (by_method, categories, reps, products, stage_rates, calibration, months, accuracy)


def _summary(fs: ForecastSet, shown: list[MethodForecast], history) -> tuple[str, ...]:
    a = fs.attainment
    label = fs.period.label
    out = [f"auto uses {fs.choice.in_words}: {fs.choice.reason}."]
    for m in shown:
        out.append(
            f"{m.method.capitalize()} forecast for {label}: {format_money(m.forecast_cents)} (80 % range "
            f"{format_money(m.worst_case_cents)}–{format_money(m.best_case_cents)}), confidence {pct(m.confidence, 0)}."
        )
    out.append(
        f"Won so far {format_money(a.won_cents)} of a {money_text(a.quota_cents)} quota ({pct(a.quota_attainment)}); "
        f"commit {format_money(a.commit_cents)} ({pct(a.commit_attainment)} of quota), best case "
        f"{format_money(a.best_case_cents)}."
        + (f" The categories include {a.overdue_count:,} overdue deal{'s' if a.overdue_count != 1 else ''} "
           f"({format_money(a.overdue_cents)}) expected before today and still open." if a.overdue_count else "")
    )
    measured = [s for s in history.summary if s.periods]
    if measured:
        out.append("Measured accuracy of past monthly snapshots: " + "; ".join(
            f"{s.method} {pct(s.accuracy, 0)} over {s.periods} month{'s' if s.periods != 1 else ''}" for s in measured
        ) + " (target 85 %).")
    else:
        out.append("No month has ended since snapshots began, so forecast accuracy is not measured yet "
                   "(run `pantry forecast backtest` for a reconstruction).")
    return tuple(out)

"""`pantry forecast show | snapshot | backtest`: sales forecasts, the daily snapshot, and the backtest."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from fractions import Fraction
from typing import Any

from cli.commands.report_cmd import check_scope_options, render
from cli.context import GlobalOptions, UsageError
from cli.options import add_global_options, session_for
from cli.output import Column, Money, write_json_document, write_table
from domain.reports import forecast as forecast_report
from domain.reports.base import ReportParams
from domain.services.forecast_backtest import BacktestRangeError, BacktestResult, head_to_head
from domain.services.forecast_service import backtest
from domain.services.forecast_snapshots import take_daily_snapshot
from domain.services.forecasting import AUTO, BASELINES, DEFAULT_HYBRID_WEIGHT, METHODS, SHOWN, Period, parse_weight

NAME = "forecast"


# -- argument types: a bad value is an argparse error (exit 2) naming the option ----------------


def year_month(text: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM, got {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def weight(text: str) -> Fraction:
    try:
        return parse_weight(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="sales forecasts: show, daily snapshot, backtest", allow_abbrev=False,
        description="The calibrated pipeline, historical and hybrid forecasts and `auto` (the method or blend with "
        "the best rolling-origin backtest), with best/worst case and confidence, forecast categories and "
        "attainment, daily snapshots and a leakage-free backtest. See docs/forecasting.md.",
    )
    add_global_options(parser)
    inner = parser.add_subparsers(dest="forecast_command", metavar="ACTION", required=True)

    show = inner.add_parser(
        "show", help="the forecast of the current (or next) month or quarter", allow_abbrev=False,
        description="The forecast (auto: the method or blend with the best rolling-origin backtest, and why) with "
        "best/worst case and confidence, forecast categories, quota and commit attainment, by rep, by product, "
        "the calibrated win rates beside the configured ones, and the measured accuracy. The day's first use "
        "stores the day's snapshots. JSON: money in dollars, rates as fractions 0-1.",
    )
    add_global_options(show)
    show.add_argument("--method", choices=(*SHOWN, "all"), default=AUTO,
                      help="which method to show (default: auto); all: auto and the three methods")
    show.add_argument("--period", choices=("month", "quarter"), default="month", help="month (default) or quarter")
    show.add_argument("--next", action="store_true", help="the next period instead of the current one")
    show.add_argument("--rep", action="append", default=[], metavar="LOGIN", help="only these reps (repeatable)")
    show.add_argument("--team", default="", help="only this team")
    show.add_argument("--hybrid-weight", dest="hybrid_weight", type=weight, default=None, metavar="W",
                      help="the pipeline's weight in the hybrid, 0-1 (default: 0.6)")
    show.add_argument("--format", choices=("table", "json"), default="table")
    show.set_defaults(handler=run_show)

    snapshot = inner.add_parser(
        "snapshot", help="store today's forecast snapshots (idempotent; safe from cron)", allow_abbrev=False,
        description="Stores the team forecast of the current and next month and quarter for each method, once a "
        "day. Running it again the same day writes nothing.",
    )
    add_global_options(snapshot)
    snapshot.set_defaults(handler=run_snapshot)

    back = inner.add_parser(
        "backtest", help="forecast past months from the database as it stood on their 1st", allow_abbrev=False,
        description="For each month from --from to --to, forecasts the month from what was recorded before "
        "00:00 UTC on its 1st (nothing later; auto chooses from the months before it) and compares with the "
        "month's actual won value. `--method all` shows auto, the three methods and the naive baselines (last "
        "month, mean of the last three months, mean of every month, same month one detected season earlier) "
        "side by side.",
    )
    add_global_options(back)
    back.add_argument("--from", dest="date_from", type=year_month, required=True, metavar="YYYY-MM",
                      help="first month forecast")
    back.add_argument("--to", dest="date_to", type=year_month, required=True, metavar="YYYY-MM",
                      help="last month forecast (it must have ended)")
    back.add_argument("--method", choices=(*SHOWN, "all"), default=AUTO,
                      help="one method (default: auto), or all of them with the naive baselines")
    back.add_argument("--hybrid-weight", dest="hybrid_weight", type=weight, default=None, metavar="W",
                      help="the pipeline's weight in the hybrid, 0-1 (default: 0.6)")
    back.add_argument("--format", choices=("table", "json"), default="table")
    back.set_defaults(handler=run_backtest)


# -- show --------------------------------------------------------------------------------------------


def run_show(args: argparse.Namespace, options: GlobalOptions) -> int:
    methods = SHOWN if args.method == "all" else (args.method,)
    with session_for(options) as session:
        today = session.clock.today()
        unknown = [login for login in args.rep if session.user_by_login(login) is None]
        if unknown:
            raise UsageError(f"--rep: no user with login {', '.join(map(repr, unknown))}")
        period = Period.of(args.period, today)
        if args.next:
            period = period.following()
        params = ReportParams(as_of=today, date_from=period.start, date_to=period.end, reps=tuple(args.rep),
                              team=args.team)
        check_scope_options(session, params)
        report = forecast_report.build(session, params, hybrid_weight=args.hybrid_weight or DEFAULT_HYBRID_WEIGHT,
                                       methods=methods)
    if args.format == "json":
        write_json_document(report.data, sys.stdout)
    else:
        render(report, "table", today.isoformat(), sys.stdout)
    return 0


# -- snapshot ------------------------------------------------------------------------------------------


def run_snapshot(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        outcome = take_daily_snapshot(session)
    if outcome.already_taken:
        sys.stdout.write(f"forecast snapshots for {outcome.taken_on.isoformat()} were already taken; nothing written\n")
    else:
        sys.stdout.write(f"stored {outcome.written} forecast snapshot(s) for {outcome.taken_on.isoformat()}\n")
    return 0


# -- backtest -------------------------------------------------------------------------------------------


def result_document(result: BacktestResult) -> dict[str, Any]:
    return {
        "method": result.method,
        "months": [
            {"month": m.month.strftime("%Y-%m"), "forecast": None if m.forecast_cents is None else Money(m.forecast_cents),
             "actual": Money(m.actual_cents),
             "abs_pct_error": None if m.abs_pct_error is None else round(m.abs_pct_error, 4)}
            for m in result.months
        ],
        "mape": None if result.mape is None else round(result.mape, 4),
        "accuracy": None if result.accuracy is None else round(result.accuracy, 4),
        **({"choices": list(result.notes)} if result.notes else {}),
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def run_backtest(args: argparse.Namespace, options: GlobalOptions) -> int:
    methods = SHOWN if args.method == "all" else (args.method,)
    with session_for(options) as session:
        today = session.clock.today()
        try:
            results = backtest(session, args.date_from, args.date_to, methods=methods,
                               hybrid_weight=args.hybrid_weight, baselines=args.method == "all")
        except BacktestRangeError as exc:
            raise UsageError(f"--{exc}") from None
    out = sys.stdout
    if args.format == "json":
        documents = [result_document(r) for r in results]
        write_json_document(documents if args.method == "all" else documents[0], out)
        return 0
    out.write(f"Backtest {args.date_from:%Y-%m} to {args.date_to:%Y-%m}, as of {today.isoformat()}: each month "
              "forecast from what was recorded before 00:00 UTC on its 1st\n\n")
    if len(results) == 1:
        r = results[0]
        rows = [{"month": m.month.strftime("%Y-%m"), "forecast": None if m.forecast_cents is None else Money(m.forecast_cents),
                 "actual": Money(m.actual_cents), "error": _pct(m.abs_pct_error)} for m in r.months]
        write_table(rows, (Column("Month", lambda x: x["month"]), Column("Forecast", lambda x: x["forecast"], True),
                           Column("Actual", lambda x: x["actual"], True),
                           Column("Abs % error", lambda x: x["error"], True)), out)
        out.write(f"\n{r.method}: MAPE {_pct(r.mape)}, accuracy {_pct(r.accuracy)} over {r.scored} month(s)\n")
        _write_notes(r, out)
        return 0
    first = results[0]
    rows: list[dict[str, Any]] = []
    for i, m in enumerate(first.months):
        row: dict[str, Any] = {"month": m.month.strftime("%Y-%m"), "actual": Money(m.actual_cents)}
        for r in results:
            f = r.months[i].forecast_cents
            row[r.method] = None if f is None else Money(f)
        rows.append(row)
    rows.append({"month": "MAPE", "actual": None, **{r.method: _pct(r.mape) for r in results}})
    rows.append({"month": "Accuracy", "actual": None, **{r.method: _pct(r.accuracy) for r in results}})
    rows.append({"month": "Months scored", "actual": None, **{r.method: r.scored for r in results}})
    columns = [Column("Month", lambda x: x["month"]), Column("Actual", lambda x: x["actual"], True)]
    columns += [Column(r.method, lambda x, k=r.method: x[k], True) for r in results]
    write_table(rows, columns, out)
    by_name = {r.method: r for r in results}
    scored = [r for r in results if r.mape is not None]
    if scored:
        best = min(scored, key=lambda r: r.mape)
        out.write(f"\nLowest MAPE: {best.method} ({_pct(best.mape)}).\n")
    for name in (AUTO, *METHODS):
        r = by_name.get(name)
        if r is None or r.mape is None:
            continue
        verdicts = []
        for baseline in BASELINES:
            b = by_name.get(baseline)
            if b is None:
                continue
            n, mine, theirs = head_to_head(r, b)
            if not n:
                verdicts.append(f"{baseline}: no month both scored")
                continue
            word = "beats" if mine < theirs else "ties" if mine == theirs else "loses to"
            verdicts.append(f"{word} {baseline} ({_pct(1 - mine)} vs {_pct(1 - theirs)} over {n} month(s))")
        out.write(f"{name}, head to head on the months both scored: " + "; ".join(verdicts) + ".\n")
    _write_notes(by_name.get(AUTO), out)
    return 0


def _write_notes(result: BacktestResult | None, out) -> None:
    if result is None or not result.notes:
        return
    out.write("\nWhat auto chose each month (from the months before it only):\n")
    for note in result.notes:
        out.write(f"  {note}\n")

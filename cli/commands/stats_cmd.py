"""`pantry stats`: the pipeline summary (open, weighted, won/lost and per-stage figures)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pydantic import ValidationError

from cli.context import GlobalOptions, UsageError
from cli.errors import describe_validation_error
from cli.options import add_global_options, session_for
from cli.output import Column, Money, col, write_json_document, write_table
from domain.filters import OpportunityFilter
from domain.money import format_money
from domain.services.pipeline_summary import PipelineSummary

NAME = "stats"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="pipeline summary: open, weighted, won and lost, per stage", allow_abbrev=False,
        description="Print the pipeline summary. In JSON money is a number of dollars and rates are 0-1.",
    )
    add_global_options(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table", help="table (default) or json")
    parser.add_argument("--owner", action="append", default=[], metavar="LOGIN", help="only deals owned by LOGIN (repeatable)")
    parser.add_argument("--team", default="", help="only deals owned by this team")
    parser.set_defaults(handler=run)


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


def summary_document(summary: PipelineSummary) -> dict[str, Any]:
    closed = summary.won_count + summary.lost_count
    return {
        "total_count": summary.total_count,
        "open_count": summary.open_count,
        "open_value": Money(summary.open_value_cents),
        "weighted_value": Money(summary.weighted_value_cents),
        "won_count": summary.won_count,
        "won_value": Money(summary.won_value_cents),
        "lost_count": summary.lost_count,
        "lost_value": Money(summary.lost_value_cents),
        "win_rate": _rate(summary.won_count, closed),
        "stages": [
            {
                "id": s.stage.id,
                "name": s.stage.name,
                "kind": s.stage.kind.value,
                "probability": s.stage.probability,
                "count": s.count,
                "value": Money(s.value_cents),
                "weighted_value": Money(s.weighted_cents),
                "share_of_open_value": (
                    _rate(s.value_cents, summary.open_value_cents) if s.stage.is_open else None
                ),
            }
            for s in summary.stages
        ],
    }


def run(args: argparse.Namespace, options: GlobalOptions) -> int:
    try:
        flt = OpportunityFilter(owners=tuple(args.owner), team=args.team)
    except ValidationError as exc:
        raise UsageError(describe_validation_error(exc, {"owners": "--owner"})) from None
    with session_for(options) as session:
        summary = session.pipeline_summary(flt)
    out = sys.stdout
    doc = summary_document(summary)
    if args.format == "json":
        write_json_document(doc, out)
        return 0
    rows = [
        {"stage": s["name"], "probability": f"{s['probability']}%", "count": s["count"],
         "value": s["value"], "weighted_value": s["weighted_value"]}
        for s in doc["stages"]
    ]
    write_table(
        rows,
        (
            col("Stage", "stage"),
            Column("Prob", lambda r: r["probability"], numeric=True),
            col("Deals", "count", numeric=True),
            col("Value", "value", numeric=True),
            col("Weighted", "weighted_value", numeric=True),
        ),
        out,
    )
    win_rate = doc["win_rate"]
    out.write("\n")
    out.write(
        f"Open:   {summary.open_count:,} deals, {format_money(summary.open_value_cents)} value, "
        f"{format_money(summary.weighted_value_cents)} weighted\n"
    )
    out.write(f"Won:    {summary.won_count:,} deals, {format_money(summary.won_value_cents)}\n")
    out.write(f"Lost:   {summary.lost_count:,} deals, {format_money(summary.lost_value_cents)}\n")
    out.write(f"Win rate: {'n/a' if win_rate is None else f'{win_rate:.1%}'}\n")
    return 0

"""`pantry alerts`: stalled and idle opportunities, most severe first."""

from __future__ import annotations

import argparse
import sys

from cli.context import GlobalOptions
from cli.options import add_global_options, session_for
from cli.output import Column, col, write_json_list, write_table
from domain.services.alerts import alerts

NAME = "alerts"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="stalled and idle opportunities, most severe first", allow_abbrev=False,
        description="Stalled: more days in the current stage than its stall threshold. Idle: no activity "
        "for more than the pipeline's idle_days. Severity = days / threshold.",
    )
    add_global_options(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--rep", action="append", default=[], metavar="LOGIN", help="only this rep's deals (repeatable)")
    parser.add_argument("--kind", choices=("stalled", "idle"), default=None, help="only this kind of alert")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        found = alerts(session, tuple(args.rep), kinds=(args.kind,) if args.kind else ("stalled", "idle"))
    if args.format == "json":
        write_json_list((a.as_json() for a in found), sys.stdout)
        return 0
    rows = [a.as_json() for a in found]
    write_table(rows, (
        col("Opp", "opportunity_id", numeric=True), col("Name", "name"), col("Owner", "owner"), col("Kind", "kind"),
        col("Stage", "stage"), col("Days", "days", numeric=True), col("Threshold", "threshold", numeric=True),
        Column("Severity", lambda r: f"{r['severity']:.2f}×", numeric=True),
    ), sys.stdout)
    sys.stdout.write(f"\n{len(found):,} alerts\n")
    return 0

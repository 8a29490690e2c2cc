"""`pantry report NAME`: every analytics report as a table, CSV, JSON or a Markdown summary."""

from __future__ import annotations

import argparse
import json
import sys

from pydantic import ValidationError

from cli.context import GlobalOptions, UsageError
from cli.errors import CommandError, describe_validation_error
from cli.options import add_global_options, iso_date, session_for
from cli.output import display_width
from domain.errors import Refused
from domain.reports.base import Report, ReportParams, Table
from domain.reports.registry import REPORTS, report_kind
from domain.reports.render import to_csv, to_markdown

NAME = "report"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="analytics reports: " + ", ".join(k.name for k in REPORTS), allow_abbrev=False,
        description="Print a report. JSON keys are documented in docs/reports.md: money as numbers of dollars, "
        "rates as fractions 0-1. `--format md` is an executive summary to paste into an e-mail.",
    )
    add_global_options(parser)
    parser.add_argument("name", choices=[k.name for k in REPORTS], metavar="NAME",
                        help="one of: " + ", ".join(k.name for k in REPORTS))
    parser.add_argument("--format", choices=("table", "csv", "json", "md"), default="table")
    parser.add_argument("--from", dest="date_from", type=iso_date, default=None, metavar="YYYY-MM-DD",
                        help="start of the period (closes, leads, stage entries)")
    parser.add_argument("--to", dest="date_to", type=iso_date, default=None, metavar="YYYY-MM-DD",
                        help="end of the period, inclusive")
    parser.add_argument("--rep", action="append", default=[], metavar="LOGIN", help="only these reps (repeatable)")
    parser.add_argument("--team", default="", help="only this team")
    parser.set_defaults(handler=run)


def write_table(table: Table, out) -> None:
    if table.title:
        out.write(f"{table.title}\n")
    cells = [[str("" if c is None else c) for c in row] for row in table.rows]
    widths = [display_width(h) for h in table.columns]
    for row in cells:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row)]

    def line(values):
        parts = []
        for i, (value, width) in enumerate(zip(values, widths)):
            pad = " " * (width - display_width(value))
            parts.append(pad + value if i in table.numeric else value + pad)
        return "  ".join(parts).rstrip()

    out.write(line(list(table.columns)) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(line(row) + "\n")


def render(report: Report, fmt: str, as_of: str, out) -> None:
    if fmt == "json":
        json.dump(report.data, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "csv":
        out.write(to_csv(report))
    elif fmt == "md":
        out.write(to_markdown(report, as_of=as_of))
    else:
        out.write(f"{report.title} — as of {as_of}\n\n")
        for table in report.tables:
            write_table(table, out)
            out.write("\n")
        for note in report.notes:
            out.write(f"{note}\n")


def check_scope_options(session, params: ReportParams) -> None:
    """Refuse a --rep or --team outside what this user may see, naming the option (docs/roles.md)."""
    for option, check in (("--rep", lambda: session.owners(params.reps)), ("--team", lambda: session.team(params.team))):
        try:
            check()
        except Refused as exc:
            raise CommandError(f"{option}: {exc}") from None


def run(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        try:
            params = ReportParams(as_of=session.clock.today(), date_from=args.date_from, date_to=args.date_to,
                                  reps=tuple(args.rep), team=args.team)
        except ValidationError as exc:
            raise UsageError(describe_validation_error(exc, {"from": "--from"})) from None
        unknown = [login for login in args.rep if session.user_by_login(login) is None]
        if unknown:
            raise UsageError(f"--rep: no user with login {', '.join(map(repr, unknown))}")
        check_scope_options(session, params)
        report = report_kind(args.name).build(session, params)
    render(report, args.format, params.as_of.isoformat(), sys.stdout)
    return 0

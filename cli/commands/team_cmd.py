"""`pantry assign` (give leads or a deal to a rep) and `pantry quota` (set and list quotas).

Both go through the domain services, so the role rules hold here as in the TUI: a manager assigns
within their team and sets their reps' quotas, an admin anything, a rep neither.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from cli.context import GlobalOptions
from cli.options import add_global_options, dollars, record_id, session_for
from cli.output import Column, col, say, write_json_list, write_table
from domain.enums import QuotaPeriod
from domain.money import format_money, to_json_number
from domain.services.lead_actions import LeadActions
from domain.services.opportunity_updates import OpportunityUpdates
from domain.services.quota_actions import QuotaActions

NAME = "assign"


def month(text: str) -> date:
    """YYYY-MM or YYYY-MM-01 -> the first of that month."""
    try:
        day = date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM, got {text!r}") from None
    if day.day != 1:
        raise argparse.ArgumentTypeError(f"a period starts on the first of a month, not {text!r}")
    return day


def register(subparsers: argparse._SubParsersAction) -> None:
    assign = subparsers.add_parser(
        "assign", help="give leads or an opportunity to a user", allow_abbrev=False,
        description="Assign leads (one or many) or an opportunity to LOGIN. Managers assign within their team "
        "(and hand out unassigned leads); admins assign anything; reps cannot assign.",
    )
    add_global_options(assign)
    assign.add_argument("entity", choices=("lead", "opportunity"))
    assign.add_argument("ids", type=record_id, nargs="+", metavar="ID")
    assign.add_argument("--to", required=True, metavar="LOGIN", help="the new owner")
    assign.set_defaults(handler=run_assign)

    quota = subparsers.add_parser(
        "quota", help="set or list quotas", allow_abbrev=False,
        description="`pantry quota set LOGIN DOLLARS --start YYYY-MM [--period month|quarter]` creates or replaces "
        "a quota; `pantry quota list` shows the quotas you may see. Managers set their reps' quotas, admins anyone's.",
    )
    add_global_options(quota)
    actions = quota.add_subparsers(dest="action", required=True, metavar="set|list")
    setter = actions.add_parser("set", help="create or replace a quota", allow_abbrev=False)
    add_global_options(setter)
    setter.add_argument("quota_login", metavar="LOGIN")
    setter.add_argument("amount", type=dollars, metavar="DOLLARS")
    setter.add_argument("--period", choices=[p.value for p in QuotaPeriod], default="month")
    setter.add_argument("--start", type=month, required=True, metavar="YYYY-MM",
                        help="the first month of the period")
    setter.set_defaults(handler=run_quota_set)
    lister = actions.add_parser("list", help="the quotas you may see", allow_abbrev=False)
    add_global_options(lister)
    lister.add_argument("--period", choices=[p.value for p in QuotaPeriod], default=None)
    lister.add_argument("--start", type=month, default=None, metavar="YYYY-MM")
    lister.add_argument("--format", choices=("table", "json"), default="table")
    lister.set_defaults(handler=run_quota_list)


def run_assign(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        if args.entity == "lead":
            changed = LeadActions(session).assign(list(args.ids), args.to)
            say(f"assigned {changed} of {len(args.ids)} lead(s) to {args.to}\n")
            return 0
        reassigned = OpportunityUpdates(session).reassign_all(list(args.ids), args.to)  # all or nothing
    for saved in reassigned:
        say(f"#{saved.id} {saved.name}: owner {args.to} (version {saved.version})\n")
    return 0


def run_quota_set(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        saved = QuotaActions(session).set_quota(args.quota_login, args.period, args.start, args.amount)
    say(f"quota of {args.quota_login} for the {saved.period.value} from {saved.period_start:%Y-%m}: "
                     f"{format_money(saved.amount_cents)}\n")
    return 0


def run_quota_list(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        lines = QuotaActions(session).quotas(args.period, args.start)
    rows = [{"login": q.login, "name": q.name, "period": q.period, "start": q.period_start.isoformat(),
             "amount": to_json_number(q.amount_cents), "amount_cents": q.amount_cents} for q in lines]
    if args.format == "json":
        write_json_list(({k: v for k, v in r.items() if k != "amount_cents"} for r in rows), sys.stdout)
        return 0
    write_table(rows, (col("Login", "login"), col("Name", "name"), col("Period", "period"), col("Start", "start"),
                       Column("Amount", lambda r: format_money(r["amount_cents"]), numeric=True)), sys.stdout)
    return 0

"""`pantry automations run` and `pantry outbox`: time-based automations and the e-mail they write."""

from __future__ import annotations

import argparse
import sys

from cli.context import GlobalOptions
from cli.options import add_global_options, session_for
from cli.output import col, write_json_list, write_table
from domain.services.duration_sweep import sweep_stage_durations
from domain.services.mailer import deliver_outbox, outbox

NAME = "automations"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help="run time-based automations", allow_abbrev=False)
    add_global_options(parser)
    inner = parser.add_subparsers(dest="automations_command", metavar="ACTION", required=True)
    run = inner.add_parser(
        "run", help="fire stage_duration_exceeded automations that are due, deliver queued e-mail", allow_abbrev=False,
        description="Fires each stage_duration_exceeded automation once per stay for deals past its threshold, "
        "then delivers queued e-mail when PANTRY_SMTP_HOST is set. Safe to run from cron.",
    )
    add_global_options(run)
    run.set_defaults(handler=run_automations)

    outbox = subparsers.add_parser(NAME_OUTBOX, help="e-mail written by automations", allow_abbrev=False)
    add_global_options(outbox)
    outbox.add_argument("--format", choices=("table", "json"), default="table")
    outbox.add_argument("--status", choices=("queued", "sent", "failed"), default=None)
    outbox.add_argument("--limit", type=int, default=50)
    outbox.set_defaults(handler=run_outbox)


NAME_OUTBOX = "outbox"


def run_automations(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        fired = sweep_stage_durations(session)
        sent, failed = deliver_outbox(session, session.settings.smtp)
    for opportunity_id, key in fired:
        sys.stdout.write(f"fired {key} for opportunity {opportunity_id}\n")
    sys.stdout.write(f"{len(fired)} automation(s) fired; e-mail sent {sent}, failed {failed}\n")
    return 0


def run_outbox(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        messages = outbox(session, args.status, args.limit)
    rows = [
        {"id": m.id, "created_at": m.created_at.isoformat(), "to": m.to_address, "subject": m.subject, "body": m.body,
         "status": m.status, "automation": m.automation, "opportunity_id": m.opportunity_id, "error": m.error or None}
        for m in messages
    ]
    if args.format == "json":
        write_json_list(rows, sys.stdout)
    else:
        write_table(rows, (col("Id", "id", numeric=True), col("Status", "status"), col("To", "to"),
                           col("Subject", "subject"), col("Created", "created_at")), sys.stdout)
    return 0

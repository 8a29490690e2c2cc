"""`pantry move OPPORTUNITY_ID STAGE`: a stage change through the pipeline's rules."""

from __future__ import annotations

import argparse
import sys

from cli.context import GlobalOptions
from cli.options import add_global_options, record_id, session_for, text_option, version_number
from cli.output import Money, say, write_json_document
from domain.money import format_money
from domain.services.duration_sweep import sweep_stage_durations
from domain.services.mailer import deliver_outbox
from domain.services.stage_moves import StageMover

NAME = "move"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="move an opportunity to another stage", allow_abbrev=False,
        description="Move an opportunity to STAGE. Every unmet requirement of the stage is reported "
        "(exit 1) and nothing changes; otherwise the new state is printed.",
    )
    add_global_options(parser)
    parser.add_argument("opportunity_id", type=record_id, metavar="OPPORTUNITY_ID")
    parser.add_argument("stage", metavar="STAGE", help="target stage id (see `pantry pipeline show`)")
    parser.add_argument("--lost-reason", default=None, type=text_option(), metavar="TEXT", help="required when STAGE is the lost stage")
    parser.add_argument("--expect-version", type=version_number, default=None, metavar="N",
                        help="refuse if the opportunity's version is no longer N (someone changed it)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        result = StageMover(session).move(
            args.opportunity_id, args.stage, expected_version=args.expect_version, lost_reason=args.lost_reason
        )
        sweep_stage_durations(session)
        deliver_outbox(session, session.settings.smtp)
    o = result.opportunity
    if args.format == "json":
        write_json_document({
            "id": o.id, "name": o.name, "from_stage": result.from_stage, "stage": o.stage,
            "probability": o.probability, "probability_overridden": o.probability_overridden,
            "forecast_category": o.forecast_category.value, "value": Money(o.value_cents),
            "actual_close_date": o.actual_close_date.isoformat() if o.actual_close_date else None,
            "lost_reason": o.lost_reason or None, "version": o.version,
            "automations": list(result.automations), "advisories": list(result.advisories),
        }, sys.stdout)
        return 0

    say(f"#{o.id} {o.name}: {result.from_stage} → {o.stage}\n")
    override = " (manual override)" if o.probability_overridden else ""
    say(f"  probability {o.probability}%{override} · forecast category {o.forecast_category.value}"
              f" · value {format_money(o.value_cents)} · version {o.version}\n")
    if o.actual_close_date:
        say(f"  closed {o.actual_close_date.isoformat()}" + (f" · lost: {o.lost_reason}" if o.lost_reason else "") + "\n")
    for label in result.automations:
        say(f"  automation: {label}\n")
    for advice in result.advisories:
        say(f"  note: {advice}\n")
    return 0

"""`pantry log` (an activity on a deal) and `pantry edit` (a deal's fields): what a refused move asks for."""

from __future__ import annotations

import argparse

from cli.context import GlobalOptions
from cli.options import (
    add_global_options,
    dollars,
    iso_date,
    percent,
    record_id,
    session_for,
    text_option,
    version_number,
)
from cli.output import say
from domain.enums import ActivityKind, ForecastCategory, Outcome
from domain.inputs import LONG_TEXT
from domain.money import format_money
from domain.services.opportunity_updates import OpportunityUpdates

LOG_KINDS = [k.value for k in ActivityKind if k is not ActivityKind.STAGE_CHANGE]


def register(subparsers: argparse._SubParsersAction) -> None:
    log = subparsers.add_parser(
        "log", help="log an activity (call, meeting, demo…) on an opportunity", allow_abbrev=False,
        description="Log a completed activity (or a planned one with --planned). A completed activity can meet "
        "a stage requirement such as qualification's 'call'.",
    )
    add_global_options(log)
    log.add_argument("opportunity_id", type=record_id, metavar="OPPORTUNITY_ID")
    log.add_argument("--kind", required=True, choices=LOG_KINDS)
    log.add_argument("--subject", required=True, type=text_option())
    log.add_argument("--description", default="", type=text_option(LONG_TEXT, multiline=True))
    log.add_argument("--outcome", choices=[o.value for o in Outcome], default=None)
    log.add_argument("--next-steps", default="", type=text_option())
    log.add_argument("--planned", action="store_true", help="scheduled, not yet done")
    log.set_defaults(handler=run_log)

    edit = subparsers.add_parser(
        "edit", help="change an opportunity's fields (budget, next step, close date…)", allow_abbrev=False,
        description="Change fields of an opportunity. Stage changes go through `pantry move`. Setting --probability "
        "or --forecast-category marks it as a manual override.",
    )
    add_global_options(edit)
    edit.add_argument("opportunity_id", type=record_id, metavar="OPPORTUNITY_ID")
    edit.add_argument("--name", type=text_option())
    edit.add_argument("--budget", type=dollars, metavar="DOLLARS")
    edit.add_argument("--value", type=dollars, metavar="DOLLARS")
    edit.add_argument("--next-step", type=text_option())
    edit.add_argument("--expected-close", type=iso_date, metavar="YYYY-MM-DD")
    edit.add_argument("--source", type=text_option())
    edit.add_argument("--probability", type=percent, metavar="0-100")
    edit.add_argument("--forecast-category", choices=[c.value for c in ForecastCategory])
    edit.add_argument("--expect-version", type=version_number, default=None, metavar="N",
                      help="refuse if the opportunity's version is no longer N")
    edit.set_defaults(handler=run_edit)


NAME = "log"


def run_log(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        activity = OpportunityUpdates(session).log_activity(
            args.opportunity_id, ActivityKind(args.kind), args.subject, description=args.description,
            outcome=Outcome(args.outcome) if args.outcome else None, completed=not args.planned,
            next_steps=args.next_steps,
        )
    state = "planned" if args.planned else "completed"
    say(f"logged {state} {activity.kind.value} #{activity.id} on opportunity {args.opportunity_id}: "
                     f"{activity.subject}\n")
    return 0


def run_edit(args: argparse.Namespace, options: GlobalOptions) -> int:
    changes = {
        key: value for key, value in (
            ("name", args.name), ("budget_cents", args.budget), ("value_cents", args.value),
            ("next_step", args.next_step), ("expected_close_date", args.expected_close), ("source", args.source),
            ("probability", args.probability),
            ("forecast_category", ForecastCategory(args.forecast_category) if args.forecast_category else None),
        ) if value is not None
    }
    if not changes:
        from cli.context import UsageError

        raise UsageError("edit: name at least one field to change (see pantry edit --help)")
    with session_for(options) as session:
        saved = OpportunityUpdates(session).update_fields(args.opportunity_id, changes,
                                                          expected_version=args.expect_version)
    shown = ", ".join(
        f"{k.removesuffix('_cents')}={format_money(v) if k.endswith('_cents') else getattr(v, 'value', v)}"
        for k, v in changes.items()
    )
    say(f"#{saved.id} {saved.name}: {shown} (version {saved.version})\n")
    return 0

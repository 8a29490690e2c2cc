"""`pantry pipeline show`: the pipeline configuration in force."""

from __future__ import annotations

import argparse
import json
import sys

from cli.context import GlobalOptions, pipeline_file
from cli.options import add_global_options
from domain.pipeline import load_pipeline

NAME = "pipeline"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help="show the pipeline configuration", allow_abbrev=False)
    add_global_options(parser)
    inner = parser.add_subparsers(dest="pipeline_command", metavar="ACTION", required=True)
    show = inner.add_parser("show", help="print the active stages, requirements and automations", allow_abbrev=False)
    add_global_options(show)
    show.add_argument("--format", choices=("table", "json"), default="table")
    show.set_defaults(handler=run_show)


def run_show(args: argparse.Namespace, options: GlobalOptions) -> int:
    config = load_pipeline(pipeline_file(options))
    if args.format == "json":
        json.dump(config.model_dump(mode="json"), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    out.write(f"idle after {config.idle_days} days without activity · update_field may set: "
              f"{', '.join(config.update_field_allowed)}\n")
    for stage in config.stages:
        timing = f" · expected {stage.expected_days}d · stalls after {stage.stall_days}d" if stage.is_open else ""
        out.write(f"\n{stage.order}. {stage.name} [{stage.id}] {stage.kind.value} · {stage.probability}% · "
                  f"{stage.forecast_category.value}{timing}\n")
        for requirement in stage.requirements:
            detail = getattr(requirement, "field", None) or requirement.value
            flag = "" if requirement.required else " (advisory)"
            out.write(f"   requires {requirement.type}" + (f" {detail}" if detail is not None else "") + f"{flag}\n")
        for automation in stage.automations:
            params = automation.parameters.model_dump(exclude_none=True, mode="json")
            out.write(f"   on {automation.trigger.value}: {automation.action} {json.dumps(params, ensure_ascii=False)}\n")
    return 0

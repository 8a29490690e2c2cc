"""`pantry pipeline show|set|history`: the pipeline stored in the database (docs/pipeline.md)."""

from __future__ import annotations

import argparse
import json
import sys

from cli.context import GlobalOptions
from cli.options import add_global_options, positive_int, session_for
from cli.output import Column, col, write_json_list, write_table
from domain.pipeline import PipelineConfig
from domain.pipeline.config import read_pipeline_file
from domain.services.pipeline_versions import PipelineFile, PipelineVersions

NAME = "pipeline"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="the pipeline stored in the database: show, set, history", allow_abbrev=False,
        description="The pipeline (stages, probabilities, requirements, automations) is stored in the database, "
        "versioned: every process on it reads the same one. See docs/pipeline.md.",
    )
    add_global_options(parser)
    inner = parser.add_subparsers(dest="pipeline_command", metavar="ACTION", required=True)
    show = inner.add_parser("show", help="print the pipeline in force", allow_abbrev=False,
                            description="Print the pipeline in force: a summary (table), the TOML file as stored "
                            "(toml: `pantry pipeline set` takes it back), or JSON.")
    add_global_options(show)
    show.add_argument("--format", choices=("table", "toml", "json"), default="table")
    show.add_argument("number", nargs="?", type=positive_int, metavar="VERSION", default=None,
                      help="an earlier version (`pantry pipeline history` lists them); default: the one in force")
    show.set_defaults(handler=run_show)
    change = inner.add_parser(
        "set", help="store FILE as the next version of the pipeline (admins)", allow_abbrev=False,
        description="Validate FILE (TOML, as `pantry pipeline show --format toml` prints) and store it as the "
        "next version: audited, and every running session switches to it. Refused whole, with every problem, "
        "when the file is invalid or drops a stage that opportunities are in.",
    )
    add_global_options(change)
    change.add_argument("file", metavar="FILE", help="the pipeline file (TOML)")
    change.set_defaults(handler=run_set)
    history = inner.add_parser("history", help="every version: number, when, who", allow_abbrev=False)
    add_global_options(history)
    history.add_argument("--format", choices=("table", "json"), default="table")
    history.set_defaults(handler=run_history)


def run_show(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options, empty_hint=False, strict_pipeline=False) as session:
        versions = PipelineVersions(session)
        if args.number is None:
            version, config = versions.current(), session.pipeline
        else:
            version = versions.version(args.number)
            config = session.use_pipeline(version)
    if args.format == "toml":
        sys.stdout.write(version.toml if version.toml.endswith("\n") else version.toml + "\n")
    elif args.format == "json":
        json.dump({"version": version.number, **config.model_dump(mode="json")}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(f"version {version.number}, set by {version.created_by} on {version.created_at:%Y-%m-%d %H:%M} UTC\n")
        write_summary(config)
    return 0


def write_summary(config: PipelineConfig) -> None:
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


def run_set(args: argparse.Namespace, options: GlobalOptions) -> int:
    given = PipelineFile(args.file, read_pipeline_file(args.file), args.file)
    given.config  # an invalid file is refused before the database is opened, every problem listed
    with session_for(options, empty_hint=False, strict_pipeline=False) as session:
        saved = PipelineVersions(session).set(given)
        if saved is None:
            sys.stdout.write(f"unchanged: {args.file} is the pipeline in force (version {session.pipeline_version}); "
                             "nothing stored\n")
        else:
            sys.stdout.write(f"stored {args.file} as pipeline version {saved.number}; running sessions switch to it\n")
    return 0


def run_history(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options, empty_hint=False, strict_pipeline=False) as session:
        versions = PipelineVersions(session).history()
        in_force = session.pipeline_version
    rows = [{"version": v.number, "set_at": v.created_at, "set_by": v.created_by, "in_force": v.number == in_force,
             "stages": _stage_names(v.toml, v.number)} for v in versions]
    if args.format == "json":
        write_json_list(rows, sys.stdout)
        return 0
    write_table(rows, (
        Column("version", lambda row: f"{row['version']}{' *' if row['in_force'] else ''}", numeric=True),
        Column("set at (UTC)", lambda row: f"{row['set_at']:%Y-%m-%d %H:%M}"),
        col("set by", "set_by"),
        col("stages", "stages"),
    ), sys.stdout)
    sys.stdout.write("* in force. `pantry pipeline show N --format toml` prints version N's file.\n")
    return 0


def _stage_names(text: str, number: int) -> str:
    from domain.pipeline import PipelineConfigError
    from domain.pipeline.config import parse_pipeline

    try:
        return " → ".join(stage.name for stage in parse_pipeline(text, f"pipeline version {number}").stages)
    except PipelineConfigError:
        return "(not readable by this Pantry)"
